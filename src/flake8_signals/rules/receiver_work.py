"""SIG3xx: work that should not run inside a receiver."""

from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from ..source import django_names as dn
from ..source import edits
from ..source.syntax import dotted_name, string_value
from .analysis import (
    blocking_finder,
    blocking_name,
    enqueue_finder,
    file_deletion_finder,
    call_text,
    called_on,
    instance_names,
    is_deferred,
    manager_method,
)
from .base import Finding, Rule, register
from .fix import Fix


@register
class BlockingReceiver(Rule):
    """
    ## What it does
    Flags a blocking call made by a sync receiver, directly or through the functions it
    calls (in the same module, and with project analysis in project modules it
    imports, at any depth, up to 16 other modules per receiver): `time.sleep`, `requests.*`/`httpx.*` requests,
    `urllib.request.urlopen`, `socket.create_connection`/`getaddrinfo`/`gethostbyname`,
    `smtplib.SMTP`, `subprocess.run`/`call`/`check_call`/`check_output`, `os.system`,
    Django's `send_mail`/`send_mass_mail`/`mail_admins`/`mail_managers`, `.send()`
    on an `EmailMessage` built in the receiver, `.send_messages()` on a mail connection
    from `get_connection()`, and the request methods of an HTTP client the code makes
    (`requests.Session()`, `httpx.Client()`, `urllib3.PoolManager()`,
    `http.client.HTTPConnection()`: in the call, a local or `with ... as` name, or a
    module-level name), every operation of a `boto3.client(...)` (each is a request;
    signing a URL or building a paginator is not), the synchronous operations of a
    python-ldap connection (`ldap.initialize(...)`, `ldap.ldapobject.*LDAPObject(...)`:
    the `*_s` methods such as `simple_bind_s`, `search_s`, `modify_s`, which wait for the
    server's answer; not `unbind_s`, not the asynchronous forms), every method of the
    service objects of a `stripe.StripeClient(...)` (`client.customers.update(...)`,
    `client.v1.subscriptions.cancel(...)`, and `client.raw_request(...)`; not the
    `*_async` methods, which only make a coroutine, nor `oauth.authorize_url()`), every
    method of the API objects of a mailchimp (API v2) `mailchimp.Mailchimp(...)`
    (`mc.lists.subscribe(...)`, and `mc.call(...)`), and `.communicate()`/`.wait()` on a
    `subprocess.Popen(...)` the code starts. Such an object may also come from a project
    function that returns it (`get_client().customers.update(...)`, helpers of helpers
    too), when every `return` of that function gives an object made by the same class
    (`return None` aside). A project class derived from such a client
    (`class CarrierSession(requests.Session)`, `httpx.Client`, `urllib3.PoolManager`,
    `http.client.HTTPConnection`/`HTTPSConnection`, `smtplib.SMTP`/`SMTP_SSL`) does the
    same I/O: on an object of that class (made in the function, returned by a project
    helper — one in another module when that module names the client — or `self` in
    its methods), the client's network methods it inherits are reported (`post()`,
    `send()`...; `request()`/`getresponse()` of a connection; `sendmail()`,
    `send_message()`, `login()`, `ehlo()`, `starttls()`, `quit()`... of an SMTP client),
    not the others (`mount()`, `close()`). Silent when a project class overrides the
    method or one that the client's network methods run through (a `request()` override
    on a `requests.Session` subclass), or when another library class comes first in the
    method resolution order. Sending mail is not reported when the project's
    `EMAIL_BACKEND` hands mail to a task queue (django-celery-email's
    `CeleryEmailBackend`, or another backend named for a queue). Extend the list with
    `--signals-blocking-calls`. When the call is reached through a helper, the finding
    is on the receiver's call that leads to it and names the chain. A blocking call
    inside `transaction.on_commit(...)` is still reported: Django runs on-commit
    callbacks in the same thread, right after the commit and before `save()` (or the
    `atomic()` block) returns, so the caller still waits; only a task queue moves the
    work out of the request.

    How helpers are followed (SIG303 and SIG304 follow them the same way): in a
    receiver of `pre_save`, `post_save`, `pre_delete`, `post_delete` or `post_init`
    whose `sender` names a project class (`sender=Order`, defined in the module or
    imported from a project module; not an `"app_label.Model"` string), `instance` is
    an `Order`: `instance.notify()` is followed into the method Python would run
    (inherited ones too, in method resolution order, unless a library class comes
    first), and so is `self.method()` inside it; the chain reads
    `instance.notify() -> requests.post()`. A local name bound once to the instance
    (`order = instance`) counts as the instance, and so does a loop variable over a
    queryset of a known model, read inside that loop: `for line in order.lines.all():
    line.refund()` follows `OrderLine.refund` when `lines` is a `ManyToManyField`
    declared on `Order` (naming a class, `"self"`, or an `"app_label.Model"` string of
    a project model), and `for line in OrderLine.objects.filter(...)` does too, through
    the QuerySet methods that keep the model (`all`, `filter`, `exclude`, `order_by`,
    `iterator`...). Django builds each element with the queryset's model class. Not
    followed: a manager's own methods (they may return anything), `values()`, a model
    with a base from a library other than Django (a polymorphic model yields
    subclasses), and a name bound in other ways too. A helper called with literal arguments, or
    relying on literal defaults, is followed only into the branches they allow:
    `push(order, notify=False)` does not reach the request under `if notify:`. Only
    `p`, `not p`, `p == <literal>`, `p != <literal>`, `p is None` and `p is not None`
    are decided; anything else may go either way. A name the function binds in one
    place only, to a new object of a project class (`notice = Notice(...)`), is known
    the same way: `notice.send()` is followed into `Notice.send`, and so is
    `Notice(...).send()`.

    ## Why is this bad?
    Receivers run synchronously inside `send()`: `instance.save()` does not return
    until every receiver has. A slow network call or a mail server hiccup becomes a
    slow (or failed) request for whoever saved the model, inside their transaction.

    ## Example
    ```python
    @receiver(post_save, sender=Order)
    def notify(sender, instance, created, **kwargs):
        if created:
            requests.post(WEBHOOK_URL, json={"order": instance.pk})
    ```

    ## Use instead
    Hand the work to a task queue once the transaction has committed:
    ```python
    @receiver(post_save, sender=Order)
    def notify(sender, instance, created, **kwargs):
        if created:
            transaction.on_commit(lambda: post_webhook.delay(instance.pk))
    ```
    """

    code = "SIG301"
    name = "blocking-receiver"
    summary = "Sync receiver makes a blocking call (HTTP, sleep, SMTP, subprocess, mail), directly or via helpers."

    def check(self, ctx) -> Iterable[Finding]:
        finder = blocking_finder(ctx)
        for receiver in ctx.receivers:
            function = receiver.function
            if function.is_async:
                continue
            for call, chain in finder.chains(function, ctx.facts, receiver.connections):
                via = chain.via()
                if chain.after_commit:
                    why = (
                        "which still blocks inside transaction.on_commit(): Django runs the callback in "
                        "the same thread right after the commit, so the code that saved waits for it; "
                        "hand it to a task queue (on_commit(lambda: task.delay(...)))"
                    )
                else:
                    why = (
                        "which blocks: the code that sent the signal waits for it; hand it to a task "
                        "queue inside transaction.on_commit"
                    )
                yield self.finding(call.node, f"receiver `{function.name}` calls {chain.steps[-1]}{via}, {why}")


@register
class BlockingAsyncReceiver(Rule):
    """
    ## What it does
    Flags, in an `async def` receiver, a blocking call (the SIG301 list) or a sync ORM
    call: `Model.objects.<method>(...)` that runs a query (`get`, `create`, `update`,
    `count`, ...; the `a`-prefixed async methods are fine), or `instance.save()`,
    `.delete()`, `.refresh_from_db()`. Calls wrapped in `sync_to_async(...)` are fine.

    ## Why is this bad?
    Since Django 5.0 receivers may be coroutines, run on the event loop. A blocking
    call stalls every other task on that loop, and a sync ORM call from async code
    raises `SynchronousOnlyOperation`.

    ## Example
    ```python
    @receiver(user_logged_in)
    async def track_login(sender, request, user, **kwargs):
        LoginEvent.objects.create(user=user)
    ```

    ## Use instead
    ```python
    @receiver(user_logged_in)
    async def track_login(sender, request, user, **kwargs):
        await LoginEvent.objects.acreate(user=user)
    ```
    """

    code = "SIG302"
    name = "blocking-async-receiver"
    summary = "`async def` receiver makes a blocking call or a sync ORM call (`SynchronousOnlyOperation`)."

    def check(self, ctx) -> Iterable[Finding]:
        facts = ctx.facts
        for receiver in ctx.receivers:
            function = receiver.function
            if not function.is_async:
                continue
            instances = instance_names(function)
            for call in function.calls:
                if call.in_lambda or is_deferred(call, facts, dn.SYNC_TO_ASYNC):
                    continue
                if blocking_name(call, facts, ctx.options.blocking_calls) is not None:
                    problem = "blocks the event loop"
                elif manager_method(call) in dn.SYNC_QUERYSET_METHODS or (
                    call.method in dn.INSTANCE_SYNC_METHODS and called_on(call, instances)
                ):
                    problem = "is a sync ORM call: it raises SynchronousOnlyOperation"
                else:
                    continue
                yield self.finding(
                    call.node,
                    f"async receiver `{function.name}` calls {call_text(call)}, which {problem}; use the "
                    "async API (acreate, aget, asave...) or wrap it in sync_to_async",
                )


@register
class TaskOutsideOnCommit(Rule):
    """
    ## What it does
    Flags, in a receiver of a model signal, a call that enqueues background work —
    `.delay(`, `.apply_async(`, `send_task(`, `.enqueue(`, `async_task(` (extend with
    `--signals-task-calls`) — outside `transaction.on_commit(...)`, directly or through
    the functions it calls (followed like SIG301's helpers; a helper that defers with
    `transaction.on_commit` is fine), when the code shows that the sender's transaction
    can be open: always for `pre_delete`/`post_delete` (a deletion sends them inside its
    `atomic()` block) and `m2m_changed` (`add()`, `remove()`, `set()` and `clear()` send
    it inside `atomic()`); for `pre_save`/`post_save` when `ATOMIC_REQUESTS` is set for a
    database in `DATABASES` (Django ignores a top-level `ATOMIC_REQUESTS` setting), when
    the sender model is saved inside an `atomic()` block or an `@atomic` function, when
    its own `save()` is wrapped in `atomic()`, or when it is registered in the admin
    (whose add and change views save inside `atomic()`). With no such evidence the rule
    stays silent: a plain `save()` in autocommit mode has committed before `post_save`
    is sent. The message says which evidence it found. An `.enqueue()` through a
    database task backend (`...tasks.backends.database.DatabaseBackend`, or
    django-tasks-db's `django_tasks_db.DatabaseBackend`) and
    django-q's `async_task()` with its ORM broker write the task in the same
    transaction, so they are not reported, and neither is a receiver that a project
    decorator runs through `transaction.on_commit` (an `@on_transaction_commit`
    wrapper), nor a task delayed on purpose: `eta=` (a moment the code computes), or a
    `countdown=` that is not a literal under a minute (a literal of a few seconds is
    reported: it can end before a slow transaction commits). When the call is reached through a helper,
    the finding is on the receiver's call that leads to it and names the chain.

    ## Why is this bad?
    Model signals run inside the caller's transaction when there is one: `delete()`
    always runs its signals inside `atomic()`, and a `save()` inside an `atomic()`
    block (or a view under `ATOMIC_REQUESTS`) sends `post_save` before the commit. The
    task is on the queue at once; a worker can pick it up before the transaction commits and read stale data
    or `DoesNotExist` — or the transaction rolls back and the task acts on a row that
    never existed.

    ## Example
    ```python
    @receiver(post_save, sender=Order)
    def queue_invoice(sender, instance, created, **kwargs):
        if created:
            make_invoice.delay(instance.pk)
    ```

    ## Use instead
    ```python
    @receiver(post_save, sender=Order)
    def queue_invoice(sender, instance, created, **kwargs):
        if created:
            transaction.on_commit(lambda: make_invoice.delay(instance.pk))
            # or, with Celery 5.4+: make_invoice.delay_on_commit(instance.pk)
    ```

    ## Fix safety
    Unsafe: a call written as a statement of its own is wrapped, and the call's
    arguments are still evaluated where they were. `make_invoice.delay(instance.pk)`
    becomes `transaction.on_commit(partial(make_invoice.delay, instance.pk))`, so a
    loop variable is not read late, as it would be in a lambda. `using=using` is passed
    when the receiver names `using`. If the module already calls Celery's
    `.delay_on_commit(` or `.apply_async_on_commit(` (Celery 5.4+, `DjangoTask`), the
    fix uses them: `make_invoice.delay_on_commit(instance.pk)`. The imports are added.
    The work now runs only after a successful commit, and not at all on a rollback,
    which is the point. But code after the call can no longer rely on the task being
    queued, and a helper reached through the call is deferred as a whole. Async
    receivers get no fix: `on_commit()` called from async code raises
    `SynchronousOnlyOperation` (it reads the connection's autocommit state).
    """

    code = "SIG303"
    name = "task-outside-on-commit"
    summary = "Model-signal receiver enqueues a task outside `transaction.on_commit()`: the worker can run first (off by default)."
    enabled_by_default = False
    held_out = (25, 41)  # true / all findings on the held-out applications
    fix_safety = "unsafe"

    def check(self, ctx) -> Iterable[Finding]:
        finder = enqueue_finder(ctx)
        evidence = None  # read from the project only once an enqueue is found
        for receiver in ctx.receivers:
            if not any(signal.is_model_signal for signal in receiver.signals):
                continue
            function = receiver.function
            if ctx.defers_to_commit(function):
                continue  # a decorator runs the whole receiver in transaction.on_commit
            open_transaction = None
            for call, chain in finder.chains(function, ctx.facts, receiver.connections):
                if evidence is None and ctx.app is not None:
                    evidence = ctx.app.transaction_evidence()
                if evidence is not None and chain.method in evidence.transactional_enqueues:
                    continue  # the task is written in the same transaction
                open_transaction = open_transaction or transaction_open_for(receiver, evidence)
                if open_transaction is None:
                    break  # nothing shows that the sender's transaction can be open
                yield self.finding(
                    call.node,
                    f"receiver `{function.name}` enqueues {chain.target}{chain.via()} while the sender's "
                    f"transaction is open ({open_transaction}): a worker can run it before the commit "
                    "and read stale or missing rows; wrap it in transaction.on_commit(...) (or use "
                    "delay_on_commit)",
                    fix=lambda call=call, function=function: _on_commit(ctx, call.node, function),
                )


def transaction_open_for(receiver, evidence) -> Optional[str]:
    """Why the transaction of the code that sends this receiver's model signal can be
    open when it runs, or None when nothing shows it."""
    for connection in receiver.connections:
        signal = connection.signal
        if not signal.is_model_signal:
            continue
        if signal.short_name in ("pre_delete", "post_delete"):
            return "Django sends the delete signals inside the deletion's atomic() block"
        if signal.short_name == "m2m_changed":
            return "add(), remove(), set() and clear() send m2m_changed inside atomic()"
        if signal.short_name in ("pre_save", "post_save") and evidence is not None:
            why = evidence.for_save_of(model_name(connection.sender))
            if why is not None:
                return why
    return None


def model_name(sender) -> Optional[str]:
    """The class name a ``sender`` names: ``Order``, ``shop.Order``, ``"shop.Order"``."""
    if sender is None:
        return None
    text = string_value(sender) or dotted_name(sender)
    return text.rsplit(".", 1)[-1] if text else None


# Celery 5.4's DjangoTask: each is ``transaction.on_commit(partial(self.<method>, ...))``.
ON_COMMIT_METHODS = {"delay": "delay_on_commit", "apply_async": "apply_async_on_commit"}


def _on_commit(ctx, call: cst.Call, function) -> Optional[Fix]:
    expression = ctx.parent_of(call)
    if function.is_async or not isinstance(expression, cst.Expr) or expression.value is not call:
        return None  # its value is used, or on_commit() cannot run here
    module = ctx.facts.module
    scope = ctx.enclosing_scope_of(call)
    func = call.func
    on_commit_method = ON_COMMIT_METHODS.get(func.attr.value) if isinstance(func, cst.Attribute) else None
    if on_commit_method and any(f".{name}(" in ctx.code for name in ON_COMMIT_METHODS.values()):
        # The module already uses Celery's DjangoTask methods: its tasks have them.
        return Fix(edits=((call, lambda c: c.with_changes(func=c.func.with_changes(attr=cst.Name(on_commit_method)))),))
    imports = []
    on_commit = edits.local_name_of(module, "django.db.transaction.on_commit")
    if on_commit is None:
        found = edits.reference(module, "django.db.transaction", scope)
        if found is None:
            return None
        on_commit = f"{found[0]}.on_commit"
        imports.append(found[1])
    partial = None
    if call.args:
        found = edits.reference(module, "functools.partial", scope)
        if found is None:
            return None
        partial = found[0]
        imports.append(found[1])
    using = "using" in function.params.all_names

    def wrap(updated: cst.Call) -> cst.Call:
        if partial is None:
            deferred = updated.func
        else:
            between = edits.separator_like(updated.whitespace_before_args)
            first = cst.Arg(updated.func, comma=cst.Comma(whitespace_after=between))
            deferred = updated.with_changes(func=cst.parse_expression(partial), args=[first, *updated.args])
        args = [cst.Arg(deferred)]
        if using:
            args = edits.append_item(args, edits.keyword_arg_node("using", "using"))
        return cst.Call(cst.parse_expression(on_commit), args, lpar=updated.lpar, rpar=updated.rpar)

    return Fix(edits=((call, wrap),), imports=tuple(i for i in imports if i is not None))


@register
class FileDeletedBeforeCommit(Rule):
    """
    ## What it does
    Flags, in a `pre_delete`/`post_delete` receiver, or a `pre_save` receiver (which
    typically removes the previous file when a new one is uploaded), a call that
    deletes a file or a storage object outside `transaction.on_commit(...)`, directly or
    through the functions it calls: `FieldFile.delete(save=...)` (also
    `.delete(False)`), `storage.delete(...)` / `default_storage.delete(...)`,
    `os.remove`, `os.unlink`, `shutil.rmtree`, and pathlib's `path.unlink()` (called with
    no argument but `missing_ok=`: an `unlink(key)` with a positional argument is another
    API, such as redis' `UNLINK`). `os.rmdir` and `Path.rmdir()` are not: they remove
    only an empty directory.

    ## Why is this bad?
    Django sends the delete signals inside the `atomic()` block of the deletion. The
    file is gone at once; the row is gone only if that transaction commits. When it
    rolls back (a later receiver raises, a constraint fails, the surrounding request
    errors), the row survives and points at a file that no longer exists. A `pre_save`
    receiver runs before the row is written: if the save fails, or its transaction
    rolls back, the row keeps the old file's name and the file is gone.

    ## Example
    ```python
    @receiver(post_delete, sender=Document)
    def remove_file(sender, instance, **kwargs):
        instance.upload.delete(save=False)
    ```

    ## Use instead
    ```python
    @receiver(post_delete, sender=Document)
    def remove_file(sender, instance, **kwargs):
        name, storage = instance.upload.name, instance.upload.storage
        transaction.on_commit(lambda: storage.delete(name))
    ```
    """

    code = "SIG304"
    name = "file-deleted-before-commit"
    summary = "Delete (or pre_save) receiver removes files or storage objects before the change commits: a rollback keeps the row, not the file."

    def check(self, ctx) -> Iterable[Finding]:
        finder = file_deletion_finder(ctx)
        for receiver in ctx.receivers:
            deletes = receiver.listens_to("pre_delete", "post_delete")
            if not deletes and not receiver.listens_to("pre_save"):
                continue
            function = receiver.function
            for call, chain in finder.chains(function, ctx.facts, receiver.connections):
                via = chain.via()
                if deletes:
                    what = (
                        f"delete receiver `{function.name}` removes a file with {chain.target}{via} inside the "
                        "deletion's transaction: if it rolls back, the row survives and its file is gone"
                    )
                else:
                    what = (
                        f"pre_save receiver `{function.name}` removes a file with {chain.target}{via} before the "
                        "save is written: if the save fails, or the transaction around it rolls back, the row "
                        "still points at the removed file"
                    )
                yield self.finding(call.node, f"{what}; delete the file in transaction.on_commit(...)")
