"""``flake8-signals check`` walks, reads, filters and prints exactly as flake8 does:
exclude patterns, per-file-ignores, unreadable and oddly encoded files, ``# noqa``,
standard input beside files, and flake8's output options. Each test runs real flake8
on the same tree and compares."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_runner import FIXTURES, RECEIVER_WITHOUT_KWARGS, subprocess_env

MYSITE = FIXTURES / "projects" / "mysite"
SELECT = "--select=SIG,E9"
RECEIVER = RECEIVER_WITHOUT_KWARGS  # SIG501 on line 6, column 1
TREE = ("shop/receivers.py", "shop/other.py", "notifications/signals.py", "core/shop/receivers.py", "core/notifications/signals.py")


def flake8(*args, cwd, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=subprocess_env(), timeout=600
    )


def check(*args, cwd, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_signals", "check", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, env=subprocess_env(), timeout=600,
    )


def fix(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_signals", "fix", *args], cwd=cwd, capture_output=True, text=True, env=subprocess_env(), timeout=600
    )


def comparable(output: str) -> list:
    """Sorted lines (flake8 5 prints files in walk order); for E999, whose column
    flake8 versions put differently, path, line and code."""
    lines = []
    for line in output.splitlines():
        if ": E999 " in line:
            path, row = line.split(":")[:2]
            line = f"{path}:{row}: E999"
        lines.append(line)
    return sorted(lines)


def same_as_flake8(*args, cwd, stdin=None) -> list:
    """Runs both; asserts the same findings and exit status; returns check's lines."""
    by_flake8 = flake8(*args, cwd=cwd, stdin=stdin)
    by_check = check(*args, cwd=cwd, stdin=stdin)
    assert "Traceback" not in by_flake8.stderr, by_flake8.stderr
    assert "Traceback" not in by_check.stderr, by_check.stderr
    assert comparable(by_check.stdout) == comparable(by_flake8.stdout)
    assert by_check.returncode == by_flake8.returncode
    return comparable(by_check.stdout)


def make_tree(root: Path, files=TREE, source: str = RECEIVER) -> None:
    for relative in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


def reported(lines: list) -> set:
    return {line.split(":")[0] for line in lines}


# -- exclude patterns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, skipped",
    [
        ("--exclude=shop/receivers.py", {"./shop/receivers.py"}),
        ("--exclude=./shop/", {"./shop/receivers.py", "./shop/other.py"}),
        ("--extend-exclude=notifications/,shop/", {"./shop/receivers.py", "./shop/other.py", "./notifications/signals.py"}),
        ("--extend-exclude=shop", {"./shop/receivers.py", "./shop/other.py", "./core/shop/receivers.py"}),  # a base name
        ("--extend-exclude=*/notifications/*.py", {"./core/notifications/signals.py"}),  # joined to the folder
    ],
)
def test_command_line_exclude_patterns_are_matched_as_flake8_matches_them(tmp_path, option, skipped):
    make_tree(tmp_path)
    lines = same_as_flake8("--isolated", SELECT, option, ".", cwd=tmp_path)
    assert reported(lines) == {f"./{path}" for path in TREE} - skipped


@pytest.mark.parametrize("config_file", ["setup.cfg", "tox.ini", ".flake8"])
def test_config_exclude_patterns_are_relative_to_the_config_file(tmp_path, config_file):
    make_tree(tmp_path)
    (tmp_path / config_file).write_text("[flake8]\nexclude = notifications/,shop/\n")
    lines = same_as_flake8(SELECT, ".", cwd=tmp_path)
    assert reported(lines) == {"./core/shop/receivers.py", "./core/notifications/signals.py"}

    # From a sub-folder, the config above still means its own folder's shop/.
    lines = same_as_flake8(SELECT, "shop", "notifications", cwd=tmp_path / "core")
    assert reported(lines) == {"shop/receivers.py", "notifications/signals.py"}
    (tmp_path / config_file).write_text("[flake8]\nextend-exclude = core/shop/\n")
    lines = same_as_flake8(SELECT, ".", cwd=tmp_path / "core")
    assert reported(lines) == {"./notifications/signals.py"}


def test_a_path_given_explicitly_is_excluded_too_and_any_file_name_is_read(tmp_path):
    make_tree(tmp_path, ["shop/receivers.py", "shop/script"])
    lines = same_as_flake8("--isolated", SELECT, "--exclude=shop/receivers.py", "shop/receivers.py", "shop/script", cwd=tmp_path)
    assert reported(lines) == {"shop/script"}


def test_map_and_fix_honour_exclude_patterns(tmp_path):
    make_tree(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "map", "--isolated", "--exclude=shop/receivers.py", "."],
        cwd=tmp_path, capture_output=True, text=True, env=subprocess_env(), timeout=600,
    )
    assert result.returncode == 0, result.stderr
    receivers = {line.split()[2].split(":")[0] for line in result.stdout.splitlines() if "-> on_saved" in line}
    assert receivers == {f"./{path}" for path in TREE} - {"./shop/receivers.py"}  # as flake8 prints paths under "."
    (tmp_path / "setup.cfg").write_text("[flake8]\nextend-exclude = core/shop/\n")
    result = fix("--check", "--exclude=shop/receivers.py", ".", cwd=tmp_path)
    assert {line.split(":")[0] for line in result.stdout.splitlines()[:-1]} == {
        "./shop/other.py", "./notifications/signals.py", "./core/notifications/signals.py"
    }


# -- per-file-ignores --------------------------------------------------------------------------

SECOND_RULE = RECEIVER + "\n\n@receiver(post_save, sender='shop.Order')\ndef on_order(sender, instance, **kwargs):\n    instance.save()\n"


@pytest.mark.parametrize(
    "value",
    [
        "shop/*:SIG501",
        "shop/*:SIG501 notifications/signals.py:SIG",
        "*/signals.py : SIG4, SIG5",
        # the longest matching pattern decides; entries do not add up
        "shop/*:SIG501,SIG401 shop/receivers.py:E999",
        "core/*:SIG5\n    core/shop/*:SIG4",
    ],
)
def test_per_file_ignores_match_flake8(tmp_path, value):
    make_tree(tmp_path, source=SECOND_RULE)
    everything = same_as_flake8("--isolated", SELECT, ".", cwd=tmp_path)
    assert {line.split()[1] for line in everything} == {"SIG401", "SIG501"}
    on_command_line = same_as_flake8("--isolated", SELECT, f"--per-file-ignores={value}", ".", cwd=tmp_path)
    assert on_command_line and on_command_line != everything
    (tmp_path / "setup.cfg").write_text(f"[flake8]\nper-file-ignores =\n    {value}\n")
    assert same_as_flake8(SELECT, ".", cwd=tmp_path) == on_command_line


def test_per_file_ignores_patterns_are_relative_to_the_current_folder_as_in_flake8(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "setup.cfg").write_text("[flake8]\nper-file-ignores = core/shop/*:SIG501\n")
    # flake8 reads a per-file-ignores pattern from the current folder, not the config's.
    assert reported(same_as_flake8(SELECT, ".", cwd=tmp_path / "core")) == {"./shop/receivers.py", "./notifications/signals.py"}
    assert reported(same_as_flake8(SELECT, "core", cwd=tmp_path)) == {"core/notifications/signals.py"}


def test_per_file_ignores_apply_to_standard_input_by_its_display_name(tmp_path):
    lines = same_as_flake8(
        "--isolated", SELECT, "--per-file-ignores=shop/*:SIG5", "--stdin-display-name=shop/receivers.py", "-",
        cwd=tmp_path, stdin=RECEIVER,
    )
    assert lines == []


def test_fix_honours_per_file_ignores(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "setup.cfg").write_text("[flake8]\nper-file-ignores = shop/*:SIG501\n")
    result = fix("--check", ".", cwd=tmp_path)
    assert result.returncode == 1
    fixed = {line.split(":")[0] for line in result.stdout.splitlines() if "would be fixed" in line}
    assert fixed == {"./notifications/signals.py", "./core/shop/receivers.py", "./core/notifications/signals.py"}


def test_a_malformed_per_file_ignores_is_a_configuration_error(tmp_path):
    make_tree(tmp_path, ["a.py"])
    (tmp_path / "tox.ini").write_text("[flake8]\nper-file-ignores = a.py\n")
    assert flake8(SELECT, ".", cwd=tmp_path).returncode != 0  # flake8 stops too
    for run in (check, fix):
        result = run(".", cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "tox.ini: Expected `per-file-ignores` to be a mapping" in result.stderr


# -- files flake8 reads differently ---------------------------------------------------------------


def _null_bytes_are_a_syntax_error() -> bool:
    try:
        ast.parse("x = 1\x00\n")
    except SyntaxError:
        return True
    except ValueError:  # Python < 3.11.4 (flake8 itself fails there)
        return False
    return False


ODD_FILES = {
    # not UTF-8 and no coding line: flake8 reads it as latin-1 and checks it
    "latin1.py": RECEIVER.encode().replace(b"pass", b"x = '\xe9t\xe9'"),
    # a coding line naming an unknown encoding: latin-1 too
    "unknown_codec.py": b"# -*- coding: klingon -*-\n" + RECEIVER.encode(),
    # a form feed: flake8 counts lines at \n only, so the noqa below still applies
    "form_feed.py": RECEIVER.replace("\n\n\n", "\n\x0c\n\n").replace("(sender):", "(sender):  # noqa: SIG501").encode(),
    # Windows line endings
    "crlf.py": RECEIVER.replace("\n", "\r\n").replace("(sender):", "(sender):  # noqa: SIG501").encode(),
    # noqa codes are case-sensitive: this one silences nothing
    "lowercase_noqa.py": RECEIVER.replace("(sender):", "(sender):  # noqa: sig501").encode(),
    # only the first noqa comment of a line counts
    "second_noqa.py": RECEIVER.replace("(sender):", "(sender):  # noqa: E501  # noqa: SIG501").encode(),
    # a syntax error with noqa on its line is silenced, as by flake8
    "e999_noqa.py": b"x = = 1  # noqa\n",
    "e999.py": b"x = = 1\n",
    "bom.py": b"\xef\xbb\xbf" + RECEIVER.encode(),
}


def test_oddly_encoded_and_silenced_files_are_read_as_flake8_reads_them(tmp_path):
    for name, data in ODD_FILES.items():
        (tmp_path / name).write_bytes(data)
    os.symlink(tmp_path / "gone.py", tmp_path / "broken_link.py")
    if _null_bytes_are_a_syntax_error():
        (tmp_path / "null_bytes.py").write_bytes(b"x = '\xff'\x00\n")  # not UTF-8 either: E999, not E902
    lines = same_as_flake8("--isolated", SELECT, ".", "missing.py", cwd=tmp_path)
    assert {line.split(": ")[0] + ": " + line.split(": ")[1].split()[0] for line in lines} >= {
        "./latin1.py:6:1: SIG501",
        "./unknown_codec.py:7:1: SIG501",
        "./lowercase_noqa.py:6:1: SIG501",
        "./second_noqa.py:6:1: SIG501",
        "./e999.py:1: E999",
        "./bom.py:6:1: SIG501",
        "./broken_link.py:0:1: E902",
        "missing.py:0:1: E902",
    }
    assert not any(name in " ".join(lines) for name in ("form_feed", "crlf", "e999_noqa"))


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_e902_on_line_0(tmp_path):
    target = tmp_path / "locked.py"
    target.write_text(RECEIVER)
    target.chmod(0)
    try:
        lines = same_as_flake8("--isolated", SELECT, "locked.py", cwd=tmp_path)
    finally:
        target.chmod(0o644)
    assert lines == ["locked.py:0:1: E902 PermissionError: [Errno 13] Permission denied: 'locked.py'"]


def test_standard_input_beside_files(tmp_path):
    make_tree(tmp_path, ["other.py"])
    lines = same_as_flake8("--isolated", SELECT, "-", "other.py", cwd=tmp_path, stdin=RECEIVER)
    assert reported(lines) == {"stdin", "other.py"}
    named = same_as_flake8("--isolated", SELECT, "--stdin-display-name=shop/x.py", "other.py", "-", cwd=tmp_path, stdin=RECEIVER)
    assert reported(named) == {"shop/x.py", "other.py"}
    # standard input is skipped when its display name is excluded
    assert reported(same_as_flake8(
        "--isolated", SELECT, "--stdin-display-name=shop/x.py", "--exclude=shop/*", "other.py", "-", cwd=tmp_path, stdin=RECEIVER
    )) == {"other.py"}


# -- flake8's output options -------------------------------------------------------------------


def test_output_options_print_what_flake8_prints(tmp_path):
    source = textwrap.dedent(
        """\
        from django.db.models.signals import post_save
        from django.dispatch import receiver


        @receiver(post_save)
        def on_saved(sender):
        \tpass


        def view(request):
            post_save.connect(lambda **kw: \"\"\"
            a string over lines
            \"\"\", sender=1)
        """
    )
    (tmp_path / "one.py").write_text(source)
    (tmp_path / "two.py").write_text(RECEIVER)
    for options in (["--show-source"], ["--statistics"], ["--count"], ["--statistics", "--count", "--show-source"]):
        by_flake8 = flake8("--isolated", SELECT, *options, "one.py", cwd=tmp_path)
        by_check = check("--isolated", SELECT, *options, "one.py", cwd=tmp_path)
        assert by_check.stdout == by_flake8.stdout and by_check.returncode == by_flake8.returncode == 1
    assert "^" in by_check.stdout and "SIG102" in by_check.stdout
    for options in (["--statistics"], ["--count"], ["-q"], ["-qq"], ["-qq", "--count", "--statistics"], ["--exit-zero"]):
        same_as_flake8("--isolated", SELECT, *options, ".", cwd=tmp_path)
    assert check("--isolated", "-q", ".", cwd=tmp_path).stdout.splitlines() == ["./one.py", "./two.py"]


def test_options_from_the_config_file_as_in_flake8(tmp_path):
    (tmp_path / "one.py").write_text(RECEIVER)
    (tmp_path / "setup.cfg").write_text("[flake8]\ncount = true\nstatistics = 1\nshow-source = yes\njobs = 2\n")
    assert check(SELECT, ".", cwd=tmp_path).stdout == flake8(SELECT, ".", cwd=tmp_path).stdout
    (tmp_path / "setup.cfg").write_text("[flake8]\nquiet = 1\n")
    assert check(SELECT, ".", cwd=tmp_path).stdout == flake8(SELECT, ".", cwd=tmp_path).stdout == "./one.py\n"


def test_output_file_and_tee_as_in_flake8(tmp_path):
    (tmp_path / "one.py").write_text(RECEIVER)
    for run, name in ((flake8, "by_flake8"), (check, "by_check")):
        first = run("--isolated", SELECT, f"--output-file=out/{name}.txt", "--statistics", "--count", "one.py", cwd=tmp_path)
        second = run("--isolated", SELECT, f"--output-file=out/{name}.txt", "--tee", "one.py", cwd=tmp_path)
        assert first.returncode == second.returncode == 1
        assert first.stdout == "1\n"  # --count goes to standard output
        assert second.stdout.count("SIG501") == 1
    # flake8 appends to the file; so does check for its line formats
    assert (tmp_path / "out" / "by_check.txt").read_text() == (tmp_path / "out" / "by_flake8.txt").read_text()
    assert (tmp_path / "out" / "by_check.txt").read_text().count("SIG501") == 3


def test_exit_zero_as_in_flake8():
    lines = same_as_flake8("--isolated", "--exit-zero", SELECT, ".", cwd=MYSITE)
    assert lines and check("--isolated", "--exit-zero", ".", cwd=MYSITE).returncode == 0
