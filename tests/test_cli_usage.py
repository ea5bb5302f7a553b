"""The command's own behaviour around the findings: usage errors and exit statuses,
Ctrl-C, the configuration it reads, the note about a selection without SIG codes,
help, SARIF and GitHub output details, ``fix`` output, and warnings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flake8_runner import ROOT

from flake8_signals.frontends import cli

RECEIVER = (
    "from django.db.models.signals import post_save\n"
    "from django.dispatch import receiver\n\n\n"
    "@receiver(post_save)\n"
    "def on_saved(sender):\n"
    "    pass\n"
)


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def command(*args, cwd, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_signals", *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=_env(), timeout=600
    )


# -- warnings ---------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.version_info < (3, 12), reason="invalid escape sequences are SyntaxWarnings from Python 3.12")
def test_syntax_warnings_name_the_file(tmp_path):
    (tmp_path / "pattern.py").write_text(RECEIVER + 'DIGITS = "\\d+"\n')
    for args in (("check",), ("check", "-j1"), ("map",), ("fix", "--diff")):
        result = command(*args, "--isolated", "pattern.py", cwd=tmp_path)
        assert "<unknown>" not in result.stderr, (args, result.stderr)
        if args[0] == "check":
            assert "pattern.py:8: SyntaxWarning: invalid escape sequence" in result.stderr
