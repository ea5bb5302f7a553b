"""Each file is parsed once per process; an edited file is read again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from flake8.main.application import Application

from flake8_signals.engine import Engine
from flake8_signals.frontends.plugin import SignalsChecker
from flake8_signals.project import app as app_module
from flake8_signals.module import parsing
from flake8_signals.module.parsing import FactsCache
from flake8_signals.project.app import connects_an_imported_name
from flake8_signals.options import Options
from flake8_signals.project.workspace import DiskCache
from flake8_runner import FIXTURES

MYSITE = FIXTURES / "projects" / "mysite"


@pytest.fixture(autouse=True)
def fresh_caches():
    SignalsChecker.engine = None
    yield
    SignalsChecker.engine = None


def test_every_file_is_parsed_at_most_once_per_process(monkeypatch, capsys):
    monkeypatch.chdir(MYSITE)
    application = Application()
    application.run(["--isolated", "-j1", "--select=SIG,SIG201", "."])
    output = capsys.readouterr().out
    assert "SIG201" in output and "SIG301" in output
    parses = SignalsChecker.engine.workspace.facts.parses
    # start-up modules, wiring, handlers and migrations are all needed by several files
    assert len(parses) >= 15
    assert max(parses.values()) == 1, {path: n for path, n in parses.items() if n > 1}
    # a file that cannot wire signals and that no rule needs is never parsed
    assert not any(path.endswith(os.path.join("catalog", "utils.py")) for path in parses)


def test_an_edited_start_up_module_is_read_again(tmp_path):
    shutil.copytree(MYSITE / "forgotten", tmp_path / "forgotten")
    signals = tmp_path / "forgotten" / "signals.py"
    apps = tmp_path / "forgotten" / "apps.py"

    engine = Engine()

    def sig201_lines():
        results = engine.check_source(signals.read_text(), str(signals), Options(named_codes=frozenset({"SIG201"})))
        return [line for line, _, message in results if message.startswith("SIG201")]

    assert sig201_lines() == [7, 16]
    time.sleep(0.01)
    apps.write_text(
        apps.read_text() + "\n    def ready(self):\n        from . import signals  # noqa: F401\n"
    )
    os.utime(apps, ns=(time.time_ns(), time.time_ns() + 10**9))
    time.sleep(1.1)  # app views look for edits at most once a second
    assert sig201_lines() == []


def test_only_modules_that_connect_an_imported_name_feed_the_receiver_map():
    assert connects_an_imported_name("from .handlers import on_saved\npost_save.connect(on_saved)\n")
    assert connects_an_imported_name("from . import handlers\npost_save.connect(handlers.on_saved)\n")
    assert connects_an_imported_name("from .handlers import (\n    other,\n    on_saved,\n)\nx.connect(receiver=on_saved)\n")
    assert not connects_an_imported_name("def on_saved(**kw): pass\npost_save.connect(on_saved)\n")
    assert not connects_an_imported_name("import socket\nsock.connect(address)\n")


def test_receivers_passed_by_keyword_after_other_arguments_count():
    text = "from .handlers import on_saved\npost_save.connect(\n    dispatch_uid='x',\n    receiver=on_saved,\n    sender=Order,\n)\n"
    assert connects_an_imported_name(text)


def test_engines_share_one_deep_stack_thread_and_a_dropped_engine_is_collected():
    """Tests and editors make many engines: they must not each keep a thread, nor keep
    their parsed trees alive (frozen out of the collector) after they are dropped."""
    import ast
    import gc
    import threading
    import weakref

    source = "from django.db.models.signals import post_save\n\npost_save.connect(lambda **kw: None)\n"
    Engine().check_source(source, "first.py", Options(), ast.parse(source))
    threads = threading.active_count()
    for number in range(20):
        Engine().check_source(source, f"x{number}.py", Options(), ast.parse(source))
    assert threading.active_count() == threads
    engine = Engine()
    engine.check_source(source, "y.py", Options(), ast.parse(source))
    workspace = weakref.ref(engine.workspace)
    del engine
    gc.collect()
    assert workspace() is None


# -- memory: keep only what later files need --------------------------------------------


def test_the_plugin_loads_no_digest_library():
    # hashlib loads OpenSSL's libcrypto (about 3.5 MiB) into every flake8 process; the
    # cache tells texts apart without it.
    code = "import sys, flake8_signals.frontends.plugin; print(sorted(m for m in ('hashlib', '_hashlib') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_source_texts_are_kept_within_their_budget(tmp_path):
    paths = []
    for index in range(5):
        path = tmp_path / f"m{index}.py"
        path.write_text(f"x = {index}\n" + "#" * 40 + "\n")
        paths.append(str(path))
    disk = DiskCache(budget=120)  # room for two of these texts
    texts = [disk.read(path) for path in paths]
    assert texts[4] == "x = 4\n" + "#" * 40 + "\n"
    assert sum(len(text) for _, text in disk._texts.values()) <= 120
    assert list(disk._texts) == paths[3:]  # the most recently read ones
    assert disk.read(paths[0]) == texts[0]  # a dropped text is read from disk again


def test_app_views_of_a_project_share_what_a_project_value_was_read_from(monkeypatch, capsys):
    monkeypatch.chdir(MYSITE)
    Application().run(["--isolated", "-j1", "--select=SIG,SIG201", "."])
    capsys.readouterr()
    views = [view for view in SignalsChecker.engine.workspace.apps.values() if view._shared_reads]
    assert len(views) >= 2
    by_key: dict = {}
    for view in views:
        for key, reads in view._shared_reads.items():
            by_key.setdefault(key, []).append(reads)
    shared = [readings for readings in by_key.values() if len(readings) > 1]
    assert shared and all(reads is readings[0] for readings in shared for reads in readings)


SKELETON_MODULE = """\
from django.db.models.signals import post_save
from .models import Order
from .helpers import audit


def report():
    return sum(range(10))


def on_saved(sender, instance, **kwargs):
    audit(instance)


post_save.connect(on_saved, sender=Order)
"""


def test_a_module_read_for_another_file_is_parsed_through_a_skeleton():
    cache = FactsCache()
    facts = cache.facts_for(SKELETON_MODULE, "/project/shop/wiring.py", "shop.wiring")
    assert facts.blanked == {"report"}
    assert "on_saved" in facts.module_functions
    # A caller that needs the blanked body (a receiver connected by name elsewhere)
    # gets a parse that keeps it: a cached skeleton never hides a body it asks for.
    kept = cache.facts_for(SKELETON_MODULE, "/project/shop/wiring.py", "shop.wiring", keep=frozenset({"report"}))
    assert "report" not in kept.blanked
    assert cache.parses["/project/shop/wiring.py"] == 2
    assert cache.facts_for(SKELETON_MODULE, "/project/shop/wiring.py", "shop.wiring", keep=frozenset({"report"})) is kept


HELPERS_MODULE = """\
import requests


class Client:
    def fetch(self, url):
        return requests.get(url, timeout=5)


def notify(url):
    _post(url)


def _post(url):
    requests.post(url, timeout=5)


def other():
    return 1
"""


def test_a_module_a_receiver_calls_into_keeps_its_functions_and_blanks_its_methods():
    cache = FactsCache()
    facts = cache.facts_for(HELPERS_MODULE, "/project/shop/helpers.py", "shop.helpers", need="notify")
    assert facts.blanked == {"fetch"}
    assert [call.qualname for call in facts.module_functions["_post"].calls] == ["requests.post"]
    # every module-level function is there for the next caller: no second parse
    assert cache.facts_for(HELPERS_MODULE, "/project/shop/helpers.py", "shop.helpers", need="other") is facts
    assert cache.parses["/project/shop/helpers.py"] == 1


def test_the_plugins_cache_gives_free_memory_back_after_a_large_parse(monkeypatch):
    calls = []
    monkeypatch.setattr(parsing, "MALLOC_TRIM", calls.append)
    monkeypatch.setattr(parsing.gc, "freeze", lambda: None)  # keep this test process collectable
    large = SKELETON_MODULE + "\n" + "".join(f"\n\ndef helper_{n}():\n    return {n}\n" for n in range(1000))
    assert len(large) >= parsing.TRIM_AFTER_CHARACTERS
    FactsCache().facts_for(large, "/project/shop/short_lived.py", "shop.short_lived")
    assert calls == []  # a test suite's many caches, or `check`: not worth the time
    long_lived = FactsCache(freeze=True, give_back_memory=True)
    long_lived.facts_for(SKELETON_MODULE, "/project/shop/small.py", "shop.small")
    assert calls == []  # small parses leave little behind
    long_lived.facts_for(large, "/project/shop/large.py", "shop.large")
    assert calls == [0]
    assert SignalsChecker.process_engine().workspace.facts.give_back_memory


def test_a_module_that_imports_nothing_is_not_parsed_to_follow_a_call_into_it(tmp_path):
    """Its functions run only its own code: no blocking call (they all need an import)
    and no other module. A name that needs no import (``.delay()``) still leads there.
    Nor is a module parsed for a call of a name it has no ``def`` of."""
    app = tmp_path / "relay"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("")
    (app / "plain.py").write_text("def label(pk):\n    return 'order %s' % pk\n\n\ndef queue(task, pk):\n    task.delay(pk)\n")
    (app / "shapes.py").write_text("import requests\n\n\nclass Box:\n    def fetch(self):\n        requests.get('x')\n")
    receivers = app / "receivers.py"
    receivers.write_text(
        "from django.db.models.signals import post_delete\nfrom django.dispatch import receiver\n\n"
        "from relay.plain import label, queue\nfrom relay.shapes import Box\nfrom relay.tasks import reindex\n\n\n"
        "@receiver(post_delete, sender='relay.Order')\ndef on_delete(sender, instance, **kwargs):\n"
        "    label(instance.pk)\n    queue(reindex, instance.pk)\n    Box()\n"
    )
    engine = Engine()
    plain, shapes = str(app / "plain.py"), str(app / "shapes.py")
    results = engine.check_source(receivers.read_text(), str(receivers), Options(named_codes=frozenset({"SIG301"})))
    assert results == [] and plain not in engine.workspace.facts.parses
    assert shapes not in engine.workspace.facts.parses  # Box() makes an object: no def Box to follow
    results = engine.check_source(receivers.read_text(), str(receivers), Options(named_codes=frozenset({"SIG303"})))
    assert [(line, message.split()[0]) for line, _, message in results] == [(12, "SIG303")]
    assert engine.workspace.facts.parses[plain] == 1


def test_an_app_label_string_names_one_project_model(tmp_path):
    from flake8_signals.project.workspace import Workspace

    files = {
        "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
        "shop/models.py": "from django.db import models\n\n\nclass Order(models.Model):\n    pass\n",
        "billing/apps.py": "class BillingConfig(AppConfig):\n    name = 'billing'\n    label = 'invoices'\n",
        "billing/models/__init__.py": "from .invoice import Invoice\n",
        "billing/models/invoice.py": "class Invoice(models.Model):\n    pass\n",
        "legacy/apps.py": "class LegacyConfig(AppConfig):\n    name = 'legacy'\n    label = LABEL\n",
        "legacy/models.py": "class Old(models.Model):\n    pass\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        (path.parent / "__init__.py").touch()
    view = Workspace().app_view_for(str(tmp_path / "shop" / "models.py"))
    assert view.model_named_by_label("shop.Order") == "shop.models.Order"
    assert view.model_named_by_label("invoices.Invoice") == "billing.models.invoice.Invoice"
    assert view.model_named_by_label("billing.Invoice") is None  # the app's label is set
    assert view.model_named_by_label("legacy.Old") is None  # set in a way the text does not show
    assert view.model_named_by_label("shop.Missing") is None


@pytest.mark.parametrize(
    "block, saved",
    [
        ("Order.objects.create(total=1)", {"Order"}),
        ("Order.active.get_or_create(pk=1)", {"Order"}),
        ("order = Order(total=1)\n    order.save()", {"Order"}),
        ("order = Order.objects.filter(pk=1).first()\n    order.save()", {"Order"}),
        ("Order(total=1).save()", {"Order"}),
        ("profile.save()\n    User.objects.get(pk=1)", set()),  # reads User, saves something else
        ("order = Order()\n    order = other\n    order.save()", set()),  # bound twice
        ("Order.objects.filter(pk=1).update(total=2)", set()),  # update() sends no signal
        ("order.save()", set()),  # where the object comes from is unknown
    ],
)
def test_the_models_an_atomic_block_saves(block, saved):
    text = f"from django.db import transaction\n\ndef f(profile, other, order=None):\n  with transaction.atomic():\n    {block}\n"
    found: dict = {}
    app_module._saves_in_transactions(text, "m.py", found)
    assert set(found) == saved
