"""The README documents exactly the rules and options the code has."""

from __future__ import annotations

import re

from flake8_runner import ROOT

from flake8_signals.frontends import docs
from flake8_signals.options import OPTION_SPECS
from flake8_signals.rules import all_rules

README = (ROOT / "README.md").read_text(encoding="utf-8")
SPEC_CODES = {f"SIG{n}" for n in ("000", "101", "102", "103", "104", "105", "106", "201", "301", "302", "303", "304", "401", "402", "403", "404", "405", "501", "502", "503", "504", "505", "506")}


def test_readme_sections_are_generated_from_the_code():
    assert docs.render(README) == README, "run: python -m flake8_signals.frontends.docs"


def test_every_catalogue_code_has_a_rule_and_nothing_else_does():
    assert {rule.code for rule in all_rules()} == SPEC_CODES


def test_every_rule_is_fully_documented():
    for rule in all_rules():
        sections = rule.documentation()
        expected = {"What it does", "Why is this bad?", "Example", "Use instead"}
        if rule.fix_safety is not None:  # a fix says what it does and why it is (un)safe
            expected.add("Fix safety")
            assert sections["Fix safety"].lower().startswith(rule.fix_safety + ":"), rule.code
        assert set(sections) == expected, rule.code
        assert all(text.strip() for text in sections.values()), rule.code
        assert "```python" in sections["Example"] or rule.code == "SIG000", rule.code
        assert rule.summary and rule.name and rule.name == rule.name.lower()


def test_off_by_default_rules_are_the_opinionated_and_the_measured_ones():
    off = {rule.code for rule in all_rules() if not rule.enabled_by_default}
    measured = {rule.code for rule in all_rules() if rule.held_out is not None}
    assert off == {"SIG404", "SIG405", "SIG504"} | measured
    for rule in all_rules():
        if rule.held_out is not None:  # off for falling short of 90% on held-out code
            true, found = rule.held_out
            assert not rule.enabled_by_default and found and true < 0.9 * found, rule.code
            assert f"{true} of its {found} findings were true" in README, rule.code


def test_readme_mentions_no_code_that_does_not_exist():
    mentioned = set(re.findall(r"\bSIG\d{3}\b", README))
    assert mentioned <= SPEC_CODES
    assert SPEC_CODES <= mentioned


def test_options_are_documented():
    for spec in OPTION_SPECS:
        assert spec.flag in README
        assert spec.example.split(" = ")[0] in README


PINNED = re.compile(r"@?([0-9a-f]{40})")


def _pyproject() -> dict:
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        tomllib = None
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)
    urls = dict(re.findall(r'^(\w+) = "(https://[^"]+)"', text, re.MULTILINE))
    license_match = re.search(r'^license = "([^"]+)"', text, re.MULTILINE)
    return {"project": {"urls": urls, "license": license_match.group(1) if license_match else None}}


def test_readme_install_and_hook_snippets_name_this_repository_and_a_real_commit():
    repository = _pyproject()["project"]["urls"]["Repository"]
    assert f"git+{repository}@" in README and f"repo: {repository}" in README
    revisions = set(PINNED.findall(README))
    assert revisions, "the README pins no commit"
    import subprocess

    for revision in revisions:
        shown = subprocess.run(
            ["git", "show", f"{revision}:.pre-commit-hooks.yaml"], cwd=ROOT, capture_output=True, text=True
        )
        if shown.returncode != 0 and "not a git repository" in shown.stderr:
            import pytest

            pytest.skip("not a git checkout")
        assert shown.returncode == 0, f"{revision} is not a commit of this repository with the hook"
        assert "id: flake8-signals" in shown.stdout and "E9" in shown.stdout
        # The pins follow the release: the pinned commit is this version, with every
        # command the README documents.
        init = subprocess.run(["git", "show", f"{revision}:src/flake8_signals/__init__.py"], cwd=ROOT, capture_output=True, text=True)
        from flake8_signals import __version__

        assert f'__version__ = "{__version__}"' in init.stdout, f"{revision} is not version {__version__}"
        cli = subprocess.run(
            ["git", "show", f"{revision}:src/flake8_signals/frontends/cli.py"], cwd=ROOT, capture_output=True, text=True
        )
        for command in ("check", "fix", "map", "verify"):
            if f"flake8-signals {command}" in README:
                assert re.search(rf'command\(\s*"{command}"', cli.stdout), f"{revision} has no {command} command"
        if "flake8-signals check" in README:
            assert "id: flake8-signals-check" in shown.stdout
        if "flake8-signals-fix" in README:
            assert "id: flake8-signals-fix" in shown.stdout


def test_readme_finding_example_is_what_flake8_prints_for_the_example_project():
    from flake8_runner import run_flake8

    example = re.search(r"```text\n(examples/\S+ SIG\d{3} .*)\n```", README).group(1)
    result = run_flake8(["examples"], "--select=SIG", "--format=default")
    assert example in result.stdout.splitlines()


def test_packaging_metadata():
    project = _pyproject()["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert {"Repository", "Issues", "Changelog"} <= set(project["urls"])
    assert (ROOT / "CHANGELOG.md").is_file()
