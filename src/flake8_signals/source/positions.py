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


def resolve(findings: Iterable, module: cst.Module, index: dict, tree: Optional[ast.Module]) -> list:
    """[(line, column, finding)] for each finding."""
    findings = list(findings)
    lines = top_statement_lines(module, tree)
    tops = [index.get(id(f.anchor if f.anchor is not None else f.node)) for f in findings]
    if lines is None or any(top is None or top < 0 for top in tops):
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        return [(positions[f.node].start.line, positions[f.node].start.column, f) for f in findings]
    by_top: dict = {}
    results = []
    for finding, top in zip(findings, tops):
        if top not in by_top:
            statement = module.body[top]
            piece = module.with_changes(body=[statement], header=[], footer=[])
            positions = MetadataWrapper(piece, unsafe_skip_copy=True).resolve(PositionProvider)
            offset = lines[top] - positions[_cst_first_node(statement)].start.line
            by_top[top] = (positions, offset)
        positions, offset = by_top[top]
        start = positions[finding.node].start
        results.append((start.line + offset, start.column, finding))
    return results
