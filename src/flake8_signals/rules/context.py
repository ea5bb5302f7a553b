"""What a rule sees: one module's facts, the options, and the app around it.

Analyses that several rules share (which functions run at start-up, whether a
connection is paired with a disconnection, which functions are receivers) are
computed here once, lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional

import libcst as cst

from ..module.facts import CLASS_HOOKS, Connection, Disconnection, Function, ModuleFacts, Receiver, SignalRef
from ..options import Options
from ..project.app import AppView
from ..source.django_names import CLASS_PREPARED, ON_COMMIT, is_task_decorator, looks_like_view
from ..source.edits import parent_map
from ..source.paths import is_management_command_path, is_migration_path, is_test_path, request_module_kind
from ..source.syntax import decorator_target, dotted_name, keyword_arg, string_value


@dataclass(frozen=True)
class ServingTime:
    """Evidence that a function runs while the server is serving: ``kind`` is
    ``"request"`` (a view, a view method, middleware) or ``"task"`` (a function a task
    worker runs); ``root`` is that view, method or task (the function itself, or the one
    of the same module it is called from); ``why`` says what makes ``root`` one."""

    kind: str
    root: Function
    why: str


class Context:
    def __init__(
        self,
        facts: ModuleFacts,
        options: Options,
        path: str,
        app: Optional[AppView] = None,
    ) -> None:
        self.facts = facts
        self.options = options
        self.path = path
        self.app = app  # None without project analysis (stdin, no app package)
        self.is_migration = is_migration_path(path)
        self.is_test_module = is_test_path(path, app.root if app is not None else None)

    # -- where a node sits (fixes only: the plugin never builds this) ------------------

    @cached_property
    def parents(self) -> dict:
        return parent_map(self.facts.module)

    def statement_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The statement line (or compound statement) that contains ``node``."""
        while node is not None and not isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            node = self.parents.get(id(node))
        return node

    @cached_property
    def code(self) -> str:
        """The module's source, generated once (``module.code`` renders it on every access)."""
        return self.facts.module.code

    def parent_of(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(id(node))

    def enclosing_scope_of(self, node: cst.CSTNode, skip: int = 0) -> Optional[cst.CSTNode]:
        """The outermost def or class around ``node`` (after the ``skip`` innermost ones,
        e.g. the function a decorator belongs to), or None at module level."""
        outermost = None
        node = self.parents.get(id(node))
        while node is not None:
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                if skip:
                    skip -= 1
                else:
                    outermost = node
            node = self.parents.get(id(node))
        return outermost

    # -- which signals are Django's ------------------------------------------------------

    def signal_kind(self, signal: SignalRef, facts: Optional[ModuleFacts] = None) -> Optional[str]:
        """For a signal imported from a project module (by ``facts``, this module by
        default): ``"django"``, ``"other"`` or ``"unknown"``, read from its definition
        (see ``AppView.signal_kind``); ``None`` for Django's own signals, signals
        defined here and third-party signals."""
        facts = facts or self.facts
        if signal.origin != "custom" or self.app is None or signal.qualname in self._local_signals:
            return None
        qualname = self.app.absolute(signal.qualname, facts)
        if qualname not in self._signal_kinds:
            self._signal_kinds[qualname] = self.app.signal_kind(qualname)
        return self._signal_kinds[qualname]

    @cached_property
    def _signal_kinds(self) -> dict:
        return {}

    @cached_property
    def _local_signals(self) -> frozenset:
        return frozenset(self.facts.qualify_local(name) for name in self.facts.local_signals)

    def is_django_signal(self, signal: SignalRef, facts: Optional[ModuleFacts] = None) -> bool:
        """False for a signal the project defines as something else (blinker's, a
        Celery signal...): its ``connect()`` and receivers follow other rules."""
        return self.signal_kind(signal, facts) != "other"

    @cached_property
    def connections(self) -> list[Connection]:
        """The module's connections to Django signals."""
        return [c for c in self.facts.connections if self.is_django_signal(c.signal)]

    @cached_property
    def disconnections(self) -> list:
        return [d for d in self.facts.disconnections if self.is_django_signal(d.signal)]

    # -- receivers ------------------------------------------------------------------

    @cached_property
    def receivers(self) -> list[Receiver]:
        """Functions of this module connected to signals, here or (project) from apps.py."""
        pairs = [(c.receiver.function, c) for c in self.connections if c.receiver.function is not None]
        if self.app is not None:
            pairs += [
                (function, connection)
                for function, connection in self.app.wired_receivers(self.facts)
                if self.is_django_signal(connection.signal, connection.module)
            ]
        by_function: dict = {}
        for function, connection in pairs:
            by_function.setdefault(id(function), Receiver(function)).connections.append(connection)
        return list(by_function.values())

    # -- m2m_changed senders -------------------------------------------------------------

    def m2m_sender_kind(self, connection: Connection) -> str:
        """What an ``m2m_changed`` sender is: ``through`` (``Pizza.toppings.through``, a
        model named in a ``through=``), ``none`` (no sender: every through model),
        ``plain`` (a model of the project never used as a through model: Django never
        sends m2m_changed with it), ``descriptor`` (``Pizza.toppings``: the field's
        descriptor, not its through model), or ``unknown``."""
        sender = connection.sender
        if sender is None:
            return "none"
        if self._names_through(sender):
            return "through"
        text = string_value(sender) or dotted_name(sender)
        if not text:
            return "unknown"
        name = text.rsplit(".", 1)[-1]
        models, through = self.model_names
        owner = text.rsplit(".", 2)[-2] if isinstance(sender, cst.Attribute) and "." in text else None
        if owner in models and name[:1].islower() and not string_value(sender):
            return "descriptor"
        if name in through:
            return "through"
        return "plain" if name in models else "unknown"

    def _names_through(self, sender) -> bool:
        if isinstance(sender, cst.Attribute) and sender.attr.value == "through":
            return True
        if isinstance(sender, cst.Name):  # Through = Pizza.toppings.through; sender=Through
            values = self.facts.module_values.get(sender.value, [])
            return bool(values) and all(self._names_through(value) for value in values)
        return False

    @cached_property
    def model_names(self) -> tuple:
        """(model class names, names used as ``through=``): this module's, and the project's."""
        models = {info.name for info in self.facts.classes if info.bases}
        through = set()
        for call in self.facts.calls:
            value = keyword_arg(call.node, "through")
            text = (string_value(value) or dotted_name(value)) if value is not None else None
            if text:
                through.add(text.rsplit(".", 1)[-1])
        if self.app is not None:
            project_models, project_through = self.app.model_index()
            models |= project_models
            through |= project_through
        return frozenset(models), frozenset(through)

    # -- start-up reachability ----------------------------------------------------------

    @cached_property
    def startup_functions(self) -> set:
        """ids of functions that run when the app starts: AppConfig methods, what module-level
        code calls, and (project) what ready() reaches in other modules; with their callees."""
        facts = self.facts
        roots = facts.import_time_roots()
        # class_prepared fires while models are imported: its receivers run at start-up.
        roots.extend(
            connection.receiver.function
            for connection in facts.connections
            if connection.signal.qualname == CLASS_PREPARED and connection.receiver.function is not None
        )
        if self.app is not None:
            roots.extend(self.app.startup_entry_points(facts))
        return set(facts.reachable_from(roots))

    def defers_to_commit(self, function: Function) -> bool:
        """Whether a decorator of ``function`` (a project function: here, or imported from
        a project module) runs it through ``transaction.on_commit``: then its whole body
        runs after the commit (``@on_transaction_commit`` wrappers)."""
        for decorator in function.decorators:
            target = decorator_target(decorator)
            name = dotted_name(target)
            if not name or name.rsplit(".", 1)[-1] in ("receiver", "staticmethod", "classmethod"):
                continue
            found = self._project_function(name)
            if found is not None and _calls_on_commit(*found):
                return True
        return False

    def _project_function(self, name: str) -> Optional[tuple]:
        """(facts, function) of a module-level function this module names, here or in a
        project module it imports."""
        local = self.facts.module_functions.get(name)
        if local is not None:
            return self.facts, local
        if self.app is None or name.split(".")[0] not in self.facts.imports.aliases:
            return None
        qualname = self.facts.imports.resolve_dotted(name)
        module, _, short = self.app.absolute(qualname, self.facts).rpartition(".")
        other = self.app.facts_of(module, need=short) if module and self.app.is_project_module(module) else None
        function = other.module_functions.get(short) if other is not None else None
        return (other, function) if function is not None else None

    def in_test_code(self, function: Optional[Function]) -> bool:
        """Whether code runs only under a test runner: a test module, a test class
        (``SimpleTestCase``/``TestCase``/``unittest.TestCase`` or pytest's ``Test*``),
        a test function, or a pytest fixture or hook."""
        if self.is_test_module:
            return True
        for scope in function.ancestors() if function is not None else ():
            if scope.name.startswith(("test_", "pytest_")) or _is_fixture(scope):
                return True
            if scope.cls is not None and _is_test_class(scope.cls):
                return True
        return False

    @cached_property
    def checks_functions(self) -> set:
        """ids of functions that run when the URLconf or template tags are imported
        (wherever Django runs its system checks), with their callees in this module."""
        if self.app is None:
            return set()
        return set(self.facts.reachable_from(self.app.checks_entry_points(self.facts)))

    def runs_with_checks(self, function: Function) -> bool:
        return any(id(f) in self.checks_functions for f in function.ancestors())

    def runs_at_startup(self, function: Function) -> bool:
        return any(id(f) in self.startup_functions for f in function.ancestors())

    # -- request and task time -----------------------------------------------------------

    def runs_while_serving(self, function: Optional[Function]) -> Optional[ServingTime]:
        """Evidence that ``function`` runs while web or task worker processes serve
        (see ``ServingTime``), with no evidence that it runs at start-up, when system
        checks load the URLconf, in a test, a migration or a management command;
        ``None`` when that is not established."""
        if function is None or not self._serving_roots:
            return None
        if self.runs_at_startup(function) or self.runs_with_checks(function) or self.in_test_code(function):
            return None
        for scope in function.ancestors():
            found = self._serving_functions.get(id(scope))
            if found is not None:
                return found
        return None

    @cached_property
    def _serving_functions(self) -> dict:
        """id(function) -> ServingTime for the roots and what they call in this module,
        each with the first root that reaches it."""
        found: dict = {}
        stack = list(self._serving_roots.items())
        stack.reverse()
        while stack:
            key, serving = stack.pop()
            if key in found:
                continue
            found[key] = serving
            function = self._functions_by_id[key]
            for _, callee in self.facts.function_calling(function):
                if id(callee) not in found:
                    stack.append((id(callee), serving))
        return found

    @cached_property
    def _functions_by_id(self) -> dict:
        return {id(function): function for function in self.facts.functions}

    @cached_property
    def _serving_roots(self) -> dict:
        """id(function) -> ServingTime for the functions of this module that the module
        or the project shows to run per request or per task: views (a function whose
        first parameter is ``request`` in a views module; any method of a class whose
        base is named like a view), middleware (a ``request`` handler in a middleware
        module, or in a class the settings list in ``MIDDLEWARE``) and tasks (a task
        decorator of a queue library, ``@app.task``)."""
        if self.is_migration or self.is_test_module or is_management_command_path(self.path):
            return {}
        module_kind = request_module_kind(self.path)
        views = self._view_classes
        middleware = self._listed_middleware if self.app is not None else frozenset()
        roots: dict = {}
        for function in self.facts.functions:
            why = self._task_decorator(function)
            if why is not None:
                roots[id(function)] = ServingTime("task", function, why)
                continue
            instance_method = function.is_method and not (function.is_classmethod or function.is_staticmethod)
            bound = 1 if function.is_method and not function.is_staticmethod else 0  # self or cls
            handles_request = function.params.positional[bound : bound + 1] == ["request"]
            cls = function.cls
            if handles_request and module_kind == "views":
                why = "a view in a views module"
            elif handles_request and module_kind == "middleware":
                why = "a request handler in a middleware module"
            elif handles_request and cls is not None and id(cls) in middleware:
                why = f"a method of `{cls.name}`, which the settings list in MIDDLEWARE"
            elif cls is not None and id(cls) in views and instance_method and function.name not in CLASS_HOOKS:
                why = f"a method of view `{cls.name}`"
            else:
                continue
            roots[id(function)] = ServingTime("request", function, why)
        return roots

    def _task_decorator(self, function: Function) -> Optional[str]:
        for decorator in function.decorators:
            target = decorator_target(decorator)
            written = dotted_name(target)
            imports = self.facts.imports
            if written and is_task_decorator(written, imports.resolve_dotted(written), imports.is_imported(target)):
                return f"a task (`@{written}`)"
        return None

    @cached_property
    def _view_classes(self) -> frozenset:
        """ids of this module's classes with a base named like a view, or deriving from
        such a class of this module."""
        views: set = set()
        changed = True
        while changed:
            changed = False
            for info in self.facts.classes:
                if id(info) in views:
                    continue
                for base in info.bases:
                    name = dotted_name(base) or ""
                    local = self.facts.module_classes.get(name)
                    if looks_like_view(name) or (local is not None and id(local) in views):
                        views.add(id(info))
                        changed = True
                        break
        return frozenset(views)

    @cached_property
    def _listed_middleware(self) -> frozenset:
        """ids of this module's classes that the settings list in ``MIDDLEWARE``."""
        module = self.facts.module_name
        if self.app is None or not module:
            return frozenset()
        listed = self.app.middleware_classes()
        found = set()
        for info in self.facts.classes:
            if info.name in self.facts.module_classes and _names_class(listed, f"{module}.{info.name}"):
                found.add(id(info))
        return frozenset(found)

    # -- connect/disconnect pairing ----------------------------------------------------

    def connected_only_for_a_while(self, receiver: Receiver) -> bool:
        """Whether every connection of a receiver is undone where it is managed (see
        ``is_paired_with_disconnect``): it runs only around some work (``connect()``,
        ``createsuperuser``, ``disconnect()`` in ``finally``), not on every save."""
        return bool(receiver.connections) and all(self.is_paired_with_disconnect(c) for c in receiver.connections)

    def is_paired_with_disconnect(self, connection: Connection) -> bool:
        """Whether the same receiver is disconnected from the same signal where its
        connection is managed: the same function (finally, after yield), the same class
        (setUp/tearDown, __enter__/__exit__, start/stop), or module functions of a pair."""
        key = connection.receiver.key
        for disconnection in self.disconnections:
            if disconnection.signal.qualname != connection.signal.qualname:
                continue
            if disconnection.receiver_key != key and not (
                connection.dispatch_uid and disconnection.dispatch_uid == connection.dispatch_uid
            ):
                continue
            if _same_owner(connection.function, disconnection.function) and (
                connection.function is disconnection.function
                or not self._connects_in(disconnection.function, connection)
            ):
                return True
        return False

    def is_reconnected(self, disconnection: Disconnection) -> bool:
        """Whether a ``connect()`` of the same signal and receiver (or dispatch_uid) sits
        where the disconnection is managed: the same function (a reconnect, or a
        temporary receiver it connected itself), a method of the same class, or the other
        module function of an on/off pair. A connection made at start-up is where the
        receiver came from, not a reconnect."""
        function = disconnection.function
        for connection in self.connections:
            if connection.signal.qualname != disconnection.signal.qualname:
                continue
            same_receiver = disconnection.receiver_key is not None and connection.receiver.key == disconnection.receiver_key
            if not same_receiver and not (disconnection.dispatch_uid and connection.dispatch_uid == disconnection.dispatch_uid):
                continue
            if not _same_owner(connection.function, function):
                continue
            if connection.function is function:
                return True
            if not self.runs_at_startup(connection.function) and not self._disconnects_in(connection.function, disconnection):
                return True
        return False

    def _disconnects_in(self, function: Optional[Function], disconnection: Disconnection) -> bool:
        """Whether ``function`` disconnects the same receiver itself: then its connect()
        is the other half of its own pair (``try: ... finally:``), not the reconnect of
        another function's disconnection."""
        return any(
            other.function is function
            and other.signal.qualname == disconnection.signal.qualname
            and (
                (other.receiver_key is not None and other.receiver_key == disconnection.receiver_key)
                or (other.dispatch_uid is not None and other.dispatch_uid == disconnection.dispatch_uid)
            )
            for other in self.disconnections
        )

    def _connects_in(self, function: Optional[Function], connection: Connection) -> bool:
        """Whether ``function`` connects the same receiver itself: then it is its own
        connect/disconnect pair, not the off-switch of another function."""
        return any(
            other.function is function
            and other.signal.qualname == connection.signal.qualname
            and other.receiver.key == connection.receiver.key
            for other in self.connections
        )


def _calls_on_commit(facts: ModuleFacts, function: Function) -> bool:
    """Whether ``function`` (or a function nested in it) calls transaction.on_commit."""
    return any(
        call.qualname in ON_COMMIT and call.function is not None and any(f is function for f in call.function.ancestors())
        for call in facts.calls
    )


def _names_class(listed: frozenset, qualname: str) -> bool:
    """Whether a dotted name in the settings names the class ``qualname``: the same, or
    one of them longer by the packages above the project's import root."""
    return any(name == qualname or name.endswith("." + qualname) or qualname.endswith("." + name) for name in listed)


def _is_test_class(cls) -> bool:
    if cls.name.startswith("Test") or cls.name.endswith(("Test", "Tests", "TestCase")):
        return True
    return any((dotted_name(base) or "").endswith(("TestCase", "TestMixin")) for base in cls.bases)


def _is_fixture(function: Function) -> bool:
    for decorator in function.decorators:
        target = decorator_target(decorator)
        if (dotted_name(target) or "").rsplit(".", 1)[-1] == "fixture":
            return True
    return False


def _same_owner(connected_in: Optional[Function], disconnected_in: Optional[Function]) -> bool:
    if connected_in is None or disconnected_in is None:
        return connected_in is disconnected_in
    if connected_in is disconnected_in:
        return True
    top_a = _outermost(connected_in)
    top_b = _outermost(disconnected_in)
    if top_a is top_b:
        return True
    if top_a.cls is not None or top_b.cls is not None:
        return top_a.cls is not None and top_a.cls is top_b.cls
    return True  # two module-level functions: an enable()/disable() pair


def _outermost(function: Function) -> Function:
    *_, last = function.ancestors()
    return last
