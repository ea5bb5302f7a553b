"""Parsing a module once per process: text to ``ModuleFacts``, through the skeleton."""

from __future__ import annotations

import ast
import ctypes
import gc
from collections import Counter
from contextlib import contextmanager
from typing import Optional

import libcst as cst

from ..source.imports_summary import quiet_parse
from ..source.skeleton import sends_skeleton, skeleton
from .facts import ModuleFacts


class FactsCache:
    """Parsed modules, keyed by path and content: each text is parsed at most once per
    process, twice when a skeleton parse blanked a body a later caller needs (the second
    parse is in full)."""

    def __init__(self, freeze: bool = False, give_back_memory: bool = False) -> None:
        # ``freeze``: move kept trees out of the cyclic collector's reach (gc.freeze). Only
        # for the one long-lived cache of a linting process: frozen objects are never
        # collected, so a process that makes many caches (a test suite) must not freeze.
        self.freeze = freeze
        # ``give_back_memory``: trim the C allocator's heap after large parses (see
        # release_free_memory): for the plugin, whose memory adds to flake8's own.
        self.give_back_memory = give_back_memory
        self._entries: dict[str, tuple] = {}  # path -> (text digest, facts, disk signature or None)
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
        disk_signature: Optional[tuple] = None,
    ) -> ModuleFacts:
        """Facts of ``text``. Functions no rule can need are blanked before parsing
        (``keep`` names more to keep), found from flake8's ``tree`` or, for a file read
        for another one, from a parse with ``ast`` (a tenth of libcst's cost, and a
        large module is mostly bodies no rule reads). ``need`` names a function whose
        body the caller reads: it is kept, with every module-level function and what
        they call. ``retain=False``: no other file can ask for this one, so do not keep
        its tree alive (every full garbage collection of the process would scan it)."""
        # Which text an entry was parsed from, without keeping the text: its length and
        # Python's own string hash (64-bit SipHash; no digest library to load, and a
        # string caches its hash).
        digest = (len(text), hash(text))
        wanted = frozenset(keep) | ({need} if need is not None else frozenset())
        entry = self._entries.get(path)
        same_text = entry is not None and entry[0] == digest
        if same_text and not (wanted & entry[1].blanked):
            if disk_signature is not None:
                self._entries[path] = (digest, entry[1], disk_signature)
            return entry[1]
        self.parses[path] += 1
        with collector_paused():
            facts = None
            # The same text again: a skeleton blanked a body this caller wants. Parse it
            # in full, so that no text is parsed more than twice.
            if not same_text:
                if tree is None:
                    tree = quiet_parse(text, path)
                if need is not None and tree is not None:
                    # Callers ask for module-level functions (a helper a receiver calls):
                    # keep them all, so that the next one asked for is here too; the
                    # methods of the module's classes are what a skeleton saves.
                    wanted |= {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
                reduced = skeleton(text, tree, wanted)
                if reduced is not None:
                    try:
                        facts = ModuleFacts(cst.parse_module(reduced[0]), path=path, module_name=module_name)
                        facts.blanked = reduced[1]
                    except Exception:
                        facts = None  # parse the real text below; its error is the one to report
            if facts is None:
                facts = ModuleFacts(cst.parse_module(text), path=path, module_name=module_name)
        if self.give_back_memory and len(text) >= TRIM_AFTER_CHARACTERS:
            release_free_memory()
        if retain:
            self._entries[path] = (digest, facts, disk_signature)
            if self.freeze:
                # Kept for the life of the process: move it out of the collector's way, or
                # every full collection in flake8 would walk these trees again.
                gc.freeze()
        return facts

    def known(self, path: str, disk_signature: Optional[tuple], need: Optional[str] = None) -> Optional[ModuleFacts]:
        """The kept facts of ``path`` if they were parsed from the file on disk as it is
        now (same size and mtime): the caller need not read the text to ask."""
        entry = self._entries.get(path)
        if entry is None or disk_signature is None or entry[2] != disk_signature:
            return None
        if need is not None and need in entry[1].blanked:
            return None
        return entry[1]

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


# libcst's native parser builds a large module in many small allocations of the C
# allocator, freed once the tree is built. glibc keeps freed memory inside the heap, and
# the objects kept for later files pin it there, so a linting process grows by most of
# each large parse. ``malloc_trim`` hands the free pages back (about -15 MiB of peak
# memory for ``flake8 -j1`` on Django's source, benchmarks/memory.py). It costs 1 to 5
# ms and the page faults of memory used again (about 4% of ``check``'s CPU on Django):
# only after parsing a text this long, and only in the plugin, where flake8 runs too.
TRIM_AFTER_CHARACTERS = 16_000


def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):
        return None


MALLOC_TRIM = _malloc_trim()


def release_free_memory() -> None:
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)


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
