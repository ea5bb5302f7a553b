"""``flake8-signals verify``: the map against the live registry of real Django projects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import weakref

import pytest
from flake8_runner import ROOT

from flake8_signals.frontends import live_registry
from flake8_signals.frontends.verify import UsageError, verify_project

EXAMPLES = ROOT / "examples"
PROJECTS = ROOT / "tests" / "fixtures" / "projects"
VERIFIED = PROJECTS / "verified"
BROKEN = PROJECTS / "broken_start"


def _by_receiver(report) -> dict:
    return {(check.signal.rsplit(".", 1)[-1], check.receiver): check for check in report.receivers}


def _clean_env(monkeypatch) -> None:
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.delenv("PYTHONPATH", raising=False)


def test_example_project_receivers_are_where_the_map_says(monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.chdir(EXAMPLES)
    report = verify_project(["."], settings="config.settings")
    assert report.error is None and report.stages == ["setup", "urlconf"]
    checks = _by_receiver(report)
    assert checks[("post_save", "shop.receivers.assign_number")].live == "live after setup"
    assert checks[("post_save", "accounts.handlers.welcome_user")].live == "live after setup"  # connected in ready()
    reserve = checks[("post_save", "shop.views.reserve_stock")]  # SIG201: only the URLconf imports shop.views
    assert (reserve.map, reserve.live, reserve.verdict) == ("no", "live only after the URLconf", None)
    assert checks[("post_save", "shop.views.email_receipt")].live == "never live"  # SIG101
    assert checks[("post_delete", "shop.receivers.forget_coupon")].live == "never live"  # SIG105
    assert checks[("post_delete", "a lambda in shop.receivers")].live == "never live"  # SIG102
    # every receiver the map says start-up registers is live after setup, and no other
    assert not report.disagreements and not report.map_yes_not_live and not report.unknown_to_map
    assert report.exit_status == 1  # the example's pitfalls: receivers that are never live


def test_fixture_project_library_hooks_urlconf_orphans_and_flags(monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.chdir(VERIFIED)
    report = verify_project(["."], settings="site_config.settings", pythonpath=[".", "../verified_lib"])
    assert report.error is None
    checks = _by_receiver(report)
    record = checks[("post_save", "history.models.AuditedHistory.record")]  # connected in a hook a library calls
    assert (record.map, record.live, record.verdict) == ("unknown", "live after setup", None)
    assert "a method a library calls" in record.reason
    stamp = checks[("pre_save", "history.models.StampField.stamp")]  # connected in contribute_to_class
    assert (stamp.map, stamp.live) == ("yes", "live after setup") and "model class is created" in stamp.reason
    menu = checks[("post_save", "pages.views.refresh_menu")]  # imported only by the URLconf
    assert (menu.map, menu.live, menu.verdict) == ("no", "live only after the URLconf", None)
    orphan = checks[("post_save", "orphans.signals.index_note")]  # a signals.py nothing imports
    assert (orphan.map, orphan.live, orphan.verdict) == ("no", "never live", None)
    audit = checks[("post_save", "flags.handlers.audit")]  # if settings.FEATURE_AUDIT: connect
    assert (audit.map, audit.live) == ("yes", "never live")
    assert audit.verdict == "map says yes, but it is never live"
    assert report.disagreements == [audit] and report.map_yes_not_live == [audit]
    # connected by library code: the map cannot know them
    unknown = {(item.signal, item.receiver, item.live) for item in report.unknown_to_map}
    assert unknown == {
        ("django.db.models.signals.post_save", "catalog.apps.CatalogConfig.on_saved", "live after setup"),
        ("django.db.models.signals.post_delete", "catalog.models.Product.on_deleted", "live after setup"),
    }
    assert report.exit_status == 1


def test_verify_command_text_json_and_exit_status(monkeypatch):
    _clean_env(monkeypatch)
    command = [sys.executable, "-m", "flake8_signals", "verify", "--isolated", "--settings", "site_config.settings",
               "--pythonpath", ".", "--pythonpath", "../verified_lib"]
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    text = subprocess.run(command, cwd=VERIFIED, env=env, capture_output=True, text=True, timeout=300)
    assert text.returncode == 1, text.stderr
    assert "flags.handlers.audit" in text.stdout and "<- map says yes, but it is never live" in text.stdout
    assert "Live receivers of project code the map does not know:" in text.stdout
    document = json.loads(
        subprocess.run(command + ["--format=json"], cwd=VERIFIED, env=env, capture_output=True, text=True, timeout=300).stdout
    )
    assert document["version"] == 1 and document["error"] is None
    assert document["summary"]["disagreements"] == 1 and document["summary"]["unknown_to_map"] == 2
    assert [c["receiver"] for c in document["map_yes_not_live"]] == ["flags.handlers.audit"]
    usage = subprocess.run(command[:4] + ["--isolated"], cwd=VERIFIED, env=env, capture_output=True, text=True, timeout=300)
    assert usage.returncode == 2 and "DJANGO_SETTINGS_MODULE" in usage.stderr


def test_verify_writes_nothing(monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.chdir(VERIFIED)
    before = sorted(str(path) for path in VERIFIED.rglob("*"))
    verify_project(["."], settings="site_config.settings", pythonpath=[".", "../verified_lib"])
    assert sorted(str(path) for path in VERIFIED.rglob("*")) == before  # no bytecode, no database file


def test_no_settings_is_a_usage_error(monkeypatch):
    _clean_env(monkeypatch)
    monkeypatch.chdir(VERIFIED)
    with pytest.raises(UsageError):
        verify_project(["."])


@pytest.mark.parametrize(
    "settings, problem, where",
    [
        ("does_not_exist.settings", "settings module not found", None),
        ("settings_missing_dependency", "missing dependency", os.path.join(".", "needs_dependency", "models.py") + ":3"),
        ("settings_import_error", "import error", os.path.join(".", "bad_import", "models.py") + ":3"),
    ],
)
def test_a_project_that_does_not_start_gets_a_clear_message(monkeypatch, settings, problem, where):
    _clean_env(monkeypatch)
    monkeypatch.chdir(BROKEN)
    report = verify_project(["."], settings=settings)
    assert report.error is not None and report.exit_status == 2
    assert report.error.problem == problem and report.error.where == where
    assert report.error.exception.startswith(("ModuleNotFoundError", "ImportError"))
    assert "Traceback" not in report.error.message


# -- reading Signal.receivers --------------------------------------------------------------------------


class _Holder:
    def method(self, **kwargs):
        pass


def _function(**kwargs):
    pass


def test_receiver_entries_read_every_layout_and_skip_dead_references():
    holder = _Holder()

    def dead(**kwargs):
        pass

    dead_ref = weakref.ref(dead)
    del dead
    key = ((1, 2), id(None))

    class Old:  # Django 4.2: (lookup_key, receiver)
        receivers = [(key, weakref.ref(_function)), (key, _function), (key, dead_ref)]

    class Five:  # Django 5.x: (lookup_key, receiver, is_async)
        receivers = [(key, weakref.WeakMethod(holder.method), False), (key, _function, True)]

    class Six:  # Django 6.x: (lookup_key, receiver, sender_ref, is_async)
        receivers = [(key, weakref.ref(_function), weakref.ref(_Holder), False), (key, dead_ref, None, False)]

    old = live_registry.receiver_entries(Old)
    assert [(r, a, w) for r, _k, _s, a, w in old] == [(_function, None, True), (_function, None, False), (None, None, True)]
    five = live_registry.receiver_entries(Five)
    assert five[0][0] == holder.method and five[0][3] is False and five[0][4] is True
    assert five[1][3] is True and five[1][4] is False
    six = live_registry.receiver_entries(Six)
    assert six[0][0] is _function and six[0][2] is _Holder and six[1][0] is None
    described = live_registry.describe(holder.method)
    assert (described["module"], described["qualname"], described["kind"]) == (__name__, "_Holder.method", "method")
    assert described["path"] == os.path.abspath(__file__)


def test_receiver_entries_read_the_installed_django():
    from django.dispatch import Signal

    signal = Signal()
    holder = _Holder()
    signal.connect(_function)
    signal.connect(holder.method, weak=True)
    signal.connect(_function, sender=_Holder, weak=False)
    found = live_registry.receiver_entries(signal)
    assert [entry[0] for entry in found] == [_function, holder.method, _function]
    assert [entry[4] for entry in found] == [True, True, False]
    del holder, found
    assert live_registry.receiver_entries(signal)[1][0] is None  # dead: never live
