"""``flake8-signals map`` against what Django really registers for the example project."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from flake8_runner import ROOT

EXAMPLES = ROOT / "examples"
APPS = ("accounts", "shop", "notifications")

RUNTIME = """
import importlib, json, weakref
import django
django.setup()
from flake8_signals.source import django_names as dn
found = []
for module_name, names in dn.BUILTIN_SIGNALS.items():
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # a newer Django's module
        continue
    for name in names:
        signal = getattr(module, name)
        for entry in signal.receivers:
            held = entry[1]
            receiver = held() if isinstance(held, weakref.ReferenceType) else held
            if receiver is None:
                continue  # collected: it will never run
            receiver = getattr(receiver, "__func__", receiver)
            found.append([f"{module_name}.{name}", f"{receiver.__module__}.{receiver.__qualname__}"])
print(json.dumps(found))
"""


def _env() -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("PYTHONPATH", None)
    return env


def runtime_receivers() -> set:
    result = subprocess.run(
        [sys.executable, "-c", RUNTIME], cwd=EXAMPLES, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return {(signal, name) for signal, name in json.loads(result.stdout) if name.split(".")[0] in APPS}


def static_map(*args) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "map", "--isolated", *args],
        cwd=EXAMPLES, env=_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_map_lists_exactly_the_receivers_django_registers_and_marks_the_others():
    document = json.loads(static_map("--format=json").stdout)
    assert document["version"] == 2
    registered, not_registered = set(), set()
    for signal in document["signals"]:
        if signal["kind"] != "builtin":
            continue
        for receiver in signal["receivers"]:
            key = (signal["signal"], receiver["receiver"])
            (registered if receiver["registered_at_startup"] == "yes" else not_registered).add(key)
            assert receiver["registered_at_startup"] != "unknown", receiver
    live = runtime_receivers()
    assert live, "Django registered nothing: the comparison would prove nothing"
    assert registered == live
    assert not (not_registered - registered) & live
    assert not_registered  # the example has receivers that never get registered


def test_model_view_and_picture_formats():
    text = static_map("--model", "shop.Order").stdout
    assert "shop.receivers.assign_number" in text and "refresh_search_text" not in text  # a Product m2m receiver
    mermaid = static_map("--format=mermaid").stdout
    assert mermaid.startswith("flowchart LR") and "-.->" in mermaid and "-->" in mermaid
    dot = static_map("--format=dot").stdout
    assert dot.startswith("digraph signals {") and "style=dashed" in dot and dot.rstrip().endswith("}")


def test_map_of_the_fixture_project_says_yes_no_and_unknown_with_reasons():
    mysite = ROOT / "tests" / "fixtures" / "projects" / "mysite"
    result = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "map", "--isolated", "--format=json"],
        cwd=mysite, env=_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    receivers = {
        receiver["receiver"]: receiver
        for signal in json.loads(result.stdout)["signals"]
        for receiver in signal["receivers"]
    }
    # connected by storefront.models, defined (and reported) in billing.handlers
    sync = receivers["billing.handlers.sync_invoice"]
    # paths as flake8 prints them for the path given (".")
    assert sync["registered_at_startup"] == "yes" and sync["path"] == os.path.join(".", "billing", "handlers.py")
    assert sync["codes"] == ["SIG301", "SIG501"]
    assert receivers["forgotten.signals.send_receipt"]["registered_at_startup"] == "no"
    assert receivers["dynamic.signals.on_thing"]["registered_at_startup"] == "unknown"
    assert "computed name" in receivers["dynamic.signals.on_thing"]["reason"]
    custom = {s["signal"]: s for s in json.loads(result.stdout)["signals"]}["billing.signals.layout_variables"]
    assert custom["kind"] == "project" and custom["defined_at"] and custom["sent_at"] == [os.path.join(".", "billing", "rendering.py") + ":12"]


# -- one name per signal, its kind, and pictures without duplicate nodes ---------------------------

HELPDESK = {
    "helpdesk/__init__.py": "from .signals import new_ticket_done  # noqa: F401  (the package's API)\n",
    "helpdesk/apps.py": (
        "from django.apps import AppConfig\n\n\n"
        "class HelpdeskConfig(AppConfig):\n"
        "    name = 'helpdesk'\n\n"
        "    def ready(self):\n"
        "        from . import receivers  # noqa: F401\n"
    ),
    "helpdesk/signals.py": "from django.dispatch import Signal\n\nnew_ticket_done = Signal()\norder_done = Signal()\n",
    "helpdesk/models.py": "from django.db import models\n\n\nclass Ticket(models.Model):\n    pass\n",
    "helpdesk/views.py": (
        "from .signals import new_ticket_done\n\n\n"
        "def close(request):\n"
        "    new_ticket_done.send(sender=None)\n"
    ),
    "helpdesk/receivers.py": (
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n"
        "from django_otp import otp_verified\n"
        "from otp_tools.handlers import log_save\n\n"
        "from helpdesk import new_ticket_done\n"
        "from helpdesk.signals import order_done\n"
        "from .models import Ticket\n\n\n"
        "@receiver(new_ticket_done)\n"
        "def notify(sender, **kwargs):\n"
        "    pass\n\n\n"
        "@receiver(otp_verified)\n"
        "def audit(sender, **kwargs):\n"
        "    pass\n\n\n"
        "@receiver(order_done)\n"
        "def count(sender, **kwargs):\n"
        "    pass\n\n\n"
        "post_save.connect(log_save, sender=Ticket)\n"
    ),
    "billing/__init__.py": "",
    "billing/models.py": "",
    "billing/signals.py": "from django.dispatch import Signal\n\norder_done = Signal()\n",
    "billing/receivers.py": (
        "from django.dispatch import receiver\n\n"
        "from .signals import order_done\n\n\n"
        "@receiver(order_done)\n"
        "def count(sender, **kwargs):\n"
        "    pass\n"
    ),
}


def _helpdesk(tmp_path, monkeypatch):
    _write_tree(tmp_path, monkeypatch, HELPDESK)


def _write_tree(tmp_path, monkeypatch, files: dict) -> None:
    """Write ``files`` (relative path -> text) under ``tmp_path`` and work there."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)


def _run_map(capsys, *args) -> tuple:
    from flake8_signals.frontends.cli import main

    assert main(["map", "--isolated", *args]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_a_signal_has_one_name_however_it_is_imported_and_a_kind(tmp_path, monkeypatch, capsys):
    _helpdesk(tmp_path, monkeypatch)
    signals = {s["signal"]: s for s in json.loads(_run_map(capsys, "--format=json")[0])["signals"]}
    done = signals["helpdesk.signals.new_ticket_done"]  # relative import and package re-export alike
    assert not any(name.startswith(".") or name == "helpdesk.new_ticket_done" for name in signals)
    assert done["kind"] == "project" and done["defined_at"] == os.path.join(".", "helpdesk", "signals.py") + ":3"
    assert done["sent_at"] == [os.path.join(".", "helpdesk", "views.py") + ":5"]
    assert [r["receiver"] for r in done["receivers"]] == ["helpdesk.receivers.notify"]
    otp = signals["django_otp.otp_verified"]
    assert (otp["kind"], otp["package"]) == ("third-party", "django_otp")
    assert signals["django.db.models.signals.post_save"]["kind"] == "builtin"
    (log_save,) = signals["django.db.models.signals.post_save"]["receivers"]
    assert log_save["receiver"] == "otp_tools.handlers.log_save"
    assert log_save["defined_outside_project"] and log_save["path"] is None and log_save["line"] is None
    text = _run_map(capsys)[0]
    assert "django_otp.otp_verified  (third-party (django_otp))" in text
    assert "-> otp_tools.handlers.log_save  (defined outside the project)" in text


def test_pictures_declare_each_node_once_and_never_two_signals_with_one_label(tmp_path, monkeypatch, capsys):
    _helpdesk(tmp_path, monkeypatch)
    for picture in ("mermaid", "dot"):
        out = _run_map(capsys, f"--format={picture}")[0]
        declared = [line.split()[0] for line in out.splitlines()[1:] if "->" not in line and ("[" in line or "(" in line)]
        assert len(declared) == len(set(declared)), out
        labels = [line.split('"')[1] for line in out.splitlines() if line.strip().startswith("s") and '"' in line]
        assert len(labels) == len(set(labels)) and "helpdesk.signals.order_done" in labels, out


def test_map_warns_about_a_model_it_does_not_know(tmp_path, monkeypatch, capsys):
    _helpdesk(tmp_path, monkeypatch)
    out, err = _run_map(capsys, "--model", "helpdesk.Tiket")
    assert "helpdesk.Tiket" in err and "helpdesk.Ticket" in err
    assert _run_map(capsys, "--model", "helpdesk.Ticket")[1] == ""


def test_a_module_named_without_its_package_is_named_from_the_import_root(tmp_path, monkeypatch, capsys):
    # manage.py lives in site/, which is itself a package: the code says "shop.signals",
    # the import root says "site.shop.signals"; both are one signal.
    files = {
        "site/__init__.py": "",
        "site/shop/__init__.py": "",
        "site/shop/models.py": "from django.db import models\n",
        "site/shop/signals.py": "from django.dispatch import Signal\n\npaid = Signal()\n",
        "site/shop/views.py": "from site.shop.signals import paid\n\n\ndef pay(request):\n    paid.send(sender=None)\n",
        "site/shop/receivers.py": (
            "from django.dispatch import receiver\n\nfrom shop.signals import paid\n\n\n"
            "@receiver(paid)\ndef thank(sender, **kwargs):\n    pass\n"
        ),
    }
    _write_tree(tmp_path, monkeypatch, files)
    signals = {s["signal"]: s for s in json.loads(_run_map(capsys, "--format=json")[0])["signals"]}
    assert list(signals) == ["site.shop.signals.paid"]
    paid = signals["site.shop.signals.paid"]
    assert paid["kind"] == "project" and len(paid["sent_at"]) == 1
    assert [r["receiver"] for r in paid["receivers"]] == ["site.shop.receivers.thank"]


def test_a_connect_in_a_method_a_library_calls_is_unknown_and_in_other_methods_no(tmp_path, monkeypatch, capsys):
    files = {
        "shop/__init__.py": "",
        "shop/models.py": (
            "from django.db import models\n"
            "from django.db.models.signals import post_save, pre_save\n"
            "from history_lib import HistoricalRecords\n\n\n"
            "def on_save(sender, **kwargs):\n    pass\n\n\n"
            "class Records(HistoricalRecords):\n"
            "    def finalize(self, sender, **kwargs):\n"  # overrides the library's: it calls it
            "        post_save.connect(on_save, sender=sender)\n\n\n"
            "class Order(models.Model):\n"
            "    def enable_tracking(self):\n"  # Model has no such method: only a caller of ours would run it
            "        pre_save.connect(on_save, sender=Order)\n\n"
            "    def save(self, *args, **kwargs):\n"  # Model.save: Django and the project call it
            "        pre_save.connect(on_save, sender=Order, dispatch_uid='x')\n"
            "        super().save(*args, **kwargs)\n"
        ),
    }
    _write_tree(tmp_path, monkeypatch, files)
    verdicts = {
        receiver["connected_in"]: (receiver["registered_at_startup"], receiver["reason"])
        for signal in json.loads(_run_map(capsys, "--format=json")[0])["signals"]
        for receiver in signal["receivers"]
    }
    assert verdicts["Records.finalize()"] == (
        "unknown", "connected in Records.finalize(), a method a library calls: when it runs is unknown here"
    )
    assert verdicts["Order.enable_tracking()"][0] == "no"  # Django's Model has no enable_tracking
    assert verdicts["Order.save()"][0] == "unknown"  # Model.save: Django calls it
