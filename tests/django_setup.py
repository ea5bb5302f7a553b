"""Configure Django once per test process: in-memory SQLite and the small truth_app."""

from __future__ import annotations

import django
from django.conf import settings


def ensure_django() -> None:
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=["truth_app"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
