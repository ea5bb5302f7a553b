from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import LoginEvent, Preferences, Profile


# Right: one profile per user, created once -- and not while loaddata loads fixture
# rows (raw=True), when the fixture brings its own profiles.
@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        Profile.objects.create(user=instance)


# Pitfall: runs on every save of the user, so every save adds another row (and on
# every user row loaddata loads).
@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_preferences(sender, instance, **kwargs):
    Preferences.objects.create(user=instance)  # SIG402 SIG405


# Pitfall: an async receiver using the sync ORM raises SynchronousOnlyOperation.
@receiver(user_logged_in)
async def record_login(sender, request, user, **kwargs):
    LoginEvent.objects.create(user=user)  # SIG302


# Right: the async ORM.
@receiver(user_logged_in)
async def record_login_async(sender, request, user, **kwargs):
    await LoginEvent.objects.acreate(user=user)


# Pitfall: no **kwargs -- ValueError when connected with DEBUG=True.
@receiver(user_logged_out)
def forget_session_data(sender, request, user):  # SIG501
    request.session.flush()
