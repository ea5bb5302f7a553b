"""The project's signal map: every signal, who receives it, and whether start-up
registers that receiver. Built from the same facts and project analysis as the rules
(``flake8-signals map``); it never imports the user's code.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Iterable, Optional

from libcst.metadata import MetadataWrapper, PositionProvider

from ..module.facts import Connection, ModuleFacts
from ..options import Options
from ..rules.connection import describe, dies_after_connect, different_receivers
from ..rules.context import Context
from ..source.django_names import SEND_METHODS
from ..source.syntax import normalized
from .engine import Engine, interrupted

# The order Django sends the model signals in over an instance's life.
MODEL_SIGNAL_ORDER = ("pre_init", "post_init", "pre_save", "post_save", "m2m_changed", "pre_delete", "post_delete")


@dataclass
class ReceiverEntry:
    receiver: str  # qualified name, or what it is (a lambda in shop.receivers)
    path: str
    line: int
    sender: Optional[str]
    dispatch_uid: Optional[str]
    weak: Optional[bool]  # None: not a literal
    is_async: Optional[bool]  # None: not a function of the project
    connected_in: str  # "module level", "AccountsConfig.ready()"
    connected_at: str  # path:line of the @receiver / connect()
    registered_at_startup: str  # yes, no, unknown
    reason: str
    codes: list = field(default_factory=list)  # findings on the connection or the receiver


@dataclass
class SignalEntry:
    signal: str
    kind: str  # builtin, custom, unknown
    defined_at: Optional[str] = None
    sent_at: list = field(default_factory=list)
    receivers: list = field(default_factory=list)


def build_map(engine: Engine, files: Iterable[str], options: Options) -> dict:
    """signal qualified name -> SignalEntry, for the given files of a project."""
    signals: dict = {}
    codes_by_file: dict = {}  # absolute path -> {line: codes}
    for path in files:
        text = engine.workspace.read_source(os.path.abspath(path))
        if text is None:
            continue
        app = engine.app_view_for(path, options)
        module_name = app.module_name_of(path) if app is not None else None
        try:
            tree = ast.parse(text, filename=path)  # the file's name in any SyntaxWarning
            facts = engine.workspace.facts.facts_for(text, os.path.abspath(path), module_name)
            findings = engine.check_source(text, path, options, tree)
        except Exception as error:  # a file the rules cannot analyse is not on the map
            if interrupted(error):
                raise
            continue
        ctx = Context(facts, options, path, app)
        _add_module(signals, ctx, path, findings)
        by_line = codes_by_file.setdefault(os.path.abspath(path), {})
        for line, _, message in findings:
            by_line.setdefault(line, set()).add(message.split()[0])
    _mark_receivers_defined_elsewhere(signals, codes_by_file)
    return dict(sorted(signals.items(), key=lambda item: _signal_sort_key(item[0])))


def _mark_receivers_defined_elsewhere(signals: dict, codes_by_file: dict) -> None:
    """A receiver another module connects has its findings in its own file."""
    for entry in signals.values():
        for receiver in entry.receivers:
            span = receiver.__dict__.pop("_span", None)
            if span is None:
                continue
            by_line = codes_by_file.get(os.path.abspath(receiver.path), {})
            found = {code for line in range(span[0], span[1] + 1) for code in by_line.get(line, ())}
            receiver.codes = sorted(set(receiver.codes) | found)


def _signal_sort_key(qualname: str) -> tuple:
    short = qualname.rsplit(".", 1)[-1]
    if qualname.startswith("django.db.models.signals.") and short in MODEL_SIGNAL_ORDER:
        return (0, MODEL_SIGNAL_ORDER.index(short), qualname)
    return (1 if qualname.startswith("django.") else 2, 0, qualname)


def _add_module(signals: dict, ctx: Context, path: str, findings: list) -> None:
    path = os.path.normpath(path)
    facts = ctx.facts
    positions = MetadataWrapper(facts.module, unsafe_skip_copy=True).resolve(PositionProvider)
    codes_by_line: dict = {}
    for line, _, message in findings:  # every finding, opt-in codes included
        codes_by_line.setdefault(line, set()).add(message.split()[0])

    def line_of(node) -> int:
        return positions[node].start.line

    def codes_within(node) -> set:
        span = positions[node]
        return {code for line in range(span.start.line, span.end.line + 1) for code in codes_by_line.get(line, ())}

    first_with_uid = dict(ctx.app.earlier_dispatch_uids(facts)) if ctx.app is not None else {}

    for definition in facts.signal_definitions:
        if definition.name:
            entry = _signal(signals, facts.qualify_local(definition.name), "custom")
            entry.defined_at = f"{path}:{line_of(definition.call)}"
    for call in facts.calls:
        func = call.node.func
        method = getattr(getattr(func, "attr", None), "value", None)
        if method in SEND_METHODS:
            signal = facts.signal_of(func.value)
            if signal is not None:
                _signal(signals, signal.qualname, signal.origin).sent_at.append(f"{path}:{line_of(call.node)}")
    for connection in sorted(facts.connections, key=lambda c: c.order):
        signal = connection.signal
        entry = _signal(signals, signal.qualname, signal.origin)
        shadowed_by = None
        if connection.dispatch_uid is not None:
            key = (signal.qualname, connection.sender_key, connection.dispatch_uid)
            first = first_with_uid.setdefault(key, connection)
            if first is not connection and different_receivers(first, connection):
                shadowed_by = first
        entry.receivers.append(_receiver(connection, ctx, path, line_of, codes_within, shadowed_by))
    for decorator, signal in facts.connect_decorators:
        function = next((f for f in facts.functions if decorator in f.decorators), None)
        entry = _signal(signals, signal.qualname, signal.origin)
        line = line_of(decorator)
        entry.receivers.append(
            ReceiverEntry(
                receiver=_qualified(facts, function.qualname) if function else "?",
                path=path,
                line=line_of(function.node) if function else line,
                sender=None,
                dispatch_uid=None,
                weak=True,
                is_async=function.is_async if function else None,
                connected_in="module level" if function is None or function.parent is None else f"{function.parent.qualname}()",
                connected_at=f"{path}:{line}",
                registered_at_startup="no",
                reason=f"`@{signal.text}.connect` rebinds the name to None and the function is garbage-collected",
                codes=sorted(codes_by_line.get(line, ())),
            )
        )


def _signal(signals: dict, qualname: str, kind: str) -> SignalEntry:
    entry = signals.get(qualname)
    if entry is None:
        entry = signals[qualname] = SignalEntry(qualname, kind)
    return entry


def _qualified(facts: ModuleFacts, qualname: str) -> str:
    return f"{facts.module_name}.{qualname}" if facts.module_name else qualname


def _receiver(connection: Connection, ctx: Context, path: str, line_of, codes_within, shadowed_by) -> ReceiverEntry:
    facts = ctx.facts
    reference = connection.receiver
    function = reference.function
    receiver_path, receiver_line = path, None
    span = None
    if reference.kind == "imported" and reference.qualname:
        name = ctx.app.absolute(reference.qualname, facts) if ctx.app is not None else reference.qualname
        receiver_path, span, is_async = _defined_at(ctx, name)
        receiver_line = span[0] if span else None
    elif function is not None and reference.kind in ("function", "nested", "self_method"):
        name = _qualified(facts, function.qualname)
    else:
        name = f"{describe(reference)} in {facts.module_name or path}"
    connected_line = line_of(connection.report_node)
    if function is not None:
        receiver_line, is_async = line_of(function.node), function.is_async
    elif receiver_line is None:
        receiver_line, is_async = connected_line, None
    status, reason = registration(connection, ctx)
    if shadowed_by is not None and status == "yes":
        status, reason = "no", "its dispatch_uid is already taken for this signal and sender: Django keeps the first"
    codes = codes_within(connection.report_node) | (codes_within(function.node) if function is not None else set())
    entry = ReceiverEntry(
        receiver=name,
        path=receiver_path,
        line=receiver_line,
        sender=normalized(connection.sender) if connection.sender is not None else None,
        dispatch_uid=_uid(connection.dispatch_uid),
        weak=connection.weak,
        is_async=is_async,
        connected_in="module level" if connection.function is None else f"{connection.function.qualname}()",
        connected_at=f"{path}:{connected_line}",
        registered_at_startup=status,
        reason=reason,
        codes=sorted(codes),
    )
    if span is not None:
        entry.__dict__["_span"] = span  # codes from the defining file, once it is checked
    return entry


def _defined_at(ctx: Context, qualname: str) -> tuple:
    """(path, (first line, last line), is_async) of a project function another module
    connects."""
    module, _, name = qualname.rpartition(".")
    facts = ctx.app.facts_of(module, need=name) if ctx.app is not None and module else None
    function = facts.module_functions.get(name) if facts is not None else None
    if function is None:
        return ctx.path, None, None
    position = MetadataWrapper(facts.module, unsafe_skip_copy=True).resolve(PositionProvider)[function.node]
    path = facts.path if os.path.isabs(ctx.path) else os.path.normpath(os.path.relpath(facts.path))
    return path, (position.start.line, position.end.line), function.is_async


def _uid(uid: Optional[str]) -> Optional[str]:
    if uid is None:
        return None
    return uid[4:] if uid.startswith("str:") else uid


def registration(connection: Connection, ctx: Context) -> tuple:
    """(yes / no / unknown, why): whether the receiver is connected once Django has
    started, with no request served and no other code run."""
    if dies_after_connect(connection, ctx.facts):
        return "no", "connected weakly and nothing else keeps it alive: garbage-collected"
    function = connection.function
    if function is not None:
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
    return "no", "no module imported at start-up imports this module"


def for_model(signals: dict, model: str) -> dict:
    """Only what runs for ``app_label.Model`` (or ``Model``): receivers of model signals
    whose sender names it, and those with no sender (they run for every model)."""
    wanted = model.rsplit(".", 1)[-1]
    result: dict = {}
    for qualname, entry in signals.items():
        if not qualname.startswith("django.db.models.signals."):
            continue
        receivers = [
            receiver for receiver in entry.receivers
            if receiver.sender is None or _names_model(receiver.sender, model, wanted)
        ]
        if receivers:
            result[qualname] = SignalEntry(entry.signal, entry.kind, entry.defined_at, entry.sent_at, receivers)
    return result


def _names_model(sender: str, model: str, wanted: str) -> bool:
    text = sender.strip("\"'")
    if text.lower() == model.lower():
        return True
    return text.rsplit(".", 1)[-1] == wanted and "through" not in text
