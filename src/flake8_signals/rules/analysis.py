"""What a receiver's body does: blocking calls, ORM calls, enqueued tasks, guards.

Shared by the SIG3xx and SIG4xx rules. Everything here reads facts; nothing walks
the tree again except the arguments of a single call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

import libcst as cst

from ..module.facts import GETATTR_FLAG, CallSite, ClassInfo, Connection, Function, Guard, ModuleFacts, in_deferred_work
from ..source import django_names as dn
from ..source.syntax import (
    NOT_LITERAL,
    attribute_names,
    decorator_target,
    dotted_name,
    keyword_arg,
    literal_bool,
    literal_value,
    string_value,
)
from .context import Context

MANAGER_NAMES = frozenset({"objects", "_default_manager", "_base_manager"})


# -- what a single call is ------------------------------------------------------------


def call_text(call: CallSite) -> str:
    """How the call reads in the source, arguments left out: ``requests.get()``,
    ``msg.send()``, ``get_client().customers.delete()``."""
    if call.dotted is not None:
        return f"{call.dotted}()"
    written = _written(call.node.func)
    if written is not None:
        return f"{written}()"
    return f".{call.callee_name}()" if call.callee_name else "call()"


def _written(node: cst.CSTNode) -> Optional[str]:
    """A chain of names, attributes and calls as written, arguments left out."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        owner = _written(node.value)
        return f"{owner}.{node.attr.value}" if owner is not None else None
    if isinstance(node, cst.Call):
        func = _written(node.func)
        return f"{func}()" if func is not None else None
    return None


def is_deferred(call: CallSite, facts: ModuleFacts, wrappers: frozenset) -> bool:
    return in_deferred_work(call, facts, wrappers)


def blocking_name(call: CallSite, facts: ModuleFacts, extra: frozenset, made: Optional["Made"] = None) -> Optional[str]:
    """The qualified name of a blocking call, or ``None``. ``made``: what a helper's
    call returns, for objects a project function makes (``get_client().post(...)``)."""
    if call.qualname is not None and facts.imports.is_imported(call.node.func) and not _shadowed(call):
        if call.qualname in dn.BLOCKING_CALLS or names_match(call.qualname, extra):
            return call.qualname
    if call.method is None:
        return None
    owner = call.node.func.value  # type: ignore[union-attr]

    def made_by(classes: frozenset) -> Optional[str]:
        return _made_by(owner, call, facts, classes, made)

    if call.method == "send" and made_by(dn.EMAIL_MESSAGE_CLASSES):
        return "EmailMessage.send"
    if call.method in dn.HTTP_CLIENT_METHODS and made_by(dn.HTTP_CLIENT_CLASSES):
        return f"{made_by(dn.HTTP_CLIENT_CLASSES)}.{call.method}"
    if call.method in dn.MAIL_CONNECTION_METHODS and made_by(dn.MAIL_CONNECTIONS):
        return f"get_connection().{call.method}"
    if call.method in dn.PROCESS_WAITS and made_by(dn.PROCESS_CLASSES):
        return f"subprocess.Popen().{call.method}"
    if call.method.startswith("_"):
        return None
    if call.method not in dn.API_CLIENT_LOCAL_METHODS:
        client = made_by(dn.API_CLIENT_FACTORIES)
        if client is not None:
            return f"{client}().{call.method}"
    if call.method.endswith("_s") and call.method not in dn.LDAP_NOT_WAITING:
        connection = made_by(dn.LDAP_CONNECTIONS)
        if connection is not None:
            return f"{connection}().{call.method}"
    return _service_request(call, facts, made)


def _service_request(call: CallSite, facts: ModuleFacts, made: Optional["Made"]) -> Optional[str]:
    """``stripe.StripeClient().customers.update`` for a request through a service
    object of an API client (see ``dn.SERVICE_CLIENTS``)."""
    method = call.method or ""
    if method.endswith("_async"):
        return None  # makes a coroutine: nothing is sent until it is awaited
    hops: list = []
    root = call.node.func.value  # type: ignore[union-attr]
    while isinstance(root, cst.Attribute):
        hops.append(root.attr.value)
        root = root.value
    if not isinstance(root, (cst.Name, cst.Call)) or any(hop.startswith("_") for hop in hops):
        return None
    client = _made_by(root, call, facts, frozenset(dn.SERVICE_CLIENTS), made)
    if client is None:
        return None
    services, own_requests, local = dn.SERVICE_CLIENTS[client]
    if not hops:
        return f"{client}().{method}" if method in own_requests else None
    if method in local or (services is not None and (len(hops) != 1 or hops[0] not in services)):
        return None
    return f"{client}().{'.'.join(reversed(hops))}.{method}"


def names_match(qualname: str, names: frozenset) -> bool:
    """Whether ``qualname`` is one of ``names``, or in a module named as ``module.*``."""
    if qualname in names:
        return True
    module = qualname.rpartition(".")[0]
    while module:
        if module + ".*" in names:
            return True
        module = module.rpartition(".")[0]
    return False


def _shadowed(call: CallSite) -> bool:
    """Whether the call's first name is a local variable or parameter, not the import."""
    return _bound_locally((call.dotted or "").split(".")[0], call.function)


def _bound_locally(name: str, function: Optional[Function]) -> bool:
    """Whether ``name`` is a local variable or parameter of ``function`` or of a function
    it is nested in."""
    return any(
        name in scope.local_values or name in scope.params.all_names
        for scope in (function.ancestors() if function is not None else ())
    )


# What a call of a project function returns, as the library callable that made it
# (``stripe.StripeClient`` for ``get_stripe_client()``) or the Instance of a project class
# (see ``ChainFinder.made``), or None when unknown; given the call expression and its module.
Made = Callable[[cst.Call, ModuleFacts], Optional[object]]


def _made_by(
    node: cst.CSTNode, call: CallSite, facts: ModuleFacts, classes: frozenset, made: Optional[Made] = None
) -> Optional[str]:
    """The one of ``classes`` that made the object a method is called on: a call right
    there (``requests.Session().post``), or a name bound to one in the function, an
    enclosing one (a ``with ... as`` too) or at module level (``SESSION = requests.Session()``);
    with ``made``, also a call of a project function that returns such an object."""
    if isinstance(node, cst.Call):
        made_here = facts.imports.resolve(node.func)
        if made_here in classes and facts.imports.is_imported(node.func):
            return made_here
        if made is not None:
            returned = made(node, facts)
            return returned if isinstance(returned, str) and returned in classes else None
        return None
    if isinstance(node, cst.Name):
        scopes = [f.local_values for f in call.function.ancestors()] if call.function is not None else []
        for values in scopes + [facts.module_values]:
            if node.value in values:
                return next(
                    (m for v in values[node.value] if isinstance(v, cst.Call) and (m := _made_by(v, call, facts, classes, made))),
                    None,
                )
    return None


def is_mail_call(call: CallSite, facts: ModuleFacts) -> bool:
    name = blocking_name(call, facts, frozenset())
    return name in dn.MAIL_FUNCTIONS or name == "EmailMessage.send"


def manager_method(call: CallSite) -> Optional[str]:
    """``create`` for ``Order.objects.create(...)`` (any chain through a manager)."""
    names = attribute_names(call.node.func)
    if len(names) >= 3 and any(name in MANAGER_NAMES for name in names[1:-1]):
        return names[-1]
    return None


def instance_names(function: Function) -> set:
    """The receiver's instance parameter and local names bound to kwargs["instance"]."""
    names = set()
    parameter = function.instance_parameter()
    if parameter is not None:
        names.add(parameter)
    var_keyword = function.params.var_keyword
    for name, values in function.local_values.items():
        for value in values:
            if _reads_key(value, var_keyword, "instance"):
                names.add(name)
    return names


def _reads_key(node: cst.CSTNode, mapping: Optional[str], key: str) -> bool:
    if mapping is None:
        return False
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value == mapping:
        index = node.slice[0].slice if len(node.slice) == 1 else None
        return isinstance(index, cst.Index) and string_value(index.value) == key
    if isinstance(node, cst.Call) and dotted_name(node.func) in (f"{mapping}.get", f"{mapping}.pop"):
        args = node.args
        return bool(args) and string_value(args[0].value) == key
    return False


def called_on(call: CallSite, names: set) -> bool:
    func = call.node.func
    return isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in names


# -- guards -------------------------------------------------------------------------------


def guarded_by(call_guards: Iterable[Guard], *names: str) -> bool:
    """Whether an enclosing ``if`` (or preceding early exit) tests one of ``names``:
    ``if created``, ``if not created: return``, ``kwargs.get("created")``..."""
    return any(guard.mentions.intersection(names) for guard in call_guards)


def guarded_by_flag(call_guards: Iterable[Guard], function: Function) -> bool:
    """An ``if`` testing an attribute used as a re-entry flag: read with getattr/hasattr,
    private (``_saving``), or set in the receiver itself (``instance.slug = ...``)."""
    for guard in call_guards:
        for flag in guard.flag_attributes:
            if flag.startswith(GETATTR_FLAG) or flag.startswith("_") or flag in function.assigned_attributes:
                return True
    return False


def guarded_by_instance_flag(call: CallSite, function: Function, instances: set) -> bool:
    """``instance._skip_signal = True`` before ``instance.save()``, the flag read or
    deleted somewhere else (at the top of the receiver, in a ``finally``, by getattr),
    or checked by a wrapping decorator we cannot see: the usual re-entry guard."""
    decorated = bool(wrapping_decorators(function))
    for owner, attribute, order in function.attribute_sets:
        if owner not in instances or order > call.order:
            continue
        sets = sum(1 for _, other, _ in function.attribute_sets if other == attribute)
        if decorated or function.attribute_uses.get(attribute, 0) > sets:
            return True
    return False


def wrapping_decorators(function: Function) -> list:
    found = []
    for decorator in function.decorators:
        target = decorator_target(decorator)
        name = dotted_name(target) or ""
        if name.rsplit(".", 1)[-1] not in ("receiver", "staticmethod", "classmethod"):
            found.append(decorator)
    return found


# -- following calls into helpers ----------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """How a call in a receiver's body reaches a target call: the calls, in order."""

    steps: tuple  # texts: ("remember_location()", "geolocate()", "requests.get()")
    target: str  # the target call's qualified name (or its text)
    after_commit: bool = False  # some step sits inside transaction.on_commit(...)
    method: Optional[str] = None  # the target call's method or function name (enqueue, delay)

    def text(self) -> str:
        return " -> ".join(self.steps)

    def via(self) -> str:
        """`` (via helper() -> requests.get())`` when a helper leads there, else empty."""
        return "" if len(self.steps) == 1 else f" (via {self.text()})"


Target = Callable[[CallSite, ModuleFacts], Optional[str]]  # -> the target's name, or None

# How far a receiver's calls are followed is bounded by what following costs, not by
# a number of calls. The cost is parsing the project modules a chain enters (a libcst
# parse of a module is milliseconds to a few hundred; reading a function already parsed
# is microseconds). So each receiver may enter at most MAX_MODULES project modules
# besides its own, whatever the depth, and read at most MAX_FUNCTIONS function bodies
# (a guard against searches that multiply, one per set of known arguments).
# Measured without limits on the 22 development applications (1,157 receiver checks):
# 98% of receivers enter at most 4 other modules, the most is 14, and the costliest
# search takes 0.24 s (10 modules, most of it parsing them); the most functions read
# for one receiver is 27. On Django's own source no receiver enters more than 2. With
# 16 modules no receiver of the corpus is cut short, and a receiver whose helpers span
# the whole project still parses at most 16 modules it would not otherwise need.
MAX_MODULES = 16
MAX_FUNCTIONS = 400
PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})
PROPERTY_DECORATORS = frozenset({"property", "cached_property"})


@dataclass(frozen=True)
class Constant:
    """A parameter known to hold a literal in one call of a function: the caller passed
    ``notify=False``, or passed nothing and the default is a literal."""

    value: object


@dataclass(frozen=True, eq=False)
class Instance:
    """A name known to hold an instance of a project class, of exactly that class: a
    model signal's ``instance`` when the receiver's sender names the class, and
    ``self`` in the methods followed from it. The class is read when a method of it is
    first looked up (so that its module is parsed with that method's body)."""

    key: object  # the class's dotted name (or (id of its module's facts, name))
    facts: Optional[ModuleFacts] = None  # the module that defines it, when it is the one that names it
    name: str = ""


OBJECT = ("object",)  # in a linearization: the builtin base every class ends with


class ChainFinder:
    """Finds, for each call in a function, a chain of calls that ends in a target call
    (a blocking call, an enqueued task).

    Helpers are followed at any depth, in the same module and in other project modules,
    within a budget per receiver (``MAX_MODULES`` other modules entered,
    ``MAX_FUNCTIONS`` bodies read); what the budget cuts short is silent. A call inside
    a lambda is followed only when the lambda is given to ``transaction.on_commit``
    (which runs it in the same thread right after the commit); ``through_on_commit=False``
    stops there instead (for work that on_commit makes right).

    A helper called with literal arguments (or relying on literal defaults) runs only
    the branches those values allow: inside it, a call under an ``if`` whose test the
    constants decide the other way is not on the path (see ``decided``).
    """

    def __init__(
        self,
        ctx: Context,
        target: Target,
        through_on_commit: bool,
        markers: Iterable[str] = (),
        library_targets: Optional[dict] = None,
    ) -> None:
        self.target = target
        # Library classes a project class may derive from whose inherited methods are
        # targets (see ``dn.DERIVED_CLIENTS``): {qualname: (target methods, the other
        # methods they run through ``self``)}.
        self.library_targets = library_targets or {}
        self._library_names = frozenset(name for methods, _ in self.library_targets.values() for name in methods)
        self._library_involved = frozenset(
            name for methods, others in self.library_targets.values() for name in (*methods, *others)
        )
        self.through_on_commit = through_on_commit
        # A module can hold a target, or lead to another module, only if its text imports
        # something or holds one of ``markers`` (target names that need no import, such
        # as ``.delay(``): any other module is not parsed to follow a call into it.
        self.markers = ("import",) + tuple(markers)
        self.app = ctx.app
        self._may_lead: dict = {}  # path -> whether its text can lead to a target
        self._memo: dict = {}
        self._entered: set = set()  # paths of the modules this receiver's chains read
        self._visits = 0  # function bodies read for this receiver
        self._cuts = 0  # times the budget stopped the search
        self._instances: dict = {}  # class key -> Instance
        self._classes: dict = {}  # class key -> (facts, ClassInfo) or None
        self._methods: dict = {}  # (class key, name) -> (facts, Function) or None
        self._linearizations: dict = {}  # class key -> linearization or None
        self._sites: dict = {}  # id(facts) -> (facts, {id(call node): CallSite})
        self._made: dict = {}  # id(function) -> what its calls return (see ``made``)

    def chains(
        self, function: Function, facts: ModuleFacts, connections: Iterable[Connection] = ()
    ) -> Iterator[tuple[CallSite, Chain]]:
        """(call in ``function``'s body, chain) for every call that reaches a target.
        ``connections``: how ``function`` is connected as a receiver, for what its
        ``instance`` is (see ``_receiver_known``)."""
        known = self._receiver_known(function, connections)
        self._entered = {facts.path}
        self._visits = 0
        for call in function.calls:
            chain = self._chain_from(call, facts, visiting=frozenset({id(function)}), known=known)
            if chain is not None:
                yield call, chain

    def _chain_from(self, call: CallSite, facts: ModuleFacts, visiting: frozenset, known: dict) -> Optional[Chain]:
        after_commit = is_deferred(call, facts, dn.ON_COMMIT)
        if after_commit and not self.through_on_commit:
            return None
        if call.in_lambda and not after_commit:
            return None  # a lambda handed to something else: when it runs is unknown
        name = self.target(call, facts)
        if name is None and call.method in self._library_names:
            typed = self._typed_owner(call, facts, known)
            name = self._inherited_target(typed, call.method) if typed is not None else None  # type: ignore[arg-type]
        if name is not None:
            return Chain((call_text(call),), name, after_commit, call.method or call.callee_name)
        target = self._callee(call, facts, known)
        if target is None:
            return None
        callee_facts, callee, instance = target
        if id(callee) in visiting or callee.is_async:
            return None
        inner_known = self._bind(call, callee, known, instance)
        inner = self._first_chain(callee, callee_facts, visiting | {id(callee)}, inner_known)
        if inner is None:
            return None
        # A method of a known instance reads as written (instance.notify()), one of an
        # object the code made by its class (MarkdownMail.send()), a helper by name.
        if instance is None:
            step = f"{call.callee_name}()"
        elif _owner_name(call) in known:
            step = call_text(call)
        else:
            step = f"{str(instance.key).rpartition('.')[2] if isinstance(instance.key, str) else instance.name}.{call.method}()"
        return Chain((step,) + inner.steps, inner.target, after_commit or inner.after_commit, inner.method)

    def _callee(self, call: CallSite, facts: ModuleFacts, known: dict) -> Optional[tuple]:
        """(facts, function, the Instance it is a method of or None) of what a call runs."""
        typed = self._typed_owner(call, facts, known)
        if typed is not None:
            # A method of a known instance: its class alone decides what runs.
            if typed.key not in self._classes and not self._may_enter(None):
                return None  # reading the class would parse a module the budget has no room for
            method = self._method(typed, call.method)  # type: ignore[arg-type]
            if method is None or not self._may_enter(method[0].path):
                return None
            return method[0], method[1], typed
        local = facts.callees(call)
        if local is not None:
            return facts, local, None
        if self.app is None:
            return None
        target = self.app.call_target(call, facts)
        path = self.app.path_of(target[0]) if target is not None else None
        if path is None or not (self._passes_instance(call, known) or self._leads_anywhere(path)):
            return None
        if not self._may_enter(path):
            return None
        found = self.app.resolve_call(call, facts)
        return (found[0], found[1], None) if found is not None else None

    def _leads_anywhere(self, path: str) -> bool:
        """Whether the text of the module at ``path`` imports anything or names a target
        that needs no import (see ``markers``): if not, its functions only run its own
        code, which holds no target."""
        if path not in self._may_lead:
            text = self.app.text_at(path) if self.app is not None else None
            self._may_lead[path] = text is not None and any(marker in text for marker in self.markers)
        return self._may_lead[path]

    def _passes_instance(self, call: CallSite, known: dict) -> bool:
        """Whether the call hands a known instance on: its methods can lead anywhere."""
        return any(
            isinstance(arg.value, cst.Name) and isinstance(known.get(arg.value.value), Instance) for arg in call.node.args
        )

    def _may_enter(self, path: Optional[str]) -> bool:
        """Whether the chains of this receiver may read a function of the module at
        ``path`` (``None``: a module not known yet): yes for the modules already
        entered, and for new ones while the budget lasts."""
        if path is not None and path in self._entered:
            return True
        if len(self._entered) > MAX_MODULES:
            self._cuts += 1
            return False
        if path is not None:
            self._entered.add(path)
        return True

    # -- what a receiver's instance is, and which methods its class runs -----------------

    def _receiver_known(self, function: Function, connections: Iterable[Connection]) -> dict:
        """``{instance parameter: Instance}`` when every connection of the receiver is to
        a model signal whose ``instance`` is the sender's (``post_save``, ``pre_delete``...)
        and every sender names the same project class (``sender=Order``, imported or
        defined in the module that connects); else nothing is known."""
        # Django passes the instance as ``instance=``: only a parameter of that name gets it.
        params = function.params
        name = "instance" if "instance" in params.positional + params.keyword_only else None
        found: Optional[Instance] = None
        for connection in connections:
            if connection.signal.qualname not in dn.SENDER_INSTANCE_SIGNALS:
                return {}
            model = self._sender_class(connection)
            if model is None or (found is not None and model is not found):
                return {}
            found = model
        if found is None or name is None or not self._stable(function, name):
            return {}
        return {name: found}

    def _sender_class(self, connection: Connection) -> Optional[Instance]:
        """The class a connection's ``sender`` names, when it is a class of the module
        that connects or a name imported from a project module (read later)."""
        facts = connection.module
        sender = connection.sender
        if facts is None or sender is None:
            return None
        dotted = dotted_name(sender)  # None for "app_label.Model" strings, calls...
        return self._instance_named(facts, dotted, connection.function) if dotted is not None else None

    def _instance_named(self, facts: ModuleFacts, dotted: str, function: Optional[Function]) -> Optional[Instance]:
        """An Instance of the class a dotted name names in ``function`` of ``facts``: a
        class of the module, or a name imported from a project module (read later)."""
        if _bound_locally(dotted.split(".")[0], function):
            return None  # Order = apps.get_model(...) in ready()
        return self._instance_of(facts, dotted)

    def _instance_of(self, facts: ModuleFacts, dotted: str, made: bool = False) -> Optional[Instance]:
        """The Instance for objects of the class a dotted name names in ``facts``, when
        it is a class of that module or a name imported from a project module.
        ``made``: the name is called (``Mail(...)``), so it may as well be a function:
        a name the defining module's text writes as a ``def`` is not read as a class."""
        reference = self._class_reference(facts, dotted)
        if reference is None:
            return None
        kind, name = reference
        if kind == "local":
            key = f"{facts.module_name}.{name}" if facts.module_name else (id(facts), name)
            return self._instances.setdefault(key, Instance(key, facts, name))
        module, _, short = name.rpartition(".")
        if self.app is None or not self.app.is_project_module(module):
            return None
        if made and name not in self._instances:
            text = self.app.text_at(self.app.path_of(module) or "")
            if text is None or short not in text or f"def {short}(" in text:
                return None  # a function (or nothing of that name): not parsed to find out
        return self._instances.setdefault(name, Instance(name))

    def _project_instance(self, qualname: str) -> Optional[Instance]:
        if self.app is not None and self.app.is_project_module(qualname.rpartition(".")[0]):
            return self._instances.setdefault(qualname, Instance(qualname))
        return None

    def _class_reference(self, facts: ModuleFacts, dotted: str) -> Optional[tuple]:
        """How a dotted name in ``facts`` names a class: ``("local", name)`` for a class
        of the module, ``("imported", absolute dotted name)`` for a name imported from
        another module; ``None`` when it is bound by an assignment or names neither."""
        head = dotted.split(".")[0]
        if head in facts.module_values:
            return None  # bound by an assignment: not followed
        if "." not in dotted and dotted in facts.module_classes and dotted not in facts.imports.aliases:
            return "local", dotted
        if head in facts.imports.aliases and self.app is not None:
            return "imported", self.app.absolute(facts.imports.resolve_dotted(dotted), facts)
        return None

    def _class_of(self, instance: Instance, need: Optional[str]) -> Optional[tuple]:
        """(facts, ClassInfo) of an Instance's class, read with ``need``'s body."""
        if instance.key in self._classes:
            return self._classes[instance.key]
        cuts = self._cuts
        found = None
        if instance.facts is not None:
            found = self._class_named(instance.facts, instance.name, need)
        elif self.app is not None and isinstance(instance.key, str) and self._may_enter_module(instance.key):
            found = self.app.project_class(instance.key, need)
        if found is not None or self._cuts == cuts:
            self._classes[instance.key] = found
        return found

    def _class_named(self, facts: ModuleFacts, dotted: str, need: Optional[str] = None) -> Optional[tuple]:
        """(facts, ClassInfo) of the project class a dotted name names in ``facts``:
        a class of the module, or one imported from a project module."""
        reference = self._class_reference(facts, dotted)
        if reference is None:
            return None
        kind, name = reference
        if kind == "local":
            return facts, facts.module_classes[name]
        return self.app.project_class(name, need) if self._may_enter_module(name) else None

    def _may_enter_module(self, qualname: str) -> bool:
        """``_may_enter`` for the module of a dotted name (a project class)."""
        return self.app is not None and self._may_enter(self.app.path_of(qualname.rpartition(".")[0]))

    def _typed_owner(self, call: CallSite, facts: ModuleFacts, known: dict) -> Optional[Instance]:
        """The Instance a call is a method call on (``instance.notify()``,
        ``project.delete()`` in ``for project in organization.projects.all()``,
        ``mail.send()`` after ``mail = Mail(...)``, ``Mail(...).send()``), if known."""
        func = call.node.func
        if not isinstance(func, cst.Attribute):
            return None
        if isinstance(func.value, cst.Call):
            dotted = dotted_name(func.value.func)
            if dotted is None or _bound_locally(dotted.split(".")[0], call.function):
                return None
            made = self._instance_of(facts, dotted, made=True)  # Mail(...).send()
            return made if made is not None else self._returned_instance(func.value, facts)  # mailer().send()
        if not isinstance(func.value, cst.Name):
            return None
        return self._type_of(func.value.value, call.function, call.path, facts, known, func.attr.value, 0)

    def _type_of(
        self, name: str, function: Optional[Function], path: tuple, facts: ModuleFacts, known: dict, need: str, depth: int
    ) -> Optional[Instance]:
        """The Instance a name holds where ``function`` reads it (at ``path``): a
        parameter known to hold one (and never bound again), a local name bound once, to
        such a name (``organization = instance``), or a loop variable read inside the
        one loop over a queryset whose model is known (see ``_element_of``) that binds it
        there, when only loops bind the name. ``need``: the method the caller will look up."""
        value = known.get(name)
        if value is not None:
            return value if isinstance(value, Instance) and self._stable(function, name) else None
        if function is None or depth > 4 or name in function.params.all_names:
            return None
        assigned = function.local_values.get(name, ())
        loops = function.loop_sources.get(name, ())
        if assigned:
            if loops or len(assigned) != 1 or function.bindings_of(name) != 1:
                return None  # bound in some other way too, or more than once
            if isinstance(assigned[0], cst.Name):
                return self._type_of(assigned[0].value, function, path, facts, known, need, depth + 1)
            return self._constructed(function, name, facts)  # mail = Mail(...)
        if not loops:
            return self._constructed(function, name, facts)  # bound by an enclosing function
        if function.bindings_of(name) != len(loops):
            return None  # bound by something other than these loops
        blocks = {block for block, _ in path}
        around = [loop for loop in loops if loop.body in blocks]
        if len(around) != 1:
            return None
        loop = around[0]
        if any(other is not loop and any(block == loop.body for block, _ in other.path) for other in loops):
            return None  # a loop inside it binds the name again
        return self._element_of(loop.iterable, function, loop.path, facts, known, need, depth + 1)

    def _element_of(
        self,
        iterable: cst.BaseExpression,
        function: Function,
        path: tuple,
        facts: ModuleFacts,
        known: dict,
        need: str,
        depth: int,
    ) -> Optional[Instance]:
        """What each element of a queryset is, when its model is known: a queryset made
        from ``Model.objects`` or from a many-to-many field declared on a class whose
        Instance is known (``organization.projects``), through QuerySet methods that keep
        the model (``all()``, ``filter()``, ``order_by()``...; not ``values()``, nor a
        manager's own methods). Django builds each element with the queryset's model
        class, so the element is of exactly that class; a model with a base from a
        library other than Django (a polymorphic model may yield subclasses) is not known."""
        node = iterable
        calls = 0
        while (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in dn.MODEL_KEEPING_QUERYSET_METHODS
        ):
            node = node.func.value
            calls += 1
        if not calls or not isinstance(node, cst.Attribute):
            return None
        owner, attribute = node.value, node.attr.value
        model: Optional[Instance] = None
        if attribute in MANAGER_NAMES:
            dotted = dotted_name(owner)
            model = self._instance_named(facts, dotted, function) if dotted is not None else None
        elif isinstance(owner, cst.Name):
            holder = self._type_of(owner.value, function, path, facts, known, need, depth + 1)
            model = self._many_to_many_target(holder, attribute) if holder is not None else None
        if model is None or not self._plain_model(model, need):
            return None
        return model

    def _many_to_many_target(self, holder: Instance, field_name: str) -> Optional[Instance]:
        """The model a many-to-many field declared in the body of ``holder``'s class
        relates to: a class named there, ``"self"``, a class of the same module named in
        a string, or an ``"app_label.Model"`` string of a project model."""
        own = self._class_of(holder, None)
        if own is None:
            return None
        facts, cls = own
        values = _class_assignments(cls, field_name)
        if len(values) != 1 or not isinstance(values[0], cst.Call):
            return None
        field_call = values[0]
        if facts.imports.resolve(field_call.func) not in dn.MANY_TO_MANY_FIELDS:
            return None
        target = keyword_arg(field_call, "to")
        if target is None and field_call.args and field_call.args[0].keyword is None and not field_call.args[0].star:
            target = field_call.args[0].value
        if target is None:
            return None
        label = string_value(target)
        if label is None:
            dotted = dotted_name(target)
            return self._instance_named(facts, dotted, None) if dotted is not None else None
        if label == "self":
            return holder
        if "." not in label:
            return self._instance_named(facts, label, None) if label in facts.module_classes else None
        qualname = self.app.model_named_by_label(label) if self.app is not None else None
        return self._project_instance(qualname) if qualname is not None else None

    def _plain_model(self, model: Instance, need: str) -> bool:
        """Whether every base of the model's class is a project class or Django's own."""
        own = self._class_of(model, need)
        order = self._linearization(own[0], own[1], 0, need) if own is not None else None
        if order is None:
            return False
        return all(entry is OBJECT or len(entry) > 1 or entry[0].startswith("django.") for entry in order)

    def _constructed(self, function: Optional[Function], name: str, facts: ModuleFacts) -> Optional[Instance]:
        """The Instance a local name holds when the function (or one it is nested in)
        binds it in one place only, to a call of a project class: ``Mail(...)`` makes an
        object of exactly that class."""
        scope = next((f for f in function.ancestors() if name in f.local_values), None) if function else None
        if scope is None or not scope.binds_once(name) or len(scope.local_values[name]) != 1:
            return None
        value = scope.local_values[name][0]
        dotted = dotted_name(value.func) if isinstance(value, cst.Call) else None
        if dotted is None or _bound_locally(dotted.split(".")[0], function):
            return None
        made = self._instance_of(facts, dotted, made=True)
        return made if made is not None else self._returned_instance(value, facts)  # mail = mailer()

    def _returned_instance(self, node: cst.Call, facts: ModuleFacts) -> Optional[Instance]:
        """The Instance a call of a project function returns, when every ``return`` of
        it gives a new object of the same project class (see ``made``)."""
        returned = self.made(node, facts)
        return returned if isinstance(returned, Instance) else None

    # -- what a project function's calls return ------------------------------------------

    def made(self, node: cst.Call, facts: ModuleFacts, depth: int = 0) -> Optional[object]:
        """The library callable (one the blocking-call catalog names) that made what a
        call of a project function returns, or the Instance of the project class that
        did: every ``return`` of the function gives an object made by the same one
        (``return stripe.StripeClient(key)``, ``return CarrierSession(token)``, a name
        bound only to such calls, a call of another such function). ``return None`` and a bare
        ``return`` give no object to call a method on and are left out. ``None`` when
        unknown, or when following would leave the budget."""
        site = self._site(node, facts)
        if site is None or depth > 3:
            return None
        typed = self._typed_owner(site, facts, {})
        if typed is not None:
            target = self._method(typed, site.method) if self._may_enter(None) else None  # type: ignore[arg-type]
            if target is None or not self._may_enter(target[0].path):
                return None
        else:
            found = facts.callees(site)
            target = (facts, found) if found is not None else None
        if target is None and typed is None and self.app is not None:
            where = self.app.call_target(site, facts)
            path = self.app.path_of(where[0]) if where is not None else None
            if path is None or not self._names_a_maker(path) or not self._may_enter(path):
                return None
            target = self.app.resolve_call(site, facts)
        if target is None:
            return None
        callee_facts, callee = target
        if callee.is_async or callee.has_yield:
            return None
        if id(callee) in self._made:
            return self._made[id(callee)]
        self._made[id(callee)] = None  # a function that returns its own call: unknown
        cuts = self._cuts
        origins = {
            self._origin(value, callee, callee_facts, depth)
            for value in callee.return_values
            if value is not None and not (isinstance(value, cst.Name) and value.value == "None")
        }
        origin = origins.pop() if len(origins) == 1 else None
        if self._cuts == cuts:
            self._made[id(callee)] = origin
        else:
            del self._made[id(callee)]
        return origin

    def _origin(self, value: cst.CSTNode, function: Function, facts: ModuleFacts, depth: int) -> Optional[object]:
        """What made a value a function returns (see ``made``)."""
        if isinstance(value, cst.Call):
            dotted = dotted_name(value.func)
            local = dotted is not None and _bound_locally(dotted.split(".")[0], function)
            name = facts.imports.resolve(value.func) if facts.imports.is_imported(value.func) else None
            if name in MADE_BY_LIBRARY and not local:
                return name
            made = self._instance_of(facts, dotted, made=True) if dotted is not None and not local else None
            return made if made is not None else self.made(value, facts, depth + 1)
        if not isinstance(value, cst.Name):
            return None
        name = value.value
        scope = next((f for f in function.ancestors() if name in f.local_values), None)
        if scope is not None:
            values = scope.local_values[name]
            if scope.bindings_of(name) != len(values) or name in scope.params.all_names:
                return None  # also bound by a loop, an ``except ... as``, an import...
        elif name in facts.module_values and not _bound_locally(name, function):
            values = facts.module_values[name]
        else:
            return None
        origins = {self._origin(v, function, facts, depth) if isinstance(v, cst.Call) else None for v in values}
        return origins.pop() if len(origins) == 1 else None

    def _names_a_maker(self, path: str) -> bool:
        """Whether the text of the module at ``path`` names one of the library callables
        ``made`` looks for (``StripeClient``, ``initialize``, ``EmailMessage``...): if not,
        its functions do not make such objects themselves, and it is not parsed for them."""
        key = ("maker", path)
        if key not in self._may_lead:
            text = self.app.text_at(path) if self.app is not None else None
            self._may_lead[key] = text is not None and any(name in text for name in MAKER_NAMES)
        return self._may_lead[key]

    def _site(self, node: cst.Call, facts: ModuleFacts) -> Optional[CallSite]:
        """The CallSite of a call expression of ``facts``."""
        entry = self._sites.get(id(facts))
        if entry is None:
            entry = self._sites[id(facts)] = (facts, {id(call.node): call for call in facts.calls})
        return entry[1].get(id(node))

    def _method(self, instance: Instance, name: str) -> Optional[tuple]:
        """(facts, Function) of the method ``instance.name()`` runs: the first class of
        the linearization (Python's method resolution order over the project classes)
        that defines it. ``None`` when a class we cannot read comes first (a library
        base: ``models.Model`` defines ``save``), when the name is a property or a class
        attribute, or when the method is nowhere."""
        key = (instance.key, name)
        if key in self._methods:
            return self._methods[key]
        found = None
        cuts = self._cuts
        own = self._class_of(instance, name)
        order = self._linearization(own[0], own[1], 0, name) if own is not None else None
        for entry in order or ():
            if entry is OBJECT:
                continue
            if len(entry) == 1:
                break  # a class we cannot read: it may define the method
            facts, cls = entry[1], entry[2]
            if name in facts.blanked:
                # The skeleton parse left that body out: parse the module in full.
                again = None
                if self.app is not None and facts.module_name:
                    again = self.app.project_class(f"{facts.module_name}.{cls.name}", need=name)
                if again is None:
                    break
                facts, cls = again
            method = cls.methods.get(name)
            if method is not None:
                if not any((dotted_name(d.decorator) or "").rsplit(".", 1)[-1] in PROPERTY_DECORATORS for d in method.decorators):
                    found = (facts, method)
                break
            if _class_binds(cls, name):
                break  # notify = other_function: not followed
        if found is not None or self._cuts == cuts:
            self._methods[key] = found
        return found

    def _inherited_target(self, instance: Instance, name: str) -> Optional[str]:
        """``requests.Session.post`` when ``instance.name()`` runs a target method of a
        library base (see ``library_targets``): the first class of the linearization
        that is not the project's own is that base, and no project class before it
        defines or binds ``name`` or another method the base's target methods run
        through ``self`` (then what runs is the project's code). ``None`` otherwise: the
        class unknown, another library class first (it may define the method), a method
        of the base that is no target."""
        own = self._class_of(instance, name)
        order = self._linearization(own[0], own[1], 0, name) if own is not None else None
        defined: set = set()
        for entry in order or ():
            if entry is OBJECT:
                continue
            if len(entry) == 1:
                entry_targets = self.library_targets.get(entry[0])
                if entry_targets is None or name not in entry_targets[0]:
                    return None
                if defined & (entry_targets[0] | entry_targets[1]):
                    return None
                return f"{entry[0]}.{name}"
            cls = entry[2]
            defined.update(cls.methods)
            if name in defined or _class_binds(cls, name):
                return None
            defined.update(other for other in self._library_involved if _class_binds(cls, other))
        return None

    def _linearization(self, facts: ModuleFacts, cls: ClassInfo, depth: int, need: str) -> Optional[list]:
        """The class and its bases in Python's C3 order: entries are ``("class", facts,
        ClassInfo, key)`` for project classes, ``(qualname,)`` for classes we cannot
        read, and ``OBJECT``; ``None`` when the bases cannot be ordered. The classes' own
        ancestors are not known, so a library class counts as having none."""
        key = (facts.module_name or id(facts), cls.name)
        if key in self._linearizations:
            return self._linearizations[key]
        self._linearizations[key] = None  # a class that is its own base (broken code)
        cuts = self._cuts
        order: Optional[list] = None
        if depth <= 8:
            sequences = []
            for base in cls.bases:
                dotted = dotted_name(base)
                found = self._class_named(facts, dotted, need) if dotted is not None else None
                if found is not None:
                    sequences.append(self._linearization(found[0], found[1], depth + 1, need))
                elif dotted == "object":
                    sequences.append([OBJECT])
                else:
                    qualname = facts.imports.resolve_dotted(dotted) if dotted is not None else "?"
                    sequences.append([(qualname,)])
            if all(sequence is not None for sequence in sequences):
                merged = _c3_merge([list(s) for s in sequences] + [[s[0] for s in sequences]])
                if merged is not None:
                    order = [("class", facts, cls, key)] + merged
        if self._cuts == cuts:
            self._linearizations[key] = order
        else:
            del self._linearizations[key]  # cut short by the budget: another receiver may go further
        return order

    def _first_chain(self, function: Function, facts: ModuleFacts, visiting: frozenset, known: dict) -> Optional[Chain]:
        key = (id(function), frozenset(known.items()))
        if key in self._memo:
            return self._memo[key]
        if self._visits >= MAX_FUNCTIONS:
            self._cuts += 1
            return None
        self._visits += 1
        cuts = self._cuts
        found = None
        for call in function.calls:
            if known and self._ruled_out(call, known):
                continue
            found = self._chain_from(call, facts, visiting, known)
            if found is not None:
                break
        if found is not None or self._cuts == cuts:
            # Not when the budget cut the search short: another receiver may go further.
            self._memo[key] = found
        return found

    # -- what the caller's arguments tell about the callee's parameters ----------------

    def _stable(self, function: Optional[Function], name: str) -> bool:
        """Whether ``function``'s body never binds ``name`` again (so a parameter keeps
        the value it was called with)."""
        return function is not None and not function.rebinds(name)

    def _constant(self, known: dict, name: str, function: Optional[Function]) -> Optional[Constant]:
        value = known.get(name)
        return value if isinstance(value, Constant) and self._stable(function, name) else None

    def _ruled_out(self, call: CallSite, known: dict) -> bool:
        """Whether an ``if`` around ``call`` is decided, by what the parameters are known
        to hold, for the branch that does not hold the call."""
        for guard in call.guards:
            if guard.test is None:
                continue
            value = decided(guard.test, lambda name: self._constant(known, name, call.function))
            if value is not None and value != guard.holds:
                return True
        return False

    def _bind(self, call: CallSite, callee: Function, known: dict, instance: Optional[Instance]) -> dict:
        """What ``callee``'s parameters are known to hold when ``call`` runs it: literal
        arguments, literal defaults of parameters the call does not pass, names of the
        caller that are themselves known, and ``self`` when the call is a method call on
        a known ``instance``. Empty when the mapping is uncertain (a decorator that may
        change the arguments, a method called in a way we do not follow)."""
        for decorator in callee.decorators:
            if dotted_name(decorator.decorator) not in PLAIN_DECORATORS:
                return {}
        skip = _skips_first(call, callee, instance is not None)
        if skip is None:
            return {}
        params = callee.params
        positional = params.positional[1:] if skip else params.positional
        named = set(params.positional) | set(params.keyword_only)
        bound: dict = {}
        if instance is not None and skip and not callee.decorators:
            bound[params.positional[0]] = instance  # self, in a method of the instance's class
        given: set = set()
        index: Optional[int] = 0  # None once a *args makes the positions unknown
        defaults_known = True
        for arg in call.node.args:
            if arg.star == "*":
                index = None
                defaults_known = False
                continue
            if arg.star == "**":
                defaults_known = False
                continue
            if arg.keyword is not None:
                name: Optional[str] = arg.keyword.value if arg.keyword.value in named else None
            elif index is not None:
                name = positional[index] if index < len(positional) else None
                index += 1
            else:
                name = None
            if name is None:
                continue
            given.add(name)
            value = self._value_of(arg.value, call, known)
            if value is not None:
                bound[name] = value
        if defaults_known:
            node_params = callee.node.params
            for param in (*node_params.posonly_params, *node_params.params, *node_params.kwonly_params):
                name = param.name.value
                if name in given or param.default is None or (skip and name == params.positional[0]):
                    continue
                value = literal_value(param.default)
                if value is not NOT_LITERAL:
                    bound[name] = Constant(value)
        return bound

    def _value_of(self, node: cst.CSTNode, call: CallSite, known: dict) -> Optional[object]:
        value = literal_value(node)
        if value is not NOT_LITERAL:
            return Constant(value)
        if isinstance(node, cst.Name) and node.value in known and self._stable(call.function, node.value):
            return known[node.value]
        return None


def _owner_name(call: CallSite) -> Optional[str]:
    """``x`` for a call ``x.method()``."""
    func = call.node.func
    return func.value.value if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) else None


def _skips_first(call: CallSite, callee: Function, on_instance: bool) -> Optional[bool]:
    """Whether the call's first positional argument goes to the callee's second
    parameter (a bound method: ``self.m(x)``, ``instance.m(x)``), not to its first;
    ``None``: cannot tell."""
    if not callee.is_method or callee.is_staticmethod:
        return False
    if on_instance:
        return bool(callee.params.positional)
    func = call.node.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    owner = func.value.value
    if owner == "self":
        return True
    if owner == "cls":
        return True if callee.is_classmethod else None
    return callee.is_classmethod  # Class.method(obj, ...): the instance is passed explicitly


def _class_binds(cls: ClassInfo, name: str) -> bool:
    """Whether a class body assigns ``name`` (``notify = send_now``)."""
    for statement in cls.node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else []
                if isinstance(small, cst.AnnAssign):
                    targets.append(small.target)
                if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                    return True
    return False


def _class_assignments(cls: ClassInfo, name: str) -> list:
    """The values a class body assigns to ``name`` (``projects = ManyToManyField(...)``)."""
    values = []
    for statement in cls.node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
                ):
                    values.append(small.value)
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == name:
                    values.append(small.value)
    return values


def _c3_merge(sequences: list) -> Optional[list]:
    """Python's C3 merge of linearizations (entries compared by the class they name);
    ``None`` when there is no consistent order."""

    def same(a, b) -> bool:
        return a[-1] == b[-1] and len(a) == len(b)

    result: list = []
    sequences = [s for s in sequences if s]
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(same(head, entry) for other in sequences for entry in other[1:]):
                break
        else:
            return None
        result.append(head)
        sequences = [s[1:] if same(s[0], head) else s for s in sequences]
        sequences = [s for s in sequences if s]
    return result


def decided(test: cst.BaseExpression, known: Callable[[str], Optional[Constant]]) -> Optional[bool]:
    """The value of an ``if`` test when the constants ``known`` returns decide it, or
    ``None``. Only the simplest tests: ``p``, ``not p``, ``p == <literal>`` (and
    ``!=``, either side), ``p is None``, ``p is not None``; anything else may go
    either way."""
    if isinstance(test, cst.Name):
        constant = known(test.value)
        return bool(constant.value) if constant is not None else None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = decided(test.expression, known)
        return None if inner is None else not inner
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        operator = test.comparisons[0].operator
        left, right = test.left, test.comparisons[0].comparator
        if isinstance(operator, (cst.Is, cst.IsNot)):
            if not isinstance(left, cst.Name) or not (isinstance(right, cst.Name) and right.value == "None"):
                return None
            constant = known(left.value)
            if constant is None:
                return None
            return (constant.value is None) == isinstance(operator, cst.Is)
        if isinstance(operator, (cst.Equal, cst.NotEqual)):
            if not isinstance(left, cst.Name):
                left, right = right, left
            literal = literal_value(right)
            constant = known(left.value) if isinstance(left, cst.Name) else None
            if constant is None or literal is NOT_LITERAL:
                return None
            return (constant.value == literal) == isinstance(operator, cst.Equal)
    return None


def blocking_finder(ctx: Context) -> ChainFinder:
    """Chains to blocking calls; on_commit does not make them non-blocking. Sending mail
    does not block when the project's EMAIL_BACKEND hands it to a task queue."""
    extra = ctx.options.blocking_calls
    queued_mail = ctx.app is not None and ctx.app.mail_backend_queues()

    def target(call: CallSite, facts: ModuleFacts) -> Optional[str]:
        name = blocking_name(call, facts, extra, finder.made)
        if queued_mail and name is not None and (name in dn.MAIL_FUNCTIONS or name in MAIL_SENDS):
            return None
        return name

    finder = ChainFinder(ctx, target, through_on_commit=True, library_targets=dn.DERIVED_CLIENTS)
    return finder


MAIL_SENDS = frozenset({"EmailMessage.send", "get_connection().send_messages"})
# The library callables whose objects the blocking-call catalog knows: what a project
# helper that returns one of those objects is followed for (``ChainFinder.made``).
MADE_BY_LIBRARY = frozenset(
    {
        *dn.EMAIL_MESSAGE_CLASSES,
        *dn.HTTP_CLIENT_CLASSES,
        *dn.MAIL_CONNECTIONS,
        *dn.PROCESS_CLASSES,
        *dn.API_CLIENT_FACTORIES,
        *dn.LDAP_CONNECTIONS,
        *dn.SERVICE_CLIENTS,
    }
)
# A helper in another module is read for what it returns only when its module's text
# names one of these: a library maker, or a client class a project class derives from
# (the module that defines the project class names its base).
MAKER_NAMES = frozenset(name.rpartition(".")[2] for name in (*MADE_BY_LIBRARY, *dn.DERIVED_CLIENTS))


def enqueue_finder(ctx: Context) -> ChainFinder:
    """Chains to calls that enqueue background work outside on_commit."""
    extra = ctx.options.task_calls
    markers = dn.TASK_METHODS | dn.TASK_FUNCTIONS | extra
    return ChainFinder(ctx, lambda call, facts: enqueued_task(call, extra), through_on_commit=False, markers=markers)


def file_deletion_finder(ctx: Context) -> ChainFinder:
    """Chains to calls that delete files or storage objects outside on_commit."""
    return ChainFinder(ctx, deleted_file, through_on_commit=False, markers=("delete", "unlink"))


def deleted_file(call: CallSite, facts: ModuleFacts) -> Optional[str]:
    """The text of a call that removes a file: ``field_file.delete(save=False)``,
    ``storage.delete(name)``, ``os.remove(path)``, ``shutil.rmtree(path)``,
    ``path.unlink()`` (``pathlib.Path``)."""
    if call.qualname in dn.FILE_REMOVERS and facts.imports.is_imported(call.node.func) and not _shadowed(call):
        return call_text(call)
    if call.method == "delete":
        owner = attribute_names(call.node.func)[:-1]
        if any(arg.keyword is not None and arg.keyword.value == "save" for arg in call.node.args):
            return call_text(call)  # FieldFile.delete(save=...): Model.delete() has no `save`
        first = call.node.args[0] if call.node.args else None
        if first is not None and first.keyword is None and literal_bool(first.value) is not None:
            return call_text(call)  # FieldFile.delete(False): Model.delete()'s first argument is `using`
        if owner and owner[-1].lower().endswith("storage"):
            return call_text(call)
    if call.method == "unlink" and all(arg.keyword is not None and arg.keyword.value == "missing_ok" for arg in call.node.args):
        # pathlib's Path.unlink(missing_ok=False) takes no other argument; unlink(key)
        # with a positional argument is another API (redis' UNLINK, an SFTP client).
        return call_text(call)
    return None


def enqueued_task(call: CallSite, extra: frozenset) -> Optional[str]:
    """The text of a call that puts work on a queue (``.delay()``, ``async_task()``), when
    the task may run at once: not one delayed on purpose (see ``_delayed``)."""
    name = call.method if call.method is not None else call.callee_name
    if name is None:
        return None
    known = dn.TASK_METHODS if call.method is not None else dn.TASK_FUNCTIONS
    if name not in known and name not in extra:
        return None
    return None if _delayed(call.node) else call_text(call)


# A countdown this long outlasts any transaction a request or task keeps open.
LONG_COUNTDOWN_SECONDS = 60


def _delayed(node: cst.Call) -> bool:
    """``eta=`` (a moment the code computes), or ``countdown=`` that is not a literal
    under a minute: whether the task can still run before the sender's transaction
    commits is not known, or it cannot."""
    for arg in node.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "eta":
            return True
        if arg.keyword.value == "countdown":
            seconds = literal_value(arg.value)
            return not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds >= LONG_COUNTDOWN_SECONDS
    return False


def f_increments(call: cst.Call, facts: ModuleFacts) -> Iterator[cst.BinaryOperation]:
    """``F("x") + n`` / ``F("x") - n`` among a call's arguments."""
    for arg in call.args:
        value = arg.value
        if (
            isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, (cst.Add, cst.Subtract))
            and isinstance(value.left, cst.Call)
            and facts.imports.resolve(value.left.func) in dn.F_EXPRESSIONS
        ):
            yield value
