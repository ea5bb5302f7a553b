from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from shop.models import Order

from . import webhooks


# Pitfall: the save waits on every subscriber's web server.
@receiver(post_save, sender=Order)
def announce_order(sender, instance, created, **kwargs):
    if created:
        webhooks.notify_subscribers("order.created", {"id": instance.pk})  # SIG301


# Right (for work that must happen after the commit, outside the request): on_commit.
@receiver(post_save, sender=Order)
def announce_order_later(sender, instance, created, **kwargs):
    if created:
        transaction.on_commit(lambda: webhooks.notify_subscribers("order.created", {"id": instance.pk}))
