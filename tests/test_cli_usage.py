"""The command's own behaviour around the findings: usage errors and exit statuses,
Ctrl-C, the configuration it reads, the note about a selection without SIG codes,
help, SARIF and GitHub output details, ``fix`` output, and warnings."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flake8_runner import RECEIVER_WITHOUT_KWARGS, ROOT, subprocess_env

from flake8_signals.frontends import cli

RECEIVER = RECEIVER_WITHOUT_KWARGS


def command(*args, cwd, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_signals", *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=subprocess_env(), timeout=600
    )


# -- usage errors and exit statuses -------------------------------------------------------------


@pytest.mark.parametrize("config", [None, "[flake8]\njobs = abc\n"])
def test_a_bad_jobs_value_is_a_usage_error(tmp_path, config):
    (tmp_path / "a.py").write_text(RECEIVER)
    args = ["check", "a.py"] if config else ["check", "-j", "abc", "a.py"]
    if config:
        (tmp_path / "setup.cfg").write_text(config)
    result = command(*args, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'abc' must be 'auto' or an integer" in result.stderr
    if config:
        assert "setup.cfg" in result.stderr


def test_map_of_a_missing_path_names_it_and_fails(tmp_path):
    (tmp_path / "a.py").write_text(RECEIVER)
    result = command("map", "--isolated", "a.py", "nonexistent", cwd=tmp_path)
    assert result.returncode == 1
    assert "nonexistent:0:1: E902 FileNotFoundError" in result.stderr
    assert "on_saved  a.py:6" in result.stdout  # the rest is still mapped
    assert command("map", "--isolated", "-", cwd=tmp_path).returncode == 2


def test_fix_of_a_missing_file_fails_and_stdin_only_alone(tmp_path):
    result = command("fix", "--isolated", "nonexistent.py", cwd=tmp_path)
    assert result.returncode == 1 and "nonexistent.py: not fixed" in result.stderr
    (tmp_path / "a.py").write_text(RECEIVER)
    mixed = command("fix", "--isolated", "-", "a.py", cwd=tmp_path, stdin=RECEIVER)
    assert mixed.returncode == 2 and "standard input" in mixed.stderr
    assert (tmp_path / "a.py").read_text() == RECEIVER


def test_ctrl_c_during_a_parallel_check_stops_with_one_line_and_status_130(tmp_path):
    import django

    tree = str(Path(django.__file__).parent)
    process = subprocess.Popen(  # Django's source four times over: seconds of work
        [sys.executable, "-m", "flake8_signals", "check", "--isolated", "-j2", tree, tree, tree, tree],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while not _children(process.pid) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)  # until the pool's workers exist
        time.sleep(0.5)
        assert process.poll() is None, "the check finished before it could be interrupted"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert err == "flake8-signals: interrupted\n" and out == ""


def test_an_error_raised_while_handling_ctrl_c_still_counts_as_ctrl_c():
    from flake8_signals.engine import interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            {}["node"]  # what libcst's position bookkeeping raises when interrupted
    except KeyError as error:
        assert interrupted(error)
    assert not interrupted(KeyError("node")) and interrupted(KeyboardInterrupt())


def _children(pid: int) -> list:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:  # no /proc: wait a fixed time instead
        time.sleep(1)
        return ["unknown"]


# -- configuration --------------------------------------------------------------------------------


def test_a_malformed_pyproject_is_a_configuration_error(tmp_path):
    (tmp_path / "a.py").write_text(RECEIVER)
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-signals]\nextend-select = ["SIG504"\n')
    for subcommand in ("check", "fix", "map"):
        result = command(subcommand, "a.py", cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "pyproject.toml: not valid TOML" in result.stderr
    assert command("check", "--isolated", "a.py", cwd=tmp_path).returncode == 1  # --isolated reads no file


def test_a_pyproject_value_of_the_wrong_type_names_the_file(tmp_path):
    (tmp_path / "a.py").write_text(RECEIVER)
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-signals]\nextend-select = { SIG = 1 }\n")
    result = command("check", "a.py", cwd=tmp_path)
    assert result.returncode == 2 and "pyproject.toml: [tool.flake8-signals] extend-select" in result.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-signals]\nsignals-task-calls = ["tasks.defer"]\n')
    result = command("check", "a.py", cwd=tmp_path)
    assert result.returncode == 2 and "--signals-task-calls" in result.stderr and "(in pyproject.toml)" in result.stderr


def test_a_selection_without_sig_codes_gets_one_note(tmp_path):
    (tmp_path / "a.py").write_text(RECEIVER)
    (tmp_path / "b.py").write_text(RECEIVER)
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = E,F,W,C90\n")
    for subcommand in ("check", "fix"):
        result = command(subcommand, ".", cwd=tmp_path)
        assert result.returncode == 0 and result.stdout == ""  # flake8's semantics: nothing reported
        assert result.stderr == (
            "flake8-signals: the selection (select = E,F,W,C90 in setup.cfg) reports no SIG code; add extend-select = SIG\n"
        )
    assert (tmp_path / "a.py").read_text() == RECEIVER
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = E,F,W,C90\nextend-select = SIG\n")
    result = command("check", ".", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == ""
    (tmp_path / "setup.cfg").write_text("[flake8]\nextend-ignore = SIG\n")
    assert "(extend-ignore = SIG in setup.cfg) reports no SIG code; remove SIG from extend-ignore" in command("check", ".", cwd=tmp_path).stderr
    assert command("check", "--isolated", "--select=SIG,E9", ".", cwd=tmp_path).stderr == ""


# -- the command's interface -------------------------------------------------------------------------


def test_version():
    result = command("--version", cwd=ROOT)
    from flake8_signals import __version__

    assert result.returncode == 0 and result.stdout.startswith(f"flake8-signals {__version__} ")


def test_every_option_has_help_and_every_command_says_its_exit_statuses():
    parser = cli.build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(subcommands) == {"check", "fix", "map", "verify"}
    for name, subparser in subcommands.items():
        for action in subparser._actions:
            assert action.help and action.help.strip(), f"{name} {action.option_strings or action.dest} has no help"
        text = subparser.format_help()
        assert "exit status:" in text and "  2 " in text and "  130 " in text, name
    assert all(action.help for action in parser._actions)


def test_readme_sarif_job_uses_exit_zero():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "check --format=sarif --exit-zero" in readme and "continue-on-error" not in readme


# -- SARIF and GitHub output ----------------------------------------------------------------------------


def test_sarif_uris_are_percent_encoded(tmp_path):
    (tmp_path / "odd name#1.py").write_text(RECEIVER)
    (tmp_path / "100%.py").write_text("x = = 1\n")
    log = json.loads(command("check", "--isolated", "--format=sarif", ".", cwd=tmp_path).stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"odd%20name%231.py", "100%25.py"}


def test_github_annotations_escape_their_properties_and_are_warnings(tmp_path):
    (tmp_path / "a,b:c.py").write_text(RECEIVER)
    (tmp_path / "broken.py").write_text("x = = 1\n")
    lines = command("check", "--isolated", "--format=github", ".", cwd=tmp_path, stdin=None).stdout.splitlines()
    assert lines[0].startswith("::warning file=./a%2Cb%3Ac.py,line=6,col=1,title=SIG501::SIG501 receiver")
    assert lines[1].startswith("::error file=./broken.py,line=1,") and "title=E999::E999 SyntaxError" in lines[1]
    missing = command("check", "--isolated", "--format=github", "gone.py", cwd=tmp_path).stdout
    assert missing.startswith("::error file=gone.py,title=E902::E902 FileNotFoundError")  # no line 0


# -- fix output -------------------------------------------------------------------------------------


def test_fix_check_from_standard_input_prints_only_what_would_be_fixed(tmp_path):
    result = command("fix", "--isolated", "--check", "--stdin-display-name=shop/receivers.py", "-", cwd=tmp_path, stdin=RECEIVER)
    assert result.returncode == 1
    assert result.stdout == (
        "shop/receivers.py:6: SIG501 would be fixed\nWould fix 1 finding in 1 file (SIG501 x1).\n"
    )


def test_fix_counts_a_file_given_twice_once(tmp_path):
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "receivers.py").write_text(RECEIVER)
    (shop / "other.py").write_text(RECEIVER)
    result = command("fix", "--isolated", "shop", "shop/receivers.py", "./shop/receivers.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Fixed 2 findings in 2 files (SIG501 x2).\n"
    assert (shop / "receivers.py").read_text().count("**kwargs") == 1


# -- warnings ---------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.version_info < (3, 12), reason="invalid escape sequences are SyntaxWarnings from Python 3.12")
def test_syntax_warnings_name_the_file(tmp_path):
    (tmp_path / "pattern.py").write_text(RECEIVER + 'DIGITS = "\\d+"\n')
    for args in (("check",), ("check", "-j1"), ("map",), ("fix", "--diff")):
        result = command(*args, "--isolated", "pattern.py", cwd=tmp_path)
        assert "<unknown>" not in result.stderr, (args, result.stderr)
        if args[0] == "check":
            assert "pattern.py:8: SyntaxWarning: invalid escape sequence" in result.stderr
