"""SIG2xx: start-up registration (needs the project's files)."""

from __future__ import annotations

import os
from typing import Iterable, Optional

import libcst as cst

from ..source.django_names import REQUEST_BOUND_SIGNALS, SEND_METHODS, TEST_ONLY_SIGNALS
from ..source.syntax import dotted_name
from .base import Finding, Rule, register
from .fix import FileEdit, Fix


def _own_signals(facts) -> set:
    """Signals this module defines or sends itself (``layout_variables.send(...)``):
    whoever sends them has imported this module, so its receivers are connected before
    the first send."""
    sent = {facts.qualify_local(name) for name in facts.local_signals}
    for call in facts.calls:
        func = call.node.func
        if isinstance(func, cst.Attribute) and func.attr.value in SEND_METHODS:
            signal = facts.signal_of(func.value)
            if signal is not None:
                sent.add(signal.qualname)
    return sent


@register
class NotImportedAtStartup(Rule):
    """
    ## What it does
    Flags each module-level `@receiver` and `connect()` in a module that Django does not
    import at start-up. A module of app package `P` is imported at start-up if it is
    `P/__init__.py`, `P/apps.py`, `P/models.py` (or `P/models/`), `P/admin.py`,
    `P/management/__init__.py` (Django's `migrate` and `flush` import it to register
    `pre_migrate`/`post_migrate` receivers), or is imported (statically, transitively, at module level or from `AppConfig.ready()` and
    the functions it calls) by one of those, or is named in `--signals-startup-modules`.
    Migrations and tests are never reported. When a start-up module cannot be parsed or
    imports modules by a name computed to its end (`import_module(name)`), the app is
    skipped: unknown is not unimported. When that name is not confined to the app's own
    package (`import_module(f"{self.name}.{x}")` is; a name from the settings or a loop
    over the apps is not), it can load a module of any app, and no app of the project
    is reported. A name computed up to a written tail
    (`import_module(app + ".signals")`, `"%s.signals" % app`, `f"{app}.signals"`, or
    through a name bound once to such a value) loads a module with that tail: every
    project module that fits may be the one, so none of them is reported as missing
    from start-up, and one that only the URLconf's such import fits is said to be loaded,
    if at all, with the system checks. A module is said to be imported by no module
    only when no other file names it (relative imports resolved from the importing
    file) and no code imports by a computed name that could reach it; otherwise only
    Django's own process-independent signals are reported, as missing until a later
    import.

    ## Why is this bad?
    Registration at import time only happens if something imports the module. A
    `signals.py` that nothing imports registers nothing; one imported only by
    `views.py` or `tasks.py` registers its receivers in the processes that happen to
    import those first, and never in the others (workers, management commands,
    shells). The receivers are simply missing, with no error.

    ## Example
    ```python
    # shop/signals.py -- nothing imports this module
    @receiver(post_save, sender=Order)
    def send_receipt(sender, instance, created, **kwargs): ...
    ```

    ## Use instead
    ```python
    # shop/apps.py
    class ShopConfig(AppConfig):
        name = "shop"

        def ready(self):
            from . import signals  # noqa: F401  (registers the receivers)
    ```

    ## Fix safety
    Unsafe: it edits another file. The app's `apps.py` gets
    `from . import signals  # noqa: F401` at the end of `AppConfig.ready()`, with a
    note on what it is for after it, or on a comment line above when the line would
    be longer than `max-line-length`. The method is added when missing; when the
    class's base is not `AppConfig` itself, the new `ready()` calls `super().ready()`
    first. The whole `apps.py` with an `AppConfig` is created when the app has none
    (Django uses the only `AppConfig` in `apps.py` on its own). The receivers are then
    connected in every process, before the first request. That is the point, but they
    now also run where they did not before: in management commands, workers, the shell
    and tests. There is no fix when `apps.py` has several `AppConfig` classes.
    """

    code = "SIG201"
    name = "not-imported-at-startup"
    summary = "Module registers receivers at import time but start-up never imports it (off by default)."
    enabled_by_default = False
    held_out = (4, 15)  # true / all findings on the held-out applications
    fix_safety = "unsafe"

    def check(self, ctx) -> Iterable[Finding]:
        app = ctx.app
        module = ctx.facts.module_name
        if app is None or module is None or not app.is_app:
            return  # outside any Django app: nothing says when Django imports it
        never_missed = _own_signals(ctx.facts) | TEST_ONLY_SIGNALS
        registrations = [c for c in ctx.connections if c.function is None and c.signal.qualname not in never_missed]
        if not registrations or ctx.is_test_module or ctx.is_migration or app.is_startup_root(module):
            return
        if ctx.path.endswith("__init__.py"):
            return  # a package that wires receivers on import is meant for INSTALLED_APPS: unknown
        startup = app.startup_modules()
        if startup is None or module in startup or module in ctx.options.startup_modules or app.may_load_at_startup(module):
            return  # an import by computed name at start-up may load it: unknown
        checks = app.checks_modules()
        if checks is None:
            return  # the URLconf imports by computed name: it may load this module
        perhaps = app.checks_may_load(module)
        elsewhere = None if module in checks and not perhaps else app.mentioned_elsewhere(module)
        if module in checks and not perhaps:
            when = "checks"
        elif elsewhere is not None:
            when = "later"  # other code may import it, and may or may not run with the checks
        else:
            when = "checks" if perhaps else "never"
        if when != "never":
            # Imported by the URLconf, a view, a task module or named in MIDDLEWARE: the
            # receivers exist in the processes that load it. They miss sends only in
            # other processes, which is known for Django's own process-independent
            # signals (a worker saving a model); for request-bound and third-party or
            # project signals, whose send sites we cannot place, it is unknown.
            registrations = [
                c for c in registrations
                if c.signal.origin == "builtin" and c.signal.qualname not in REQUEST_BOUND_SIGNALS
            ]
        apps_module = f"{app.package}.apps" if app.package else "apps"
        if app.has_apps_module():
            fix = f"import it from ready() in {apps_module}"
        else:
            fix = f"create an AppConfig with a ready() in {apps_module} and import it there"
        for connection in registrations:
            receiver = f"this `{connection.signal.text}` receiver"
            if when == "checks":
                how = (
                    "is loaded, if at all, only by an import by computed name in the URLconf or template tags"
                    if perhaps
                    else "is imported only through the URLconf or template tags"
                )
                why = (
                    f"{how}, which Django loads when its "
                    "system checks run (runserver, management commands that run checks, the test runner, "
                    "Celery workers with Django's fixup), not at start-up: in `manage.py shell` and in "
                    f"commands that skip checks {receiver} is missing"
                )
            elif when == "later" and elsewhere == "computed":
                why = (
                    "is imported by no module of the project at start-up, and later at most by an import by "
                    f"computed name: {receiver} is missing in a process until such an import loads it, and one "
                    "that never runs one (a worker, a management command, the shell) saves without it"
                )
            elif when == "later":
                why = (
                    "is imported only by other modules of the project, none of them at start-up: "
                    f"{receiver} is missing in a process until one of them is imported, and one that never "
                    "imports them (a worker, a management command, the shell) saves without it"
                )
            else:
                why = f"is imported by no module of the project (test code aside): {receiver} is never connected"
            yield self.finding(
                connection.report_node,
                f"`{module}` registers receivers at import time but {why}; {fix}",
                fix=lambda: _import_from_ready(app, module, ctx.options.max_line_length),
            )


def _import_from_ready(app, module: str, max_line_length: int) -> Optional[Fix]:
    """Edit the app's apps.py: import ``module`` from ``ready()``, adding the method, or
    the whole AppConfig when the app has no apps.py."""
    if not app.package or not module.startswith(app.package + "."):
        return None
    folder, _, name = module[len(app.package) + 1 :].rpartition(".")
    apps_path = os.path.join(app.app_dir, "apps.py")
    if os.path.isdir(os.path.join(app.app_dir, "apps")):
        return None

    def transform(apps: Optional[cst.Module]) -> Optional[cst.Module]:
        if apps is None:
            return cst.parse_module(_new_apps_module(app.package, folder, name, max_line_length))
        return _with_ready_import(apps, folder, name, max_line_length)

    return Fix(other_files=(FileEdit(apps_path, f"ready-import:{module}", transform),))


READY_NOTE = "registers its receivers"


def _ready_import(folder: str, name: str, indent: int, max_line_length: int) -> list:
    """The lines (without their indentation) that import ``.<folder>.<name>`` in
    ``ready()``: the note on what the import is for goes after its ``# noqa`` when the
    line fits in ``max_line_length`` at ``indent``, else on a comment line above (the
    fixer wraps an import line that is still too long)."""
    statement = f"from .{folder} import {name}  # noqa: F401"
    noted = f"{statement}  ({READY_NOTE})"
    if indent + len(noted) <= max_line_length:
        return [noted]
    return [f"# {READY_NOTE.capitalize()}.", statement]


def _new_apps_module(package: str, folder: str, name: str, max_line_length: int) -> str:
    label = package.rsplit(".", 1)[-1]
    class_name = "".join(part.capitalize() for part in label.split("_")) + "Config"
    body = "        "  # the indentation of ready()'s body below
    return (
        "from django.apps import AppConfig\n\n\n"
        f"class {class_name}(AppConfig):\n"
        f'    name = "{package}"\n\n'
        "    def ready(self):\n"
        + "".join(f"{body}{line}\n" for line in _ready_import(folder, name, len(body), max_line_length))
    )


def _app_config_class(apps: cst.Module) -> Optional[cst.ClassDef]:
    """The module's one AppConfig (the one not marked ``default = False``), if exactly
    one: a class whose base is ``AppConfig`` or a project base named ``...Config``."""
    classes = [
        statement
        for statement in apps.body
        if isinstance(statement, cst.ClassDef)
        and any((dotted_name(base.value) or "").endswith("Config") for base in statement.bases)
    ]
    if len(classes) > 1:
        # Not the app's: a base the others extend, or a class marked default = False.
        bases = {dotted_name(base.value) for c in classes for base in c.bases}
        classes = [c for c in classes if c.name.value not in bases and "default = False" not in apps.code_for_node(c.body)]
    return classes[0] if len(classes) == 1 else None


def _with_ready_import(apps: cst.Module, folder: str, name: str, max_line_length: int) -> Optional[cst.Module]:
    config = _app_config_class(apps)
    if config is None or not isinstance(config.body, cst.IndentedBlock):
        return None
    body = list(config.body.body)
    ready = next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "ready"), None)
    inner_indent = ready.body if ready is not None and isinstance(ready.body, cst.IndentedBlock) else None
    indent = _indent_width(apps, config.body) + _indent_width(apps, inner_indent)
    lines = _ready_import(folder, name, indent, max_line_length)
    if ready is None:
        # A project base class may have a ready() of its own: keep it running.
        inherited = "" if all(dotted_name(base.value) in ("AppConfig", "apps.AppConfig") for base in config.bases) else "    super().ready()\n"
        method = cst.parse_statement("def ready(self):\n" + inherited + "".join(f"    {line}\n" for line in lines))
        body = [s for s in body if not _is_placeholder(s)]
        body.append(method.with_changes(leading_lines=[cst.EmptyLine(indent=False)] if body else []))
    else:
        if not isinstance(ready.body, cst.IndentedBlock):
            return None
        inner = [s for s in ready.body.body if not _is_placeholder(s)]
        if any(_imports_from_package(s, folder, name) for s in inner):
            return None  # already there
        position = len(inner)
        if inner and isinstance(inner[-1], cst.SimpleStatementLine) and isinstance(inner[-1].body[0], cst.Return):
            position -= 1  # before a final return
        inner.insert(position, cst.parse_statement("".join(f"{line}\n" for line in lines)))
        new_ready = ready.with_changes(body=ready.body.with_changes(body=inner))
        body = [new_ready if s is ready else s for s in body]
    new_config = config.with_changes(body=config.body.with_changes(body=body))
    return apps.with_changes(body=[new_config if s is config else s for s in apps.body])


def _indent_width(apps: cst.Module, block: Optional[cst.IndentedBlock]) -> int:
    """The width of one block's indentation (the module's unit for a block to add)."""
    return len(block.indent if block is not None and block.indent is not None else apps.default_indent)


def _imports_from_package(statement: cst.CSTNode, folder: str, name: str) -> bool:
    """Whether ``statement`` is ``from .<folder> import <name>``, however it is written."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    node = statement.body[0]
    return (
        isinstance(node, cst.ImportFrom)
        and len(node.relative) == 1
        and (dotted_name(node.module) if node.module is not None else "") == folder
        and isinstance(node.names, (list, tuple))
        and any(alias.asname is None and dotted_name(alias.name) == name for alias in node.names)
    )


def _is_placeholder(statement: cst.CSTNode) -> bool:
    """A lone ``pass`` or ``...`` line, without a comment."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and (isinstance(statement.body[0], cst.Pass) or (isinstance(statement.body[0], cst.Expr) and isinstance(statement.body[0].value, cst.Ellipsis)))
        and statement.trailing_whitespace.comment is None
        and not statement.leading_lines
    )
