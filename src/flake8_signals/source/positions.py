"""Line and column of findings, without generating code for the whole module.

libcst nodes carry no positions; its PositionProvider re-generates the whole module's
code to compute them, which costs more than parsing. flake8 already parsed the file
with ``ast``, and ``ast`` knows where every module-level statement starts. So we run
PositionProvider only on the module-level statements that hold findings, and shift
its lines by where ``ast`` says the statement starts.
"""

from __future__ import annotations

import ast
from typing import Iterable, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


def _ast_first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        return min(decorator.lineno for decorator in decorators)
    return statement.lineno


def top_statement_lines(module: cst.Module, tree: Optional[ast.Module]) -> Optional[list]:
    """First code line of each module-level libcst statement, or ``None`` if the two
    trees do not line up (then the caller falls back to the whole module)."""
    if not isinstance(tree, ast.Module):
        return None
    statements = tree.body
    lines = []
    position = 0
    for statement in module.body:
        if position >= len(statements):
            return None
        lines.append(_ast_first_line(statements[position]))
        position += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return lines if position == len(statements) else None


def _cst_first_node(statement: cst.CSTNode) -> cst.CSTNode:
    decorators = getattr(statement, "decorators", None)
    return decorators[0] if decorators else statement


class StatementPositions:
    """Where nodes of one module are, computed one module-level statement at a time:
    ``ast``'s line of the statement, plus libcst's positions within just that statement.
    Falls back to positions of the whole module only when the two trees do not line up
    (or a node's statement is not known)."""

    def __init__(self, module: cst.Module, tree: Optional[ast.Module]) -> None:
        self.module = module
        self.lines = top_statement_lines(module, tree)
        self._by_top: dict = {}
        self._by_statement: dict = {}  # id(def or class) -> (positions, line offset)
        self._whole = None

    def span(self, node: cst.CSTNode, top: Optional[int]):
        """(start line, start column, end line) of ``node``, which sits in the module-level
        statement number ``top``."""
        if self.lines is None or top is None or top < 0 or top >= len(self.module.body):
            if self._whole is None:
                self._whole = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
            position = self._whole[node]
            return position.start.line, position.start.column, position.end.line
        if top not in self._by_top:
            statement = self.module.body[top]
            piece = self.module.with_changes(body=[statement], header=[], footer=[])
            positions = MetadataWrapper(piece, unsafe_skip_copy=True).resolve(PositionProvider)
            offset = self.lines[top] - positions[_cst_first_node(statement)].start.line
            self._by_top[top] = (positions, offset)
        positions, offset = self._by_top[top]
        position = positions[node]
        return position.start.line + offset, position.start.column, position.end.line + offset


    def span_within(self, node: cst.CSTNode, statement: cst.CSTNode, first_line: int) -> tuple:
        """(start line, start column, end line) of ``node`` inside ``statement`` (a def or
        class anywhere in the module), whose first line (its first decorator's, if any)
        ``ast`` says is ``first_line``: libcst positions of that statement alone, so a call
        in a method costs the method, not its class. Columns are relative to the
        statement's own indentation."""
        key = id(statement)
        if key not in self._by_statement:
            piece = self.module.with_changes(body=[statement], header=[], footer=[])
            positions = MetadataWrapper(piece, unsafe_skip_copy=True).resolve(PositionProvider)
            self._by_statement[key] = (positions, first_line - positions[_cst_first_node(statement)].start.line)
        positions, offset = self._by_statement[key]
        position = positions[node]
        return position.start.line + offset, position.start.column, position.end.line + offset


_BLOCKS = tuple(kind for kind in (ast.stmt, ast.excepthandler, getattr(ast, "match_case", None)) if kind is not None)


def ast_definitions(tree: ast.AST) -> list:
    """[(def node, index after the last def inside it)] for every function definition of
    an ``ast`` tree, in source order, each before the ones inside it (the order
    ``ModuleFacts.functions`` lists them in)."""
    found: list = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                position = len(found)
                found.append(None)
                visit(child)
                found[position] = (child, len(found))
            elif isinstance(child, _BLOCKS):
                visit(child)

    visit(tree)
    return found


def resolve(findings: Iterable, module: cst.Module, index: dict, tree: Optional[ast.Module]) -> list:
    """[(line, column, finding)] for each finding."""
    findings = list(findings)
    tops = [index.get(id(f.anchor if f.anchor is not None else f.node)) for f in findings]
    located = StatementPositions(module, tree)
    if located.lines is None or any(top is None or top < 0 for top in tops):
        tops = [None] * len(findings)  # one whole-module resolution for all of them
    results = []
    for finding, top in zip(findings, tops):
        line, column, _ = located.span(finding.node, top)
        results.append((line, column, finding))
    return results
