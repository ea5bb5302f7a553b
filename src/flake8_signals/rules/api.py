"""SIG5xx: misuse of the signal API."""

from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from ..module.facts import Connection, Disconnection, Function
from ..source import edits
from ..source.syntax import dotted_name, has_star_args, keyword_arg, normalized, string_value
from .base import Finding, Rule, register
from .fix import Fix


def wraps_before_connecting(function: Function, receiver_decorators: list) -> bool:
    """Whether what gets connected is a decorator's wrapper rather than the def itself."""
    below_receivers = function.decorators
    if receiver_decorators:
        last = max(function.decorators.index(d) for d in receiver_decorators)
        below_receivers = function.decorators[last + 1 :]
    return any(dotted_name(d.decorator) not in ("staticmethod",) for d in below_receivers)


@register
class ReceiverWithoutKwargs(Rule):
    """
    ## What it does
    Flags a receiver function whose signature has no `**kwargs`. For methods, `self`
    and `cls` are not counted as the sender.

    ## Why is this bad?
    With `DEBUG = True`, `Signal.connect()` raises
    `ValueError: Signal receivers must accept keyword arguments (**kwargs).` Even
    without DEBUG, a receiver that lists arguments breaks with a `TypeError` as soon as
    the signal is sent with an argument it does not name (Django adds arguments to
    its signals over time, and custom senders pass their own).

    ## Example
    ```python
    @receiver(post_save, sender=Order)
    def on_order_saved(sender, instance, created): ...
    ```

    ## Use instead
    ```python
    @receiver(post_save, sender=Order)
    def on_order_saved(sender, instance, created, **kwargs): ...
    ```

    ## Fix safety
    Safe: `**kwargs` is added last (after `*args` and keyword-only parameters, in the
    signature's own layout). Every call that worked still binds the same arguments; the
    receiver now also accepts the ones it did not name. When every other parameter is
    annotated, so is `**kwargs` (`Any` if the module imports it, else `object`), so a
    fully typed signature stays fully typed.
    """

    code = "SIG501"
    name = "receiver-without-kwargs"
    summary = "Receiver does not accept `**kwargs` (`ValueError` at connect time in DEBUG)."
    fix_safety = "safe"

    def check(self, ctx) -> Iterable[Finding]:
        decorators_of = ctx.facts.receiver_decorators
        for receiver in ctx.receivers:
            function = receiver.function
            if function.params.var_keyword is not None:
                continue
            if wraps_before_connecting(function, decorators_of.get(id(function.node), [])):
                continue
            signals = ", ".join(f"`{s.text}`" for s in receiver.signals)
            yield self.finding(
                function.node,
                f"receiver `{function.name}` of {signals} does not accept **kwargs: Django raises "
                "ValueError when it is connected with DEBUG=True, and a TypeError when the signal sends an "
                "argument it does not name; add **kwargs",
                fix=lambda function=function: _add_var_keyword(ctx, function),
            )


def _add_var_keyword(ctx, function: Function) -> Optional[Fix]:
    params = function.node.params
    taken = set(function.params.all_names)
    name = next(n for n in ("kwargs", "_kwargs", "extra_kwargs", "signal_kwargs") + tuple(f"kwargs{i}" for i in range(2, 99)) if n not in taken)
    annotation = _kwargs_annotation(ctx, function)
    new = cst.Param(name=cst.Name(name), annotation=annotation, star="**")
    opening = function.node.whitespace_before_params

    def add(updated: cst.Parameters) -> cst.Parameters:
        fields = ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params")
        flat = []
        for field_name in fields:
            value = getattr(updated, field_name)
            if isinstance(value, (list, tuple)):
                flat.extend((field_name, i, item) for i, item in enumerate(value))
            elif isinstance(value, cst.CSTNode):
                flat.append((field_name, None, value))
        last = flat[-1][2] if flat else None
        space_field = "whitespace_after_param" if isinstance(last, cst.Param) else None
        items = edits.append_item([item for _f, _i, item in flat], new, opening, space_field)
        changes: dict = {"star_kwarg": items[-1]}
        if flat:
            field_name, index, _item = flat[-1]
            if index is None:
                changes[field_name] = items[-2]
            else:
                sequence = list(getattr(updated, field_name))
                sequence[index] = items[-2]
                changes[field_name] = sequence
        return updated.with_changes(**changes)

    return Fix(edits=((params, add),))


def _kwargs_annotation(ctx, function: Function) -> Optional[cst.Annotation]:
    """``object`` (or the module's ``Any``) when every other parameter is annotated."""
    node = function.node.params
    params = [*node.posonly_params, *node.params, *node.kwonly_params]
    if isinstance(node.star_arg, cst.Param):
        params.append(node.star_arg)
    if function.is_method and not function.is_staticmethod and params:
        params = params[1:]  # self/cls are rarely annotated
    if not params or any(p.annotation is None for p in params):
        return None
    any_name = edits.local_name_of(ctx.facts.module, "typing.Any")
    return cst.Annotation(cst.parse_expression(any_name or "object"))


@register
class ProvidingArgsRemoved(Rule):
    """
    ## What it does
    Flags `Signal(providing_args=[...])`.

    ## Why is this bad?
    The argument was deprecated in Django 3.1 and removed in Django 4.0: creating the
    signal raises `TypeError: Signal.__init__() got an unexpected keyword argument
    'providing_args'` when the module is imported.

    ## Example
    ```python
    order_paid = Signal(providing_args=["order", "amount"])
    ```

    ## Use instead
    Document the arguments in a comment:
    ```python
    # Sent with: order, amount
    order_paid = Signal()
    ```

    ## Fix safety
    Safe: Django 3.1 to 3.2 ignored the argument apart from a deprecation warning,
    and later versions reject it. The fix drops it. A literal list of names becomes a
    `# Sent with: ...` comment above the statement. An import that only the argument
    used is removed. The fix is skipped when the argument holds a comment, which it
    would lose.
    """

    code = "SIG502"
    name = "providing-args-removed"
    summary = "`Signal(providing_args=...)`: removed in Django 4.0 (`TypeError` at import)."
    fix_safety = "safe"

    def check(self, ctx) -> Iterable[Finding]:
        for definition in ctx.facts.signal_definitions:
            if keyword_arg(definition.call, "providing_args") is not None:
                yield self.finding(
                    definition.call,
                    "`Signal(providing_args=...)` raises TypeError on Django 4.0 and later (the argument "
                    "was removed); drop it and document the arguments in a comment",
                    fix=lambda call=definition.call: _drop_providing_args(ctx, call),
                )


def _drop_providing_args(ctx, call: cst.Call) -> Optional[Fix]:
    index = next(i for i, arg in enumerate(call.args) if arg.keyword is not None and arg.keyword.value == "providing_args")
    removed = call.args[index]
    if edits.contains_comment(removed):
        return None
    module = ctx.facts.module

    def drop(updated: cst.Call) -> cst.Call:
        args = edits.remove_item(updated.args, index, "whitespace_after_arg")
        if not args:
            return updated.with_changes(args=[], whitespace_before_args=edits.NO_SPACE)
        return updated.with_changes(args=args)

    changes = [(call, drop)]
    names = [string_value(element) for element in _elements(removed.value)]
    statement = ctx.statement_of(call)
    if names and all(names) and statement is not None:
        comment = cst.EmptyLine(comment=cst.Comment("# Sent with: " + ", ".join(names)))
        changes.append((statement, lambda s: s.with_changes(leading_lines=[*s.leading_lines, comment])))
    changes.extend(edits.unused_import_removals(module, removed.value, ctx.code, lambda name: _imported_elsewhere(ctx, name)))
    return Fix(edits=tuple(changes))


def _imported_elsewhere(ctx, name: str) -> bool:
    """Whether another module may import ``name`` from this one; True when the project
    around the file cannot be read (standard input, no app): then the import stays."""
    module = ctx.facts.module_name
    return ctx.app is None or module is None or ctx.app.name_imported_elsewhere(module, name)


def _elements(value: cst.BaseExpression) -> list:
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return [element.value for element in value.elements]
    return []


@register
class ReceiverNotOutermost(Rule):
    """
    ## What it does
    Flags `@receiver` with another decorator above it. Several stacked `@receiver`s on
    top are fine, and so is `@staticmethod` above it.

    ## Why is this bad?
    Decorators apply bottom-up. `@receiver` connects the function it is given and
    returns it unchanged; a decorator above it then wraps that function, and the name
    is bound to the wrapper. The signal calls the unwrapped function, so whatever the
    upper decorator adds (a transaction, a lock, a feature flag, logging) never happens
    for signal calls.

    ## Example
    ```python
    @transaction.atomic
    @receiver(post_save, sender=Order)
    def on_order_saved(sender, instance, **kwargs): ...
    ```

    ## Use instead
    ```python
    @receiver(post_save, sender=Order)
    @transaction.atomic
    def on_order_saved(sender, instance, **kwargs): ...
    ```

    ## Fix safety
    Safe: the `@receiver` decorators move to the top, in their order, below any
    `@staticmethod`; the other decorators keep theirs. The signal then calls the
    decorated function, which is what the finding says it should. There is no fix
    when a decorator that `@receiver` would move above does not return a function the
    signal can call in its place: `@property`, `@classmethod`, `@cached_property`,
    `@pytest.fixture`, `@overload`, `@abstractmethod`, `@contextmanager` (calling it
    runs nothing), or `@sync_to_async` (Django 4.2 does not await receivers).
    """

    code = "SIG503"
    name = "receiver-not-outermost"
    summary = "`@receiver` is not the outermost decorator: the connected function is not the decorated one."
    fix_safety = "safe"

    def check(self, ctx) -> Iterable[Finding]:
        for function in ctx.facts.functions:
            receivers = ctx.facts.receiver_decorators.get(id(function.node))
            if not receivers:
                continue
            above: Optional[cst.Decorator] = None
            for decorator in function.decorators:
                if decorator in receivers:
                    if above is not None:
                        yield self.finding(
                            decorator,
                            f"`@receiver` is below `@{_decorator_text(above)}`: the signal calls the "
                            f"undecorated `{function.name}`, not the wrapper its name is bound to; put "
                            "@receiver on top",
                            fix=lambda function=function, receivers=receivers: _receivers_on_top(function, receivers),
                        )
                elif dotted_name(decorator.decorator) != "staticmethod" and above is None:
                    above = decorator


# Decorators whose result is not a function the signal can call in its place: a
# descriptor, a fixture definition, a context-manager factory (calling it runs
# nothing), or an async wrapper (Django 4.2 calls receivers synchronously).
NOT_CALLABLE_RESULTS = frozenset(
    {
        "property", "classmethod", "cached_property", "fixture", "overload", "abstractmethod",
        "setter", "getter", "deleter", "contextmanager", "asynccontextmanager",
        "sync_to_async", "database_sync_to_async",
    }
)


def _receivers_on_top(function: Function, receivers: list) -> Optional[Fix]:
    decorators = function.node.decorators
    receiver_at = [i for i, d in enumerate(decorators) if d in receivers]
    static_at = [i for i, d in enumerate(decorators) if dotted_name(d.decorator) == "staticmethod"]
    others = [i for i in range(len(decorators)) if i not in receiver_at and i not in static_at]
    for i in others:
        if i < receiver_at[-1] and _decorator_text(decorators[i]).rsplit(".", 1)[-1] in NOT_CALLABLE_RESULTS:
            return None
    order = static_at + receiver_at + others

    def reorder(updated: cst.FunctionDef) -> cst.FunctionDef:
        current = list(updated.decorators)
        return updated.with_changes(decorators=[current[i] for i in order])

    return Fix(edits=((function.node, reorder),))


def _decorator_text(decorator: cst.Decorator) -> str:
    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        expression = expression.func
    return dotted_name(expression) or "..."


@register
class ModelSignalWithoutSender(Rule):
    """
    ## What it does
    Flags a receiver of a model signal (`pre_save`, `post_save`, `pre_delete`,
    `post_delete`, `pre_init`, `post_init`, `m2m_changed`) connected without `sender`.
    Off by default: enable with `--extend-select=SIG504`.

    ## Why is this bad?
    Without a sender the receiver runs for every model in the project: third-party
    models, sessions, migrations' historical models. It costs time on every save and
    tends to break on models it never expected.

    ## Example
    ```python
    @receiver(post_save)
    def on_order_saved(sender, instance, **kwargs): ...
    ```

    ## Use instead
    ```python
    @receiver(post_save, sender=Order)
    def on_order_saved(sender, instance, **kwargs): ...
    ```
    """

    code = "SIG504"
    name = "model-signal-without-sender"
    summary = "Model-signal receiver without `sender`: runs for every model (off by default)."
    enabled_by_default = False

    def check(self, ctx) -> Iterable[Finding]:
        for connection in ctx.connections:
            if not connection.signal.is_model_signal or connection.sender is not None:
                continue
            if _passes_star_arguments(connection) or _restores_a_disconnect(connection, ctx.facts):
                continue
            yield self.finding(
                connection.report_node,
                f"`{connection.signal.text}` receiver has no sender: it runs for every model in the "
                "project, third-party and migration models included; pass sender=YourModel",
            )


def _restores_a_disconnect(connection: Connection, facts) -> bool:
    """A ``connect()`` that puts back a receiver the module disconnected (switched off
    around an import, reconnected after): it restores a wiring made elsewhere."""
    return connection.kind == "connect" and any(
        d.signal.qualname == connection.signal.qualname and d.receiver_key == connection.receiver.key
        for d in facts.disconnections
    )


def _passes_star_arguments(connection: Connection) -> bool:
    node = connection.report_node
    call = node if isinstance(node, cst.Call) else getattr(node, "decorator", None)
    return isinstance(call, cst.Call) and has_star_args(call)


@register
class DisconnectMismatch(Rule):
    """
    ## What it does
    Flags a `disconnect()` of a receiver the module connects, when no connection of it
    matches: a `sender` or `dispatch_uid` given at connect time is missing or different
    at disconnect time (or the signal differs). With project analysis, also a
    `disconnect(sender=S, dispatch_uid="U")` that names no receiver, when `U` is the name
    of a receiver the module connects to the same signal and sender under another
    literal `dispatch_uid` (`tags_normalization` connected as `"tags_normalization_task"`),
    and no module of the project connects anything with `"U"` (nor computes a
    `dispatch_uid` for that signal): nothing is stored under `(U, S)`.

    ## Why is this bad?
    `disconnect()` looks the receiver up by `(dispatch_uid or receiver, sender)`, the
    same key `connect()` stored. With another key it finds nothing, returns `False`,
    and the receiver stays connected: the code that was meant to run without it does not.

    ## Example
    ```python
    post_save.connect(reindex, sender=Product, dispatch_uid="reindex-product")
    ...
    post_save.disconnect(reindex, sender=Product)
    ```

    ## Use instead
    ```python
    post_save.disconnect(reindex, sender=Product, dispatch_uid="reindex-product")
    ```
    """

    code = "SIG505"
    name = "disconnect-mismatch"
    summary = "`disconnect()` does not match how the receiver was connected (`sender`/`dispatch_uid`): it stays connected."

    def check(self, ctx) -> Iterable[Finding]:
        connections = ctx.connections
        for disconnection in ctx.disconnections:
            if has_star_args(disconnection.report_node):
                continue
            candidates = [c for c in connections if _same_receiver(c, disconnection)]
            if not candidates:
                yield from self._unknown_uid(ctx, disconnection)
                continue
            if any(_matches(c, disconnection) for c in candidates):
                continue
            connection = candidates[0]
            yield self.finding(
                disconnection.report_node,
                f"this disconnect() of {_what(disconnection)} does not match how it was connected "
                f"({_connection_text(connection)}): disconnect() returns False and the receiver stays "
                "connected; pass the same signal, sender and dispatch_uid",
            )


    def _unknown_uid(self, ctx, disconnection: Disconnection) -> Iterable[Finding]:
        """``disconnect(sender=S, dispatch_uid=U)`` naming no receiver, where ``U`` is the
        name of a receiver the module connects to the same signal and sender under
        another literal uid, and no module of the project connects anything with ``U``:
        it removes nothing, and that receiver stays connected."""
        uid, signal = disconnection.dispatch_uid, disconnection.signal.qualname
        if disconnection.receiver_key is not None or uid is None or not uid.startswith("str:"):
            return
        if disconnection.sender_key is None or ctx.app is None:
            return
        meant = [
            c
            for c in ctx.connections
            if c.signal.qualname == signal
            and c.sender_key == disconnection.sender_key
            and c.dispatch_uid is not None
            and c.dispatch_uid.startswith("str:")
            and (c.receiver.key or "").rsplit(".", 1)[-1] == uid[4:]
        ]
        if not meant or any(c.dispatch_uid == uid for c in ctx.connections):
            return
        if ctx.app.may_connect_with_uid(signal, uid):
            return
        connection = meant[0]
        yield self.finding(
            disconnection.report_node,
            f"this disconnect() of dispatch_uid {_plain(uid)} matches no connection: `{connection.receiver.key}` "
            f"is connected to `{connection.signal.text}` for this sender with dispatch_uid "
            f"{_plain(connection.dispatch_uid)}, and no module of the project connects a receiver with "
            f"{_plain(uid)}; disconnect() returns False and the receiver stays connected; pass "
            f"dispatch_uid={_plain(connection.dispatch_uid)}",
        )


def _same_receiver(connection: Connection, disconnection: Disconnection) -> bool:
    if disconnection.receiver_key is not None:
        return connection.receiver.key == disconnection.receiver_key
    return (
        disconnection.dispatch_uid is not None
        and connection.dispatch_uid == disconnection.dispatch_uid
        and connection.signal.qualname == disconnection.signal.qualname
    )


def _matches(connection: Connection, disconnection: Disconnection) -> bool:
    return (
        connection.signal.qualname == disconnection.signal.qualname
        and connection.dispatch_uid == disconnection.dispatch_uid
        and senders_match(connection.sender_key, disconnection.sender_key)
    )


def senders_match(a: Optional[str], b: Optional[str]) -> bool:
    if a == b:
        return True
    if a is None or b is None:
        return False
    # "shop.Order" and Order may be the same model: do not claim a mismatch.
    if a.startswith("str:") != b.startswith("str:"):
        text, other = (a, b) if a.startswith("str:") else (b, a)
        return text.rsplit(".", 1)[-1] == other.rsplit(".", 1)[-1]
    return False


def _what(disconnection: Disconnection) -> str:
    if disconnection.receiver_key is not None:
        return f"`{disconnection.receiver_key}`"
    return f"dispatch_uid {disconnection.dispatch_uid}"


def _connection_text(connection: Connection) -> str:
    parts = [f"`{connection.signal.text}`"]
    parts.append(f"sender={normalized(connection.sender)}" if connection.sender is not None else "no sender")
    if connection.dispatch_uid is not None:
        parts.append(f"dispatch_uid={_plain(connection.dispatch_uid)}")
    return ", ".join(parts)


def _plain(key: Optional[str]) -> str:
    if key is None:
        return "None"
    return repr(key[4:]) if key.startswith("str:") else key



@register
class M2MChangedPlainModelSender(Rule):
    """
    ## What it does
    Flags an `m2m_changed` receiver connected with a plain model as `sender` (a model
    of the project that no `through=` names), or with the field itself
    (`sender=Pizza.toppings`, the field's descriptor), instead of the intermediate model
    (`Pizza.toppings.through`).

    ## Why is this bad?
    Django sends `m2m_changed` with the intermediate ("through") model of the
    many-to-many field as `sender`, never with the model that declares the field or the
    model on the other side. A receiver registered for `sender=Pizza` is never called:
    toppings change and nothing happens, with no error.

    ## Example
    ```python
    @receiver(m2m_changed, sender=Pizza)
    def toppings_changed(sender, instance, action, **kwargs): ...
    ```

    ## Use instead
    ```python
    @receiver(m2m_changed, sender=Pizza.toppings.through)
    def toppings_changed(sender, instance, action, **kwargs): ...
    ```
    """

    code = "SIG506"
    name = "m2m-changed-plain-model-sender"
    summary = "`m2m_changed` receiver whose sender is a plain model, not the through model: it never runs."

    def check(self, ctx) -> Iterable[Finding]:
        for connection in ctx.connections:
            signal = connection.signal
            if not (signal.is_model_signal and signal.short_name == "m2m_changed"):
                continue
            kind = ctx.m2m_sender_kind(connection)
            if kind not in ("plain", "descriptor"):
                continue
            sender = normalized(connection.sender) or "the sender"
            if kind == "descriptor":
                yield self.finding(
                    connection.report_node,
                    f"`{sender}` is the many-to-many field's descriptor, not its intermediate (through) "
                    "model, and m2m_changed is sent with the through model as sender, so this receiver "
                    f"never runs; use sender={sender}.through",
                )
                continue
            yield self.finding(
                connection.report_node,
                f"m2m_changed is sent with the intermediate (through) model as sender, never with "
                f"`{sender}`, so this receiver never runs; use sender=<Model>.<m2m field>.through "
                "(e.g. sender=Pizza.toppings.through)",
            )
