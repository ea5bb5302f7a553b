from django.apps import AppConfig


class TruthAppConfig(AppConfig):
    name = "truth_app"
    default_auto_field = "django.db.models.AutoField"
