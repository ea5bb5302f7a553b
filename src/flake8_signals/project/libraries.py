"""Installed libraries' classes, read from their source (never imported).

The map asks whether a project method overrides a method of a library's base class
(then the library calls it, and when is unknown). The library's source is found on the
checker's own ``sys.path`` (usually the project's environment) and read with ``ast``;
nothing is imported. When the source cannot be found the answer is ``None``: unknown.
"""

from __future__ import annotations

import ast
import builtins
import os
from typing import Callable, Optional, Sequence

from ..source.imports_summary import dotted

MAX_DEPTH = 8


def find_source(module: str, search_path: Sequence[str]) -> Optional[str]:
    """The file that defines ``module`` on ``search_path``, without importing anything."""
    parts = module.split(".")
    for entry in search_path:
        base = os.path.join(entry or os.curdir, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
    return None


def class_defines(
    dotted_class: str, method: str, search_path: Sequence[str], read: Callable[[str], Optional[str]], depth: int = 0
) -> Optional[bool]:
    """Whether a library class (or a base class of it) defines ``method``; ``None`` when
    some class on the way cannot be read."""
    module, _, name = dotted_class.rpartition(".")
    if not module or depth > MAX_DEPTH:
        return None
    if module == "builtins":
        return method in vars(object)
    path = find_source(module, search_path)
    text = read(path) if path is not None else None
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    is_package = os.path.basename(path) == "__init__.py"
    imported = _imports(tree, module, is_package)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            if any(_binds(statement, method) for statement in node.body):
                return True
            answers = [
                class_defines(_resolve(dotted(base), imported, module), method, search_path, read, depth + 1)
                for base in node.bases
                if dotted(base) and dotted(base) != "object"
            ]
            if any(answer is True for answer in answers):
                return True
            return None if any(answer is None for answer in answers) else False
    if name in imported:  # a re-export: from .base import Model
        return class_defines(imported[name], method, search_path, read, depth + 1)
    for star in imported.get("*", ()):  # from .fields import *
        answer = class_defines(f"{star}.{name}", method, search_path, read, depth + 1)
        if answer is not None:
            return answer
    return None


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return statement.name == name
    if isinstance(statement, ast.Assign):
        return any(isinstance(target, ast.Name) and target.id == name for target in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    return False


def _imports(tree: ast.Module, module: str, is_package: bool) -> dict:
    """local name -> absolute dotted name, from the module-level imports ("*": the
    modules imported with a star)."""
    names: dict = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            package = module.split(".") if is_package else module.split(".")[:-1]
            if node.level > 1:
                package = package[: max(0, len(package) - (node.level - 1))]
            base = ".".join((package if node.level else []) + ([node.module] if node.module else []))
            for alias in node.names:
                if alias.name == "*":
                    names.setdefault("*", []).append(base)
                else:
                    names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
    return names


def _resolve(dotted: str, imported: dict, module: str) -> str:
    head, _, rest = dotted.partition(".")
    if head in imported:
        return f"{imported[head]}.{rest}" if rest else imported[head]
    if not rest and hasattr(builtins, head):
        return f"builtins.{head}"
    return f"{module}.{dotted}"


