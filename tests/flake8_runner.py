"""Run real flake8 over fixtures and read the expected findings marked inline.

A fixture line ends in a comment that starts with the codes expected on it:
``post_save.connect(handler)  # SIG101`` or ``# SIG101 SIG102 why``. A comment that
does not start with a code (``# silent: ...``) expects nothing.
A fixture can set its own flake8 arguments on its first line:
``# flake8-args: --select=SIG504``.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# A receiver without **kwargs (SIG501 on line 6, column 1): the finding the command-line
# tests look for.
RECEIVER_WITHOUT_KWARGS = (
    "from django.db.models.signals import post_save\n"
    "from django.dispatch import receiver\n\n\n"
    "@receiver(post_save)\n"
    "def on_saved(sender):\n"
    "    pass\n"
)
# Every rule with a fixture, the measured opt-in ones named (they are off by default).
OPT_IN_MEASURED = "SIG101,SIG103,SIG201,SIG303,SIG402,SIG403"
DEFAULT_ARGS = (f"--select=SIG,{OPT_IN_MEASURED}", "--extend-ignore=SIG404,SIG504")
_CODE = re.compile(r"^SIG\d{3}$")
_FORMAT = "--format=%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"


def expected_findings(path: Path) -> set:
    """{(line, code)} from the inline markers."""
    expected = set()
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        for word in re.split(r"[\s,]+", token.string.lstrip("#").strip()):
            if not _CODE.match(word):
                break
            expected.add((token.start[0], word))
    return expected


def fixture_args(path: Path) -> tuple:
    first = path.read_text(encoding="utf-8").splitlines()[:1]
    if first and first[0].startswith("# flake8-args:"):
        return tuple(first[0].split(":", 1)[1].split())
    return DEFAULT_ARGS


def subprocess_env() -> dict:
    """The environment for a child process: this one without PYTHONPATH, so the child
    imports the installed package, as a user's would."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def run_flake8(targets, *args, cwd=None, stdin=None, env_extra=None) -> subprocess.CompletedProcess:
    env = subprocess_env()
    if env_extra:
        env.update(env_extra)
    command = [sys.executable, "-m", "flake8", "--isolated", _FORMAT, *args, *map(str, targets)]
    if "--no-isolated" in args:
        command.remove("--isolated")
        command.remove("--no-isolated")
    return subprocess.run(
        command, cwd=cwd or ROOT, input=stdin, capture_output=True, text=True, env=env, timeout=600
    )


def parse_output(output: str) -> list:
    """[(path, line, column, code, text)] from flake8 output in our format."""
    rows = []
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) == 5:
            rows.append((parts[0], int(parts[1]), int(parts[2]), parts[3], parts[4]))
    return rows


def findings(targets, *args, cwd=None) -> dict:
    """{path: {(line, code)}} for a flake8 run; fails loudly if flake8 itself failed."""
    result = run_flake8(targets, *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    by_path: dict = {}
    for path, line, _, code, _ in parse_output(result.stdout):
        by_path.setdefault(os.path.normpath(path), set()).add((line, code))
    return by_path
