"""What a start-up module imports: literal names, names confined to the app's own
package, and names computed from anything else (which can load any app's modules)."""

from __future__ import annotations

import textwrap

import pytest

from flake8_signals.source.imports_summary import summarize


def ready_calling(call: str) -> str:
    return textwrap.dedent(
        f"""
        from importlib import import_module
        from django.apps import AppConfig
        from django.conf import settings
        from django.utils.module_loading import autodiscover_modules, import_string

        class Config(AppConfig):
            name = "shop"

            def ready(self):
                for part in ("signals", "handlers"):
                    {call}
        """
    )


@pytest.mark.parametrize(
    "call, dynamic, anywhere",
    [
        ('import_module("billing.signals")', False, False),
        ('import_module(".signals", "shop")', False, False),
        ('import_module(f"{self.name}.signals")', True, False),  # its own package only
        ('import_module(f"{self.name}.{part}")', True, False),
        ('import_module(f"{__package__}.{part}")', True, False),
        ('import_module(self.name + "." + part)', True, False),
        ("import_module(part)", True, True),
        ("import_module(settings.EVENT_MODULES[0])", True, True),
        ('import_module(f"{part}.signals")', True, True),
        ('import_module(self.name + part)', True, True),  # "shop" + "x": another package
        ("import_string(settings.HANDLER)", True, True),
        ("autodiscover_modules(part)", True, True),
    ],
)
def test_computed_names_outside_the_own_package_can_load_any_app(call, dynamic, anywhere):
    summary = summarize(ready_calling(call))
    assert (summary.dynamic, summary.dynamic_anywhere) == (dynamic, anywhere)
