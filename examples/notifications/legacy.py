"""Kept from the Django 3 days; importing it raises TypeError on Django 4.0+."""

from django.dispatch import Signal

subscription_confirmed = Signal(providing_args=["subscription"])  # SIG502
