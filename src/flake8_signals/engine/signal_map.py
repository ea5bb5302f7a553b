"""The project's signal map: every signal, who receives it, and whether start-up
registers that receiver. Built from the same facts and project analysis as the rules
(``flake8-signals map``); it never imports the user's code.

It costs about what ``check`` costs: a file goes through the same pre-check (and, when
it only sends a signal, a pre-check of its own), the same cached parse and the same
rules, and positions are computed only for the nodes the map reports, one module-level
statement at a time (``source.positions``), never for a whole module.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Iterable, Optional

import libcst as cst

from ..module.facts import ClassInfo, Connection, Function, ModuleFacts, SignalRef
from ..options import Options
from ..project.app import AppView, absolute_name, import_root_of, module_name_for
from ..rules.connection import describe, dies_after_connect, different_receivers
from ..rules.context import Context
from ..source.django_names import CLASS_PREPARED, SEND_METHODS, is_builtin_signal
from ..source.positions import StatementPositions, ast_definitions
from ..source.precheck import might_send_signals
from ..source.syntax import dotted_name, normalized
from .engine import Engine, interrupted

# The order Django sends the model signals in over an instance's life.
MODEL_SIGNAL_ORDER = ("pre_init", "post_init", "pre_save", "post_save", "m2m_changed", "pre_delete", "post_delete")
MODEL_SIGNALS_MODULE = "django.db.models.signals."


@dataclass
class ReceiverEntry:
    receiver: str  # qualified name, or what it is (a lambda in shop.receivers)
    path: Optional[str]  # where it is defined; None outside the project
    line: Optional[int]
    sender: Optional[str]
    dispatch_uid: Optional[str]
    weak: Optional[bool]  # None: not a literal
    is_async: Optional[bool]  # None: not a function of the project
    connected_in: str  # "module level", "AccountsConfig.ready()"
    connected_at: str  # path:line of the @receiver / connect()
    registered_at_startup: str  # yes, no, unknown
    reason: str
    codes: list = field(default_factory=list)  # findings on the connection or the receiver
    defined_outside_project: bool = False  # a library's function that project code connects


@dataclass
class SignalEntry:
    signal: str
    kind: str  # builtin, project, third-party, unknown
    package: Optional[str] = None  # the top-level package of a builtin or third-party signal
    defined_at: Optional[str] = None
    sent_at: list = field(default_factory=list)
    receivers: list = field(default_factory=list)

    @property
    def kind_text(self) -> str:
        """``third-party (django_otp)``, ``project``, ``builtin``."""
        return f"{self.kind} ({self.package})" if self.kind == "third-party" and self.package else self.kind


class PathDisplay:
    """Paths as flake8 prints them for the paths given: the walked files as walked, any
    other file in the same style (``./x``, ``x`` or absolute)."""

    def __init__(self, files: list) -> None:
        self.shown = {os.path.abspath(path): path for path in files}
        first = files[0] if files else ""
        self.style = "absolute" if os.path.isabs(first) else "dot" if first.startswith("." + os.sep) else "relative"

    def __call__(self, path: str) -> str:
        absolute = os.path.abspath(path)
        shown = self.shown.get(absolute)
        if shown is not None:
            return shown
        relative = os.path.relpath(absolute)
        if self.style == "absolute" or relative.startswith(".."):
            return absolute
        return "." + os.sep + relative if self.style == "dot" else relative


def build_map(engine: Engine, files: Iterable[str], options: Options) -> dict:
    """signal qualified name -> SignalEntry, for the given files of a project. Paths are
    printed as flake8 prints them for the paths given (the files as walked)."""
    builder = _MapBuilder(engine, list(files), options)
    for path in builder.files:
        builder.add_file(path)
    return builder.result()


class _MapBuilder:
    def __init__(self, engine: Engine, files: list, options: Options) -> None:
        self.engine = engine
        self.files = files
        self.options = options
        self.signals: dict = {}
        self.codes_by_file: dict = {}  # absolute path -> {line: codes}
        self.display = PathDisplay(files)
        self._names: dict = {}  # (name as written, importer) -> (qualified name, in the project)
        self._other_lines: dict = {}  # path -> _Lines of a module read for a receiver it defines
        self._spans: list = []  # (path shown, first line, last line) of receivers defined elsewhere

    # -- one file -------------------------------------------------------------------------------

    def add_file(self, path: str) -> None:
        engine = self.engine
        absolute = os.path.abspath(path)
        text = engine.workspace.read_source(absolute)
        if text is None:
            return
        app = engine.app_view_for(path, self.options)
        if not (engine.needs_analysis(text, path, app) or might_send_signals(text)):
            return  # wires, defines and sends no signal: nothing to show, nothing to parse
        try:
            tree = ast.parse(text, filename=path)  # the file's name in any SyntaxWarning
            ctx, findings = engine.run_deep(engine.map_module, text, path, self.options, tree)
            found = engine.run_deep(self._module_entries, ctx, path, findings, tree)
        except Exception as error:  # a file the rules cannot analyse is not on the map
            if interrupted(error):
                raise
            return
        by_line = self.codes_by_file.setdefault(absolute, {})
        for line, _, message in findings:
            by_line.setdefault(line, set()).add(message.split()[0])
        for entry in found:
            merged = self._signal(entry.signal, entry.kind, entry.package)
            merged.defined_at = merged.defined_at or entry.defined_at
            merged.sent_at.extend(entry.sent_at)
            merged.receivers.extend(entry.receivers)

    def _signal(self, qualname: str, kind: str, package: Optional[str], signals: Optional[dict] = None) -> SignalEntry:
        signals = self.signals if signals is None else signals
        entry = signals.get(qualname)
        if entry is None:
            entry = signals[qualname] = SignalEntry(qualname, kind, package)
        elif entry.kind in ("unknown", "third-party") and kind == "project":
            entry.kind, entry.package = kind, package  # defined here after all
        return entry

    def _module_entries(self, ctx: Context, path: str, findings: list, tree) -> list:
        """The SignalEntry values one module adds (merged by the caller, so that a module
        that fails half-way adds nothing)."""
        facts = ctx.facts
        shown = self.display(path)
        lines = _Lines(facts, tree)
        codes_by_line: dict = {}
        for line, _, message in findings:  # every finding, opt-in codes included
            codes_by_line.setdefault(line, set()).add(message.split()[0])

        def codes_in(span: tuple) -> set:
            return {code for line in range(span[0], span[1] + 1) for code in codes_by_line.get(line, ())}

        signals: dict = {}
        first_with_uid = dict(ctx.app.earlier_dispatch_uids(facts)) if ctx.app is not None else {}
        for definition in facts.signal_definitions:
            if definition.name:
                name = self.qualified(ctx, definition.name)
                entry = self._signal(name, *(("builtin", "django") if is_builtin_signal(name) else ("project", None)), signals)
                entry.defined_at = f"{shown}:{lines.of_node(definition.call, None)[0]}"
        for call in facts.calls:
            func = call.node.func
            method = getattr(getattr(func, "attr", None), "value", None)
            if method in SEND_METHODS:
                signal = facts.signal_of(func.value)
                if signal is not None:
                    line = lines.of_node(call.node, call.function)[0]
                    self._signal(*self.signal_name(signal, ctx), signals).sent_at.append(f"{shown}:{line}")
        for connection in sorted(facts.connections, key=lambda c: c.order):
            signal = connection.signal
            entry = self._signal(*self.signal_name(signal, ctx), signals)
            shadowed_by = None
            if connection.dispatch_uid is not None:
                key = (signal.qualname, connection.sender_key, connection.dispatch_uid)
                first = first_with_uid.setdefault(key, connection)
                if first is not connection and different_receivers(first, connection):
                    shadowed_by = first
            entry.receivers.append(self._receiver(connection, ctx, shown, lines, codes_in, shadowed_by))
        for decorator, signal in facts.connect_decorators:
            function = next((f for f in facts.functions if decorator in f.decorators), None)
            entry = self._signal(*self.signal_name(signal, ctx), signals)
            line = lines.of_decorator(decorator, function)[0]
            entry.receivers.append(
                ReceiverEntry(
                    receiver=self.qualified(ctx, function.qualname) if function else "?",
                    path=shown,
                    line=lines.of_function(function)[0] if function else line,
                    sender=None,
                    dispatch_uid=None,
                    weak=True,
                    is_async=function.is_async if function else None,
                    connected_in="module level" if function is None or function.parent is None else f"{function.parent.qualname}()",
                    connected_at=f"{shown}:{line}",
                    registered_at_startup="no",
                    reason=f"`@{signal.text}.connect` rebinds the name to None and the function is garbage-collected",
                    codes=sorted(codes_by_line.get(line, ())),
                )
            )
        return list(signals.values())

    # -- names ------------------------------------------------------------------------------------

    def module_of(self, ctx: Context) -> Optional[str]:
        """The module's dotted name; for a file outside any Django app, from the packages
        around it (the map names things; the rules' facts stay as check sees them)."""
        if ctx.facts.module_name or ctx.app is not None:
            return ctx.facts.module_name
        absolute = os.path.abspath(ctx.path)
        directory = os.path.dirname(absolute)
        if not os.path.isfile(os.path.join(directory, "__init__.py")):
            return None
        return module_name_for(absolute, import_root_of(directory))

    def qualified(self, ctx: Context, qualname: str) -> str:
        module = self.module_of(ctx)
        return f"{module}.{qualname}" if module else qualname

    def definition(self, name: str, ctx: Context) -> tuple:
        """(qualified name, in the project) of a name as written in the module of ``ctx``."""
        app = ctx.app
        if app is None:  # no project to look in: absolute, and whose is not known
            module = self.module_of(ctx) or ""
            return absolute_name(name, module, os.path.basename(ctx.path) == "__init__.py"), None
        key = (name, ctx.facts.module_name, ctx.facts.path)
        if key not in self._names:
            self._names[key] = app.definition_of(name, ctx.facts)
        return self._names[key]

    def signal_name(self, signal: SignalRef, ctx: Context) -> tuple:
        """(canonical name, kind, package) of a signal as a module names it: the module that
        defines it, however it was imported; Django's, the project's, or a library's."""
        if signal.origin == "builtin":
            return signal.qualname, "builtin", "django"
        head = signal.text.split(".")[0]
        if signal.origin == "unknown" and head not in ctx.facts.imports.aliases:
            return signal.qualname, "unknown", None  # not an imported name: cannot say whose
        if signal.qualname in {ctx.facts.qualify_local(name) for name in ctx.facts.local_signals}:
            name, in_project = self.qualified(ctx, signal.qualname.rsplit(".", 1)[-1]), True
        else:
            name, in_project = self.definition(signal.qualname, ctx)
        if is_builtin_signal(name):
            return name, "builtin", "django"  # Django's own, even where Django is the project
        if in_project:
            return name, "project", None
        top = name.split(".")[0]
        if not top or in_project is None:
            return name, "unknown", None
        if top == "django":
            return name, "builtin", "django"
        return name, "third-party", top

    # -- receivers --------------------------------------------------------------------------------

    def _receiver(self, connection: Connection, ctx: Context, shown: str, lines: "_Lines", codes_in, shadowed_by) -> ReceiverEntry:
        reference = connection.receiver
        function = reference.function
        receiver_path: Optional[str] = shown
        receiver_line: Optional[int] = None
        is_async: Optional[bool] = None
        outside = False
        if reference.kind == "imported" and reference.qualname:
            name, in_project = self.definition(reference.qualname, ctx)
            if in_project:
                receiver_path, receiver_line, is_async = self._defined_at(ctx, name)
            else:
                receiver_path, outside = None, in_project is not None
        elif function is not None and reference.kind in ("function", "nested", "self_method"):
            name = self.qualified(ctx, function.qualname)
        else:
            name = f"{describe(reference)} in {self.module_of(ctx) or shown}"
        if connection.call is not None:
            connected = lines.of_node(connection.report_node, connection.call.function)
        else:
            connected = lines.of_decorator(connection.report_node, function)
        connected_line = connected[0]
        defined = lines.of_function(function) if function is not None else None
        if defined is not None:
            receiver_line, is_async = defined[0], function.is_async
        elif receiver_line is None and not outside and receiver_path == shown:
            receiver_line = connected_line  # a lambda, a partial: made where it is connected
        status, reason = registration(connection, ctx)
        if shadowed_by is not None and status == "yes":
            status, reason = "no", "its dispatch_uid is already taken for this signal and sender: Django keeps the first"
        codes = codes_in(connected) | (codes_in(defined) if defined is not None else set())
        return ReceiverEntry(
            receiver=name,
            path=receiver_path,
            line=receiver_line,
            sender=normalized(connection.sender) if connection.sender is not None else None,
            dispatch_uid=_uid(connection.dispatch_uid),
            weak=connection.weak,
            is_async=is_async,
            connected_in="module level" if connection.function is None else f"{connection.function.qualname}()",
            connected_at=f"{shown}:{connected_line}",
            registered_at_startup=status,
            reason=reason,
            codes=sorted(codes),
            defined_outside_project=outside,
        )

    def _defined_at(self, ctx: Context, qualname: str) -> tuple:
        """(path, line, is_async) of a project function or method another module
        connects; the codes of its findings are added once its own file is checked."""
        app = ctx.app
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if app.path_of(module) is not None:
                break
        else:
            return None, None, None
        rest = ".".join(parts[cut:])
        facts = app.facts_of(module, need=parts[cut])
        if facts is None:
            return self.display(app.path_of(module)), None, None
        function = facts.module_functions.get(rest) or next((f for f in facts.functions if f.qualname == rest), None)
        if function is None:
            return self.display(facts.path), None, None
        start, end = self._lines_of(facts).of_function(function)
        shown = self.display(facts.path)
        self._spans.append((shown, start, end))
        return shown, start, function.is_async

    def _lines_of(self, facts: ModuleFacts) -> "_Lines":
        lines = self._other_lines.get(facts.path)
        if lines is None or lines.facts is not facts:
            text = self.engine.workspace.read_source(facts.path)
            try:
                tree = ast.parse(text) if text is not None else None
            except (SyntaxError, ValueError):
                tree = None
            lines = self._other_lines[facts.path] = _Lines(facts, tree)
        return lines

    def result(self) -> dict:
        spans = {(path, start): end for path, start, end in self._spans}
        for entry in self.signals.values():
            for receiver in entry.receivers:
                end = spans.get((receiver.path, receiver.line))
                if end is None or receiver.defined_outside_project:
                    continue
                by_line = self.codes_by_file.get(os.path.abspath(receiver.path), {})
                found = {code for line in range(receiver.line, end + 1) for code in by_line.get(line, ())}
                receiver.codes = sorted(set(receiver.codes) | found)
        return dict(sorted(self.signals.items(), key=lambda item: _signal_sort_key(item[0])))


class _Lines:
    """Lines of what the map shows of one module. A def's lines come from ``ast``; a
    call's from libcst positions of the innermost function around it alone (or of its
    module-level statement), never of the whole module."""

    def __init__(self, facts: ModuleFacts, tree) -> None:
        self.facts = facts
        self.located = StatementPositions(facts.module, tree)
        self.index = facts.statement_index()
        self.definitions = _paired_definitions(facts, tree)  # id(def node) -> ast def; None: trees differ

    def _statement_span(self, node: cst.CSTNode) -> tuple:
        start, _, end = self.located.span(node, self.index.get(id(node)))
        return start, end

    def _definition(self, function: Optional[Function]):
        if function is None or self.definitions is None:
            return None
        return self.definitions.get(id(function.node))

    def of_function(self, function: Function) -> tuple:
        """(line of ``def``, last line)."""
        definition = self._definition(function)
        if definition is None:
            return self._statement_span(function.node)
        return definition.lineno, definition.end_lineno or definition.lineno

    def of_decorator(self, decorator: cst.Decorator, function: Optional[Function]) -> tuple:
        definition = self._definition(function)
        if definition is None or len(definition.decorator_list) != len(function.decorators):
            return self._statement_span(decorator)
        expression = definition.decorator_list[function.decorators.index(decorator)]
        return expression.lineno, expression.end_lineno or expression.lineno

    def of_node(self, node: cst.CSTNode, function: Optional[Function]) -> tuple:
        """(first line, last line) of a call made in ``function`` (``None``: module level)."""
        definition = self._definition(function)
        if definition is None:
            return self._statement_span(node)
        first = min([definition.lineno] + [d.lineno for d in definition.decorator_list])
        start, _, end = self.located.span_within(node, function.node, first)
        return start, end


def _paired_definitions(facts: ModuleFacts, tree) -> Optional[dict]:
    """id(libcst def) -> the same def in flake8's ``ast`` tree, or ``None`` when the two
    do not line up. A skeleton parse blanked some bodies: the defs inside those are only
    in the ``ast`` tree and are skipped."""
    if not isinstance(tree, ast.Module):
        return None
    definitions = ast_definitions(tree)
    paired: dict = {}
    position = 0
    for function in facts.functions:
        if position >= len(definitions) or definitions[position][0].name != function.name:
            return None
        node, after = definitions[position]
        paired[id(function.node)] = node
        position = after if _was_blanked(function, facts) else position + 1
    return paired if position == len(definitions) else None


def _was_blanked(function: Function, facts: ModuleFacts) -> bool:
    if function.name not in facts.blanked:
        return False
    body = function.node.body
    statements = getattr(body, "body", ())
    return (
        len(statements) == 1
        and isinstance(statements[0], cst.SimpleStatementLine)
        and len(statements[0].body) == 1
        and isinstance(statements[0].body[0], cst.Pass)
    )


def _signal_sort_key(qualname: str) -> tuple:
    short = qualname.rsplit(".", 1)[-1]
    if qualname.startswith(MODEL_SIGNALS_MODULE) and short in MODEL_SIGNAL_ORDER:
        return (0, MODEL_SIGNAL_ORDER.index(short), qualname)
    return (1 if qualname.startswith("django.") else 2, 0, qualname)


def _uid(uid: Optional[str]) -> Optional[str]:
    if uid is None:
        return None
    return uid[4:] if uid.startswith("str:") else uid


# -- registered at start-up? ---------------------------------------------------------------------


def registration(connection: Connection, ctx: Context) -> tuple:
    """(yes / no / unknown, why): whether the receiver is connected once Django has
    started, with no request served and no other code run."""
    if dies_after_connect(connection, ctx.facts):
        return "no", "connected weakly and nothing else keeps it alive: garbage-collected"
    function = connection.function
    if function is not None:
        hook = library_hook(function, ctx)
        if hook is not None:
            return hook
        if ctx.runs_at_startup(function):
            return "yes", f"connected in {function.qualname}(), which runs at start-up"
        return "no", f"connected only when {function.qualname}() runs"
    app = ctx.app
    module = ctx.facts.module_name
    if app is None or module is None:
        return "unknown", "no Django app around this file"
    if app.is_startup_root(module) or module in ctx.options.startup_modules:
        return "yes", "the module is imported at start-up"
    startup = app.startup_modules()
    if startup is None:
        return "unknown", "a start-up module of the app imports by computed name or does not parse"
    if module in startup:
        return "yes", "a start-up module imports this module"
    if app.may_load_at_startup(module):
        return "unknown", "a start-up module imports modules by computed name, and this one fits the name"
    if not app.is_app:
        return "unknown", "no Django app around this file, and no start-up module imports it"
    return "no", "no module imported at start-up imports this module"


def library_hook(function: Function, ctx: Context) -> Optional[tuple]:
    """When the code that connects runs because Django or a library calls it, not the
    project: (verdict, why), or ``None`` when it is the project's own call.

    - ``contribute_to_class`` (Django calls it for each attribute of a model class that
      has one) and a ``class_prepared`` receiver run when the model class is created:
      yes, at start-up, when the models are imported.
    - Any other method that overrides or implements a method of a base class from
      outside the project, and that no project code calls (django-simple-history's
      ``finalize``, reached through its ``contribute_to_class``): a library calls it,
      and when is unknown here.

    One small function on purpose: it answers "when does this code run", which belongs
    in a shared model of the project layer once there is one."""
    for outer in function.ancestors():
        if outer.name == "contribute_to_class" and outer.cls is not None:
            return "yes", f"connected in {outer.qualname}(), which runs when the model class is created"
        if any(
            c.signal.qualname == CLASS_PREPARED and c.receiver.function is outer for c in ctx.facts.connections
        ):
            return "yes", f"connected in {outer.qualname}(), a class_prepared receiver: it runs when the model class is created"
    method = next((f for f in function.ancestors() if f.cls is not None), None)
    app = ctx.app
    if method is None or app is None or ctx.runs_at_startup(function) or method.name.startswith("__"):
        return None
    if app.project_calls(method.name):
        return None
    bases = _library_bases(method.cls, ctx.facts, app, 0)
    if all(app.library_defines(base, method.name) is False for base in bases):
        return None  # no library base (whose source this process can read) has that method
    return "unknown", f"connected in {method.qualname}(), a method a library calls: when it runs is unknown here"


def _library_bases(cls: ClassInfo, facts: ModuleFacts, app: AppView, depth: int) -> list:
    """Qualified names of a class's base classes from outside the project, through its
    project bases."""
    if depth > 6:
        return []
    found = []
    for base in cls.bases:
        written = dotted_name(base)
        if written is None:
            continue
        local = facts.module_classes.get(written)
        if local is not None:
            if local is not cls:
                found += _library_bases(local, facts, app, depth + 1)
            continue
        if written.split(".")[0] not in facts.imports.aliases:
            continue  # object, a builtin: nothing a library calls
        name, in_project = app.definition_of(facts.imports.resolve_dotted(written), facts)
        if not in_project:
            found.append(name)
            continue
        module, _, class_name = name.rpartition(".")
        other = app.facts_of(module)
        other_class = other.module_classes.get(class_name) if other is not None else None
        if other_class is not None:
            found += _library_bases(other_class, other, app, depth + 1)
    return found


# -- one model ------------------------------------------------------------------------------------


def for_model(signals: dict, model: str) -> dict:
    """Only what runs for ``app_label.Model`` (or ``Model``): receivers of model signals
    whose sender names it, and those with no sender (they run for every model)."""
    wanted = model.rsplit(".", 1)[-1]
    result: dict = {}
    for qualname, entry in signals.items():
        if not qualname.startswith(MODEL_SIGNALS_MODULE):
            continue
        receivers = [
            receiver for receiver in entry.receivers
            if receiver.sender is None or _names_model(receiver.sender, model, wanted)
        ]
        if receivers:
            result[qualname] = SignalEntry(entry.signal, entry.kind, entry.package, entry.defined_at, entry.sent_at, receivers)
    return result


def model_names(engine: Engine, files: Iterable[str], options: Options, signals: dict) -> list:
    """The models the map knows: ``app_label.Model`` of every model class of the projects
    around the files, and every sender its model-signal receivers name."""
    labels: set = set()
    seen_apps: set = set()
    for path in files:
        app = engine.app_view_for(path, options)
        if app is not None and (app.root, app.package.split(".")[0]) not in seen_apps:
            seen_apps.add((app.root, app.package.split(".")[0]))
            labels |= app.model_labels()
    for qualname, entry in signals.items():
        if qualname.startswith(MODEL_SIGNALS_MODULE):
            labels.update(receiver.sender.strip("\"'") for receiver in entry.receivers if receiver.sender)
    return sorted(labels)


def knows_model(known: Iterable[str], model: str) -> bool:
    wanted = model.rsplit(".", 1)[-1]
    return any(_names_model(name, model, wanted) for name in known)


def _names_model(sender: str, model: str, wanted: str) -> bool:
    text = sender.strip("\"'")
    if text.lower() == model.lower():
        return True
    return text.rsplit(".", 1)[-1] == wanted and "through" not in text
