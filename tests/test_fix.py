"""``flake8-signals fix``: every fix against reviewed before/after fixtures, run through
the real command; the fixed code re-checked by real flake8; idempotence; files left
byte-for-byte alone outside the rewrite."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from flake8_runner import DEFAULT_ARGS, FIXTURES, ROOT, expected_findings, findings

FIXES = FIXTURES / "fixes"
BEFORE = sorted(p for p in FIXES.glob("*.py") if not p.name.endswith(".fixed.py"))
MYSITE = FIXTURES / "projects" / "mysite"


def run_fix(*args, cwd, stdin=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "fix", "--isolated", *args],
        cwd=cwd, input=stdin, capture_output=True, env=env, timeout=600,
    )
    assert b"Traceback" not in result.stderr, result.stderr.decode()
    return result


def fix_args(path: Path) -> list:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return first.split(":", 1)[1].split() if first.startswith("# fix-args:") else []


def kept_markers(path: Path) -> set:
    """(line, code) marked ``# SIGxxx kept``: findings with no fix, expected to remain."""
    kept = set()
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and re.match(r"#\s*SIG\d{3}\b.*\bkept\b", token.string):
            kept.update((token.start[0], code) for code in re.findall(r"SIG\d{3}", token.string.split("kept")[0]))
    return kept


def test_there_is_a_fixture_for_every_fixable_rule():
    from flake8_signals.rules import all_rules

    fixable = {rule.code for rule in all_rules() if rule.fix_safety}
    covered = {code for path in BEFORE for _, code in expected_findings(path)}
    assert fixable == {"SIG102", "SIG105", "SIG201", "SIG303", "SIG501", "SIG502", "SIG503"}
    assert fixable - {"SIG201"} <= covered  # SIG201 edits another file: test_sig201_* below


@pytest.mark.parametrize("before", BEFORE, ids=lambda p: p.stem)
def test_fix_fixture(before, tmp_path):
    target = tmp_path / before.name
    shutil.copyfile(before, target)
    args = fix_args(before)
    # What the fixture marks is what flake8 reports before the fix.
    assert findings([target.name], *DEFAULT_ARGS, cwd=tmp_path).get(target.name, set()) == expected_findings(before)

    result = run_fix(*args, target.name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    expected = before.with_name(before.stem + ".fixed.py")
    assert target.read_bytes() == expected.read_bytes()

    # Idempotent: nothing left to change, and --check says so.
    again = run_fix("--check", *args, target.name, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == b"", again.stdout.decode()
    assert target.read_bytes() == expected.read_bytes()

    # Re-checked by flake8: only the findings marked "kept" (no fix for them) remain.
    after = findings([target.name], *DEFAULT_ARGS, cwd=tmp_path).get(target.name, set())
    assert after == kept_markers(expected)


@pytest.mark.parametrize("before", [p for p in BEFORE if "--unsafe-fixes" in fix_args(p)], ids=lambda p: p.stem)
def test_unsafe_fixes_need_the_flag(before, tmp_path):
    target = tmp_path / before.name
    shutil.copyfile(before, target)
    opt_in = [arg for arg in fix_args(before) if arg != "--unsafe-fixes"]  # an off-by-default rule named
    result = run_fix(*opt_in, target.name, cwd=tmp_path)
    assert result.returncode == 0
    assert target.read_bytes() == before.read_bytes()
    assert b"--unsafe-fixes applies" in result.stdout


def test_diff_and_check_write_nothing_and_exit_1(tmp_path):
    source = (FIXES / "sig501.py").read_bytes()
    target = tmp_path / "receivers.py"
    target.write_bytes(source)
    diff = run_fix("--diff", "receivers.py", cwd=tmp_path)
    assert diff.returncode == 1 and target.read_bytes() == source
    text = diff.stdout.decode()
    assert text.startswith("--- a/receivers.py\n+++ b/receivers.py\n@@")
    assert "-def on_saved(sender, instance, created):  # SIG501\n+def on_saved(sender, instance, created, **kwargs):  # SIG501\n" in text
    # The diff applies with patch and gives what fix writes.
    if shutil.which("patch"):
        subprocess.run(["patch", "-s", "receivers.py"], input=diff.stdout, cwd=tmp_path, check=True)
        assert target.read_bytes() == (FIXES / "sig501.fixed.py").read_bytes()
        target.write_bytes(source)
    check = run_fix("--check", "receivers.py", cwd=tmp_path)
    assert check.returncode == 1 and target.read_bytes() == source
    assert b"receivers.py:9: SIG501 would be fixed" in check.stdout


def test_standard_input_gives_the_fixed_source_on_standard_output(tmp_path):
    source = (FIXES / "sig105.py").read_bytes()
    result = run_fix("--unsafe-fixes", "-", cwd=tmp_path, stdin=source)
    assert result.returncode == 0
    assert result.stdout == (FIXES / "sig105.fixed.py").read_bytes()


def test_select_and_ignore_choose_the_fixes(tmp_path):
    target = tmp_path / "mixed.py"
    target.write_text(
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import Signal, receiver\n\n"
        "paid = Signal(providing_args=['order'])\n\n\n"
        "@receiver(post_save)\n"
        "def on_saved(sender, instance):\n"
        "    pass\n"
    )
    run_fix("--ignore=SIG502", "mixed.py", cwd=tmp_path)
    text = target.read_text()
    assert "providing_args" in text and "instance, **kwargs)" in text
    run_fix("--select=SIG502", "mixed.py", cwd=tmp_path)
    assert "paid = Signal()\n" in target.read_text()


# -- bytes ---------------------------------------------------------------------------------

RECEIVER = "@receiver(post_save)\ndef on_saved(sender, instance):\n    pass\n"
HEADER = "from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n\n\n"


@pytest.mark.parametrize(
    "name, encode",
    [
        ("crlf", lambda text: text.replace("\n", "\r\n").encode()),
        ("bom", lambda text: b"\xef\xbb\xbf" + text.encode()),
        ("latin-1", lambda text: ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + text).encode("latin-1")),
        ("tabs", lambda text: text.replace("    ", "\t").encode()),
        ("no final newline", lambda text: text.rstrip("\n").encode()),
    ],
)
def test_only_the_fixed_line_changes(name, encode, tmp_path):
    source = encode(HEADER + RECEIVER + "\n\nx = 'caf\u00e9'\n")
    target = tmp_path / "receivers.py"
    target.write_bytes(source)
    run_fix("receivers.py", cwd=tmp_path)
    fixed = target.read_bytes()
    old_lines, new_lines = source.splitlines(True), fixed.splitlines(True)
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert len(changed) == 1, (old_lines, new_lines)
    assert new_lines[changed[0]].replace(b"instance, **kwargs)", b"instance)") == old_lines[changed[0]]


def test_a_file_libcst_cannot_reproduce_is_left_alone(tmp_path):
    source = (HEADER + RECEIVER).replace("\n", "\r").encode()  # old Mac line endings
    target = tmp_path / "receivers.py"
    target.write_bytes(source)
    result = run_fix("receivers.py", cwd=tmp_path)
    assert result.returncode == 0 and target.read_bytes() == source
    assert b"not fixed" in result.stderr


def test_a_file_that_does_not_parse_is_left_alone(tmp_path):
    source = (HEADER + RECEIVER + "def broken(:\n").encode()
    target = tmp_path / "receivers.py"
    target.write_bytes(source)
    result = run_fix("receivers.py", cwd=tmp_path)
    assert result.returncode == 0 and target.read_bytes() == source


# -- SIG201: an edit of the app's apps.py ------------------------------------------------------


@pytest.fixture
def mysite(tmp_path) -> Path:
    copy = tmp_path / "mysite"
    shutil.copytree(MYSITE, copy)
    return copy


def test_sig201_imports_the_module_from_ready(mysite):
    before = findings(["."], "--select=SIG201", cwd=mysite)
    assert before, "the fixture project has SIG201 findings"
    # From standard input only that text is rewritten; the edit of apps.py is named, not made.
    hooks = (mysite / "legacy" / "hooks.py").read_bytes()
    piped = run_fix("--unsafe-fixes", "--extend-select=SIG201", "-", "--stdin-display-name=legacy/hooks.py", cwd=mysite, stdin=hooks)
    assert piped.stdout == hooks and b"not applied from standard input" in piped.stderr and b"legacy/apps.py" in piped.stderr
    assert not (mysite / "legacy" / "apps.py").exists()
    result = run_fix("--unsafe-fixes", "--select=SIG201", ".", cwd=mysite)
    assert result.returncode == 0, result.stderr.decode()
    # An existing ready() gets the import at its end; an AppConfig without ready() gets one.
    orders = (mysite / "orders" / "apps.py").read_text()
    assert orders.endswith(
        "        import orders.handlers.payments  # noqa: F401\n"
        "        from .handlers import refunds  # noqa: F401  (registers its receivers)\n"
    )
    forgotten = (mysite / "forgotten" / "apps.py").read_text()
    assert '    name = "forgotten"\n\n    def ready(self):\n        from . import login_hooks' in forgotten
    # An app without apps.py gets one with an AppConfig Django picks up on its own.
    legacy = (mysite / "legacy" / "apps.py").read_text()
    assert 'class LegacyConfig(AppConfig):\n    name = "legacy"\n' in legacy
    assert findings(["."], "--select=SIG201", cwd=mysite) == {}
    # Idempotent across files too.
    again = run_fix("--unsafe-fixes", "--select=SIG201", "--check", ".", cwd=mysite)
    assert again.returncode == 0, again.stdout.decode()


HOOKS = (
    "from django.core.signals import request_started\n"
    "from django.dispatch import receiver\n\n"
    "CALLS = []\n\n\n"
    "@receiver(request_started)\n"
    "def started(sender, **kwargs):\n"
    "    CALLS.append(sender)\n"
)


def _ledger_project(tmp_path, apps_py=None) -> Path:
    project = tmp_path / "project"
    app = project / "ledger"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("")
    (app / "hooks.py").write_text(HOOKS)
    if apps_py is not None:
        (app / "apps.py").write_text(apps_py)
    assert findings(["."], "--select=SIG201", cwd=project)
    return project


def _django_runs(project: Path, *asserts: str, installed: str = "ledger") -> None:
    """Set Django up with the ledger app in a fresh process and run the asserts there."""
    script = "\n".join(
        (
            "import sys, django",
            "from django.conf import settings",
            f"settings.configure(INSTALLED_APPS=[{installed!r}])",
            "django.setup()",
            "from django.apps import apps",
            "from django.core.signals import request_started",
            "request_started.send(sender='probe')",
            "from ledger.hooks import CALLS",
            "assert CALLS == ['probe'], CALLS",
            *asserts,
        )
    )
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr


def test_sig201_created_app_config_is_the_one_django_uses(tmp_path):
    project = _ledger_project(tmp_path)
    run_fix("--unsafe-fixes", "--extend-select=SIG201", ".", cwd=project)
    assert (project / "ledger" / "apps.py").exists()
    _django_runs(project, "assert type(apps.get_app_config('ledger')).__name__ == 'LedgerConfig'")


def test_sig201_added_ready_keeps_the_base_class_ready_running(tmp_path):
    project = _ledger_project(
        tmp_path,
        "from django.apps import AppConfig\n\nSTARTED = []\n\n\n"
        "class ProjectConfig(AppConfig):\n"
        "    def ready(self):\n"
        "        STARTED.append(self.name)\n\n\n"
        "class LedgerConfig(ProjectConfig):\n"
        '    name = "ledger"\n',
    )
    run_fix("--unsafe-fixes", "--extend-select=SIG201", ".", cwd=project)
    assert "    def ready(self):\n        super().ready()\n        from . import hooks" in (project / "ledger" / "apps.py").read_text()
    _django_runs(
        project, "from ledger.apps import STARTED", "assert STARTED == ['ledger'], STARTED", installed="ledger.apps.LedgerConfig"
    )


def test_examples_fix_check_lists_the_safe_fixes():
    result = run_fix("--check", "examples", cwd=ROOT)
    assert result.returncode == 1
    codes = set(re.findall(rb"(SIG\d{3}) would be fixed", result.stdout))
    assert codes == {b"SIG501", b"SIG502", b"SIG503"}


def test_a_file_flake8_skips_is_not_fixed(tmp_path):
    source = b"# flake8: noqa\n" + (HEADER + RECEIVER).encode()
    target = tmp_path / "receivers.py"
    target.write_bytes(source)
    run_fix("receivers.py", cwd=tmp_path)
    assert target.read_bytes() == source


def test_sig201_with_no_app_config_to_edit_claims_no_fix(tmp_path):
    two_configs = (
        "from django.apps import AppConfig\n\n\n"
        "class LedgerConfig(AppConfig):\n    name = 'ledger'\n\n\n"
        "class LedgerAdminConfig(AppConfig):\n    name = 'ledger'\n"
    )
    project = _ledger_project(tmp_path, two_configs)
    result = run_fix("--unsafe-fixes", "--check", ".", cwd=project)
    assert result.returncode == 0 and b"SIG201" not in result.stdout, result.stdout.decode()
    assert (project / "ledger" / "apps.py").read_text() == two_configs


# -- SIG502: an import another module re-imports stays ------------------------------------------

SIGNALS_WITH_ARGS = (
    "from django.dispatch import Signal\n\n"
    "from .constants import ORDER_ARGS\n\n"
    "order_paid = Signal(providing_args=ORDER_ARGS)\n"
)


def _orders_app(tmp_path, *other_modules: tuple) -> Path:
    project = tmp_path / "project"
    app = project / "orders"
    app.mkdir(parents=True)
    for name, text in (("__init__.py", ""), ("models.py", ""), ("constants.py", "ORDER_ARGS = ['order']\n"),
                       ("signals.py", SIGNALS_WITH_ARGS), *other_modules):
        (app / name).write_text(text)
    return project


def test_sig502_keeps_an_import_another_module_imports_from_here(tmp_path):
    project = _orders_app(tmp_path, ("other.py", "from .signals import ORDER_ARGS, order_paid\n"))
    result = run_fix("orders", cwd=project)
    assert result.returncode == 0, result.stderr.decode()
    signals = (project / "orders" / "signals.py").read_text()
    assert "order_paid = Signal()\n" in signals and "from .constants import ORDER_ARGS\n" in signals
    # The module that re-imports the name still imports.
    done = subprocess.run([sys.executable, "-c", "import orders.other"], cwd=project, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()


def test_sig502_removes_an_import_nothing_else_uses(tmp_path):
    project = _orders_app(tmp_path, ("other.py", "from .signals import order_paid\n"))
    run_fix("orders", cwd=project)
    signals = (project / "orders" / "signals.py").read_text()
    assert "order_paid = Signal()\n" in signals and "ORDER_ARGS" not in signals


def test_sig502_keeps_an_import_a_star_import_re_exports(tmp_path):
    project = _orders_app(tmp_path, ("other.py", "from .signals import *  # noqa\n"))
    run_fix("orders", cwd=project)
    assert "from .constants import ORDER_ARGS\n" in (project / "orders" / "signals.py").read_text()
