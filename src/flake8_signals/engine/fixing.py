"""Applying the rewrites the rules offer (``flake8-signals fix``).

A rule that knows the one right rewrite for a finding attaches a ``Fix`` to it: edits
of nodes of the module (functions of the node as it is when the edit runs, so that
edits of nested nodes compose), the imports the new code needs, and edits of other
files (SIG201 adds an import to the app's ``ready()``). The engine here parses the
file in full (the plugin's skeleton parse blanks bodies a rewrite must keep), runs the
same rules as the plugin, applies every selected fix in one pass, and repeats until
nothing more changes. The lines a round made longer than the project's
``max-line-length`` are wrapped (``source.wrapping``). A file is left alone when
libcst cannot give back its exact bytes (a ``\\r``-only file), and a rewrite that
would not compile is dropped.
"""

from __future__ import annotations

import difflib
import os
import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from ..options import DEFAULT_MAX_LINE_LENGTH, Options
from ..rules.fix import UNSAFE
from ..source.decoding import decode_source
from ..source.edits import add_imports, replace_nodes
from ..source.wrapping import wrap_changed_lines
from .engine import Engine

MAX_ROUNDS = 10


@dataclass
class FileFix:
    path: str
    before: bytes
    after: bytes
    applied: list = field(default_factory=list)  # (line, code) in the file as it was before
    unsafe_available: list = field(default_factory=list)  # (line, code) fixable with --unsafe-fixes
    other_files: list = field(default_factory=list)  # FileEdit
    # (line, code, edits) of fixes that edit other files: applied once those edits are
    elsewhere: list = field(default_factory=list)
    skipped: Optional[str] = None  # why the file was not fixed

    @property
    def changed(self) -> bool:
        return self.after != self.before


def fix_source(
    engine: Engine, raw: bytes, path: str, options: Options, wanted: Callable[[str, int, str], bool], unsafe: bool
) -> FileFix:
    """The fixed bytes of one file. ``wanted(code, line, text)`` says whether a finding
    is selected and not silenced by ``# noqa`` in ``text`` (the current source)."""
    result = FileFix(path, raw, raw)
    try:
        text = decode_source(raw)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        result.skipped = f"cannot be read: {error}"
        return result
    if not engine.needs_analysis(text, path, engine.app_view_for(path, options)):
        return result
    try:
        engine.run_deep(_fix_rounds, engine, result, options, wanted, unsafe)
    except Exception as error:  # a bug of ours must not cost the user the file
        result.after, result.applied, result.other_files = raw, [], []
        result.skipped = f"the analysis failed ({type(error).__name__}: {error})"
    return result


def _fix_rounds(engine: Engine, result: FileFix, options: Options, wanted, unsafe: bool) -> None:
    current = result.before
    for round_number in range(MAX_ROUNDS):
        try:
            module = cst.parse_module(current)
        except cst.ParserSyntaxError as error:
            if round_number == 0:
                result.skipped = f"does not parse: {error.message}"
            return
        if module.bytes != current:
            result.skipped = "libcst cannot reproduce this file byte for byte (line endings?)"
            return
        edits, imports, in_file = _collect(engine, module, decode_source(current), result, options, wanted, unsafe, round_number == 0)
        if not in_file:
            return
        fixed = add_imports(replace_nodes(module, edits), imports)
        new_bytes = _wrapped(fixed, module.code, options.max_line_length, result.path)
        if new_bytes == current or not compiles(new_bytes, result.path):
            return
        current = result.after = new_bytes
        result.applied.extend(in_file)


def _collect(engine: Engine, module: cst.Module, text: str, result: FileFix, options: Options, wanted, unsafe: bool, first_round: bool):
    """The edits and imports of one round's fixes, keyed by node, and the (line, code) of
    the findings they fix in this file. Edits of other files are taken in the first
    round only (later rounds see the same findings while those files are unchanged)."""
    edits: dict = {}
    imports: list = []
    in_file: list = []
    for line, _column, finding in engine.findings_of_module(module, result.path, options):
        if finding.fix is None or not wanted(finding.code, line, text):
            continue
        if finding.fix_safety == UNSAFE and not unsafe:
            if first_round:
                result.unsafe_available.append((line, finding.code))
            continue
        fix = finding.fix()
        if fix is None:
            continue
        for node, edit in fix.edits:
            edits.setdefault(id(node), []).append(edit)
        imports.extend(request for request in fix.imports if request is not None)
        if fix.edits:
            in_file.append((line, finding.code))
        if fix.other_files and first_round:
            result.other_files.extend(fix.other_files)
            result.elsewhere.append((line, finding.code, fix.other_files))
    return edits, imports, in_file


def _wrapped(fixed: cst.Module, before: Optional[str], max_line_length: int, path: str) -> bytes:
    """The bytes of ``fixed`` with the lines the fixes made longer than
    ``max_line_length`` wrapped, or unwrapped when the wrapped code would not compile."""
    wrapped = wrap_changed_lines(fixed, before, max_line_length)
    if wrapped is not fixed and compiles(wrapped.bytes, path):
        return wrapped.bytes
    return fixed.bytes


def compiles(source: bytes, path: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def apply_file_edits(
    engine: Engine,
    edits: list,
    current: Optional[dict] = None,
    problems: Optional[list] = None,
    made: Optional[set] = None,
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
) -> dict:
    """path -> (bytes before or None, bytes after) for the edits of other files, each
    file's edits applied in turn to its ``current`` bytes (absolute path -> bytes, for
    files already fixed) or to what is on disk, the lines they made longer than
    ``max_line_length`` wrapped. A file that does not parse or round-trip is left
    alone, and so is one whose edit fails (said in ``problems``). ``made`` receives the
    (absolute path, key) of every edit that changed its file."""
    current = current or {}
    by_path: dict = {}
    for edit in edits:
        by_path.setdefault(os.path.abspath(edit.path), {}).setdefault(edit.key, edit)
    changes: dict = {}
    for path, keyed in sorted(by_path.items()):
        try:
            before = current[path] if path in current else _read_if_exists(path)
            after, keys = engine.run_deep(_edited, before, list(keyed.values()), max_line_length, path)
        except Exception as error:  # a bug of ours must not stop the other files
            if problems is not None:
                problems.append(f"{path}: not fixed: {type(error).__name__}: {error}")
            continue
        if after is not None and after != before and compiles(after, path):
            changes[path] = (before, after)
            if made is not None:
                made.update((path, key) for key in keys)
    return changes


def _read_if_exists(path: str) -> Optional[bytes]:
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return handle.read()


def _edited(before: Optional[bytes], edits: list, max_line_length: int, path: str) -> tuple:
    """(the file's new bytes or None, keys of the edits that changed it)."""
    module: Optional[cst.Module] = None
    if before is not None:
        try:
            module = cst.parse_module(before)
        except cst.ParserSyntaxError:
            return None, []
        if module.bytes != before:
            return None, []
    original = module.code if module is not None else None
    keys = []
    for edit in edits:
        changed = edit.transform(module)
        if changed is not None:
            module = changed
            keys.append(edit.key)
    if module is None:
        return None, keys
    return (_wrapped(module, original, max_line_length, path) if keys else module.bytes), keys


def unified_diff(path: str, before: Optional[bytes], after: bytes) -> str:
    old = decode_source(before).splitlines(True) if before is not None else []
    new = decode_source(after).splitlines(True)
    shown = os.path.normpath(path)
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        shown = path.lstrip(os.sep) if relative.startswith("..") else relative
    lines = difflib.unified_diff(old, new, f"a/{shown}" if before is not None else "/dev/null", f"b/{shown}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


__all__ = ["FileFix", "apply_file_edits", "compiles", "fix_source", "unified_diff"]
