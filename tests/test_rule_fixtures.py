"""Every rule fixture through real flake8: the findings are exactly the inline markers."""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

from flake8_runner import FIXTURES, ROOT, expected_findings, findings, fixture_args

RULE_FIXTURES = sorted((FIXTURES / "rules").rglob("*.py"))


@pytest.fixture(scope="session")
def flake8_results() -> dict:
    """One flake8 run per distinct argument list, over all the fixtures that use it."""
    groups = defaultdict(list)
    for path in RULE_FIXTURES:
        groups[fixture_args(path)].append(path)
    results = {}
    for args, paths in groups.items():
        relative = [os.path.relpath(p, ROOT) for p in paths]
        found = findings(relative, *args)
        for path in relative:
            results[os.path.normpath(path)] = found.get(os.path.normpath(path), set())
    return results


def test_there_are_fixtures():
    assert len(RULE_FIXTURES) >= 10


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.name)
def test_fixture(path, flake8_results):
    expected = expected_findings(path)
    actual = flake8_results[os.path.normpath(os.path.relpath(path, ROOT))]
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"
