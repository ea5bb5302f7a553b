"""SIG4xx: receivers that are not idempotent or re-enter themselves."""

from __future__ import annotations

from typing import Iterable

import libcst as cst

from ..source.syntax import attribute_names, string_value
from .analysis import (
    call_text,
    called_on,
    f_increments,
    guarded_by,
    guarded_by_flag,
    guarded_by_instance_flag,
    instance_names,
    is_mail_call,
    manager_method,
    wrapping_decorators,
)
from .base import Finding, Rule, register

CREATED_GUARD = ("created",)
# ``if not Profile.objects.filter(user=instance).exists():`` (or after ``if ...exists():
# return``) is a hand-written get_or_create: the create runs once. So is
# ``if not hasattr(user, "member"):``: a reverse one-to-one accessor raises (and hasattr
# says False) until the related row exists.
EXISTENCE_CHECKS = ("exists", "count", "first", "hasattr")


@register
class SaveInSaveReceiver(Rule):
    """
    ## What it does
    Flags `instance.save()` on the receiver's own instance in a `pre_save` receiver,
    and in a `post_save` receiver unless the call is guarded by an `if` (or an early
    `return`) that tests `created`, `update_fields`, or an attribute used as a
    re-entry flag.

    ## Why is this bad?
    `save()` sends `pre_save` and `post_save` again, which calls the receiver again:
    in `pre_save` that is unbounded recursion (`RecursionError`); in `post_save`
    likewise unless something stops the second round, and even then every save costs
    two writes and two rounds of every other receiver.

    ## Example
    ```python
    @receiver(post_save, sender=Order)
    def set_number(sender, instance, **kwargs):
        instance.number = f"ORD-{instance.pk}"
        instance.save()
    ```

    ## Use instead
    Write the column without sending signals again:
    ```python
    @receiver(post_save, sender=Order)
    def set_number(sender, instance, created, **kwargs):
        if created:
            Order.objects.filter(pk=instance.pk).update(number=f"ORD-{instance.pk}")
    ```
    """

    code = "SIG401"
    name = "save-in-save-receiver"
    summary = "`instance.save()` inside its own `pre_save`/`post_save` receiver: recursion."

    def check(self, ctx) -> Iterable[Finding]:
        for receiver in ctx.receivers:
            in_pre_save = receiver.listens_to("pre_save")
            in_post_save = receiver.listens_to("post_save")
            if not (in_pre_save or in_post_save):
                continue
            function = receiver.function
            instances = instance_names(function)
            for call in function.calls:
                if call.method != "save" or call.in_lambda or not called_on(call, instances):
                    continue
                if _disconnected_before(call, function, ctx.facts):
                    continue  # post_save.disconnect(this receiver) ... save() ... connect()
                if in_pre_save:
                    why = "sends pre_save again and calls this receiver again: unbounded recursion"
                elif (
                    guarded_by(call.guards, "created", "update_fields")
                    or guarded_by_flag(call.guards, function)
                    or guarded_by_instance_flag(call, function, instances)
                ):
                    continue
                else:
                    why = "sends post_save again and calls this receiver again, with no guard to stop it"
                yield self.finding(
                    call.node,
                    f"{call_text(call)} in receiver `{function.name}` {why}; write the columns with "
                    "Model.objects.filter(pk=instance.pk).update(...) instead",
                )


@register
class UnguardedCreateInPostSave(Rule):
    """
    ## What it does
    Flags, in a `post_save` receiver, `.objects.create(...)`, `.objects.bulk_create(...)`
    or sending mail (Django's mail functions, `EmailMessage(...).send()`) that is not
    guarded by `created` (`if created:`, `if not created: return`,
    `kwargs.get("created")`).

    ## Why is this bad?
    `post_save` is sent on every save, updates included. Without the guard the
    receiver creates another row (or sends another mail) each time the instance is
    saved again.

    ## Example
    ```python
    @receiver(post_save, sender=User)
    def create_profile(sender, instance, **kwargs):
        Profile.objects.create(user=instance)
    ```

    ## Use instead
    ```python
    @receiver(post_save, sender=User)
    def create_profile(sender, instance, created, **kwargs):
        if created:
            Profile.objects.create(user=instance)
    ```
    `get_or_create()`/`update_or_create()` are idempotent and never reported, nor is a
    create under an existence check (`if not ...exists():`, `if not hasattr(instance,
    "profile"):`), nor a receiver whose every connection is undone where it is made
    (connected around one piece of work, disconnected in `finally`).
    """

    code = "SIG402"
    name = "unguarded-create-in-post-save"
    summary = "`post_save` receiver creates rows or sends mail without checking `created`: repeats on every update (off by default)."
    enabled_by_default = False
    held_out = (0, 3)  # true / all findings on the held-out applications

    def check(self, ctx) -> Iterable[Finding]:
        for receiver in ctx.receivers:
            if not receiver.listens_to("post_save") or ctx.connected_only_for_a_while(receiver):
                continue
            function = receiver.function
            for call in function.calls:
                if guarded_by(call.guards, *CREATED_GUARD) or guarded_by(call.guards, *EXISTENCE_CHECKS):
                    continue
                if manager_method(call) in ("create", "bulk_create"):
                    if _looks_up_existing_rows_first(call, function):
                        continue
                    what = "creates rows"
                elif is_mail_call(call, ctx.facts):
                    what = "sends mail"
                else:
                    continue
                yield self.finding(
                    call.node,
                    f"post_save receiver `{function.name}` {what} with {call_text(call)} on every save, "
                    "updates included; guard it with `if created:`",
                )


@register
class M2MChangedIgnoresAction(Rule):
    """
    ## What it does
    Flags an `m2m_changed` receiver that never reads `action` (as a parameter, or as
    `kwargs["action"]` / `kwargs.get("action")`). Only registrations that can run are
    considered: a through-model sender (`Pizza.toppings.through`, a model named in a
    `through=`) or no sender; a plain-model sender is SIG506.

    ## Why is this bad?
    `m2m_changed` is sent twice for every change: `pre_add` and `post_add` for
    `add()`, `pre_remove`/`post_remove`, `pre_clear`/`post_clear`. A receiver that
    ignores `action` runs its work twice per change, once before the rows exist.

    ## Example
    ```python
    @receiver(m2m_changed, sender=Pizza.toppings.through)
    def toppings_changed(sender, instance, **kwargs):
        instance.recalculate_price()
    ```

    ## Use instead
    ```python
    @receiver(m2m_changed, sender=Pizza.toppings.through)
    def toppings_changed(sender, instance, action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear"):
            instance.recalculate_price()
    ```
    """

    code = "SIG403"
    name = "m2m-changed-ignores-action"
    summary = "`m2m_changed` receiver never reads `action`: runs for both `pre_*` and `post_*` (off by default)."
    enabled_by_default = False
    held_out = (4, 5)  # true / all findings on the held-out applications

    def check(self, ctx) -> Iterable[Finding]:
        for receiver in ctx.receivers:
            if not receiver.listens_to("m2m_changed"):
                continue
            function = receiver.function
            if _reads_action(function) or not _can_receive_m2m_changed(receiver, ctx):
                continue
            yield self.finding(
                function.node,
                f"m2m_changed receiver `{function.name}` never reads `action`, so it runs for pre_* and "
                "post_* alike (twice per change); check `action` (e.g. `if action == \"post_add\":`)",
            )


def _disconnected_before(call, function, facts) -> bool:
    """The receiver switches itself off before saving (``post_save.disconnect(...)``
    earlier in its body): the save sends the signal without calling it again."""
    return any(
        d.function is function and d.call.order < call.order and d.signal.short_name in ("pre_save", "post_save")
        for d in facts.disconnections
    )


def _looks_up_existing_rows_first(create, function) -> bool:
    """``existing = M.objects.filter(...)`` ... ``M.objects.bulk_create(missing)``: the
    receiver reads which rows of that model exist before it creates, a hand-written
    get_or_create."""
    model = attribute_names(create.node.func)[:1]
    if not model:
        return False
    for call in function.calls:
        if call.order >= create.order:
            break
        names = attribute_names(call.node.func)
        if names[:1] == model and manager_method(call) not in (None, "create", "bulk_create"):
            return True
    return False


def _can_receive_m2m_changed(receiver, ctx) -> bool:
    """m2m_changed is sent with the through model as sender: only a registration with a
    through-model sender (or none) ever runs. A plain-model sender is SIG506's finding."""
    return any(
        ctx.m2m_sender_kind(connection) in ("through", "none")
        for connection in receiver.connections
        if connection.signal.is_model_signal and connection.signal.short_name == "m2m_changed"
    )


def _reads_action(function) -> bool:
    return _reads_key(function, "action")


def _first_string(call: cst.Call):
    return string_value(call.args[0].value) if call.args else None


@register
class CounterInReceiver(Rule):
    """
    ## What it does
    Flags a receiver that increments a stored counter: `F("x") + n` (or `- n`) passed
    to `update()`, or `obj.attr += n` / `-= n` followed by `obj.save()`. Not inside a
    `created` guard of a `post_save` receiver. Off by default: enable with
    `--extend-select=SIG404`.

    ## Why is this bad?
    Receivers run again when the signal is sent again: on every re-save, on a retried
    request, when a receiver is connected twice. Each run adds again, and the stored
    number drifts from the truth with no way to tell.

    ## Example
    ```python
    @receiver(post_save, sender=Comment)
    def count_comment(sender, instance, **kwargs):
        Post.objects.filter(pk=instance.post_id).update(comments=F("comments") + 1)
    ```

    ## Use instead
    Recompute the value from the source of truth:
    ```python
    @receiver([post_save, post_delete], sender=Comment)
    def count_comments(sender, instance, **kwargs):
        Post.objects.filter(pk=instance.post_id).update(
            comments=Comment.objects.filter(post_id=instance.post_id).count()
        )
    ```
    """

    code = "SIG404"
    name = "counter-in-receiver"
    summary = "Receiver increments a stored counter (`F()+1`, `+= 1; save()`): drifts when it runs twice (off by default)."
    enabled_by_default = False

    def check(self, ctx) -> Iterable[Finding]:
        for receiver in ctx.receivers:
            function = receiver.function
            created_matters = receiver.listens_to("post_save")
            for call in function.calls:
                if call.method != "update" or (created_matters and guarded_by(call.guards, "created")):
                    continue
                for increment in f_increments(call.node, ctx.facts):
                    yield self._report(increment, function, anchor=call.node)
            for assign in function.aug_assigns:
                if not isinstance(assign.node.operator, (cst.AddAssign, cst.SubtractAssign)):
                    continue
                if assign.target is None or "." not in assign.target:
                    continue
                if created_matters and guarded_by(assign.guards, "created"):
                    continue
                owner = assign.target.split(".")[0]
                if any(
                    call.method == "save" and call.order >= assign.order and called_on(call, {owner})
                    for call in function.calls
                ):
                    yield self._report(assign.node, function)

    def _report(self, node, function, anchor=None) -> Finding:
        return self.finding(
            node,
            f"receiver `{function.name}` increments a stored counter: each extra run of the receiver "
            "(a re-save, a retry, a second connection) counts again; recompute the value instead",
            anchor,
        )


ROW_WRITES = frozenset({"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update", "delete"})


@register
class WritesRowsWithoutRawCheck(Rule):
    """
    ## What it does
    Flags, in a `pre_save`/`post_save` receiver that never reads `raw`, a call that
    creates or changes other rows through a manager: `.objects.create()`,
    `bulk_create()`, `get_or_create()`, `update_or_create()`, `.update()`,
    `bulk_update()`, `.delete()`. Receivers with another decorator (such as a
    `disable_for_loaddata` wrapper that checks `raw` itself) are not reported. Off by
    default: enable with `--extend-select=SIG405`.

    ## Why is this bad?
    `loaddata` saves fixture rows with `raw=True` and still sends `pre_save` and
    `post_save`. A receiver that writes other rows then adds rows the fixture did not
    contain (often duplicates of rows the fixture loads next, or an `IntegrityError`
    on a one-to-one), or queries tables the fixture has not filled yet.

    Django's documentation of `pre_save`/`post_save` says as much: with `raw=True`
    "one should not query/modify other records in the database as the database might
    not be in a consistent state yet".

    It is off by default. Over the triage corpus of real Django apps and projects it
    reported 14 receivers, every one the "create the related row when a user is
    created" shape that Django's own tutorials teach: true by the rule, but a problem
    only for projects that load fixtures of those models, which most never do. On by
    default it would be the loudest rule for the least common harm.

    ## Example
    ```python
    @receiver(post_save, sender=User)
    def create_profile(sender, instance, created, **kwargs):
        if created:
            Profile.objects.create(user=instance)
    ```

    ## Use instead
    ```python
    @receiver(post_save, sender=User)
    def create_profile(sender, instance, created, raw=False, **kwargs):
        if created and not raw:
            Profile.objects.create(user=instance)
    ```
    """

    code = "SIG405"
    name = "writes-rows-without-raw-check"
    summary = "Save receiver writes other rows without checking `raw`: `loaddata` runs it on fixture rows (off by default)."
    enabled_by_default = False

    def check(self, ctx) -> Iterable[Finding]:
        for receiver in ctx.receivers:
            if not receiver.listens_to("pre_save", "post_save"):
                continue
            function = receiver.function
            if _reads_key(function, "raw") or wrapping_decorators(function):
                continue
            instances = instance_names(function)
            for call in function.calls:
                if call.in_lambda or manager_method(call) not in ROW_WRITES or _own_row(call, instances):
                    continue
                yield self.finding(
                    call.node,
                    f"receiver `{function.name}` writes rows with {call_text(call)} without checking `raw`: "
                    "loaddata sends pre_save/post_save for every fixture row (raw=True), so it writes rows "
                    "the fixture did not contain; return early when raw is true",
                )
                break  # one finding per receiver: the fix is one check at the top


def _own_row(call, instances: set) -> bool:
    """``Model.objects.filter(pk=instance.pk).update(...)``: the instance's own row,
    which the fixture loads anyway; not another row."""
    func = call.node.func
    chained = func.value if isinstance(func, cst.Attribute) else None
    if not (isinstance(chained, cst.Call) and isinstance(chained.func, cst.Attribute) and chained.func.attr.value == "filter"):
        return False
    for arg in chained.args:
        value = arg.value
        if (
            arg.keyword is not None
            and arg.keyword.value in ("pk", "id")
            and isinstance(value, cst.Attribute)
            and isinstance(value.value, cst.Name)
            and value.value.value in instances
            and value.attr.value in ("pk", "id")
        ):
            return True
    return False


def _reads_key(function, key: str) -> bool:
    """Whether the receiver reads ``key``: a parameter it uses, ``kwargs[key]``,
    ``kwargs.get(key)``, or ``kwargs`` handed on whole."""
    if key in function.params.all_names and function.params.var_keyword != key:
        return function.name_reads.get(key, 0) > 0
    mapping = function.params.var_keyword
    if mapping is None:
        return False
    uses = [k for base, k in function.key_reads if base == mapping]
    uses += [_first_string(call.node) for call in function.calls if call.dotted in (f"{mapping}.get", f"{mapping}.pop")]
    return key in uses or function.name_reads.get(mapping, 0) > len(uses)


