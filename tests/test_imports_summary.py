"""What a module imports by a name it computes: the module, the tail of its name, or unknown."""

from __future__ import annotations

import textwrap

import pytest

from flake8_signals.source.imports_summary import later_dynamic_imports, summarize


def summary(text: str):
    return summarize(textwrap.dedent(text))


@pytest.mark.parametrize(
    "call, tail",
    [
        ('import_module(plugin + ".config.settings")', ".config.settings"),
        ('import_module(f"{app}.signals")', ".signals"),
        ('import_module("%s.signals" % app)', ".signals"),
        ('import_module("%(app)s.signals" % names)', ".signals"),
        ('import_module("{}.receivers".format(app))', ".receivers"),
        ('import_module(f"{prefix}_x.signals")', ".signals"),  # the whole parts after the first dot
        ('import_module(".signals", package)', ".signals"),  # relative to a package we cannot see
        ('import_string(app + ".tasks.run")', ".tasks"),  # the last part names an attribute
    ],
)
def test_a_name_computed_up_to_a_written_tail_loads_a_module_with_that_tail(call, tail):
    found = summary(call)
    assert found.computed_tails == (tail,)
    assert not found.dynamic


@pytest.mark.parametrize(
    "call",
    [
        "import_module(name)",
        'import_module(f"{app}.{name}")',
        'import_module(f"{app}signals")',  # the last part is partly computed
        'import_module("%s.%s" % ("shop", name))',
        'import_string(app + ".run")',  # the module is the computed part
        '__import__(name, fromlist=["signals"])',
        "autodiscover_modules(name)",
    ],
)
def test_a_name_computed_to_the_end_is_unknown(call):
    found = summary(call)
    assert found.dynamic
    assert found.computed_tails == ()


def test_names_bound_once_to_a_string_are_followed():
    found = summary(
        """
        POPULATE = "populate"
        for app in apps:
            module = "%s.%s" % (app, POPULATE)
            import_module(module)
        """
    )
    assert found.computed_tails == (".populate",)
    found = summary('NAME = "shop.hooks"\nimport_module(NAME)\n')
    assert ("shop.hooks", (), False) in found.imports and not found.dynamic


def test_a_name_bound_again_or_read_outside_its_function_is_not_followed():
    assert summary('NAME = "shop.hooks"\nNAME = other\nimport_module(NAME)\n').dynamic
    assert summary('NAME = "shop.hooks"\ndef f(NAME):\n    pass\nimport_module(NAME)\n').dynamic
    found = later_dynamic_imports('def f():\n    n = "shop.hooks"\ndef g():\n    import_module(n)\n')
    assert found.dynamic


def test_written_names_are_imports():
    found = summary(
        """
        import_module(".signals", "shop.sub")
        import_module("..signals", "shop.sub")
        __import__("billing.hooks")
        import_string("shop.handlers.on_paid")
        """
    )
    assert [written for written, _, _ in found.imports] == ["shop.sub.signals", "shop.signals", "billing.hooks", "shop.handlers"]
    assert not found.dynamic and found.computed_tails == ()


def test_app_config_self_name_is_a_tail_of_this_app():
    found = summary(
        """
        class ShopConfig(AppConfig):
            def ready(self):
                import_module(f"{self.name}.signals")
        """
    )
    assert found.computed_tails == (".signals",) and not found.dynamic


def test_later_imports_are_those_that_do_not_run_on_import():
    text = textwrap.dedent(
        """
        for app in apps:
            import_module("%s.signals" % app)

        def view(request):
            import_module(f"{request.app}.hooks")

        class ShopConfig(AppConfig):
            def ready(self):
                import_module(self.name + ".receivers")
        """
    )
    assert summarize(text).computed_tails == (".signals", ".receivers")
    later = later_dynamic_imports(text)
    assert later.computed_tails == (".hooks",) and not later.dynamic


def test_an_importer_handed_around_is_unknown():
    assert later_dynamic_imports("names = map(import_module, modules)\n").dynamic
    assert not later_dynamic_imports("from importlib import import_module\n").dynamic


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
        ('import_module(f"{self.name}.signals")', False, False),  # a tail: .signals
        ('import_module(f"{part}.signals")', False, False),  # a tail too
        ('import_module(f"{self.name}.{part}")', True, False),
        ('import_module(f"{__package__}.{part}")', True, False),
        ('import_module(self.name + "." + part)', True, False),
        ("import_module(part)", True, True),
        ("import_module(settings.EVENT_MODULES[0])", True, True),
        ("import_module(self.name + part)", True, True),  # "shop" + "x": another package
        ("import_string(settings.HANDLER)", True, True),
        ("autodiscover_modules(part)", True, True),
    ],
)
def test_names_computed_outside_the_own_package_can_load_any_app(call, dynamic, anywhere):
    found = summarize(ready_calling(call))
    assert (found.dynamic, found.dynamic_anywhere) == (dynamic, anywhere)
