"""From source text to findings: parse (once per process), build facts, run the rules."""

from __future__ import annotations

import gc
import hashlib
import os
import queue
import sys
import threading
from collections import Counter
from contextlib import contextmanager
from typing import Callable, Optional, TypeVar

import libcst as cst

from . import positions
from .context import Context
from .facts import ModuleFacts
from .options import Options
from .rules import all_rules
from .skeleton import skeleton

_RULES = None
T = TypeVar("T")

# Real files nest deeper than Python's default recursion limit allows a recursive walk
# to follow: a SQL text of 400 implicitly concatenated literals is a 400-deep tree, and
# libcst's own parser, code generator and our walks all recurse. The analysis therefore
# runs on a thread with a large stack and a raised limit, so anything CPython's own
# parser accepts can be analysed. The stack is virtual memory, touched only as deep as
# a file needs.
DEEP_STACK_BYTES = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 200_000
_deep_lock = threading.Lock()


def _rule_instances() -> list:
    global _RULES
    if _RULES is None:
        _RULES = [rule() for rule in all_rules()]
    return _RULES


class FactsCache:
    """Parsed modules, keyed by path and content: each text is parsed at most once per
    process (twice only when a skeleton parse blanked a function another module needs)."""

    def __init__(self) -> None:
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
            # Kept for the life of the process: move it out of the collector's way, or
            # every full collection in flake8 would walk these trees again.
            gc.freeze()
        return facts


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


CACHE = FactsCache()


class _DeepStackWorker:
    """One long-lived thread with a deep stack that runs analyses one at a time (starting
    a thread with a large stack for every file would cost more than many analyses)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: Optional[threading.Thread] = None
        self._owner_pid = 0

    def run(self, function: Callable[..., T], *args) -> T:
        with _deep_lock:  # the recursion limit is a process-wide setting
            self._ensure_thread()
            previous_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(previous_limit, DEEP_RECURSION_LIMIT))
            try:
                done: queue.SimpleQueue = queue.SimpleQueue()
                self._jobs.put((function, args, done))
                ok, value = done.get()
            finally:
                sys.setrecursionlimit(previous_limit)
        if not ok:
            raise value
        return value

    def _ensure_thread(self) -> None:
        # flake8 -j forks worker processes: a thread does not survive a fork.
        if self._thread is not None and self._thread.is_alive() and self._owner_pid == os.getpid():
            return
        self._jobs = queue.SimpleQueue()
        previous_size = threading.stack_size()
        threading.stack_size(DEEP_STACK_BYTES)
        try:
            self._thread = threading.Thread(target=self._serve, name="flake8-signals", daemon=True)
            self._thread.start()
        finally:
            threading.stack_size(previous_size)
        self._owner_pid = os.getpid()

    def _serve(self) -> None:
        jobs = self._jobs
        while True:
            function, args, done = jobs.get()
            try:
                done.put((True, function(*args)))
            except BaseException as error:  # handed to the caller, which decides
                done.put((False, error))


_DEEP = _DeepStackWorker()


def run_deep(function: Callable[..., T], *args) -> T:
    """``function(*args)`` on a thread with a deep stack; its exception is re-raised here."""
    return _DEEP.run(function, *args)


def check_source(text: str, path: str, options: Options, tree=None) -> list[tuple[int, int, str]]:
    """Findings for one file as (line, column, message), sorted and de-duplicated.

    ``tree`` is flake8's ``ast`` of the same text: it locates findings cheaply."""
    from .project import app_view_for

    app = app_view_for(path, options)
    if not needs_analysis(text, path, app):
        return []
    return run_deep(_analyse, text, path, options, tree, app)


def needs_analysis(text: str, path: str, app=None) -> bool:
    """The cheap pre-check: False when no rule can report anything in this file (it
    wires no signal and no other module connects one of its functions)."""
    from .plugin import might_wire_signals

    return might_wire_signals(text) or (app is not None and app.may_wire_receivers_in(path))


def _run_rules(ctx: Context) -> list:
    return [finding for rule in _rule_instances() for finding in rule.check(ctx)]


def _analyse(text: str, path: str, options: Options, tree, app) -> list[tuple[int, int, str]]:
    if app is not None:
        wired = app.wired_names(path)
        facts = CACHE.facts_for(text, os.path.abspath(path), app.module_name_of(path), tree, wired)
    else:
        facts = CACHE.facts_for(text, path, None, tree, retain=False)  # outside any app
    findings = _run_rules(Context(facts, options, path, app))
    if not findings:
        return []
    results: dict = {}
    for line, column, finding in positions.resolve(findings, facts.module, facts.statement_index(), tree):
        results.setdefault((line, finding.code), (line, column, finding.message))
    return sorted(results.values())


def findings_of_module(module: cst.Module, text: str, path: str, options: Options) -> list:
    """(line, column, Finding) of a module parsed in full, fixes attached: what
    ``flake8-signals fix`` works from (the same rules as the plugin; no skeleton, since
    a rewrite must keep every body). Call it on the deep-stack thread."""
    from .project import app_view_for

    app = app_view_for(path, options)
    module_name = app.module_name_of(path) if app is not None else None
    facts = ModuleFacts(module, path=os.path.abspath(path) if app is not None else path, module_name=module_name)
    findings = _run_rules(Context(facts, options, path, app))
    if not findings:
        return []
    return sorted(positions.resolve(findings, module, facts.statement_index(), None), key=lambda item: item[:2])


def reset_caches() -> None:
    """Forget every parsed module and app (a long-lived process, or a test, starting afresh)."""
    from . import project

    global CACHE
    CACHE = FactsCache()
    project.DISK = project.DiskCache()
    project.APPS.clear()
    project.SUMMARIES.clear()
    project.CLOSURES.clear()
    project.PACKAGES.clear()
    project.WIRED.clear()
    project.MODELS.clear()
    project.find_app_dir.cache_clear()
