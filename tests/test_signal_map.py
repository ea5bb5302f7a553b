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
    assert document["version"] == 1
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
    assert sync["registered_at_startup"] == "yes" and sync["path"] == os.path.join("billing", "handlers.py")
    assert sync["codes"] == ["SIG301", "SIG501"]
    assert receivers["forgotten.signals.send_receipt"]["registered_at_startup"] == "no"
    assert receivers["dynamic.signals.on_thing"]["registered_at_startup"] == "unknown"
    assert "computed name" in receivers["dynamic.signals.on_thing"]["reason"]
    custom = {s["signal"]: s for s in json.loads(result.stdout)["signals"]}["billing.signals.layout_variables"]
    assert custom["kind"] == "custom" and custom["defined_at"] and custom["sent_at"] == [os.path.join("billing", "rendering.py") + ":12"]
