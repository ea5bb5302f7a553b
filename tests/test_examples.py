"""The bundled example project: the README's main command shows every rule, and it is a
working Django project."""

from __future__ import annotations

import os
import subprocess
import sys

from flake8_runner import ROOT, expected_findings, findings

from flake8_signals.rules import all_rules, off_by_default_codes

EXAMPLES = ROOT / "examples"
# The README's first command: every off-by-default rule named, so the example shows them all.
README_ARGS = (f"--select=SIG,{','.join(off_by_default_codes())}",)


def test_the_readme_starts_with_this_command():
    first_block = (ROOT / "README.md").read_text(encoding="utf-8").split("```")[1]
    assert f"flake8 {README_ARGS[0]} examples/" in first_block


def test_readme_command_reports_exactly_the_marked_lines():
    found = findings(["examples/"], *README_ARGS)
    expected = {}
    for path in sorted(EXAMPLES.rglob("*.py")):
        marked = expected_findings(path)
        if marked:
            expected[os.path.normpath(os.path.relpath(path, ROOT))] = marked
    assert {path: codes for path, codes in found.items() if codes} == expected


def test_every_rule_fires_in_the_example():
    found = findings(["examples/"], *README_ARGS)
    codes = {code for path_codes in found.values() for _, code in path_codes}
    assert codes == {rule.code for rule in all_rules()} - {"SIG000"}


def test_the_example_passes_django_check():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"], cwd=EXAMPLES, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
