from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import tasks
from .models import Coupon, Order, Product


# Pitfall: save() inside post_save sends post_save again -- and again.
@receiver(post_save, sender=Order)
def assign_number(sender, instance, **kwargs):
    instance.number = f"ORD-{instance.pk:06d}"
    instance.save()  # SIG401


# Right: write the column without sending signals again, once.
@receiver(post_save, sender=Order)
def assign_number_once(sender, instance, created, **kwargs):
    if created:
        Order.objects.filter(pk=instance.pk).update(number=f"ORD-{instance.pk:06d}")


# Pitfall: the worker may run before the order is committed.
@receiver(post_save, sender=Order)
def queue_invoice(sender, instance, created, **kwargs):
    if created:
        tasks.send_invoice.delay(instance.pk)  # SIG303


# Right: enqueue once the transaction has committed.
@receiver(post_save, sender=Product)
def queue_reindex(sender, instance, **kwargs):
    transaction.on_commit(lambda: tasks.reindex_product.delay(instance.pk))


# Pitfall: m2m_changed fires for pre_add and post_add; this runs twice per change.
@receiver(m2m_changed, sender=Product.tags.through)
def refresh_search_text(sender, instance, **kwargs):  # SIG403
    Product.objects.filter(pk=instance.pk).update(search_text=instance.name)


# Right: only after the rows changed.
@receiver(m2m_changed, sender=Product.tags.through)
def refresh_tag_cache(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        cache.delete(f"product-tags-{instance.pk}")


# Pitfall: m2m_changed is sent with Product.tags.through, never with Product: this never runs.
@receiver(m2m_changed, sender=Product)  # SIG506
def count_tags(sender, instance, action, **kwargs):
    if action == "post_add":
        cache.delete(f"product-tag-count-{instance.pk}")


# Pitfall (opinionated, SIG404): a counter that drifts whenever the receiver runs twice.
@receiver(post_save, sender=Order)
def count_coupon_use(sender, instance, **kwargs):
    if instance.coupon_id:
        Coupon.objects.filter(pk=instance.coupon_id).update(times_used=F("times_used") + 1)  # SIG404 SIG405


# Pitfall (opinionated, SIG504): no sender -- runs for every model in the project.
@receiver(pre_save)  # SIG504
def touch_everything(sender, instance, **kwargs):
    pass


# Pitfall: the transaction wraps the function bound to the name, not the receiver.
@transaction.atomic
@receiver(post_delete, sender=Order)  # SIG503
def release_stock(sender, instance, **kwargs):
    pass


# Pitfall: the same dispatch_uid for two different receivers: the second never runs.
def clear_product_cache(sender, **kwargs):
    cache.delete("catalog")


def clear_price_cache(sender, **kwargs):
    cache.delete("prices")


post_save.connect(clear_product_cache, sender=Product, dispatch_uid="product-cache")
post_save.connect(clear_price_cache, sender=Product, dispatch_uid="product-cache")  # SIG104

# Pitfall: a lambda is only weakly referenced and is collected at once.
post_delete.connect(lambda sender, **kwargs: cache.delete("catalog"), sender=Product)  # SIG102


# Pitfall: Django's connect() returns None; the name becomes None and the function is collected.
@post_delete.connect  # SIG105
def forget_coupon(sender, instance, **kwargs):
    cache.delete(f"coupon-{instance.pk}")


# Pitfall: the file goes at once, the row only if the deletion's transaction commits.
@receiver(post_delete, sender=Product)
def remove_image(sender, instance, **kwargs):
    instance.image.delete(save=False)  # SIG304


# Right: remove the file once the row is really gone.
@receiver(post_delete, sender=Product)
def remove_image_after_commit(sender, instance, **kwargs):
    if instance.image:
        name, storage = instance.image.name, instance.image.storage
        transaction.on_commit(lambda: storage.delete(name))
