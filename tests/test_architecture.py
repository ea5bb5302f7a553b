"""The package's layers (docs/architecture.md): each module imports only its own layer
and the layers below; no import cycle; no import of the package's own modules hidden in
a function."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "flake8_signals"
# Bottom to top. The package's __init__ (the version) and options are the base.
LAYERS = ["options", "source", "module", "project", "rules", "engine", "frontends"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return 0  # flake8_signals itself: the version
    if parts[1] == "__main__":
        return len(LAYERS) - 1
    return LAYERS.index(parts[1])


def _imports(module: str, path: Path) -> list:
    """(line, imported module, inside a function) for each import of our modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found = []

    def visit(body, in_function: bool) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom):
                base = module.split(".") if is_package else module.split(".")[:-1]
                if node.level:
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in MODULES]
                found.extend((node.lineno, name, in_function) for name in (names or [target]) if name in MODULES)
            elif isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name, in_function) for alias in node.names if alias.name in MODULES)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit(inner, in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(tree.body, False)
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_the_layers_are_the_folders():
    folders = {path.parent.name for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE}
    assert folders == set(LAYERS) - {"options"}
    assert {path.name for path in PACKAGE.glob("*.py")} == {"__init__.py", "__main__.py", "options.py"}


def test_every_import_points_down():
    upward = [
        f"{module}:{line} imports {target} ({LAYERS[_layer(target)]} is above {LAYERS[_layer(module)]})"
        for module, imports in GRAPH.items()
        for line, target, _ in imports
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_no_import_inside_a_function():
    hidden = [f"{module}:{line} imports {target}" for module, imports in GRAPH.items() for line, target, inside in imports if inside]
    assert hidden == []


def test_no_import_cycle():
    edges = {module: {target for _, target, _ in imports if target != module} for module, imports in GRAPH.items()}
    state: dict = {}
    cycles = []

    def visit(module: str, trail: list) -> None:
        state[module] = "open"
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [module, target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checker_sees_a_violation():
    """The tests above are not vacuous: an upward import in a sample is found."""
    assert _layer("flake8_signals.frontends.cli") > _layer("flake8_signals.engine.engine") > _layer("flake8_signals.rules.base")
    assert any(target == "flake8_signals.engine.engine" for _, target, _ in GRAPH["flake8_signals.frontends.plugin"] + GRAPH["flake8_signals.engine"])
