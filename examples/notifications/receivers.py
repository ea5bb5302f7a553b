from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from shop.models import Order

from . import tasks, webhooks


# Pitfall: the save waits on every subscriber's web server.
@receiver(post_save, sender=Order)
def announce_order(sender, instance, created, **kwargs):
    if created:
        webhooks.notify_subscribers("order.created", {"id": instance.pk})  # SIG301


# Pitfall: on_commit only moves the call after the commit. Django runs the callback in
# this same thread, before save() returns to the view: the request still waits.
@receiver(post_save, sender=Order)
def announce_order_after_commit(sender, instance, created, **kwargs):
    if created:
        transaction.on_commit(lambda: webhooks.notify_subscribers("order.created", {"id": instance.pk}))  # SIG301


# Right: a task queue runs it in a worker, once the transaction has committed.
@receiver(post_save, sender=Order)
def announce_order_later(sender, instance, created, **kwargs):
    if created:
        transaction.on_commit(lambda: tasks.announce.delay("order.created", {"id": instance.pk}))
