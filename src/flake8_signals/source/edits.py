"""Small, format-preserving edits of libcst trees, shared by the fixes.

Every helper keeps the author's layout: a signature or call written one item per line
stays one item per line, a trailing comma stays, comments stay where they were.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import Callable, Iterable, Optional, Sequence, TypeVar

import libcst as cst

from .syntax import dotted_name

E = TypeVar("E", bound=cst.CSTNode)

ONE_SPACE = cst.SimpleWhitespace(" ")
NO_SPACE = cst.SimpleWhitespace("")


def separator_like(opening) -> cst.BaseParenthesizableWhitespace:
    """The white space to put after a comma inserted before the first item: the same
    line break and indent as after the opening bracket (without its comment), or one space."""
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return opening.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return ONE_SPACE


def _breaks_line(whitespace) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace)


def _comma_breaks_line(comma) -> bool:
    return isinstance(comma, cst.Comma) and _breaks_line(comma.whitespace_after)


def _item_comma(previous, opening) -> cst.Comma:
    """The comma to put after an item that gains a successor: the one the items before
    it use when the list is one item per line (or the opening bracket's line break)."""
    if _comma_breaks_line(previous):
        return previous
    if _breaks_line(opening):
        return cst.Comma(whitespace_after=opening)
    return cst.Comma(whitespace_after=ONE_SPACE)


def append_item(items: Sequence[E], new: E, opening=None, space_field: Optional[str] = None) -> list[E]:
    """``items`` (Params, Args, ImportAliases: nodes with a ``comma``) with ``new`` added
    last, written the way the others are.

    ``opening`` is the white space after the opening bracket; ``space_field`` names the
    field of the last item that holds the white space before the closing bracket
    (``whitespace_after_param``, ``whitespace_after_arg``). When the closing bracket is
    on a line of its own, the new item goes on a line of its own too, and a comment
    after the old last item stays on that item's line."""
    items = list(items)
    if not items:
        return [new]
    last = items[-1]
    previous_comma = items[-2].comma if len(items) > 1 else None
    separator = _item_comma(previous_comma, opening)
    one_per_line = _comma_breaks_line(separator)
    closing = getattr(last, space_field) if space_field is not None else None
    if isinstance(last.comma, cst.Comma):
        trailing = last.comma
        if one_per_line and _comma_breaks_line(trailing):
            after = trailing.whitespace_after
            last = last.with_changes(comma=trailing.with_changes(whitespace_after=separator.whitespace_after.with_changes(first_line=after.first_line)))
            new = new.with_changes(comma=trailing.with_changes(whitespace_after=after.with_changes(first_line=cst.TrailingWhitespace())))
        else:
            new = new.with_changes(comma=trailing)
            last = last.with_changes(comma=separator if one_per_line else cst.Comma(whitespace_after=ONE_SPACE))
    elif _breaks_line(closing):
        # ")" on a line of its own without a trailing comma.
        moved = closing.with_changes(first_line=cst.TrailingWhitespace())
        if one_per_line:
            comma = separator.with_changes(whitespace_after=separator.whitespace_after.with_changes(first_line=closing.first_line))
        else:
            comma, moved = separator, closing
        last = last.with_changes(comma=comma, **{space_field: NO_SPACE})
        new = new.with_changes(**{space_field: moved})
    else:
        last = last.with_changes(comma=separator)
    return items[:-1] + [last, new]


def keyword_arg_node(keyword: str, value: str) -> cst.Arg:
    """``keyword=value`` written without spaces around ``=``, as PEP 8 asks."""
    return cst.Arg(
        keyword=cst.Name(keyword),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(whitespace_before=NO_SPACE, whitespace_after=NO_SPACE),
    )


def remove_item(items: Sequence[E], index: int, space_field: Optional[str] = None) -> list[E]:
    """``items`` without the one at ``index``; a following item takes its place, or,
    when it was last, the one before it takes over its comma (trailing or not) and
    the white space before the closing bracket."""
    items = list(items)
    removed = items.pop(index)
    if index == len(items) and items:
        changes: dict = {"comma": removed.comma}
        if space_field is not None:
            changes[space_field] = getattr(removed, space_field)
        items[-1] = items[-1].with_changes(**changes)
    return items


def contains_comment(node: cst.CSTNode) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Comment(self, _node: cst.Comment) -> bool:
            nonlocal found
            found = True
            return False

    node.visit(_Finder())
    return found


def names_used(node: cst.CSTNode) -> list[str]:
    """Every ``Name`` in ``node`` (reads and writes), in order."""
    names: list[str] = []

    class _Collector(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            names.append(name.value)

    node.visit(_Collector())
    return names


def parent_map(module: cst.Module) -> dict:
    """id(node) -> its parent, for every node of ``module``."""
    parents: dict = {}
    stack: list = [module]
    while stack:
        node = stack.pop()
        for child in node.children:
            parents[id(child)] = node
            stack.append(child)
    return parents


# -- names and imports at module level ---------------------------------------------------


def top_level_imports(module: cst.Module) -> Iterable[tuple[int, cst.SimpleStatementLine, cst.CSTNode]]:
    """(index in the body, statement line, Import/ImportFrom) for the module's own imports."""
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    yield index, statement, small


def local_name_of(module: cst.Module, qualified: str) -> Optional[str]:
    """The expression that names ``qualified`` at module level through an import the
    module already has (``receiver``, ``dispatch.receiver``, ``transaction.on_commit``)."""
    for _index, _statement, node in top_level_imports(module):
        if isinstance(node, cst.ImportFrom):
            if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
                continue
            base = dotted_name(node.module)
            for alias in node.names:
                full = f"{base}.{dotted_name(alias.name)}"
                local = alias.evaluated_alias or dotted_name(alias.name)
                if qualified == full or qualified.startswith(full + "."):
                    return local + qualified[len(full):]
        else:
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None:
                    if qualified == full or qualified.startswith(full + "."):
                        return alias.evaluated_alias + qualified[len(full):]
                elif qualified.startswith(full + ".") or qualified == full:
                    return qualified  # ``import django.db`` binds ``django``: the full path works
    return None


def module_bindings(module: cst.Module) -> set:
    """Names bound at module level (assignments, defs, classes, imports, loop and
    with targets, ``global`` declarations anywhere)."""
    bound: set = set()

    class _Binder(cst.CSTVisitor):
        def __init__(self) -> None:
            self.depth = 0

        def _enter(self, node) -> bool:  # a def or class: its name is bound, its body is a scope
            if self.depth == 0:
                bound.add(node.name.value)
            self.depth += 1
            return True

        def _leave(self, _node) -> None:
            self.depth -= 1

        visit_FunctionDef = visit_ClassDef = _enter
        leave_FunctionDef = leave_ClassDef = _leave

        def visit_Lambda(self, _node) -> bool:
            return False

        def visit_Global(self, node: cst.Global) -> None:
            bound.update(item.name.value for item in node.names)

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            if self.depth == 0:
                local = node.evaluated_alias or (dotted_name(node.name) or "").split(".")[0]
                bound.add(local)

        def visit_ImportStar(self, _node) -> None:
            if self.depth == 0:
                bound.add("*")

        def _bind_target(self, node) -> None:  # the names a statement binds at module level
            if self.depth == 0:
                bound.update(names_used(node.target))

        visit_AssignTarget = visit_AnnAssign = visit_AugAssign = visit_For = visit_NamedExpr = _bind_target

        def visit_AsName(self, node: cst.AsName) -> None:
            if self.depth == 0:
                bound.update(names_used(node.name))

    module.visit(_Binder())
    return bound


def name_is_free(module: cst.Module, name: str, enclosing: Optional[cst.CSTNode] = None) -> bool:
    """Whether a new module-level import of ``name`` neither rebinds something the module
    binds nor is shadowed where it is used (``enclosing``: the top-level def or class
    around the use; any mention of the name there counts as shadowing)."""
    bound = module_bindings(module)
    if name in bound or "*" in bound:
        return False
    return enclosing is None or name not in names_used(enclosing)


class ImportRequest:
    """``from <module> import <name>``, wanted by a fix."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __eq__(self, other) -> bool:
        return isinstance(other, ImportRequest) and (self.module, self.name) == (other.module, other.name)

    def __hash__(self) -> int:
        return hash((self.module, self.name))

    def __repr__(self) -> str:
        return f"from {self.module} import {self.name}"


def reference(module: cst.Module, qualified: str, enclosing: Optional[cst.CSTNode] = None):
    """(expression text, import to add or None) that names ``qualified`` in this
    module, or None when the short name would clash with a name the module uses."""
    local = local_name_of(module, qualified)
    if local is not None:
        return local, None
    package, _, name = qualified.rpartition(".")
    if not name_is_free(module, name, enclosing):
        return None
    return name, ImportRequest(package, name)


def unused_import_removals(
    module: cst.Module, removed: cst.CSTNode, code: str, imported_elsewhere: Callable[[str], bool]
) -> list:
    """Edits that drop the module-level imports only ``removed`` (code a fix deletes)
    uses; ``code`` is the module's source. ``imported_elsewhere(name)`` says whether
    another module may import the name from this one (then it stays: removing it
    would break that import)."""
    inside = names_used(removed)
    if not inside:
        return []
    everywhere = names_used(module)
    removals = []
    for _index, statement, node in top_level_imports(module):
        if len(statement.body) != 1 or isinstance(getattr(node, "names", None), cst.ImportStar):
            continue
        unused = []
        for position, alias in enumerate(node.names):
            local = alias.evaluated_alias or (dotted_name(alias.name) or "").split(".")[0]
            if local not in inside or f'"{local}"' in code or f"'{local}'" in code:
                continue  # kept: used by the deleted code only if counted so, or listed in __all__
            if imported_elsewhere(local):
                continue  # kept: re-exported to another module
            declared = len(names_used(alias))
            if everywhere.count(local) - inside.count(local) - declared <= 0:
                unused.append(position)
        if unused:
            removals.append((statement, _without_aliases(node, unused)))
    return removals


def _without_aliases(node, positions: list):
    def edit(statement: cst.SimpleStatementLine):
        names = list(statement.body[0].names)
        for position in sorted(positions, reverse=True):
            names = remove_item(names, position)
        if not names:
            if any(line.comment is not None for line in statement.leading_lines) or statement.trailing_whitespace.comment:
                return statement  # its comments would go with it
            return cst.RemovalSentinel.REMOVE
        return statement.with_changes(body=[statement.body[0].with_changes(names=names)])

    return edit


def _import_line(request: ImportRequest) -> cst.SimpleStatementLine:
    return cst.parse_statement(f"from {request.module} import {request.name}\n")


def add_imports(module: cst.Module, requests: Iterable[ImportRequest]) -> cst.Module:
    """Each requested import, added to an existing ``from <module> import ...`` at
    module level when there is one (unless that module's names are imported one per
    line: then a line of its own below them), else as a new line in the leading
    imports: into the block of its kind when the imports are grouped the way isort
    groups them (standard library, third party, first party), at its sorted place; a
    block of its own where there is none; otherwise after the leading imports (after
    the docstring when there are none)."""
    for request in dict.fromkeys(requests):
        if local_name_of(module, f"{request.module}.{request.name}") == request.name:
            continue
        module = (
            _one_per_line(module, request)
            or _extend_import_from(module, request)
            or _insert_in_block(module, request)
            or _insert_import(module, request)
        )
    return module


def _one_per_line(module: cst.Module, request: ImportRequest) -> Optional[cst.Module]:
    """``from m import a`` / ``from m import b`` on lines of their own: one more line."""
    lines = [
        index for index, statement, node in top_level_imports(module)
        if isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None
        and dotted_name(node.module) == request.module and isinstance(node.names, (list, tuple))
        and len(node.names) == 1 and len(statement.body) == 1
    ]
    if len(lines) < 2:
        return None
    body = list(module.body)
    body.insert(lines[-1] + 1, _import_line(request))
    return module.with_changes(body=body)


def _extend_import_from(module: cst.Module, request: ImportRequest) -> Optional[cst.Module]:
    for index, statement, node in top_level_imports(module):
        if not isinstance(node, cst.ImportFrom) or node.relative or isinstance(node.names, cst.ImportStar):
            continue
        if node.module is None or dotted_name(node.module) != request.module or len(statement.body) != 1:
            continue
        opening = node.lpar.whitespace_after if isinstance(node.lpar, cst.LeftParen) else None
        names = append_item(node.names, cst.ImportAlias(name=cst.Name(request.name)), opening)
        line = statement.with_changes(body=[node.with_changes(names=names)])
        return module.with_changes(body=[*module.body[:index], line, *module.body[index + 1 :]])
    return None


def _insert_import(module: cst.Module, request: ImportRequest) -> cst.Module:
    body = list(module.body)
    position = 0
    if body and _is_docstring(body[0]):
        position = 1
    for index in range(position, len(body)):
        statement = body[index]
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            position = index + 1
        else:
            break
    line = _import_line(request)
    if position == 0 and body:
        # The first statement's leading comments stay first; the import goes below them.
        first = body[0]
        line = line.with_changes(leading_lines=first.leading_lines)
        body[0] = first.with_changes(leading_lines=[])
    body.insert(position, line)
    return module.with_changes(body=body)


FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY = range(4)


def _standard_library() -> frozenset:
    names = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    if names is not None:
        return frozenset(names)
    folder = sysconfig.get_paths()["stdlib"]  # Python 3.9: what the standard library folder holds
    found = {name[:-3] if name.endswith(".py") else name for name in os.listdir(folder)}
    return frozenset(found | set(sys.builtin_module_names))


STANDARD_LIBRARY = _standard_library()


def _kind_of(statement: cst.SimpleStatementLine) -> Optional[int]:
    """isort's section of an import line: future, standard library, third party (Django
    among them), or first party (relative imports; other names are not known here)."""
    kinds = set()
    for node in statement.body:
        if isinstance(node, cst.ImportFrom):
            if node.relative:
                kinds.add(FIRST_PARTY)
                continue
            top = (dotted_name(node.module) or "").split(".")[0] if node.module is not None else ""
            names = [top]
        else:
            names = [(dotted_name(alias.name) or "").split(".")[0] for alias in node.names]
        for top in names:
            kinds.add(FUTURE if top == "__future__" else STDLIB if top in STANDARD_LIBRARY else THIRD_PARTY if top == "django" else None)
    return kinds.pop() if len(kinds) == 1 else None


def _import_blocks(module: cst.Module) -> Optional[list]:
    """The leading imports as blocks separated by blank lines: [[index, ...], ...], or
    None when there are none or a line is not an import."""
    body = list(module.body)
    start = 1 if body and _is_docstring(body[0]) else 0
    blocks: list = []
    for index in range(start, len(body)):
        statement = body[index]
        if not (isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)):
            break
        if not blocks or any(line.comment is None and not line.whitespace.value.strip() for line in statement.leading_lines):
            blocks.append([])
        blocks[-1].append(index)
    return blocks or None


def _insert_in_block(module: cst.Module, request: ImportRequest) -> Optional[cst.Module]:
    """Into the block of the import's kind, where each block holds one kind in isort's
    order; None when the module's imports are not grouped that way."""
    blocks = _import_blocks(module)
    if blocks is None:
        return None
    body = list(module.body)
    kinds = []
    for block in blocks:
        # A block of other absolute imports is third or first party; with Django in it,
        # third party.
        block_kinds = {_kind_of(body[i]) for i in block}
        if block_kinds <= {None, THIRD_PARTY}:
            block_kinds = {THIRD_PARTY} if THIRD_PARTY in block_kinds else {None}
        if len(block_kinds) != 1:
            return None
        kinds.append(block_kinds.pop())
    wanted = _kind_of(_import_line(request))
    known = [k for k in kinds if k is not None]
    if wanted is None or known != sorted(known) or len(set(known)) != len(known):
        return None
    line = _import_line(request)
    if wanted in kinds:
        block = blocks[kinds.index(wanted)]
        position = block[-1] + 1
        for index in block:
            node = body[index].body[0]
            if isinstance(node, cst.ImportFrom) and (dotted_name(node.module) or "").lower() > request.module.lower():
                position = index
                break
        if position == block[0]:  # first of its block: it takes over the blank line above
            line = line.with_changes(leading_lines=body[position].leading_lines)
            body[position] = body[position].with_changes(leading_lines=[])
        body.insert(position, line)
        return module.with_changes(body=body)
    later = [block for block, kind in zip(blocks, kinds) if (kind is None and wanted != FIRST_PARTY) or (kind is not None and kind > wanted)]
    blank = [cst.EmptyLine(indent=False)]
    if later:
        position = later[0][0]
        line = line.with_changes(leading_lines=body[position].leading_lines)
        body[position] = body[position].with_changes(leading_lines=blank)
    else:
        position = blocks[-1][-1] + 1
        line = line.with_changes(leading_lines=blank)
    body.insert(position, line)
    return module.with_changes(body=body)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def replace_nodes(module: cst.Module, edits: dict) -> cst.Module:
    """``module`` with each node whose id is a key of ``edits`` replaced by what the
    edit functions make of its updated form (applied in order: several edits of one
    node compose, and edits of nested nodes compose bottom-up)."""

    class _Replacer(cst.CSTTransformer):
        def on_leave(self, original, updated):
            for edit in edits.get(id(original), ()):
                if not isinstance(updated, cst.CSTNode):
                    break
                updated = edit(updated)
            return updated

    return module.visit(_Replacer())
