"""One pass over a libcst module that turns it into a small model of its signal wiring.

The walk (``_Collector``) records raw facts in source order: imports, functions,
classes, every call with its context (enclosing function, statement path, the ``if``
tests guarding it, the calls whose arguments contain it). ``ModuleFacts`` then
resolves names once all imports are known and classifies signals, connections,
disconnections and receivers. Rules only read this model.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Iterable, Iterator, Optional

import libcst as cst

from ..source import django_names as dn
from ..source.syntax import (
    argument,
    attribute_names,
    decorator_target,
    dotted_name,
    ends_in_exit,
    is_none,
    iter_elements,
    keyword_arg,
    literal_bool,
    normalized,
    positional_args,
    string_value,
)

# ---------------------------------------------------------------------------
# Imports


class ImportTable:
    """Local name -> qualified name, from every import in the module."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}

    def add(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.aliases[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    self.aliases.setdefault(head, head)
        elif isinstance(node, cst.ImportFrom):
            module = dotted_name(node.module) if node.module is not None else None
            base = "." * len(node.relative) + (module or "")
            if isinstance(node.names, cst.ImportStar):
                self._add_star(base)
                return
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self.aliases[local] = join_module(base, name)

    def _add_star(self, module: str) -> None:
        for name in dn.BUILTIN_SIGNALS.get(module, ()):
            self.aliases.setdefault(name, f"{module}.{name}")
        if module == "django.db.models":
            self.aliases.setdefault("signals", "django.db.models.signals")
        if module == "django.dispatch":
            self.aliases.setdefault("receiver", "django.dispatch.receiver")
            self.aliases.setdefault("Signal", "django.dispatch.Signal")

    def resolve_dotted(self, dotted: str) -> str:
        head, dot, rest = dotted.partition(".")
        base = self.aliases.get(head)
        if base is None:
            return dotted
        return f"{base}.{rest}" if dot else base

    def resolve(self, node: cst.CSTNode) -> Optional[str]:
        dotted = dotted_name(node)
        return self.resolve_dotted(dotted) if dotted is not None else None

    def is_imported(self, node: cst.CSTNode) -> bool:
        dotted = dotted_name(node)
        return dotted is not None and dotted.split(".")[0] in self.aliases


def join_module(base: str, name: str) -> str:
    if not base or base.endswith("."):
        return base + name
    return f"{base}.{name}"


# ---------------------------------------------------------------------------
# The model


GETATTR_FLAG = "getattr:"
CLASS_HOOKS = frozenset({"__init_subclass__", "__set_name__", "contribute_to_class"})
METACLASS_BASES = frozenset({"type", "ABCMeta", "ModelBase"})


@dataclass(frozen=True)
class Guard:
    """The test of an ``if`` that encloses (or by an early exit precedes) a statement."""

    mentions: frozenset  # names, attribute names, string keys read by the test
    flag_attributes: frozenset  # attributes read by the test: "attr", or "getattr:attr" via getattr/hasattr
    test: Optional[cst.BaseExpression] = field(default=None, compare=False)
    holds: bool = True  # the statement runs only when the test is true (False: only when false)

    def negated(self) -> "Guard":
        """The same test guarding the ``else`` branch (or what follows an early exit)."""
        return Guard(self.mentions, self.flag_attributes, self.test, not self.holds)


@dataclass
class Params:
    positional: list[str]  # in order, including self/cls
    keyword_only: list[str]
    var_positional: Optional[str]
    var_keyword: Optional[str]

    @property
    def all_names(self) -> list[str]:
        names = self.positional + self.keyword_only
        return names + [n for n in (self.var_positional, self.var_keyword) if n]


@dataclass
class Function:
    name: str
    qualname: str
    node: cst.FunctionDef
    parent: Optional["Function"]
    cls: Optional["ClassInfo"]
    params: Params
    is_async: bool
    is_method: bool
    calls: list["CallSite"] = field(default_factory=list)
    nested: dict[str, "Function"] = field(default_factory=dict)
    name_reads: dict[str, int] = field(default_factory=dict)
    key_reads: list = field(default_factory=list)  # (base name, "key") for each x["key"]
    assigned_attributes: set = field(default_factory=set)
    attribute_sets: list = field(default_factory=list)  # (owner name, attr, order) for owner.attr = ...
    attribute_uses: dict = field(default_factory=dict)  # attr -> times read, deleted or set (getattr too)
    local_values: dict[str, list] = field(default_factory=dict)  # name -> assigned values
    loop_sources: dict[str, list] = field(default_factory=dict)  # name -> LoopSource of each ``for name in ...``
    aug_assigns: list["AugAssignSite"] = field(default_factory=list)
    globals: set = field(default_factory=set)
    returned: list = field(default_factory=list)  # per return: a name, "<lambda>", "<partial>" or "<other>"
    return_values: list = field(default_factory=list)  # per return: the expression returned (None: bare return)
    has_yield: bool = False
    top_index: int = -1  # index of the module-level statement that contains it
    decorators: list[cst.Decorator] = field(default_factory=list)
    _rebound: Optional[dict] = field(default=None, repr=False, compare=False)

    def rebinds(self, name: str) -> bool:
        """Whether the body binds ``name`` again anywhere (so a parameter may not keep
        the value it was called with); read from the tree on first use."""
        return name in self._stores()

    def bindings_of(self, name: str) -> int:
        """In how many places the body (nested scopes included) binds ``name``."""
        return self._stores().get(name, 0)

    def binds_once(self, name: str) -> bool:
        """Whether the body (nested scopes included) binds ``name`` in exactly one place
        and it is not a parameter: the name holds what that one binding gave it."""
        return self._stores().get(name) == 1 and name not in self.params.all_names and name not in self.globals

    def _stores(self) -> dict:
        if self._rebound is None:
            self._rebound = stored_name_counts(self.node.body)
        return self._rebound

    @property
    def is_staticmethod(self) -> bool:
        return any(dotted_name(d.decorator) == "staticmethod" for d in self.decorators)

    @property
    def is_classmethod(self) -> bool:
        return any(dotted_name(d.decorator) == "classmethod" for d in self.decorators)

    def instance_parameter(self) -> Optional[str]:
        """The receiver's ``instance``: a parameter so named, or the second positional one."""
        names = self.params.positional
        if self.is_method and not self.is_staticmethod:
            names = names[1:]
        if "instance" in self.params.all_names:
            return "instance"
        return names[1] if len(names) > 1 else None

    def ancestors(self) -> Iterator["Function"]:
        function: Optional[Function] = self
        while function is not None:
            yield function
            function = function.parent


@dataclass(frozen=True)
class LoopSource:
    """A ``for name in iterable:`` loop of a function: what it iterates, where the loop
    statement is (a path like ``CallSite.path``) and the block id of its body (a call
    whose path holds that block runs inside the loop)."""

    iterable: cst.BaseExpression
    path: tuple
    body: int


@dataclass
class ClassInfo:
    name: str
    node: cst.ClassDef
    bases: list[cst.BaseExpression]
    methods: dict[str, Function] = field(default_factory=dict)
    is_app_config: bool = False


@dataclass
class CallSite:
    node: cst.Call
    function: Optional[Function]  # None: module level or a class body
    cls: Optional[ClassInfo]
    path: tuple  # ((block id, index), ...) from the module down to the statement
    guards: tuple  # Guard, outermost first
    outer_calls: tuple  # calls whose arguments contain this one, innermost last
    in_lambda: bool
    order: int = 0  # source order among the module's calls
    dotted: Optional[str] = None  # func as written, when it is a plain name chain
    qualname: Optional[str] = None  # dotted resolved through the imports

    @property
    def method(self) -> Optional[str]:
        func = self.node.func
        return func.attr.value if isinstance(func, cst.Attribute) else None

    @property
    def callee_name(self) -> Optional[str]:
        func = self.node.func
        if isinstance(func, cst.Attribute):
            return func.attr.value
        if isinstance(func, cst.Name):
            return func.value
        return None


@dataclass
class AugAssignSite:
    node: cst.AugAssign
    target: Optional[str]  # dotted target, "obj.count"
    path: tuple
    guards: tuple
    order: int  # calls recorded before it: compare with CallSite.order


@dataclass
class BlockInfo:
    kind: str  # "body", "finally", "except", "protected" (try body with finally), "try" (without)
    # For a try body without ``finally``: the blocks of its handlers that catch every
    # error (bare, ``Exception``, ``BaseException``), where the work it guards resumes.
    broad_handlers: tuple = ()


@dataclass(frozen=True)
class SignalRef:
    qualname: str
    text: str
    origin: str  # "builtin", "custom", "unknown"

    @property
    def is_model_signal(self) -> bool:
        return self.qualname in dn.MODEL_SIGNALS

    @property
    def short_name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass
class ReceiverRef:
    """What is passed as the receiver of a connection."""

    kind: str  # function, nested, lambda, partial, new_instance_method, self_method, imported, attribute, other
    node: Optional[cst.CSTNode]
    key: Optional[str]  # normalized text, for comparing receivers
    function: Optional[Function] = None  # the def in this module, when known
    qualname: Optional[str] = None  # imported receivers: the qualified name
    value_kind: Optional[str] = None  # "local" receivers: lambda, partial, new_instance_method, factory

    @property
    def is_fresh_object(self) -> bool:
        return self.kind in ("lambda", "partial", "nested", "new_instance_method", "factory")


@dataclass
class Connection:
    kind: str  # "connect" or "decorator"
    report_node: cst.CSTNode  # the connect() call or the @receiver decorator
    signal: SignalRef
    receiver: ReceiverRef
    sender: Optional[cst.BaseExpression]
    sender_key: Optional[str]
    dispatch_uid: Optional[str]  # normalized, None when not given
    weak: Optional[bool]  # False only when literally weak=False; None when not literal
    call: Optional[CallSite]  # for connect(); None for decorators
    function: Optional[Function]  # where the connection is made
    cls: Optional[ClassInfo]
    path: tuple
    order: int = 0  # source order, for "the second connection"
    module: "ModuleFacts" = field(repr=False, default=None)  # type: ignore[assignment]


@dataclass
class Disconnection:
    report_node: cst.Call
    signal: SignalRef
    receiver_key: Optional[str]
    sender: Optional[cst.BaseExpression]
    sender_key: Optional[str]
    dispatch_uid: Optional[str]
    call: CallSite
    function: Optional[Function]
    cls: Optional[ClassInfo]
    receiver: Optional[ReceiverRef] = None  # what is disconnected; None when not given


@dataclass
class SignalDefinition:
    name: str
    call: cst.Call


@dataclass
class Receiver:
    """A function of this module that is connected to at least one signal."""

    function: Function
    connections: list[Connection] = field(default_factory=list)

    @property
    def signals(self) -> list[SignalRef]:
        seen: dict[str, SignalRef] = {}
        for connection in self.connections:
            seen.setdefault(connection.signal.qualname, connection.signal)
        return list(seen.values())

    def listens_to(self, *short_names: str) -> bool:
        return any(s.is_model_signal and s.short_name in short_names for s in self.signals)


# ---------------------------------------------------------------------------
# The walk


# Fields that never hold an expression worth walking (white space, brackets, commas...).
_PUNCTUATION_FIELDS = (
    "whitespace",
    "lpar",
    "rpar",
    "comma",
    "semicolon",
    "equal",
    "colon",
    "lbracket",
    "rbracket",
    "lbrace",
    "rbrace",
    "dot",
    "operator",
    "star",
    "header",
    "footer",
    "leading_lines",
    "lines_after",
    "asynchronous",
    "prefix",
    "quote",
    "start",
    "end",
)
_LEAVES = (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.FormattedStringText)
_CHILD_FIELDS: dict = {}


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The children of a node that can contain expressions, without libcst's visitor
    machinery (which also visits every token of white space)."""
    cls = type(node)
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = _CHILD_FIELDS[cls] = tuple(
            f.name for f in dataclass_fields(cls) if not f.name.startswith(_PUNCTUATION_FIELDS)
        )
    for name in fields:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


# Where a name is bound by a statement other than a plain read: the targets of
# assignments, loops, ``with ... as``, ``except ... as``, ``:=``, ``del``, match captures,
# and the names ``global``/``nonlocal`` declare.
_STORE_TARGETS = (
    (cst.AssignTarget, "target"),
    (cst.AnnAssign, "target"),
    (cst.AugAssign, "target"),
    (cst.For, "target"),
    (cst.CompFor, "target"),
    (cst.AsName, "name"),
    (cst.NamedExpr, "target"),
    (cst.Del, "target"),
    (cst.MatchAs, "name"),
    (cst.MatchStar, "name"),
    (cst.MatchMapping, "rest"),
)


def stored_names(node: cst.CSTNode) -> frozenset:
    """Every name a body (nested scopes included) may bind again. An attribute or item
    target (``x.a = ...``, ``x[i] = ...``) binds no name."""
    return frozenset(stored_name_counts(node))


def stored_name_counts(node: cst.CSTNode) -> dict:
    """``stored_names`` with how many places bind each name."""
    found: Counter = Counter()
    stack = [node]
    while stack:
        current = stack.pop()
        for kind, attribute in _STORE_TARGETS:
            if isinstance(current, kind):
                target = getattr(current, attribute)
                if target is not None:
                    found.update(_bound_by(target))
        if isinstance(current, (cst.Global, cst.Nonlocal)):
            found.update(item.name.value for item in current.names)
        elif isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            found[current.name.value] += 1
        elif isinstance(current, cst.ImportAlias):
            bound = current.asname.name if current.asname is not None else current.name
            found[(dotted_name(bound) or "").split(".")[0]] += 1
        if not isinstance(current, _LEAVES):
            stack.extend(child_nodes(current))
    return dict(found)


def _bound_by(target: cst.CSTNode) -> Iterator[str]:
    """The names a target binds: ``a``, ``a, (b, *c)``; none for ``a.b`` or ``a[i]``."""
    stack = [target]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current.value
        elif isinstance(current, (cst.Tuple, cst.List)):
            stack.extend(element.value for element in current.elements)
        elif isinstance(current, cst.StarredElement):
            stack.append(current.value)
        elif isinstance(current, cst.Del):
            stack.append(current.target)


class _ExpressionScanner:
    """Collects the calls and name reads of one expression (lambdas included)."""

    def __init__(self, collector: "_Collector", context: "_Context") -> None:
        self.collector = collector
        self.context = context
        self.function = context.function
        self.outer: list[cst.Call] = []
        self.lambda_depth = 0

    def visit(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind is cst.Name:
            if self.function is not None:
                reads = self.function.name_reads
                reads[node.value] = reads.get(node.value, 0) + 1
        elif kind is cst.Attribute:
            if self.function is not None:
                uses = self.function.attribute_uses
                uses[node.attr.value] = uses.get(node.attr.value, 0) + 1
            self.visit(node.value)  # ``attr`` is not a variable
        elif kind is cst.Call:
            self._record_getattr(node)
            self.collector.add_call(node, self.context, tuple(self.outer), self.lambda_depth > 0)
            self.outer.append(node)
            self.visit(node.func)
            for arg in node.args:
                self.visit(arg.value)
            self.outer.pop()
        elif kind is cst.NamedExpr:
            # ``(handler := partial(...))`` binds the name, like an assignment; inside a
            # lambda the name is the lambda's own.
            if self.lambda_depth == 0:
                self.collector.record_target(node.target, node.value, self.context)
            self.visit(node.value)
        elif kind is cst.Lambda:
            self.lambda_depth += 1
            self.visit(node.params)
            self.visit(node.body)
            self.lambda_depth -= 1
        elif isinstance(node, _LEAVES):
            return
        else:
            if kind is cst.Subscript:
                self._record_key(node)
            elif kind is cst.Yield and self.function is not None and self.lambda_depth == 0:
                self.function.has_yield = True
            for child in child_nodes(node):
                self.visit(child)

    def _record_getattr(self, node: cst.Call) -> None:
        """``getattr(obj, "flag")`` and friends use an attribute like ``obj.flag`` does."""
        if self.function is None or not isinstance(node.func, cst.Name):
            return
        if node.func.value in ("getattr", "hasattr", "setattr", "delattr") and len(node.args) >= 2:
            name = string_value(node.args[1].value)
            if name is not None:
                uses = self.function.attribute_uses
                uses[name] = uses.get(name, 0) + 1
                if node.func.value == "setattr" and isinstance(node.args[0].value, cst.Name):
                    order = len(self.collector.facts.calls)
                    self.function.attribute_sets.append((node.args[0].value.value, name, order))

    def _record_key(self, node: cst.Subscript) -> None:
        function = self.function
        if function is None or not isinstance(node.value, cst.Name) or len(node.slice) != 1:
            return
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            key = string_value(index.value)
            if key is not None:
                function.key_reads.append((node.value.value, key))


@dataclass
class _Context:
    function: Optional[Function]
    cls: Optional[ClassInfo]
    path: tuple
    guards: tuple


class _Collector:
    def __init__(self, facts: "ModuleFacts") -> None:
        self.facts = facts
        self._next_block = 0

    # -- blocks and statements -------------------------------------------------

    def new_block(self, kind: str) -> int:
        self._next_block += 1
        self.facts.blocks[self._next_block] = BlockInfo(kind)
        return self._next_block

    def walk_block(self, statements, context: _Context, kind: str = "body") -> None:
        block = self.new_block(kind)
        guards = context.guards
        for index, statement in enumerate(statements):
            here = _Context(context.function, context.cls, context.path + ((block, index),), guards)
            self.walk_statement(statement, here)
            guard = _early_exit_guard(statement)
            if guard is not None:
                guards = guards + (guard,)

    def walk_suite(self, suite: cst.BaseSuite, context: _Context, kind: str = "body") -> None:
        self.walk_block(suite.body, context, kind)

    def walk_statement(self, node: cst.CSTNode, context: _Context) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.walk_small(small, context)
        elif isinstance(node, cst.FunctionDef):
            self.walk_function(node, context)
        elif isinstance(node, cst.ClassDef):
            self.walk_class(node, context)
        elif isinstance(node, cst.If):
            self.walk_if(node, context)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            self.walk_try(node, context)
        elif isinstance(node, (cst.For, cst.While)):
            self.scan(node.iter if isinstance(node, cst.For) else node.test, context)
            if isinstance(node, cst.For):
                self.scan(node.target, context)
                if context.function is not None and isinstance(node.target, cst.Name):
                    loop = LoopSource(node.iter, context.path, self._next_block + 1)  # the body's block, made next
                    context.function.loop_sources.setdefault(node.target.value, []).append(loop)
            self.walk_suite(node.body, context)
            if node.orelse is not None:
                self.walk_suite(node.orelse.body, context)
        elif isinstance(node, cst.With):
            for item in node.items:
                self.scan(item.item, context)
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    # with requests.Session() as session: the name holds what the item made
                    self.record_target(item.asname.name, item.item, context)
            self.walk_suite(node.body, context)
        elif isinstance(node, cst.Match):
            self.scan(node.subject, context)
            for case in node.cases:
                if case.guard is not None:
                    self.scan(case.guard, context)
                self.walk_suite(case.body, context)
        else:  # a small statement in a one-line suite
            self.walk_small(node, context)

    def walk_small(self, node: cst.CSTNode, context: _Context) -> None:
        function = context.function
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            self.facts.imports.add(node)
            return
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self.record_target(target.target, node.value, context)
            self.scan(node.value, context)
            return
        if isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self.record_target(node.target, node.value, context)
                self.scan(node.value, context)
            return
        if isinstance(node, cst.AugAssign):
            if function is not None:
                function.aug_assigns.append(
                    AugAssignSite(
                        node, dotted_name(node.target), context.path, context.guards, len(self.facts.calls)
                    )
                )
            self.scan(node.target, context)
            self.scan(node.value, context)
            return
        if isinstance(node, cst.Global):
            if function is not None:
                function.globals.update(item.name.value for item in node.names)
            return
        if isinstance(node, cst.Return) and function is not None:
            value = node.value
            function.return_values.append(value)
            if isinstance(value, cst.Name):
                function.returned.append(value.value)
            elif isinstance(value, cst.Lambda):
                function.returned.append("<lambda>")
            elif isinstance(value, cst.Call) and self.facts.imports.resolve(value.func) in dn.PARTIAL:
                function.returned.append("<partial>")
            else:
                function.returned.append("<other>")
        self.scan(node, context)

    def record_target(self, target: cst.CSTNode, value: cst.CSTNode, context: _Context) -> None:
        function = context.function
        if isinstance(target, cst.Name) and isinstance(value, cst.Call):
            # handlers = importlib.import_module("shop.handlers"): an import, as far as
            # following calls goes (handlers.on_saved() is shop.handlers.on_saved).
            if self.facts.imports.resolve(value.func) == "importlib.import_module" and len(value.args) == 1:
                module = string_value(value.args[0].value)
                if module and not module.startswith("."):
                    self.facts.imports.aliases[target.value] = module
        if isinstance(target, cst.Name):
            values = function.local_values if function is not None else self.facts.module_values
            if function is None and context.cls is not None:
                return  # class attributes are not module names
            values.setdefault(target.value, []).append(value)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.record_target(element.value, cst.Name("None"), context)
            return
        if isinstance(target, cst.Attribute) and function is not None:
            function.assigned_attributes.add(target.attr.value)
            if isinstance(target.value, cst.Name):
                function.attribute_sets.append((target.value.value, target.attr.value, len(self.facts.calls)))
        self.scan(target, context)

    def walk_if(self, node: cst.If, context: _Context) -> None:
        self.scan(node.test, context)
        guard = guard_of(node.test)
        inner = _Context(context.function, context.cls, context.path, context.guards + (guard,))
        self.walk_suite(node.body, inner)
        if node.orelse is not None:
            other = _Context(context.function, context.cls, context.path, context.guards + (guard.negated(),))
            if isinstance(node.orelse, cst.If):
                self.walk_if(node.orelse, other)
            else:
                self.walk_suite(node.orelse.body, other)

    def walk_try(self, node, context: _Context) -> None:
        body = self._next_block + 1  # the block walk_suite makes next
        self.walk_suite(node.body, context, "protected" if node.finalbody is not None else "try")
        broad = []
        for handler in node.handlers:
            if handler.type is None or dotted_name(handler.type) in ("Exception", "BaseException"):
                broad.append(self._next_block + 1)
            self.walk_suite(handler.body, context, "except")
        self.facts.blocks[body].broad_handlers = tuple(broad)
        if node.orelse is not None:
            self.walk_suite(node.orelse.body, context)
        if node.finalbody is not None:
            self.walk_suite(node.finalbody.body, context, "finally")

    def walk_function(self, node: cst.FunctionDef, context: _Context) -> None:
        for decorator in node.decorators:
            self.scan(decorator.decorator, context)
        self.scan(node.params, context)  # defaults and annotations run in the outer scope
        parent = context.function
        cls = context.cls if parent is None else None
        qualname = node.name.value
        if cls is not None:
            qualname = f"{cls.name}.{qualname}"
        elif parent is not None:
            qualname = f"{parent.qualname}.{qualname}"
        function = Function(
            name=node.name.value,
            qualname=qualname,
            node=node,
            parent=parent,
            cls=cls,
            params=params_of(node.params),
            is_async=node.asynchronous is not None,
            is_method=cls is not None,
            decorators=list(node.decorators),
            top_index=context.path[0][1] if context.path else -1,
        )
        self.facts.functions.append(function)
        if parent is not None:
            parent.nested[function.name] = function
        elif cls is not None:
            cls.methods[function.name] = function
        else:
            self.facts.module_functions[function.name] = function
        inner = _Context(function, None, context.path, ())
        self.walk_suite(node.body, inner)

    def walk_class(self, node: cst.ClassDef, context: _Context) -> None:
        for decorator in node.decorators:
            self.scan(decorator.decorator, context)
        for arg in node.bases:
            self.scan(arg.value, context)
        info = ClassInfo(node.name.value, node, [arg.value for arg in node.bases if not arg.keyword])
        self.facts.classes.append(info)
        if context.function is None and context.cls is None:
            self.facts.module_classes[info.name] = info
        inner = _Context(context.function, info, context.path, context.guards)
        if context.function is not None:
            # A class inside a function: its methods are still methods of that class.
            inner = _Context(None, info, context.path, ())
        self.walk_suite(node.body, inner)

    # -- expressions -------------------------------------------------------------

    def scan(self, node: cst.CSTNode, context: _Context) -> None:
        _ExpressionScanner(self, context).visit(node)

    def add_call(self, node: cst.Call, context: _Context, outer: tuple, in_lambda: bool) -> None:
        site = CallSite(
            node=node,
            function=context.function,
            cls=context.cls,
            path=context.path,
            guards=context.guards,
            outer_calls=outer,
            in_lambda=in_lambda,
            order=len(self.facts.calls),
            dotted=dotted_name(node.func),
        )
        self.facts.calls.append(site)
        if context.function is not None:
            context.function.calls.append(site)


def params_of(params: cst.Parameters) -> Params:
    positional = [p.name.value for p in (*params.posonly_params, *params.params)]
    star = params.star_arg
    var_positional = star.name.value if isinstance(star, cst.Param) else None
    var_keyword = params.star_kwarg.name.value if params.star_kwarg is not None else None
    return Params(positional, [p.name.value for p in params.kwonly_params], var_positional, var_keyword)


def guard_of(test: cst.BaseExpression) -> Guard:
    """What an ``if`` test reads: names, attribute names, string constants, and the
    attributes read through getattr/hasattr."""
    mentions: set = set()
    flags: set = set()
    stack = [test]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.Name:
            mentions.add(node.value)
        elif kind is cst.Attribute:
            mentions.add(node.attr.value)
            flags.add(node.attr.value)
        elif kind is cst.SimpleString:
            value = string_value(node)
            if value is not None:
                mentions.add(value)
        elif kind is cst.Call and dotted_name(node.func) in ("getattr", "hasattr"):
            name = string_value(argument(node, 1, "name"))
            if name is not None:
                flags.add(GETATTR_FLAG + name)
        if kind is cst.Attribute:
            stack.append(node.value)
        elif not isinstance(node, _LEAVES):
            stack.extend(child_nodes(node))
    return Guard(frozenset(mentions), frozenset(flags), test)


def _early_exit_guard(statement: cst.CSTNode) -> Optional[Guard]:
    """``if not created: return`` guards every statement after it."""
    if isinstance(statement, cst.If) and statement.orelse is None and ends_in_exit(statement.body):
        return guard_of(statement.test).negated()
    return None


# ---------------------------------------------------------------------------
# Resolution


class ModuleFacts:
    """The signal wiring of one module."""

    def __init__(self, module: cst.Module, path: str = "", module_name: Optional[str] = None) -> None:
        self.module = module
        self.path = path
        self.module_name = module_name  # dotted, when known from the file system
        self.blanked: frozenset = frozenset()  # functions whose bodies a skeleton parse left out
        self.imports = ImportTable()
        self.functions: list[Function] = []
        self.module_functions: dict[str, Function] = {}
        self.classes: list[ClassInfo] = []
        self.module_classes: dict[str, ClassInfo] = {}
        self.module_values: dict[str, list] = {}
        self.calls: list[CallSite] = []
        self.blocks: dict[int, BlockInfo] = {}
        self.signal_definitions: list[SignalDefinition] = []
        self.connections: list[Connection] = []
        self.disconnections: list[Disconnection] = []
        self.connect_decorators: list[tuple[cst.Decorator, SignalRef]] = []
        self.receiver_decorators: dict[int, list[cst.Decorator]] = {}  # id(FunctionDef) -> decorators
        _Collector(self).walk_block(module.body, _Context(None, None, (), ()))
        self._resolve()

    # -- classification ------------------------------------------------------------

    def _resolve(self) -> None:
        for call in self.calls:
            if call.dotted is not None:
                call.qualname = self.imports.resolve_dotted(call.dotted)
        self._find_signal_definitions()
        self._find_app_configs()
        for call in self.calls:
            self._classify_call(call)
        for function in self.functions:
            self._classify_decorators(function)

    def _find_signal_definitions(self) -> None:
        self.local_signals: set = set()
        for name, values in self.module_values.items():
            for value in values:
                if isinstance(value, cst.Call) and self.imports.resolve(value.func) in dn.SIGNAL_CLASSES:
                    self.signal_definitions.append(SignalDefinition(name, value))
                    self.local_signals.add(name)
        # Signals defined in a function or class body are still reported for SIG502.
        for call in self.calls:
            if call.qualname in dn.SIGNAL_CLASSES and not any(
                d.call is call.node for d in self.signal_definitions
            ):
                self.signal_definitions.append(SignalDefinition("", call.node))

    def _find_app_configs(self) -> None:
        by_name = {info.name: info for info in self.classes}
        changed = True
        while changed:  # subclasses of local AppConfig subclasses, in any order
            changed = False
            for info in self.classes:
                if info.is_app_config:
                    continue
                for base in info.bases:
                    qualname = self.imports.resolve(base) or ""
                    local = by_name.get(qualname)
                    if dn.looks_like_app_config(qualname) or (local is not None and local.is_app_config):
                        info.is_app_config = True
                        changed = True
                        break

    def signal_of(self, node: cst.CSTNode) -> Optional[SignalRef]:
        """The Django signal an expression names, or ``None``."""
        qualname = self.imports.resolve(node)
        if qualname is None:
            return None
        text = dotted_name(node) or qualname
        if qualname in self.local_signals:
            return SignalRef(self.qualify_local(qualname), text, "custom")
        if dn.is_builtin_signal(qualname):
            return SignalRef(qualname, text, "builtin")
        if self.imports.is_imported(node) and dn.is_project_signal_import(qualname):
            return SignalRef(qualname, text, "custom")
        return None

    def qualify_local(self, name: str) -> str:
        return f"{self.module_name}.{name}" if self.module_name else name

    def _classify_call(self, call: CallSite) -> None:
        func = call.node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("connect", "disconnect"):
            signal = self.signal_of(func.value)
            if signal is not None:
                if func.attr.value == "connect":
                    self._add_connection(call, signal)
                else:
                    self._add_disconnection(call, call.node, signal, 0)
                return
        # self.addCleanup(post_save.disconnect, handler, sender=Order)
        positional = positional_args(call.node)
        if positional and isinstance(positional[0], cst.Attribute) and positional[0].attr.value == "disconnect":
            signal = self.signal_of(positional[0].value)
            if signal is not None:
                self._add_disconnection(call, call.node, signal, 1)

    def _add_connection(self, call: CallSite, signal: SignalRef) -> None:
        node = call.node
        receiver_node = argument(node, 0, "receiver")
        sender = argument(node, 1, "sender")
        self.connections.append(
            Connection(
                kind="connect",
                report_node=node,
                signal=signal,
                receiver=self.receiver_ref(receiver_node, call.function),
                sender=None if is_none(sender) else sender,
                sender_key=sender_key(sender, self.imports),
                dispatch_uid=uid_key(argument(node, 3, "dispatch_uid")),
                weak=weak_value(argument(node, 2, "weak")),
                call=call,
                function=call.function,
                cls=call.cls,
                path=call.path,
                order=call.order,
                module=self,
            )
        )

    def _add_disconnection(self, call: CallSite, node: cst.Call, signal: SignalRef, offset: int) -> None:
        positional = positional_args(node)[offset:]
        receiver_node = keyword_arg(node, "receiver") or (positional[0] if positional else None)
        sender = keyword_arg(node, "sender") or (positional[1] if len(positional) > 1 else None)
        uid = keyword_arg(node, "dispatch_uid") or (positional[2] if len(positional) > 2 else None)
        self.disconnections.append(
            Disconnection(
                report_node=node,
                signal=signal,
                receiver_key=None if is_none(receiver_node) else normalized(receiver_node),
                sender=None if is_none(sender) else sender,
                sender_key=sender_key(sender, self.imports),
                dispatch_uid=uid_key(uid),
                call=call,
                function=call.function,
                cls=call.cls,
                receiver=None if is_none(receiver_node) else self.receiver_ref(receiver_node, call.function),
            )
        )

    def _classify_decorators(self, function: Function) -> None:
        receivers = []
        for decorator in function.decorators:
            expression = decorator.decorator
            call = expression if isinstance(expression, cst.Call) else None
            target = call.func if call is not None else expression
            if call is not None and self.imports.resolve(target) in dn.RECEIVER_DECORATORS:
                receivers.append(decorator)
                self._add_receiver_decorator(function, decorator, call)
            elif isinstance(target, cst.Attribute) and target.attr.value == "connect":
                signal = self.signal_of(target.value)
                if signal is not None:
                    self.connect_decorators.append((decorator, signal))
        if receivers:
            self.receiver_decorators[id(function.node)] = receivers

    def _add_receiver_decorator(self, function: Function, decorator: cst.Decorator, call: cst.Call) -> None:
        signals_node = argument(call, 0, "signal")
        if signals_node is None:
            return
        sender = keyword_arg(call, "sender")
        site = self._decorator_site(call)
        outer = function.parent
        reference = ReceiverRef(
            kind="nested" if outer is not None else "function",
            node=function.node.name,
            key=function.name,
            function=function,
        )
        for signal_node in iter_elements(signals_node):
            signal = self.signal_of(signal_node)
            if signal is None:
                # Whatever @receiver is given is a Django signal, even if we cannot name it.
                text = normalized(signal_node) or "?"
                signal = SignalRef(self.imports.resolve(signal_node) or text, text, "unknown")
            self.connections.append(
                Connection(
                    kind="decorator",
                    report_node=decorator,
                    signal=signal,
                    receiver=reference,
                    sender=None if is_none(sender) else sender,
                    sender_key=sender_key(sender, self.imports),
                    dispatch_uid=uid_key(keyword_arg(call, "dispatch_uid")),
                    weak=weak_value(keyword_arg(call, "weak")),
                    call=None,
                    function=outer,
                    cls=function.cls if outer is None else None,
                    path=site.path if site is not None else (),
                    order=site.order if site is not None else 0,
                    module=self,
                )
            )

    def _decorator_site(self, call: cst.Call) -> Optional[CallSite]:
        if not hasattr(self, "_sites"):
            self._sites = {id(site.node): site for site in self.calls}
        return self._sites.get(id(call))

    def receiver_ref(self, node: Optional[cst.CSTNode], scope: Optional[Function]) -> ReceiverRef:
        key = normalized(node)
        if node is None:
            return ReceiverRef("other", None, None)
        fresh = self._fresh_value_kind(node, scope)
        if fresh in ("lambda", "partial", "factory"):
            return ReceiverRef(fresh, node, key)
        if isinstance(node, cst.Call):
            return ReceiverRef("other", node, key)
        if isinstance(node, cst.NamedExpr):
            # connect(handler := partial(...)): the object is the one the name now holds
            return self.receiver_ref(node.target, scope)
        if isinstance(node, cst.Name):
            for function in scope.ancestors() if scope is not None else ():
                nested = function.nested.get(node.value)
                if nested is not None:
                    return ReceiverRef("nested", node, key, nested)
                if node.value in function.local_values and node.value not in function.params.all_names:
                    values = function.local_values[node.value]
                    kinds = {self._fresh_value_kind(value, function) for value in values}
                    value_kind = kinds.pop() if len(kinds) == 1 else None
                    return ReceiverRef("local", node, key, value_kind=value_kind)
            function = self.module_functions.get(node.value)
            if function is not None:
                return ReceiverRef("function", node, key, function)
            qualname = self.imports.resolve(node)
            if self.imports.is_imported(node):
                return ReceiverRef("imported", node, key, qualname=qualname)
            return ReceiverRef("other", node, key)
        if isinstance(node, cst.Attribute):
            owner = node.value
            if isinstance(owner, cst.Name) and owner.value in ("self", "cls"):
                method = self.method_of(scope, node.attr.value)
                return ReceiverRef("self_method", node, key, method)
            if isinstance(owner, cst.Call) and self.looks_like_class(owner.func):
                return ReceiverRef("new_instance_method", node, key)
            if self.imports.is_imported(node):
                return ReceiverRef("imported", node, key, qualname=self.imports.resolve(node))
            return ReceiverRef("attribute", node, key)
        return ReceiverRef("other", node, key)

    def _fresh_value_kind(self, node: Optional[cst.CSTNode], scope: Optional[Function]) -> Optional[str]:
        """What new object an expression makes each time it runs: a lambda, a partial, a
        bound method of a new instance, or the result of a factory of this module that
        returns a nested def, a lambda or a partial (``make_handler(...)``)."""
        if isinstance(node, cst.Lambda):
            return "lambda"
        if isinstance(node, cst.Call):
            if self.imports.resolve(node.func) in dn.PARTIAL:
                return "partial"
            factory = self._factory_called(node.func, scope)
            if factory is not None and self.makes_fresh_callable(factory):
                return "factory"
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Call) and self.looks_like_class(node.value.func):
            return "new_instance_method"
        return None

    def _factory_called(self, func: cst.CSTNode, scope: Optional[Function]) -> Optional[Function]:
        """The function of this module a call in ``scope`` runs, as far as a factory goes:
        a def nested in the scope or an enclosing function, a method of the class called
        through ``self``/``cls``, or a module-level function. A name that is also a
        parameter, a local or global variable, or rebound at module level is not known."""
        if isinstance(func, cst.Name):
            name = func.value
            for function in scope.ancestors() if scope is not None else ():
                if name in function.local_values or name in function.params.all_names or name in function.globals:
                    return None
                nested = function.nested.get(name)
                if nested is not None:
                    return nested
            return None if name in self.module_values else self.module_functions.get(name)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            return self.method_of(scope, func.attr.value)
        return None

    def makes_fresh_callable(self, function: Function) -> bool:
        """A factory: every ``return`` gives a new object that nothing else keeps: a
        lambda, a partial, or a function defined inside it that only the ``return`` reads
        (not stored in a cache, an attribute or a global, nor given to a decorator that
        may keep it). A decorated factory (a cache), a generator or a coroutine function
        is not one."""
        if not function.returned or function.is_async or function.has_yield:
            return False
        if any(dotted_name(d.decorator) not in ("staticmethod", "classmethod") for d in function.decorators):
            return False
        inner = None
        for name in set(function.returned) - {"<lambda>", "<partial>"}:
            nested = function.nested.get(name)
            if nested is None or name in function.local_values or name in function.globals:
                return False
            for decorator in nested.decorators:
                target = decorator_target(decorator)
                if self.imports.resolve(target) not in dn.KEEPS_NOTHING_DECORATORS:
                    return False
            if inner is None:
                inner = self._nested_in(function)
            reads = function.name_reads.get(name, 0) + sum(f.name_reads.get(name, 0) for f in inner)
            if reads > function.returned.count(name):
                return False
        return True

    def looks_like_class(self, func: cst.CSTNode) -> bool:
        dotted = dotted_name(func)
        if dotted is None:
            return False
        last = dotted.rsplit(".", 1)[-1]
        return last in self.module_classes or last[:1].isupper()

    def method_of(self, scope: Optional[Function], name: str) -> Optional[Function]:
        for function in scope.ancestors() if scope is not None else ():
            if function.cls is not None:
                return self.find_method(function.cls, name)
        return None

    def find_method(self, cls: ClassInfo, name: str, _seen: Optional[set] = None) -> Optional[Function]:
        if name in cls.methods:
            return cls.methods[name]
        seen = _seen or set()
        seen.add(cls.name)
        for base in cls.bases:
            base_info = self.module_classes.get(dotted_name(base) or "")
            if base_info is not None and base_info.name not in seen:
                found = self.find_method(base_info, name, seen)
                if found is not None:
                    return found
        return None

    def statement_index(self) -> dict:
        """id(node) -> index of the module-level statement containing it, for the nodes
        findings are reported on (calls, defs, decorators, augmented assignments)."""
        index: dict = {}
        for call in self.calls:
            if call.path:
                index[id(call.node)] = call.path[0][1]
        for function in self.functions:
            index[id(function.node)] = function.top_index
            for decorator in function.decorators:
                index[id(decorator)] = function.top_index
            for assign in function.aug_assigns:
                if assign.path:
                    index[id(assign.node)] = assign.path[0][1]
        return index

    # -- views for the rules -------------------------------------------------------

    def callees(self, call: CallSite) -> Optional[Function]:
        """The function of this module a call runs, when we can tell."""
        func = call.node.func
        if isinstance(func, cst.Name):
            scope = call.function
            for function in scope.ancestors() if scope is not None else ():
                nested = function.nested.get(func.value)
                if nested is not None:
                    return nested
            if call.dotted is not None and call.qualname == call.dotted:
                return self.module_functions.get(func.value)
            return None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner = func.value.value
            if owner in ("self", "cls", "super"):
                return self.method_of(call.function, func.attr.value)
            cls = self.module_classes.get(owner)
            if cls is not None:
                return self.find_method(cls, func.attr.value)
        return None

    def module_level_calls(self) -> Iterable[CallSite]:
        return (call for call in self.calls if call.function is None)

    def import_time_roots(self) -> list:
        """Functions that run when the module is imported or its AppConfig is ready:
        AppConfig methods, what module-level code calls, and the hooks that run when a
        class is created (so when its module is imported)."""
        roots = [method for info in self.classes if info.is_app_config for method in info.methods.values()]
        roots += [callee for call in self.module_level_calls() if (callee := self.callees(call))]
        roots += self.class_creation_hooks()
        return roots

    def class_creation_hooks(self) -> list:
        """``__init_subclass__``, ``__set_name__``, ``contribute_to_class``, a metaclass's
        ``__new__``/``__init__``, and class decorators defined here (with the functions
        nested in them): they run when a class statement runs, at import time."""
        hooks = [
            method
            for info in self.classes
            for name, method in info.methods.items()
            if name in CLASS_HOOKS or (name in ("__new__", "__init__") and self._is_metaclass(info))
        ]
        for info in self.classes:
            for decorator in info.node.decorators:
                target = decorator_target(decorator)
                function = self.module_functions.get(dotted_name(target) or "")
                if function is not None:
                    hooks.append(function)
                    hooks.extend(self._nested_in(function))
        return hooks

    def _nested_in(self, function: Function) -> list:
        found = []
        stack = list(function.nested.values())
        while stack:
            nested = stack.pop()
            found.append(nested)
            stack.extend(nested.nested.values())
        return found

    def _is_metaclass(self, info: ClassInfo) -> bool:
        names = {(self.imports.resolve(base) or "").rsplit(".", 1)[-1] for base in info.bases}
        if names & METACLASS_BASES:
            return True
        return info.name in self._metaclass_names()

    def _metaclass_names(self) -> set:
        if not hasattr(self, "_metaclasses"):
            self._metaclasses = {
                dotted_name(arg.value).rsplit(".", 1)[-1]
                for info in self.classes
                for arg in info.node.keywords
                if arg.keyword is not None and arg.keyword.value == "metaclass" and dotted_name(arg.value)
            }
        return self._metaclasses

    def reachable_from(self, roots: Iterable[Function]) -> dict:
        """id -> function for ``roots`` and everything they call in this module."""
        seen: dict = {}
        stack = list(roots)
        while stack:
            function = stack.pop()
            if id(function) not in seen:
                seen[id(function)] = function
                stack.extend(callee for _, callee in self.function_calling(function))
        return seen

    def function_calling(self, function: Function) -> Iterator[tuple[CallSite, Function]]:
        for call in function.calls:
            callee = self.callees(call)
            if callee is not None:
                yield call, callee


def sender_key(node: Optional[cst.CSTNode], imports: ImportTable) -> Optional[str]:
    """A comparable form of a sender: resolved through imports; "app.Model" strings kept."""
    if is_none(node):
        return None
    value = string_value(node)
    if value is not None:
        return f"str:{value}"
    resolved = imports.resolve(node)  # type: ignore[arg-type]
    return resolved if resolved is not None else normalized(node)


def uid_key(node: Optional[cst.CSTNode]) -> Optional[str]:
    if is_none(node):
        return None
    value = string_value(node)
    return f"str:{value}" if value is not None else normalized(node)


def weak_value(node: Optional[cst.CSTNode]) -> Optional[bool]:
    if node is None:
        return True
    return literal_bool(node)


def in_deferred_work(call: CallSite, facts: ModuleFacts, wrappers: frozenset) -> bool:
    """Whether a call sits inside the arguments of one of ``wrappers`` (on_commit, sync_to_async)."""
    for outer in call.outer_calls:
        if facts.imports.resolve(outer.func) in wrappers:
            return True
    return False


__all__ = [
    "AugAssignSite",
    "CallSite",
    "ClassInfo",
    "Connection",
    "Disconnection",
    "Function",
    "Guard",
    "ImportTable",
    "ModuleFacts",
    "Receiver",
    "ReceiverRef",
    "SignalRef",
    "attribute_names",
    "in_deferred_work",
    "stored_names",
]
