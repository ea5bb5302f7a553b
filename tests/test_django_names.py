"""The plugin's table of Django's signals is the one the installed Django defines."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import django

from django_setup import ensure_django
from flake8_signals.source import django_names as dn

ensure_django()

from django.db.models.signals import ModelSignal  # noqa: E402
from django.dispatch import Signal  # noqa: E402

DJANGO_ROOT = Path(django.__file__).parent
DEFINITION = re.compile(r"^(\w+) = (?:Model)?Signal\(", re.MULTILINE)


def signals_defined_in_source() -> set:
    """(module, name) for every ``name = Signal(...)`` Django's own source defines."""
    found = set()
    for path in DJANGO_ROOT.rglob("*.py"):
        if "tests" in path.relative_to(DJANGO_ROOT).parts:
            continue
        for name in DEFINITION.findall(path.read_text(encoding="utf-8")):
            module = ".".join(("django",) + path.relative_to(DJANGO_ROOT).with_suffix("").parts)
            found.add((module.removesuffix(".__init__"), name))
    return found


def test_every_signal_django_defines_is_in_the_table():
    table = {(module, name) for module, names in dn.BUILTIN_SIGNALS.items() for name in names}
    assert signals_defined_in_source() <= table


def test_every_table_entry_is_a_signal_instance_in_django():
    for module_name, names in dn.BUILTIN_SIGNALS.items():
        if django.VERSION[:2] < dn.SIGNAL_MODULES_ADDED_IN.get(module_name, (0, 0)):
            continue  # a newer Django's module: checked where that Django is installed
        module = importlib.import_module(module_name)
        for name in names:
            assert isinstance(getattr(module, name), Signal), f"{module_name}.{name}"


def test_model_signals_are_exactly_the_model_signal_instances():
    from django.db.models import signals

    model_signals = {name for name, value in vars(signals).items() if isinstance(value, ModelSignal)}
    assert model_signals == set(dn.MODEL_SIGNAL_NAMES)


def test_names_the_resolver_relies_on_exist():
    for qualname in (
        *dn.SIGNAL_CLASSES,
        *dn.RECEIVER_DECORATORS,
        *dn.APP_CONFIG_CLASSES,
        *dn.ON_COMMIT,
        *dn.MAIL_FUNCTIONS,
        *dn.EMAIL_MESSAGE_CLASSES,
        *dn.F_EXPRESSIONS,
        "django.utils.module_loading.autodiscover_modules",
    ):
        module, _, name = qualname.rpartition(".")
        assert hasattr(importlib.import_module(module), name), qualname


def test_is_builtin_signal():
    assert dn.is_builtin_signal("django.db.models.signals.post_save")
    assert dn.is_builtin_signal("django.contrib.auth.signals.user_logged_in")
    assert dn.is_builtin_signal("django.utils.autoreload.autoreload_started")
    assert not dn.is_builtin_signal("django.db.models.signals.ModelSignal")
    assert not dn.is_builtin_signal("celery.signals.task_success")


def test_project_signal_imports():
    assert dn.is_project_signal_import("shop.signals.order_paid")
    assert dn.is_project_signal_import(".signals.order_paid")
    assert dn.is_project_signal_import("allauth.account.signals.user_signed_up")
    assert not dn.is_project_signal_import("celery.signals.task_success")
    assert not dn.is_project_signal_import("blinker.signals.x")
    assert not dn.is_project_signal_import("shop.models.Order")


def test_task_decorators():
    assert dn.is_task_decorator("shared_task", "celery.shared_task", True)
    assert dn.is_task_decorator("app.task", "shop.celery.app.task", True)
    assert dn.is_task_decorator("app.task", "app.task", False)  # app = Celery(...) here
    assert dn.is_task_decorator("db_task", "huey.contrib.djhuey.db_task", True)
    assert dn.is_task_decorator("job", "django_rq.job", True)
    assert dn.is_task_decorator("dramatiq.actor", "dramatiq.actor", True)
    assert dn.is_task_decorator("task", "django.tasks.task", True)
    assert not dn.is_task_decorator("task", "invoke.task", True)  # a command-line runner
    assert not dn.is_task_decorator("task", "shop.scheduling.task", True)  # a project decorator
    assert not dn.is_task_decorator("task", "task", False)
    assert not dn.is_task_decorator("scheduler.job", "scheduler.job", False)
    assert not dn.is_task_decorator("cached", "django.utils.functional.cached_property", True)


def test_view_bases():
    for base in ("View", "generic.UpdateView", "APIView", "viewsets.ModelViewSet", "GenericViewSet"):
        assert dn.looks_like_view(base), base
    for base in ("ModelAdmin", "Form", "Preview", "ViewMixin"):
        assert not dn.looks_like_view(base), base
