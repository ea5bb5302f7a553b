"""The README documents exactly the rules and options the code has."""

from __future__ import annotations

import re

from flake8_runner import ROOT

from flake8_signals import docs
from flake8_signals.options import OPTION_SPECS
from flake8_signals.rules import all_rules

README = (ROOT / "README.md").read_text(encoding="utf-8")
SPEC_CODES = {f"SIG{n}" for n in ("000", "101", "102", "103", "104", "105", "106", "201", "301", "302", "303", "401", "402", "403", "404", "501", "502", "503", "504", "505")}


def test_readme_sections_are_generated_from_the_code():
    assert docs.render(README) == README, "run: python -m flake8_signals.docs"


def test_every_catalogue_code_has_a_rule_and_nothing_else_does():
    assert {rule.code for rule in all_rules()} == SPEC_CODES


def test_every_rule_is_fully_documented():
    for rule in all_rules():
        sections = rule.documentation()
        assert set(sections) == {"What it does", "Why is this bad?", "Example", "Use instead"}, rule.code
        assert all(text.strip() for text in sections.values()), rule.code
        assert "```python" in sections["Example"] or rule.code == "SIG000", rule.code
        assert rule.summary and rule.name and rule.name == rule.name.lower()


def test_off_by_default_rules_are_the_opinionated_ones():
    assert {rule.code for rule in all_rules() if not rule.enabled_by_default} == {"SIG404", "SIG504"}


def test_readme_mentions_no_code_that_does_not_exist():
    mentioned = set(re.findall(r"\bSIG\d{3}\b", README))
    assert mentioned <= SPEC_CODES
    assert SPEC_CODES <= mentioned


def test_options_are_documented():
    for spec in OPTION_SPECS:
        assert spec.flag in README
        assert spec.example.split(" = ")[0] in README
