from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Order


def email_receipt(sender, instance, **kwargs):
    pass


def checkout(request, order_id):
    # Pitfall: registered only in processes that served a checkout first.
    post_save.connect(email_receipt, sender=Order)  # SIG101
    order = get_object_or_404(Order, pk=order_id)
    return HttpResponse(order.number)


# Pitfall: views.py is imported by the URLconf, not at start-up: a Celery worker or a
# management command that saves an Order never runs this receiver.
@receiver(post_save, sender=Order)  # SIG201
def reserve_stock(sender, instance, created, **kwargs):
    pass
