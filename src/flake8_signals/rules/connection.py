"""SIG1xx: how receivers are connected."""

from __future__ import annotations

import functools
import os
from typing import Iterable, Iterator, Optional

import libcst as cst

from ..module.facts import CallSite, Connection, Disconnection, Function, ModuleFacts, ReceiverRef
from ..source import edits
from ..source.precheck import names_a_switching_helper
from ..source.syntax import dotted_name, has_star_args, keyword_arg, names_in
from .base import Finding, Rule, register
from .fix import Fix


def describe(receiver: ReceiverRef) -> str:
    if receiver.kind == "lambda":
        return "a lambda"
    if receiver.kind == "factory":
        return f"`{receiver.key}` (a new function made by that call)"
    if receiver.kind == "local" and receiver.value_kind is not None:
        made = {"lambda": "a lambda", "partial": "a `partial(...)`", "factory": "a function made by a factory"}
        return f"`{receiver.key}` ({made.get(receiver.value_kind, 'a new object')} bound to a local name)"
    if receiver.kind == "partial":
        return "a `partial(...)`"
    if receiver.kind == "nested" and receiver.function is not None:
        return f"nested function `{receiver.function.name}`"
    if receiver.kind == "new_instance_method":
        return f"`{receiver.key}` (a method of an object created right here)"
    return f"`{receiver.key}`" if receiver.key else "the receiver"


def nested_function_escapes(function: Function, facts: ModuleFacts) -> bool:
    """Whether a nested def is kept somewhere that outlives its enclosing call."""
    return function.parent is None or name_escapes(function.parent, function.name, facts)


def name_escapes(scope: Function, name: str, facts: ModuleFacts) -> bool:
    """Whether a local name of ``scope`` is used other than as a connect()/disconnect()
    receiver: ``self.handler = handler``, ``return handler``, ``handlers.append(handler)``,
    a ``global`` declaration..."""
    if name in scope.globals:
        return True
    as_receiver = sum(
        1 for c in facts.connections if c.kind == "connect" and c.function is scope and c.receiver.key == name
    )
    as_receiver += sum(1 for d in facts.disconnections if d.function is scope and d.receiver_key == name)
    return scope.name_reads.get(name, 0) > as_receiver


def runs_after(connection: Connection, facts: ModuleFacts) -> bool:
    """Whether the enclosing function does more work after this connection (or is a
    generator, suspended with its locals alive): a test that connects a local handler,
    triggers the signal and checks what it saw. The calls in the connection's own
    arguments (``connect(h := partial(...), sender=get_model(...))``) run before it."""
    function = connection.function
    if function is None:
        return False
    if function.has_yield:
        return True
    wiring = {id(c.call.node) for c in facts.connections if c.call is not None}
    wiring.update(id(d.decorator) for decorators in facts.receiver_decorators.values() for d in decorators)
    own = connection.call.node if connection.call is not None else None
    return any(
        call.order > connection.order and id(call.node) not in wiring and not any(o is own for o in call.outer_calls)
        for call in function.calls
    )


def is_temporary_local_receiver(connection: Connection, facts: ModuleFacts) -> bool:
    """A nested def or a local object (``handler = MagicMock()``) connected weakly and
    kept by the running function's locals: it receives signals while that function runs
    and disappears with it, like a disconnect (a test that checks what it received)."""
    receiver = connection.receiver
    if connection.weak is not True or not runs_after(connection, facts):
        return False
    if receiver.kind == "local":
        return True
    return (
        receiver.kind == "nested"
        and receiver.function is not None
        and not nested_function_escapes(receiver.function, facts)
    )


def dies_after_connect(connection: Connection, facts: ModuleFacts) -> bool:
    """A weakly held receiver that nothing keeps alive once the connecting code is done."""
    if connection.weak is not True:
        return False
    receiver = connection.receiver
    if receiver.kind in ("lambda", "partial", "new_instance_method", "factory"):
        return True  # no other reference exists even while the function runs
    if receiver.kind == "nested" and receiver.function is not None:
        return not nested_function_escapes(receiver.function, facts) and not runs_after(connection, facts)
    if receiver.kind == "local" and receiver.value_kind is not None and connection.function is not None:
        return not name_escapes(connection.function, connection.receiver.key or "", facts) and not runs_after(
            connection, facts
        )
    return False


def sender_comes_from_caller(connection: Connection) -> bool:
    """``post_init.connect(handler, sender=model)`` where ``model`` is a parameter: a
    registration API (``register(model)``, ``track(cls)``) that connects for whatever its
    caller passes. When the caller runs (often a module-level ``register()`` call in
    another package) cannot be known from here, so the rule stays silent."""
    function = connection.function
    sender = connection.sender
    if function is None or sender is None:
        return False
    head = sender
    while isinstance(head, (cst.Attribute, cst.Subscript)):
        head = head.value
    if not isinstance(head, cst.Name):
        return False
    return any(head.value in f.params.all_names for f in function.ancestors())


def closes_over_arguments(connection: Connection) -> bool:
    """A fresh receiver that uses an argument of the function making it
    (``def on_save(...): callback(instance)`` inside ``register(callback)``): each call
    is meant to add a receiver of its own."""
    function = connection.function
    receiver = connection.receiver
    if function is None:
        return False
    arguments = {name for f in function.ancestors() for name in f.params.all_names} - {"self", "cls"}
    if receiver.kind == "nested" and receiver.function is not None:
        used = set(receiver.function.name_reads) - set(receiver.function.params.all_names)
        return bool(used & arguments)
    if receiver.kind in ("lambda", "partial") and receiver.node is not None:
        return bool(names_in(receiver.node) & arguments)
    return False


@register
class ConnectOutsideReady(Rule):
    """
    ## What it does
    Flags a receiver connected (by `.connect()` or `@receiver`) inside a function or
    method body other than `AppConfig.ready()` and the functions it calls.

    ## Why is this bad?
    The receiver exists only after that function has run. Until then, and in every
    process where it never runs (Celery workers, management commands, other web
    workers), the signal fires with nobody listening and nothing tells you.

    ## Example
    ```python
    def checkout(request):
        post_save.connect(send_receipt, sender=Order)
        ...
    ```

    ## Use instead
    Connect at import time in a module that `AppConfig.ready()` imports:
    ```python
    # shop/signals.py
    @receiver(post_save, sender=Order)
    def send_receipt(sender, instance, created, **kwargs): ...

    # shop/apps.py
    class ShopConfig(AppConfig):
        def ready(self):
            from . import signals  # noqa: F401
    ```
    Not reported: `dispatch_uid=` given, receivers that are methods of `self`/`cls`,
    any method of an `AppConfig`, functions reachable from `ready()` or from
    module-level code (also of the URLconf and the template tag libraries, which Django
    imports wherever it runs its system checks), class-creation hooks (`__init_subclass__`, a metaclass's
    `__new__`/`__init__`, class decorators, `contribute_to_class`), registration APIs
    that connect for a sender their caller passes (`def register(model): ...
    sender=model`), migrations, test modules, and connections the same function, class
    or module pair with a `disconnect()` (fixtures, context managers).
    """

    code = "SIG101"
    name = "connect-outside-ready"
    summary = "Receiver connected inside a function other than `AppConfig.ready()`: missing until it runs (off by default)."
    enabled_by_default = False
    held_out = (5, 24)  # true / all findings on the held-out applications

    def check(self, ctx) -> Iterable[Finding]:
        if ctx.is_migration:
            return
        for connection in ctx.connections:
            function = connection.function
            if function is None or connection.dispatch_uid is not None:
                continue
            if connection.receiver.kind == "self_method" or ctx.runs_at_startup(function):
                continue
            if ctx.runs_with_checks(function):
                continue  # called as the URLconf loads: connected wherever system checks run
            if sender_comes_from_caller(connection) or ctx.in_test_code(function):
                continue  # when a registration API or a test runs is not ours to say
            if ctx.is_paired_with_disconnect(connection) or is_temporary_local_receiver(connection, ctx.facts):
                continue
            yield self.finding(
                connection.report_node,
                f"{describe(connection.receiver)} is connected to `{connection.signal.text}` inside "
                f"`{function.qualname}()`: the receiver only exists once that function has run, so workers and "
                "commands that never call it miss the signal; connect it at import time in a module "
                "imported from AppConfig.ready()",
            )


@register
class WeakReceiverCollected(Rule):
    """
    ## What it does
    Flags a lambda, a `functools.partial(...)`, a function defined inside the enclosing
    function, or a bound method of an object created in the call (`Handler().on_save`)
    connected with the default `weak=True`. The same goes for such an object bound to a
    local name (by `=` or `:=`) and for what a factory returns when every call makes a
    new one: a module-level function, a function nested in the connecting one, or a
    method called through `self`, whose every `return` gives a lambda, a `partial(...)`
    or a function defined inside it that nothing else keeps.

    ## Why is this bad?
    Django's signals keep only a weak reference to their receivers by default. Nothing
    else references these objects, so they are garbage-collected right after
    `connect()` returns and the receiver silently never runs.

    ## Example
    ```python
    post_save.connect(lambda sender, **kwargs: cache.clear(), sender=Order)
    ```

    ## Use instead
    Connect a module-level function, or pass `weak=False` (with a `dispatch_uid` if the
    code can run more than once):
    ```python
    @receiver(post_save, sender=Order)
    def clear_cache(sender, **kwargs):
        cache.clear()
    ```
    Not reported: a nested function or a local name connected while the function still
    has work to do after the `connect()` (a test that sends the signal and checks what
    the receiver saw): the running function keeps it alive. Nor a factory that is
    decorated (a cache keeps what it returns), stores what it returns (a cache, an
    attribute, a global), or may return something made elsewhere.

    ## Fix safety
    Unsafe: the fix adds `weak=False` and, unless one is given, a `dispatch_uid` made
    from the module, the enclosing function and the receiver
    (`"shop.views.checkout.<lambda>"`). The receiver then runs, and it stays connected
    for the life of the process. When the connecting code runs again, Django ignores
    the second `connect()` with the same `dispatch_uid`, so a receiver that closes over
    the first call's values keeps them. Check that this is what the code means. Often
    it should be a module-level receiver instead. There is no fix inside a loop (every
    round would get the same `dispatch_uid`, and Django would keep only the first
    receiver), nor in a function that runs after start-up (SIG101): a `dispatch_uid`
    would silence that finding while the receiver still appears only once the function
    has run, so the connection has to move, which is not a mechanical edit.
    """

    code = "SIG102"
    name = "weak-receiver-collected"
    summary = "Lambda/partial/nested function/temporary bound method connected weakly: garbage-collected, never runs."
    fix_safety = "unsafe"

    def check(self, ctx) -> Iterable[Finding]:
        uids = functools.lru_cache(maxsize=None)(lambda: _dispatch_uids(ctx))  # made only by `fix`
        for connection in ctx.connections:
            if dies_after_connect(connection, ctx.facts):
                yield self.finding(
                    connection.report_node,
                    f"{describe(connection.receiver)} is connected to `{connection.signal.text}` with "
                    "weak=True (the default): nothing else references it, so it is garbage-collected and "
                    "never runs; connect a module-level function, or pass weak=False",
                    fix=lambda connection=connection: _keep_alive(ctx, connection, uids()),
                )


def _keep_alive(ctx, connection: Connection, uids: dict) -> Optional[Fix]:
    node = connection.report_node
    call = node if isinstance(node, cst.Call) else getattr(node, "decorator", None)
    if not isinstance(call, cst.Call) or has_star_args(call) or sum(a.keyword is None for a in call.args) > 1:
        return None  # weak or dispatch_uid passed by position, or through *args
    if connection.function is not None and not ctx.runs_at_startup(connection.function):
        # Connected when some function runs (SIG101): a dispatch_uid would silence that
        # finding while the receiver still appears only then. Moving it is the fix.
        return None
    if _in_loop(ctx, node):
        return None  # one dispatch_uid for every round: Django would keep only the first
    has_uid = keyword_arg(call, "dispatch_uid") is not None
    uid = uids.get(id(connection))
    if uid is None and not has_uid:
        return None

    def keep(updated):
        target = updated if isinstance(updated, cst.Call) else updated.decorator
        args = list(target.args)
        weak_at = [i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == "weak"]
        if weak_at:
            args[weak_at[0]] = args[weak_at[0]].with_changes(value=cst.Name("False"))
        else:
            args = edits.append_item(args, edits.keyword_arg_node("weak", "False"), target.whitespace_before_args, "whitespace_after_arg")
        if not has_uid:
            args = edits.append_item(args, edits.keyword_arg_node("dispatch_uid", f'"{uid}"'), target.whitespace_before_args, "whitespace_after_arg")
        new = target.with_changes(args=args)
        return new if isinstance(updated, cst.Call) else updated.with_changes(decorator=new)

    return Fix(edits=((node, keep),))


def _in_loop(ctx, node: cst.CSTNode) -> bool:
    """Whether ``node`` runs once per round of a loop or comprehension in its scope."""
    parent = ctx.parent_of(node)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.Module)):
        if isinstance(parent, (cst.For, cst.While, cst.CompFor)):
            return True
        parent = ctx.parent_of(parent)
    return False


def _dispatch_uids(ctx) -> dict:
    """id(connection) -> a dispatch_uid for each weak connection SIG102 reports: module,
    enclosing function and receiver, numbered when two would be the same, and never one
    the module already uses."""
    module = ctx.facts.module_name or os.path.splitext(os.path.basename(ctx.path))[0]
    taken = {c.dispatch_uid[4:] for c in ctx.connections if (c.dispatch_uid or "").startswith("str:")}
    bases: dict = {}
    for connection in ctx.connections:
        if dies_after_connect(connection, ctx.facts) and connection.dispatch_uid is None:
            where = connection.function.qualname if connection.function is not None else ""
            base = ".".join(part for part in (module, where, _receiver_label(connection.receiver)) if part)
            bases.setdefault(base, []).append(connection)
    uids: dict = {}
    for base, connections in bases.items():
        for number, connection in enumerate(connections, 1):
            uid = base if len(connections) == 1 else f"{base}#{number}"
            while uid in taken:
                uid += "'"
            taken.add(uid)
            uids[id(connection)] = uid
    return uids


def _receiver_label(receiver: ReceiverRef) -> str:
    """``<lambda>``, ``partial(forget)``, ``handler``, ``Watcher().on_save``."""
    if receiver.kind == "lambda":
        return "<lambda>"
    if receiver.kind == "nested" and receiver.function is not None:
        return receiver.function.name
    if receiver.kind == "partial" and isinstance(receiver.node, cst.Call) and receiver.node.args:
        return f"partial({dotted_name(receiver.node.args[0].value) or '...'})"
    text = "".join(ch for ch in (receiver.key or "receiver") if ch.isalnum() or ch in "_.()<>")
    return text or "receiver"


@register
class ReceiverAccumulates(Rule):
    """
    ## What it does
    Flags, inside a function, a receiver that is a new object on every call (lambda,
    nested function, `partial(...)`, bound method of a new instance) connected with
    `weak=False` and no `dispatch_uid`.

    ## Why is this bad?
    `connect()` de-duplicates on the identity of the receiver object (or on
    `dispatch_uid`). A fresh object is never a duplicate, and `weak=False` keeps every one
    alive: each call adds one more receiver, so the handler runs once more per send, and
    the objects are never freed.

    ## Example
    ```python
    def enable_audit(model):
        post_save.connect(lambda sender, **kw: audit(sender), sender=model, weak=False)
    ```

    ## Use instead
    ```python
    def enable_audit(model):
        post_save.connect(audit_receiver, sender=model, weak=False,
                          dispatch_uid=f"audit-{model._meta.label}")
    ```
    """

    code = "SIG103"
    name = "receiver-accumulates"
    summary = "A fresh receiver object connected with `weak=False` inside a function: one more receiver per call (off by default)."
    enabled_by_default = False
    held_out = (0, 4)  # true / all findings on the held-out applications

    def check(self, ctx) -> Iterable[Finding]:
        if ctx.is_migration:
            return
        for connection in ctx.connections:
            function = connection.function
            if function is None or connection.weak is not False or connection.dispatch_uid is not None:
                continue
            if not connection.receiver.is_fresh_object or ctx.runs_at_startup(function):
                continue
            if closes_over_arguments(connection):
                continue
            if ctx.is_paired_with_disconnect(connection):
                continue
            yield self.finding(
                connection.report_node,
                f"{describe(connection.receiver)} is a new object on every call of `{function.qualname}()` "
                f"and is connected to `{connection.signal.text}` with weak=False and no dispatch_uid: each "
                "call adds another receiver that runs once more per send; pass a stable dispatch_uid or "
                "connect once at start-up",
            )


@register
class DuplicateDispatchUid(Rule):
    """
    ## What it does
    Flags a second, different receiver connected to the same signal and sender with a
    `dispatch_uid` already used.

    ## Why is this bad?
    Django de-duplicates on `(dispatch_uid, sender)`: the second `connect()` is a
    silent no-op, so the second receiver never runs.

    ## Example
    ```python
    post_save.connect(index_order, sender=Order, dispatch_uid="order-search")
    post_save.connect(notify_warehouse, sender=Order, dispatch_uid="order-search")
    ```

    ## Use instead
    Give every receiver its own `dispatch_uid`:
    ```python
    post_save.connect(notify_warehouse, sender=Order, dispatch_uid="order-warehouse")
    ```
    """

    code = "SIG104"
    name = "duplicate-dispatch-uid"
    summary = "Two different receivers share a `dispatch_uid` on one signal and sender: the second never runs."

    def check(self, ctx) -> Iterable[Finding]:
        first_seen: dict = {}
        if ctx.app is not None:
            first_seen.update(ctx.app.earlier_dispatch_uids(ctx.facts))
        for connection in sorted(ctx.connections, key=lambda c: c.order):
            if connection.dispatch_uid is None or disconnected_by_its_function(connection):
                continue
            key = (connection.signal.qualname, connection.sender_key, connection.dispatch_uid)
            first = first_seen.setdefault(key, connection)
            if first is connection or not different_receivers(first, connection):
                continue
            if disconnected_by_its_function(first):
                continue
            where = "" if first.module is connection.module else f" in {_display(first.module.path)}"
            yield self.finding(
                connection.report_node,
                f"dispatch_uid {_uid_text(connection)} is already used{where} for another receiver of "
                f"`{connection.signal.text}` with the same sender: Django keeps only the first, so "
                f"{describe(connection.receiver)} never runs; give it its own dispatch_uid",
            )


def disconnected_by_its_function(connection: Connection) -> bool:
    """A connection the same function undoes (``try: ... finally: disconnect()``, a
    test): it holds its dispatch_uid only while that function runs."""
    function = connection.function
    if function is None:
        return False
    return any(
        d.function is function
        and d.signal.qualname == connection.signal.qualname
        and (d.receiver_key == connection.receiver.key or (d.dispatch_uid and d.dispatch_uid == connection.dispatch_uid))
        for d in connection.module.disconnections
    )


def different_receivers(first: Connection, second: Connection) -> bool:
    a, b = first.receiver, second.receiver
    if a.function is not None or b.function is not None:
        return a.function is not b.function or first.module is not second.module
    if first.module is not second.module and a.kind != "imported":
        return True  # same text, but a different module's objects
    return a.key != b.key


def _display(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _uid_text(connection) -> str:
    """A connection's or a disconnection's dispatch_uid, as the message shows it."""
    uid = connection.dispatch_uid or ""
    return repr(uid[4:]) if uid.startswith("str:") else f"`{uid}`"


@register
class ConnectUsedAsDecorator(Rule):
    """
    ## What it does
    Flags a Django signal's `.connect` used as a decorator: `@post_save.connect`.

    ## Why is this bad?
    Unlike Celery's or blinker's signals, Django's `Signal.connect()` returns `None`.
    The decorated name is rebound to `None`, the signal holds only a weak reference to
    the function, and the function is garbage-collected: the receiver never runs.

    ## Example
    ```python
    @post_save.connect
    def on_save(sender, **kwargs): ...
    ```

    ## Use instead
    ```python
    @receiver(post_save)
    def on_save(sender, **kwargs): ...
    ```

    ## Fix safety
    Unsafe: `@post_save.connect` becomes `@receiver(post_save)`, and
    `@post_save.connect(sender=X)` becomes `@receiver(post_save, sender=X)`. Django's
    `receiver()` passes its keyword arguments to `connect()` and returns the function,
    so the name stays bound and the receiver runs. That is the point, and also why the
    fix is not safe: code that has never run starts running, on every send of the
    signal it was written for. Without a `sender` a model-signal receiver then runs for
    every model of the project (SIG504 reports that), and code that called the name
    (bound to `None` until now) behaves differently. Read the receiver and give it the
    `sender` it means before you apply the fix. `from django.dispatch import receiver`
    is added unless the module already imports it. There is no fix when the module
    binds the name `receiver` to something else.
    """

    code = "SIG105"
    name = "connect-as-decorator"
    summary = "`@signal.connect` used as a decorator: Django's `connect()` returns `None`; the receiver never runs."
    fix_safety = "unsafe"

    def check(self, ctx) -> Iterable[Finding]:
        for decorator, signal in ctx.facts.connect_decorators:
            if ctx.signal_kind(signal) in ("other", "unknown"):
                # A project signal that is not a Django Signal (blinker's decorator
                # API), or whose definition we cannot read: its connect() may well
                # return the function.
                continue
            yield self.finding(
                decorator,
                f"`@{signal.text}.connect` rebinds the function's name to None (Django's connect() "
                "returns None) and the weakly referenced function is garbage-collected, so it never "
                f"runs; use `@receiver({signal.text})`",
                fix=lambda decorator=decorator: _receiver_instead_of_connect(ctx, decorator),
            )


def _receiver_instead_of_connect(ctx, decorator: cst.Decorator) -> Optional[Fix]:
    expression = decorator.decorator
    if isinstance(expression, cst.Call) and any(arg.keyword is None for arg in expression.args):
        return None  # a receiver or *args passed to connect(): not the decorator shape
    found = edits.reference(ctx.facts.module, "django.dispatch.receiver", ctx.enclosing_scope_of(decorator, skip=1))
    if found is None:
        return None
    local, request = found

    def rewrite(updated: cst.Decorator) -> cst.Decorator:
        call = updated.decorator if isinstance(updated.decorator, cst.Call) else None
        attribute = call.func if call is not None else updated.decorator
        signal = cst.Arg(attribute.value)
        if call is None or not call.args:
            return updated.with_changes(decorator=cst.Call(cst.parse_expression(local), [signal]))
        signal = signal.with_changes(comma=cst.Comma(whitespace_after=edits.separator_like(call.whitespace_before_args)))
        return updated.with_changes(decorator=call.with_changes(func=cst.parse_expression(local), args=[signal, *call.args]))

    return Fix(edits=((decorator, rewrite),), imports=(request,) if request else ())


@register
class ReconnectWithoutFinally(Rule):
    """
    ## What it does
    Flags receivers switched off and back on around some work without `try/finally`:
    `sig.disconnect(r)` (or a helper that disconnects) ... work ... `sig.connect(r)`
    (or a helper that reconnects) in the same block. Reported on the reconnecting call.

    It also flags a receiver disconnected, and never connected again, by code that runs
    while the server is serving: a view, a method of a view or viewset, middleware, a
    task, or a function of the same module they call. Reported on the `disconnect()`
    call.

    ## Why is this bad?
    If the work raises, the reconnect never runs and the receivers stay disconnected
    for the rest of the process's life: every later save in that worker skips them.
    In a `@contextmanager`, an exception in the `with` body is raised at `yield`, so a
    reconnect after `yield` without `finally` is skipped the same way. So is a reconnect
    inside `try:` whose `except Exception:` handler only logs (or re-raises): the error
    is handled, the process goes on, and the receivers stay off. Not reported when a
    handler that catches every error reconnects too, or the code after the `try`
    statement does.

    `disconnect()` removes the receiver from the signal's list of receivers, which lives
    in the memory of one process. Done by a view and never undone, it removes the
    receiver for every later request that process serves (a task: every later task of
    that worker), while the other worker processes still have it: what a save does then
    depends on which process served which request before.

    ## Example
    ```python
    post_save.disconnect(reindex, sender=Product)
    import_products(rows)
    post_save.connect(reindex, sender=Product)


    def import_view(request):
        post_save.disconnect(reindex, sender=Product)  # never connected again
        import_products(request.FILES["rows"])
    ```

    ## Use instead
    ```python
    post_save.disconnect(reindex, sender=Product)
    try:
        import_products(rows)
    finally:
        post_save.connect(reindex, sender=Product)
    ```
    Or leave the receiver connected and let it skip the work (a flag it reads). A
    disconnection is reported only with evidence of when it runs: a function whose first
    parameter is `request` in a views module (`views.py`, `*_views.py`, a `views/`
    package) or a middleware module (`middleware.py`, a `middleware/` package); any
    method of a class whose base is named like a view (`View`, `APIView`,
    `GenericAPIView`, `*ViewSet`); the request methods of a class the settings list in
    `MIDDLEWARE`; a task (`@shared_task`, `@app.task`, Huey's tasks, RQ's `@job`,
    Dramatiq's `@actor`, `django.tasks.task`); and the functions of the same module
    these call. Not reported: code with no such evidence; start-up code (`ready()`,
    module level and what they call: disconnecting a library's receiver there to replace
    it is common and the same in every process) and what the URLconf runs as it loads;
    management commands, migrations and tests; a receiver connected again (same signal,
    same receiver or `dispatch_uid`) in the same function, another method of the same
    class, the other function of a module-level on/off pair, or by a helper that
    reconnects called in the same function; a receiver the function connected itself; a
    local, nested or `self` receiver; `disconnect()` with neither a receiver nor a
    `dispatch_uid`; helpers of other modules that disconnect.
    """

    code = "SIG106"
    name = "reconnect-without-finally"
    summary = "Receivers disconnected and reconnected around work without `try/finally`, or disconnected for good by a view, middleware or task."

    def check(self, ctx) -> Iterable[Finding]:
        if ctx.is_test_module:
            return  # a test that fails part-way: the rest of the run is the test runner's
        offs = list(self._switches(ctx, on=False))
        if not offs:
            return
        yield from self._reconnects_outside_finally(ctx, offs)
        yield from self._never_reconnected(ctx)

    def _reconnects_outside_finally(self, ctx, offs: list) -> Iterator[Finding]:
        facts = ctx.facts
        ons = list(self._switches(ctx, on=True))
        for on_site, on_key, on_description in ons:
            if on_site.function is not None and on_site.function.name in ("__exit__", "__aexit__"):
                continue
            if ctx.in_test_code(on_site.function):
                continue
            block, index = on_site.path[-1] if on_site.path else (None, None)
            if block is None or facts.blocks[block].kind in ("protected", "finally"):
                continue
            if facts.blocks[block].kind == "try" and _reconnected_after_error(facts, on_site, on_key, ons):
                continue
            for off_site, off_key, _ in offs:
                if not off_site.path or off_site.path[:-1] != on_site.path[:-1]:
                    continue
                off_block, off_index = off_site.path[-1]
                if off_block != block or index - off_index < 2:
                    continue
                if on_key is not None and off_key is not None and on_key != off_key:
                    continue
                yield self.finding(
                    on_site.node,
                    f"{on_description} re-enables receivers switched off earlier in this block, but not in "
                    "a `finally:`; if the work in between raises, they stay disconnected for the life of "
                    "the process; reconnect in `try: ... finally:`",
                )
                break

    def _never_reconnected(self, ctx) -> Iterator[Finding]:
        """A process-wide receiver disconnected by code that runs per request or per task
        and connected again nowhere the disconnection is managed."""
        helper_reconnects = None
        for disconnection in ctx.disconnections:
            if not _removes_a_process_wide_receiver(disconnection):
                continue
            serving = ctx.runs_while_serving(disconnection.function)
            if serving is None or ctx.is_reconnected(disconnection):
                continue
            if helper_reconnects is None:
                helper_reconnects = {
                    id(_owner_of(site.function))
                    for site, key, _ in self._switches(ctx, on=True)
                    if key is None and site.function is not None
                }
            if id(_owner_of(disconnection.function)) in helper_reconnects:
                continue  # a helper that reconnects runs in the same function or class
            yield self.finding(disconnection.report_node, _never_reconnected_message(disconnection, serving))

    def _switches(self, ctx, on: bool) -> Iterator[tuple[CallSite, Optional[tuple], str]]:
        """(call, (signal, receiver) or None for helpers, description) for each switch."""
        facts = ctx.facts
        if on:
            for connection in ctx.connections:
                if connection.call is not None:
                    key = (connection.signal.qualname, connection.receiver.key, connection.sender_key)
                    yield connection.call, key, f"`{connection.signal.text}.connect()`"
        else:
            for disconnection in ctx.disconnections:
                key = (disconnection.signal.qualname, disconnection.receiver_key, disconnection.sender_key)
                yield disconnection.call, key, ""
        switching = _functions_that_switch(facts, on)
        for call in facts.calls:
            callee = facts.callees(call)
            if callee is not None and id(callee) in switching:
                yield call, None, f"`{call.callee_name}()`, which reconnects,"
            elif callee is None and _may_switch(call) and ctx.app is not None:
                # A helper of another module (apps.py's disconnect_*_signals()).
                target = ctx.app.resolve_call(call, facts)
                if target is not None and id(target[1]) in _functions_that_switch(target[0], on):
                    yield call, None, f"`{call.callee_name}()`, which reconnects,"


def _removes_a_process_wide_receiver(disconnection: Disconnection) -> bool:
    """A receiver every request of the process shares: one named by ``dispatch_uid``, a
    module-level function of the module or one imported. A local object, a nested
    function or a method of ``self`` may belong to the running code alone."""
    if disconnection.dispatch_uid is not None:
        return True
    receiver = disconnection.receiver
    return receiver is not None and receiver.kind in ("function", "imported")


def _owner_of(function: Function):
    """What a disconnection's pairing is judged on: the class of a method, or the
    outermost function."""
    *_, outermost = function.ancestors()
    return outermost.cls if outermost.cls is not None else outermost


def _never_reconnected_message(disconnection: Disconnection, serving) -> str:
    function = disconnection.function
    if disconnection.receiver is not None:
        what = f"`{disconnection.receiver.key}`"
    else:
        what = f"the receiver with dispatch_uid {_uid_text(disconnection)}"
    where = serving.why if serving.root is function else f"called from `{serving.root.qualname}()`, {serving.why}"
    if serving.kind == "task":
        when, later, others = "in task worker processes", "task this worker process runs", "other workers"
    else:
        when, later, others = "while requests are served", "request this process serves", "other processes"
    return (
        f"{what} is disconnected from `{disconnection.signal.text}` inside `{function.qualname}()`, which runs "
        f"{when} ({where}), and never connected again: every later {later} runs without it, {others} still "
        "have it; reconnect it in `try: ... finally:`, or let the receiver skip the work instead"
    )


def _may_switch(call: CallSite) -> bool:
    """Whether a call's name suggests it switches receivers: only such calls are looked
    up in other modules (the look-up parses them; the verdict is the callee's body)."""
    return names_a_switching_helper(call.callee_name or "")


def _functions_that_switch(facts: ModuleFacts, on: bool) -> frozenset:
    """ids of functions that connect (``on``) or disconnect receivers, directly or via helpers."""
    direct = {
        id(site.function)
        for site in (
            [c.call for c in facts.connections if c.call is not None]
            if on
            else [d.call for d in facts.disconnections]
        )
        if site.function is not None
    }
    result = set(direct)
    changed = True
    while changed:
        changed = False
        for function in facts.functions:
            if id(function) in result:
                continue
            if any(id(callee) in result for _, callee in facts.function_calling(function)):
                result.add(id(function))
                changed = True
    return frozenset(result)


def _reconnected_after_error(facts, on_site: CallSite, on_key: Optional[tuple], ons: list) -> bool:
    """Whether, for a reconnect in a ``try`` body without ``finally``, an error raised
    before it still leads to a reconnect: a handler that catches every error switches
    the same receivers on (or calls a helper that does), or the code after the ``try``
    statement does. A handler that only logs leaves them off."""
    handlers = set(facts.blocks[on_site.path[-1][0]].broad_handlers)
    outer = on_site.path[:-1]  # where the try statement is
    for site, key, _ in ons:
        if site is on_site or not (key is None or on_key is None or key == on_key):
            continue
        if any(block in handlers for block, _ in site.path):
            return True
        if outer and site.path[: len(outer) - 1] == outer[:-1] and len(site.path) >= len(outer):
            block, index = site.path[len(outer) - 1]
            if block == outer[-1][0] and index > outer[-1][1]:
                return True
    return False
