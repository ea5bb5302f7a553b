"""Parsing a module once per process: text to ``ModuleFacts``, through the skeleton."""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from contextlib import contextmanager
from typing import Optional

import libcst as cst

from ..source.skeleton import sends_skeleton, skeleton
from .facts import ModuleFacts


class FactsCache:
    """Parsed modules, keyed by path and content: each text is parsed at most once per
    process (twice only when a skeleton parse blanked a function another module needs)."""

    def __init__(self, freeze: bool = False) -> None:
        # ``freeze``: move kept trees out of the cyclic collector's reach (gc.freeze). Only
        # for the one long-lived cache of a linting process: frozen objects are never
        # collected, so a process that makes many caches (a test suite) must not freeze.
        self.freeze = freeze
        self._entries: dict[str, tuple[str, ModuleFacts]] = {}
        self.parses: Counter = Counter()  # path -> times parsed (tests and benchmarks read it)

    def facts_for(
        self,
        text: str,
        path: str,
        module_name: Optional[str] = None,
        tree=None,
        keep: frozenset = frozenset(),
        need: Optional[str] = None,
        retain: bool = True,
    ) -> ModuleFacts:
        """Facts of ``text``. With flake8's ``tree``, functions no rule can need are
        blanked before parsing (``keep`` names more to keep); ``need`` asks for one
        function's body, re-parsing in full if a skeleton blanked it. ``retain=False``:
        no other file can ask for this one, so do not keep its tree alive (every full
        garbage collection of the process would scan it)."""
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        entry = self._entries.get(path)
        if entry is not None and entry[0] == digest and (need is None or need not in entry[1].blanked):
            return entry[1]
        self.parses[path] += 1
        with collector_paused():
            facts = None
            reduced = skeleton(text, tree, keep) if need is None else None
            if reduced is not None:
                try:
                    facts = ModuleFacts(cst.parse_module(reduced[0]), path=path, module_name=module_name)
                    facts.blanked = reduced[1]
                except Exception:
                    facts = None  # parse the real text below; its error is the one to report
            if facts is None:
                facts = ModuleFacts(cst.parse_module(text), path=path, module_name=module_name)
        if retain:
            self._entries[path] = (digest, facts)
            if self.freeze:
                # Kept for the life of the process: move it out of the collector's way, or
                # every full collection in flake8 would walk these trees again.
                gc.freeze()
        return facts


    def sends_of(self, text: str, path: str, module_name: Optional[str], tree) -> ModuleFacts:
        """Facts of a module that wires no signal, for where it sends one: only the
        functions that send are parsed with their bodies. Not kept: no rule reads such a
        module, and another file asking for it gets a parse of its own."""
        self.parses[path] += 1
        with collector_paused():
            reduced = sends_skeleton(text, tree)
            if reduced is not None:
                try:
                    facts = ModuleFacts(cst.parse_module(reduced[0]), path=path, module_name=module_name)
                    facts.blanked = reduced[1]
                    return facts
                except Exception:
                    pass  # parse the real text: its error is the one to report
            return ModuleFacts(cst.parse_module(text), path=path, module_name=module_name)


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while a tree is built.

    Every object libcst creates stays alive until the tree is complete, so collections
    during a parse find nothing to free, yet cost as much as the parse itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
