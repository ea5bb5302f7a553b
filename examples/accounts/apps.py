from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from . import handlers, signals  # noqa: F401  (registers the @receiver functions)

        post_save.connect(handlers.welcome_user, sender=settings.AUTH_USER_MODEL)
