"""Parse less: blank out the bodies of functions no rule can need.

libcst parsing is the plugin's main cost, and in a large module the signal wiring is
usually a few lines. flake8 has already parsed the file with ``ast``; from it we find
the functions that matter and replace the body of every other function with ``pass``
and blank lines, so each kept line keeps its number and columns. The closure is
deliberately generous (names are matched without scopes):

- functions that connect, disconnect, decorate with ``receiver``/``.connect`` or create
  a ``Signal``; methods of ``AppConfig`` classes; functions named in ``keep``;
- every function a kept function (or module-level code) refers to by name: receivers
  passed to ``connect()``, helpers a receiver calls, what ``ready()`` calls;
- every function that refers to a function with wiring: ``ready()`` -> helper ->
  ``connect()``, or a helper that disconnects around some work.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable, Optional

from .django_names import looks_like_app_config
from .imports_summary import dotted as _dotted
from .precheck import names_a_switching_helper

# connect/disconnect wire receivers; a module that sends a signal itself registers its
# own receivers before any send (SIG201), so the sending functions are kept too.
WIRING_ATTRIBUTES = frozenset({"connect", "disconnect", "send", "send_robust", "asend", "asend_robust"})
WIRING_NAMES = frozenset({"receiver", "Signal", "ModelSignal"})


@dataclass
class _Unit:
    """A top-level function or a method: what can be kept or blanked as a whole."""

    node: ast.AST
    name: str
    references: set = field(default_factory=set)  # names and attribute names it uses
    wiring: bool = False


def _wiring_names(tree: ast.Module) -> frozenset:
    """WIRING_NAMES and the local names they are imported under
    (``from django.dispatch import receiver as on``)."""
    aliases = {
        alias.asname
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname and alias.name in WIRING_NAMES
    }
    return WIRING_NAMES | aliases


def _names_in(node: ast.AST, wiring_names: frozenset = WIRING_NAMES) -> tuple[set, bool]:
    """(the names and attribute names ``node`` uses, whether one of them wires)."""
    ids: set = set()
    attributes: set = set()
    for child in ast.walk(node):
        kind = type(child)
        if kind is ast.Name:
            ids.add(child.id)
        elif kind is ast.Attribute:
            attributes.add(child.attr)
    names = ids | attributes
    wiring = (
        not ids.isdisjoint(wiring_names)
        or not attributes.isdisjoint(WIRING_ATTRIBUTES)
        or not attributes.isdisjoint(wiring_names)
        # a switching helper's name holds "connect": test the regex on those alone
        or any(names_a_switching_helper(name) for name in names if "connect" in name)
    )
    return names, wiring


def _units(tree: ast.Module) -> tuple[list, set]:
    """(units, names referenced by module-level and class-level code)."""
    units: list = []
    module_references: set = set()
    wiring_names = _wiring_names(tree)

    def add_function(node, in_app_config: bool) -> None:
        names, wiring = _names_in(node, wiring_names)
        unit = _Unit(node, node.name, names, wiring or in_app_config)
        units.append(unit)

    def visit_body(body, in_app_config: bool) -> None:
        for item in body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                add_function(item, in_app_config)
            elif isinstance(item, ast.ClassDef):
                visit_class(item)
            else:
                module_references.update(_names_in(item)[0])

    def visit_class(node: ast.ClassDef) -> None:
        for expression in [*node.bases, *node.keywords, *node.decorator_list]:
            module_references.update(_names_in(expression)[0])
        visit_body(node.body, any(looks_like_app_config(_dotted(base)) for base in node.bases))

    visit_body(tree.body, False)
    return units, module_references


def kept_units(tree: ast.Module, keep: Iterable[str] = ()) -> tuple[list, list]:
    """(kept units, blanked units)."""
    units, module_references = _units(tree)
    by_name: dict = {}
    for unit in units:
        by_name.setdefault(unit.name, []).append(unit)
    kept = {id(u) for u in units if u.wiring or u.name in keep}
    # callers of anything with wiring, transitively
    wiring_names = {u.name for u in units if id(u) in kept}
    changed = True
    while changed:
        changed = False
        for unit in units:
            if id(unit) not in kept and unit.references & wiring_names:
                kept.add(id(unit))
                wiring_names.add(unit.name)
                changed = True
    # everything kept code refers to, transitively
    stack = [u for u in units if id(u) in kept]
    stack += [u for name in module_references for u in by_name.get(name, ())]
    while stack:
        unit = stack.pop()
        kept.add(id(unit))
        for name in unit.references:
            stack.extend(u for u in by_name.get(name, ()) if id(u) not in kept)
    return [u for u in units if id(u) in kept], [u for u in units if id(u) not in kept]


def skeleton(text: str, tree: Optional[ast.Module], keep: Iterable[str] = ()) -> Optional[tuple[str, frozenset]]:
    """(source with unneeded function bodies blanked, names of the blanked functions),
    or ``None`` when nothing would be blanked."""
    if not isinstance(tree, ast.Module):
        return None
    _, blanked = kept_units(tree, frozenset(keep))
    return _blanked(text, blanked)


SEND_ATTRIBUTES = frozenset({"send", "send_robust", "asend", "asend_robust"})


def sends_skeleton(text: str, tree: Optional[ast.Module]) -> Optional[tuple[str, frozenset]]:
    """Like ``skeleton``, for a module that wires no signal and only sends some (the
    signal map's send sites): only the functions that send keep their bodies."""
    if not isinstance(tree, ast.Module):
        return None
    units, _ = _units(tree)
    return _blanked(text, [unit for unit in units if not unit.references & SEND_ATTRIBUTES])


def _blanked(text: str, blanked: list) -> Optional[tuple[str, frozenset]]:
    lines = text.splitlines(keepends=True)
    names = set()
    for unit in blanked:
        body = unit.node.body
        first, last = body[0].lineno, body[-1].end_lineno
        if first <= unit.node.lineno or last is None or first > len(lines) or last > len(lines):
            continue  # one-line def, or positions we cannot trust: keep it
        indent = lines[first - 1][: body[0].col_offset]
        if indent.strip():
            continue  # the body starts on a line shared with other code
        newline = _newline_of(lines[last - 1])
        lines[first - 1] = f"{indent}pass{newline}"
        for number in range(first, last):
            lines[number] = newline
        names.add(unit.name)
    if not names:
        return None
    return "".join(lines), frozenset(names)


def _newline_of(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return "\n"
