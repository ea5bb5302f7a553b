"""Receivers connected from AccountsConfig.ready()."""

from django.core.mail import send_mail


def welcome_user(sender, instance, created, **kwargs):
    # Pitfall: mails on every save of the user, not only when it is created,
    # and the request waits for the mail server.
    send_mail("Welcome!", "Thanks for joining.", None, [instance.email])  # SIG301 SIG402
