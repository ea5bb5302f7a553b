"""Bulk import helpers, called from a management command."""

from django.db.models.signals import post_save

from .models import Product
from .receivers import queue_reindex


def import_products(rows):
    # Pitfall: if a row fails, the receiver stays disconnected for the life of the worker.
    post_save.disconnect(queue_reindex, sender=Product)
    for row in rows:
        Product.objects.create(**row)
    post_save.connect(queue_reindex, sender=Product)  # SIG106


def import_products_safely(rows):
    post_save.disconnect(queue_reindex, sender=Product)
    try:
        for row in rows:
            Product.objects.create(**row)
    finally:
        post_save.connect(queue_reindex, sender=Product)


def mute_order_receivers():
    # Pitfall: the receiver is connected with sender=Product; without it this matches nothing.
    post_save.disconnect(queue_reindex)  # SIG505


def enable_audit(model):
    # Pitfall: a new lambda, kept alive by weak=False, every time this is called.
    post_save.connect(lambda sender, **kw: print("saved", sender), sender=model, weak=False)  # SIG103

