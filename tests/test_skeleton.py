"""Parsing a skeleton (unneeded function bodies blanked) finds exactly what a full parse finds."""

from __future__ import annotations

import ast
from pathlib import Path

import django
import pytest

from flake8_runner import FIXTURES
from flake8_signals.engine import Engine
from flake8_signals.module import parsing
from flake8_signals.options import Options
from flake8_signals.source.precheck import might_wire_signals
from flake8_signals.source.skeleton import skeleton

HERE = Path(__file__).resolve().parent


def _candidates():
    roots = [Path(django.__file__).parent, FIXTURES / "rules", HERE.parent / "examples"]
    files = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if might_wire_signals(text):
                files.append(path)
    return files


CANDIDATES = _candidates()


OPTIONS = Options(named_codes=frozenset({"SIG101", "SIG103", "SIG201", "SIG303", "SIG402", "SIG403"}))


@pytest.fixture(scope="module")
def engines():
    """One engine parsing through skeletons and one parsing every text in full, each
    shared by the cases (a module another file reads is parsed once per engine)."""
    return Engine(), Engine()


def test_there_are_many_candidates():
    assert len(CANDIDATES) > 40


@pytest.mark.parametrize("path", CANDIDATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_skeleton_and_full_parse_agree(path, engines, monkeypatch):
    through_skeletons, in_full = engines
    text = path.read_text(encoding="utf-8")
    expected = through_skeletons.check_source(text, str(path), OPTIONS, ast.parse(text))
    # Without a tree the cache would build one with ast and parse a skeleton all the
    # same: take skeletons away for the reference run.
    monkeypatch.setattr(parsing, "skeleton", lambda *args: None)
    assert in_full.check_source(text, str(path), OPTIONS, None) == expected


def test_without_skeletons_the_reference_run_parses_in_full(monkeypatch):
    source = "from django.db.models.signals import post_save\n\ndef unrelated():\n    return 1\n\npost_save.connect(print)\n"
    assert parsing.FactsCache().facts_for(source, "m.py").blanked == {"unrelated"}
    monkeypatch.setattr(parsing, "skeleton", lambda *args: None)
    assert parsing.FactsCache().facts_for(source, "m.py").blanked == frozenset()


def test_skeleton_keeps_line_numbers_and_blanks_unrelated_bodies():
    source = (
        "from django.db.models.signals import post_save\n"
        "\n"
        "def unrelated(x):\n"
        "    y = x + 1\n"
        "    return y\n"
        "\n"
        "def helper():\n"
        "    return 1\n"
        "\n"
        "def handler(sender, **kwargs):\n"
        "    helper()\n"
        "\n"
        "post_save.connect(handler)\n"
    )
    reduced, blanked = skeleton(source, ast.parse(source))
    assert blanked == {"unrelated"}
    assert reduced.count("\n") == source.count("\n")
    assert reduced.splitlines()[3] == "    pass" and reduced.splitlines()[4] == ""
    assert "helper()" in reduced and "return 1" in reduced
