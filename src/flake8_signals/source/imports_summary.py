"""What a start-up module imports, read with Python's ``ast``.

SIG201 needs the import graph of an app's start-up modules (models.py, admin.py and
what they import), most of which never wire a signal. Reading their imports with the C
``ast`` parser costs a millisecond where a libcst parse and walk costs tens; libcst
stays the parser for every module the rules analyse.
"""

from __future__ import annotations

import ast
import re
import string
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
    # Computed names whose end is written out (``import_module(app + ".signals")``): the
    # module loaded is one whose name ends with that tail (".signals"), whatever the head.
    computed_tails: tuple = ()
    # A computed name not confined to the module's own package (f"{self.name}.{x}" is
    # confined, a name from the settings is not): it can load a module of any app.
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

    def __init__(self, tree: ast.Module) -> None:
        self.constants = BoundOnce(tree)
        self.functions: dict = {}  # name -> def node (module functions and methods by name)
        self.roots: list = []  # defs that run: AppConfig methods, functions called at module level
        self.imports: list = []
        self.autodiscovered: list = []
        self.computed_tails: list = []
        self.dynamic_anywhere = False
        self.dynamic = False
        self.calls_seen: set = set()  # ids of the calls read (those that run on import)

    def result(self) -> ImportSummary:
        return ImportSummary(
            tuple(self.imports), self.dynamic, tuple(self.autodiscovered), tuple(self.computed_tails), self.dynamic_anywhere
        )

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
        return self.result()

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
        self.calls_seen.add(id(node))
        name = dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        if last in DYNAMIC_IMPORTERS:
            self._dynamic_import(last, node)
        if last in self.functions and (name == last or name.startswith(("self.", "cls."))):
            self.roots.append(self.functions[last])

    def _dynamic_import(self, importer: str, node: ast.Call) -> None:
        """``_read_dynamic_import``, noting when the unknowable name is not confined to
        the module's own package."""
        already = self.dynamic
        self.dynamic = False
        self._read_dynamic_import(importer, node)
        if self.dynamic and (importer == "autodiscover_modules" or not _in_own_package(node.args[0] if node.args else None)):
            self.dynamic_anywhere = True
        self.dynamic = self.dynamic or already

    def _read_dynamic_import(self, importer: str, node: ast.Call) -> None:
        """A call of ``importer`` (one of DYNAMIC_IMPORTERS): the module it loads when
        its name is written out, the tail of that name when only its end is, or
        unknowable."""
        first = node.args[0] if node.args else None
        if importer == "autodiscover_modules":
            names = [_module_text(a, self.constants) for a in node.args]
            if names and all(names):  # register_to= changes no module name
                self.autodiscovered.extend(names)
            else:
                self.dynamic = True
            return
        if importer == "__import__" and (len(node.args) > 3 or any(k.arg == "fromlist" for k in node.keywords)):
            self.dynamic = True  # a fromlist can load submodules by any name
            return
        written = _module_text(first, self.constants) if first is not None else None
        if written is None:
            text, _ = string_value(first, self.constants) if first is not None else UNKNOWN
            if importer == "import_string":
                text = text.rpartition(".")[0]  # the last part names an attribute, not a module
            self._tail(text, prefixed=False)
        elif importer == "import_string":
            # import_string("a.b.Name") imports the module "a.b" and takes a name of it.
            module = written.rpartition(".")[0]
            if module and not module.endswith("."):
                self.imports.append((module, (), False))
            else:
                self.dynamic = True
        else:  # import_module, __import__
            package = _module_text(node.args[1], self.constants) if importer == "import_module" and len(node.args) > 1 else None
            if written.startswith(".") and package is None:
                # Relative to a package we cannot see: a module with that tail.
                self._tail(written.lstrip("."), prefixed=True)
            elif written.startswith("."):
                self.imports.append((_relative_to_package(written, package), (), False))
            else:
                self.imports.append((written, (), False))

    def _tail(self, tail: str, prefixed: bool) -> None:
        """Record the module-name tail ``.a.b`` of an import by computed name, from the
        text written at the end of the name (``"x.a.b"`` after a computed head: the
        whole parts are the ones after the first dot; ``prefixed``: ``tail`` starts at
        a part), or that the import is unknowable."""
        if not prefixed:
            dot = tail.find(".")
            tail = tail[dot + 1 :] if dot >= 0 else ""
        parts = tail.split(".") if tail else []
        if parts and all(part.isidentifier() for part in parts):
            self.computed_tails.append("." + tail)
        else:
            self.dynamic = True


def _relative_to_package(name: str, package: str) -> str:
    """``import_module(".signals", "shop")``: the absolute name, as importlib makes it."""
    stripped = name.lstrip(".")
    parts = package.split(".")
    parts = parts[: max(0, len(parts) - (len(name) - len(stripped) - 1))]
    return ".".join(parts + ([stripped] if stripped else []))


# A %-format conversion (``%s``, ``%(app)s``), not an escaped ``%%``.
PERCENT_CONVERSION = re.compile(r"%(\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
UNKNOWN = ("", False)


def string_constants(tree: ast.Module) -> dict:
    """Names bound exactly once in the module, by a plain assignment, whose value may be
    a string: name -> the assigned expression (``POPULATE_MODULE = "populate"``,
    ``name = "%s.signals" % app`` in a loop: each run computes the same expression).
    Only a name bound at module level, or one bound in a function and read nowhere
    outside it, so that every read of the name reads that assignment."""
    assigned: dict = {}  # name -> (expression, enclosing function or None)
    bindings: dict = {}  # name -> how many times it is bound
    readers: dict = {}  # name -> enclosing functions (None: module level) that read it
    stack = [(tree, None)]
    while stack:
        node, function = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                bindings[node.name] = bindings.get(node.name, 0) + 2
            inner = node
        else:
            inner = function
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned[node.targets[0].id] = (node.value, function)
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            assigned[node.target.id] = (node.value, function)
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                readers.setdefault(node.id, set()).add(function)
            else:
                bindings[node.id] = bindings.get(node.id, 0) + 1
        elif isinstance(node, ast.arg):
            bindings[node.arg] = bindings.get(node.arg, 0) + 2
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bindings[name] = bindings.get(name, 0) + 2
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                bindings[name] = bindings.get(name, 0) + 2
        elif isinstance(node, ast.ClassDef):
            bindings[node.name] = bindings.get(node.name, 0) + 2
        elif isinstance(node, (ast.comprehension,)):
            pass  # its target is a Name in Store context: counted as a binding
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return {
        name: expression
        for name, (expression, function) in assigned.items()
        if bindings.get(name) == 1 and (function is None or readers.get(name, set()) <= {function})
    }


class BoundOnce:
    """``string_constants`` of a module, read when a name is first looked up: most
    modules import nothing by a computed name."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._found: Optional[dict] = None

    def _names(self) -> dict:
        if self._found is None:
            self._found = string_constants(self._tree)
        return self._found

    def __contains__(self, name: str) -> bool:
        return name in self._names()

    def __getitem__(self, name: str) -> ast.AST:
        return self._names()[name]


def string_value(node, constants, _depth: int = 0) -> tuple:
    """(text, whole) of a string expression: the whole text when every part of it is
    written out (literals, names bound once: see ``string_constants``), else the text
    it is known to end with, after its last computed part (``head + ".signals"``,
    ``f"{app}.signals"``, ``"%s.signals" % app``, ``"{}.{}".format(app, MODULE)``),
    empty when the end is computed too."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.Name) and node.id in constants:
        if _depth > 8:
            return UNKNOWN
        return string_value(constants[node.id], constants, _depth + 1)
    if isinstance(node, ast.JoinedStr):
        pieces = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                known = value.conversion in (-1, 115) and value.format_spec is None  # plain or !s
                pieces.append(string_value(value.value, constants, _depth) if known else UNKNOWN)
            else:
                pieces.append(string_value(value, constants, _depth))
        return _joined(pieces)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _joined([string_value(node.left, constants, _depth), string_value(node.right, constants, _depth)])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _percent_formatted(node, constants, _depth)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return _str_formatted(node, constants, _depth)
    return UNKNOWN


def _joined(pieces: list) -> tuple:
    text, whole = "", True
    for piece, piece_whole in pieces:
        text, whole = (text + piece, whole) if piece_whole else (piece, False)
    return text, whole


def _percent_formatted(node: ast.BinOp, constants, _depth: int) -> tuple:
    template = string_value(node.left, constants, _depth)
    if not template[1]:
        return UNKNOWN
    if isinstance(node.right, ast.Tuple):
        values = [string_value(element, constants, _depth) for element in node.right.elts]
    else:
        values = [string_value(node.right, constants, _depth)]
    pieces: list = []
    position = 0
    index = 0
    for match in PERCENT_CONVERSION.finditer(template[0]):
        pieces.append((template[0][position : match.start()], True))
        position = match.end()
        if match.group(2) == "%":
            pieces.append(("%", True))
            continue
        if match.group(1) is None and match.group(2) == "s" and index < len(values) and match.group(0) == "%s":
            pieces.append(values[index])
        else:
            pieces.append(UNKNOWN)
        index += 1
    pieces.append((template[0][position:], True))
    return _joined(pieces)


def _str_formatted(node: ast.Call, constants, _depth: int) -> tuple:
    try:
        fields = list(string.Formatter().parse(node.func.value.value))
    except ValueError:
        return UNKNOWN
    keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
    pieces: list = []
    automatic = 0
    for literal, field, spec, conversion in fields:
        pieces.append((literal, True))
        if field is None:
            continue
        if field == "":
            argument, automatic = (node.args[automatic] if automatic < len(node.args) else None), automatic + 1
        elif field.isdigit():
            argument = node.args[int(field)] if int(field) < len(node.args) else None
        else:
            argument = keywords.get(field)
        plain = not spec and conversion in (None, "s") and not any(isinstance(a, ast.Starred) for a in node.args)
        pieces.append(string_value(argument, constants, _depth) if argument is not None and plain else UNKNOWN)
    return _joined(pieces)


def _module_text(node, constants) -> Optional[str]:
    """A module name as written: a literal (or one put together from literals and
    names bound once), or ``f"{self.name}.signals"`` / ``f"{__package__}.signals"`` inside
    an app (relative: ``.signals``)."""
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
    text, whole = string_value(node, constants)
    return text if whole else None


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


def later_dynamic_imports(text: str, path: str = "<unknown>") -> Optional[ImportSummary]:
    """What a module imports by name (``import_module``, ``import_string``, ...) in code
    that does not run when it is imported (``summarize`` has that): a view or a task
    calling ``import_module(f"{app}.hooks")``. Dynamic too when it hands an importer
    around without calling it (``map(import_module, names)``); ``None`` when the text
    does not parse."""
    tree = quiet_parse(text, path)
    if tree is None:
        return None
    on_import = _Summarizer(tree)
    on_import.summarize(tree)
    later = _Summarizer(tree)
    later.constants = on_import.constants
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called.add(id(node.func))
            last = dotted(node.func).rsplit(".", 1)[-1]
            if last in DYNAMIC_IMPORTERS and id(node) not in on_import.calls_seen:
                later._dynamic_import(last, node)
    for node in ast.walk(tree):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name in DYNAMIC_IMPORTERS and isinstance(node.ctx, ast.Load) and id(node) not in called:
            later.dynamic = True
    return later.result()


def summarize(text: str, path: str = "<unknown>") -> Optional[ImportSummary]:
    """The summary, or ``None`` when the text does not parse."""
    tree = quiet_parse(text, path)
    return _Summarizer(tree).summarize(tree) if tree is not None else None
