"""From source text to findings: parse (once per process), build facts, run the rules."""

from __future__ import annotations

import hashlib
from collections import Counter
import os
from typing import Optional

import libcst as cst

from . import positions
from .context import Context
from .facts import ModuleFacts
from .options import Options
from .rules import all_rules

_RULES = None


def _rule_instances() -> list:
    global _RULES
    if _RULES is None:
        _RULES = [rule() for rule in all_rules()]
    return _RULES


class FactsCache:
    """Parsed modules, keyed by path and content: each text is parsed at most once per process."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, ModuleFacts]] = {}
        self.parses: Counter = Counter()  # path -> times parsed (tests and benchmarks read it)

    def facts_for(self, text: str, path: str, module_name: Optional[str] = None) -> ModuleFacts:
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        entry = self._entries.get(path)
        if entry is not None and entry[0] == digest:
            return entry[1]
        self.parses[path] += 1
        facts = ModuleFacts(cst.parse_module(text), path=path, module_name=module_name)
        self._entries[path] = (digest, facts)
        return facts


CACHE = FactsCache()


def check_source(text: str, path: str, options: Options, tree=None) -> list[tuple[int, int, str]]:
    """Findings for one file as (line, column, message), sorted and de-duplicated.

    ``tree`` is flake8's ``ast`` of the same text: it locates findings cheaply."""
    from .plugin import might_wire_signals
    from .project import app_view_for

    app = app_view_for(path, options)
    if not might_wire_signals(text) and (app is None or not app.may_wire_receivers_in(path)):
        return []
    if app is not None:
        facts = CACHE.facts_for(text, os.path.abspath(path), app.module_name_of(path))
    else:
        facts = CACHE.facts_for(text, path)
    ctx = Context(facts, options, path, app)
    findings = [finding for rule in _rule_instances() for finding in rule.check(ctx)]
    if not findings:
        return []
    results: dict = {}
    for line, column, finding in positions.resolve(findings, facts.module, facts.statement_index(), tree):
        results.setdefault((line, finding.code), (line, column, finding.message))
    return sorted(results.values())


def reset_caches() -> None:
    """Forget every parsed module and app (a long-lived process, or a test, starting afresh)."""
    from . import project

    global CACHE
    CACHE = FactsCache()
    project.DISK = project.DiskCache()
    project.APPS.clear()
    project.SUMMARIES.clear()
    project.find_app_dir.cache_clear()
