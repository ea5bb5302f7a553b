"""What a start-up module imports, read with Python's ``ast``.

SIG201 needs the import graph of an app's start-up modules (models.py, admin.py and
what they import), most of which never wire a signal. Reading their imports with the C
``ast`` parser costs a millisecond where a libcst parse and walk costs tens; libcst
stays the parser for every module the rules analyse.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Optional

from .django_names import looks_like_app_config

DYNAMIC_IMPORTERS = ("import_module", "autodiscover_modules", "__import__", "import_string")


@dataclass(frozen=True)
class ImportSummary:
    imports: tuple  # (module as written, e.g. ".signals" or "a.b", names, is_from)
    dynamic: bool  # imports modules by computed name: the graph is unknowable
    autodiscovered: tuple = ()  # autodiscover_modules("signals"): that module of every app
    # A computed name not confined to the module's own package (f"{self.name}.{x}" is
    # confined): it can load a module of any app.
    dynamic_anywhere: bool = False


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for a chain of ast names and attributes (empty otherwise: ``x().a``)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def _record(node, imports: list) -> None:
    if isinstance(node, ast.Import):
        imports.extend((alias.name, (), False) for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        imports.append((module, tuple(alias.name for alias in node.names), True))


class _Summarizer(ast.NodeVisitor):
    """Collects imports that run when the module is imported or its AppConfig is ready."""

    def __init__(self) -> None:
        self.functions: dict = {}  # name -> def node (module functions and methods by name)
        self.roots: list = []  # defs that run: AppConfig methods, functions called at module level
        self.imports: list = []
        self.autodiscovered: list = []
        self.dynamic = False
        self.dynamic_anywhere = False

    def summarize(self, tree: ast.Module) -> ImportSummary:
        app_configs = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                bases = [dotted(base) for base in node.bases]
                is_config = any(looks_like_app_config(b) or b in app_configs for b in bases)
                if is_config:
                    app_configs.add(node.name)
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.functions.setdefault(item.name, item)
                        if is_config:
                            self.roots.append(item)
        self._module_level(tree.body)
        seen: set = set()
        while self.roots:
            function = self.roots.pop()
            if id(function) in seen:
                continue
            seen.add(id(function))
            for node in ast.walk(function):
                _record(node, self.imports)
                if isinstance(node, ast.Call):
                    self._call(node)
        return ImportSummary(tuple(self.imports), self.dynamic, tuple(self.autodiscovered), self.dynamic_anywhere)

    def _module_level(self, body) -> None:
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for decorator in statement.decorator_list:
                    self._scan_expression(decorator)
                continue
            for node in ast.walk(statement):
                _record(node, self.imports)
                if isinstance(node, ast.Call):
                    self._call(node)

    def _scan_expression(self, expression) -> None:
        for node in ast.walk(expression):
            if isinstance(node, ast.Call):
                self._call(node)

    def _call(self, node: ast.Call) -> None:
        name = dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        if last in DYNAMIC_IMPORTERS:
            first = node.args[0] if node.args else None
            written = _module_text(first)
            if last == "autodiscover_modules" and node.args and all(_module_text(a) for a in node.args):
                self.autodiscovered.extend(_module_text(a) for a in node.args)
            elif written is None or last == "autodiscover_modules":
                self.dynamic = True
                if last == "autodiscover_modules" or not _in_own_package(first):
                    self.dynamic_anywhere = True
            elif last == "import_module":
                package = _module_text(node.args[1]) if len(node.args) > 1 else None
                if written.startswith(".") and package is None:
                    self.dynamic = True  # relative to a package we cannot see
                else:
                    self.imports.append((written, (), False))
        if last in self.functions and (name == last or name.startswith(("self.", "cls."))):
            self.roots.append(self.functions[last])


def _module_text(node) -> Optional[str]:
    """A module name as written: a literal, or ``f"{self.name}.signals"`` /
    ``f"{__package__}.signals"`` inside an app (relative: ``.signals``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and len(node.values) == 2:
        head, rest = node.values
        if (
            isinstance(head, ast.FormattedValue)
            and dotted(head.value) in ("self.name", "__package__")
            and isinstance(rest, ast.Constant)
            and isinstance(rest.value, str)
            and rest.value.startswith(".")
        ):
            return rest.value
    return None


def _in_own_package(node) -> bool:
    """Whether a computed module name starts with the app's own package:
    ``f"{self.name}.{x}"``, ``f"{__package__}.{x}"``, ``self.name + "." + x``."""
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        return isinstance(head, ast.FormattedValue) and dotted(head.value) in OWN_PACKAGE and _dot_follows(node.values[1:])
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        if dotted(node.left) in OWN_PACKAGE:
            return _starts_with_dot(node.right)
        node = node.left
    return False


OWN_PACKAGE = ("self.name", "__package__")


def _dot_follows(values: list) -> bool:
    """An f-string's remaining parts begin with ``.`` (the package's own name ends)."""
    return bool(values) and isinstance(values[0], ast.Constant) and str(values[0].value).startswith(".")


def _starts_with_dot(node) -> bool:
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        node = node.left
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(".")


def quiet_parse(text: str, path: str = "<unknown>") -> Optional[ast.Module]:
    """``ast.parse`` of a file the analysis reads for another one, or ``None`` when it
    does not parse (newer syntax, bad input). A SyntaxWarning is not repeated here: a
    file that is checked gets it, with its name, from the check's own parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            return ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def summarize(text: str, path: str = "<unknown>") -> Optional[ImportSummary]:
    """The summary, or ``None`` when the text does not parse."""
    tree = quiet_parse(text, path)
    return _Summarizer().summarize(tree) if tree is not None else None
