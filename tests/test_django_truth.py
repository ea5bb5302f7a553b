"""Every claim a message makes about Django, shown on real Django.

Each test runs a snippet for real against the installed Django (in-memory SQLite,
``truth_app``), asserts the behaviour the rule's message describes, and asserts that
flake8-signals reports exactly the lines of that same snippet marked ``# SIGxxx``.
"""

from __future__ import annotations

import ast
import gc
import io
import os
import subprocess
import sys
import textwrap
import threading
import time
import tokenize
import types
import weakref
from pathlib import Path

import pytest

from django_setup import ensure_django

ensure_django()

from django.db import connection, transaction  # noqa: E402
from django.db.models import signals  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from flake8_signals.engine import Engine  # noqa: E402
from flake8_signals.engine.fixing import fix_source  # noqa: E402
from flake8_signals.options import Options  # noqa: E402
from flake8_signals.rules import all_rules  # noqa: E402
from truth_app.models import AuditLog, Order, Pizza, Topping  # noqa: E402

WATCHED = (
    signals.pre_save,
    signals.post_save,
    signals.m2m_changed,
    signals.pre_delete,
    signals.post_delete,
    signals.post_init,
)


@pytest.fixture(autouse=True)
def restore_receivers():
    """Each test starts and ends with the receivers it found."""
    saved = {signal: list(signal.receivers) for signal in WATCHED}
    yield
    for signal, receivers in saved.items():
        signal.receivers = receivers
        signal.sender_receivers_cache.clear()
    AuditLog.objects.all().delete()
    Order.objects.all().delete()


def marked(source: str) -> set:
    found = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            words = token.string.lstrip("#").split()
            found.update((token.start[0], word) for word in words if word.startswith("SIG"))
    return found


# Every rule named, so that the off-by-default ones run too.
EVERY_RULE = Options(named_codes=frozenset(rule.code for rule in all_rules()))


def reported(source: str, path: str = "snippet.py") -> set:
    results = Engine().check_source(source, path, EVERY_RULE, ast.parse(source))
    # SIG504 and SIG405 would mark most snippets; they have tests of their own
    return {(line, message.split()[0]) for line, _, message in results if message[:6] not in ("SIG504", "SIG405")}


def load(source: str, name: str = "snippet") -> types.ModuleType:
    """Run the snippet as a module, the way an import would."""
    module = types.ModuleType(name)
    module.__dict__["__file__"] = f"{name}.py"
    sys.modules[name] = module
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    return module


def snippet(text: str) -> str:
    source = textwrap.dedent(text).lstrip("\n")
    assert reported(source) == marked(source), "the plugin must report exactly the marked lines"
    return source


def test_sig101_receiver_connected_in_a_function_is_absent_until_it_runs():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []

            def on_saved(sender, instance, **kwargs):
                calls.append(instance.pk)

            def checkout():
                post_save.connect(on_saved, sender=Order)  # SIG101
            """
        )
    )
    Order.objects.create()
    assert module.calls == []  # the worker that never ran checkout() never gets it
    module.checkout()
    order = Order.objects.create()
    assert module.calls == [order.pk]


@pytest.mark.parametrize(
    "receiver",
    [
        "lambda sender, **kwargs: calls.append(sender)",
        "partial(record, 'tag')",
        "Recorder().on_save",
    ],
)
def test_sig102_weak_temporary_receivers_never_run(receiver):
    source = snippet(
        f"""
        from functools import partial
        from django.db.models.signals import post_save
        from truth_app.models import Order

        calls = []

        def record(tag, sender, **kwargs):
            calls.append(tag)

        class Recorder:
            def on_save(self, sender, **kwargs):
                calls.append(self)

        post_save.connect({receiver}, sender=Order)  # SIG102
        """
    )
    module = load(source)
    gc.collect()
    Order.objects.create()
    assert module.calls == []


def test_sig102_nested_function_is_gone_once_the_function_returns():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []

            def install():
                def on_save(sender, **kwargs):
                    calls.append(sender)

                post_save.connect(on_save, sender=Order)  # SIG101 SIG102
            """
        )
    )
    module.install()
    gc.collect()
    Order.objects.create()
    assert module.calls == []


LOCAL_FACTORIES = """
from functools import partial
from django.db.models.signals import post_save
from truth_app.models import Order

calls = []

def record(tag, sender, **kwargs):
    calls.append(tag)

def install(weak):
    def make_handler(kind):
        def handler(sender, **kwargs):
            calls.append(kind)

        return handler

    if weak:
        post_save.connect(make_handler("nested"), sender=Order)  # SIG101 SIG102
    else:
        post_save.connect(make_handler("nested"), sender=Order, weak=False)  # SIG101 SIG103

class Installer:
    def make_handler(self, kind):
        return partial(record, kind)

    def install(self, weak):
        if weak:
            post_save.connect(self.make_handler("method"), sender=Order)  # SIG101 SIG102
        else:
            post_save.connect(self.make_handler("method"), sender=Order, weak=False)  # SIG101 SIG103

def install_walrus():
    post_save.connect(handler := partial(record, "walrus"), sender=Order)  # SIG101 SIG102

def install_walrus_strongly():
    post_save.connect(handler := partial(record, "walrus"), sender=Order, weak=False)  # SIG101
"""


@pytest.mark.parametrize("weak", [True, False])
def test_sig102_receivers_of_local_factories_and_walrus_bindings_die_when_weak(weak):
    """A factory nested in the connecting function, a method factory called through
    ``self``, and a partial bound by ``:=`` in the connect call: connected weakly, nothing
    keeps them once the function returns; with weak=False each runs."""
    module = load(snippet(LOCAL_FACTORIES))
    module.install(weak)
    module.Installer().install(weak)
    (module.install_walrus if weak else module.install_walrus_strongly)()
    gc.collect()
    Order.objects.create()
    assert sorted(module.calls) == ([] if weak else ["method", "nested", "walrus"])


def test_sig102_weak_false_keeps_them_alive():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []
            post_save.connect(lambda sender, **kwargs: calls.append(sender), sender=Order, weak=False)
            """
        )
    )
    gc.collect()
    Order.objects.create()
    assert module.calls == [Order]


def test_sig103_fresh_receiver_with_weak_false_runs_once_per_call():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []

            def enable_audit():
                post_save.connect(lambda sender, **kw: calls.append(1), sender=Order, weak=False)  # SIG101 SIG103
            """
        )
    )
    for _ in range(3):
        module.enable_audit()
    Order.objects.create()
    assert module.calls == [1, 1, 1]


def test_sig104_second_receiver_with_a_reused_dispatch_uid_never_runs():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []

            def index_order(sender, **kwargs):
                calls.append("index")

            def notify_warehouse(sender, **kwargs):
                calls.append("warehouse")

            post_save.connect(index_order, sender=Order, dispatch_uid="order")
            post_save.connect(notify_warehouse, sender=Order, dispatch_uid="order")  # SIG104
            """
        )
    )
    Order.objects.create()
    assert module.calls == ["index"]


def test_sig105_connect_as_decorator_binds_none_and_never_runs():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save

            calls = []

            @post_save.connect  # SIG105
            def on_saved(sender, **kwargs):
                calls.append(sender)
            """
        )
    )
    assert module.on_saved is None
    gc.collect()
    Order.objects.create()
    assert module.calls == []


def test_sig106_failed_work_leaves_the_receiver_disconnected():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []

            def reindex(sender, **kwargs):
                calls.append(sender)

            post_save.connect(reindex, sender=Order)

            def import_rows(rows):
                post_save.disconnect(reindex, sender=Order)
                for row in rows:
                    Order.objects.create(number=row["number"])
                post_save.connect(reindex, sender=Order)  # SIG106
            """
        )
    )
    with pytest.raises(KeyError):
        module.import_rows([{"number": "1"}, {}])
    Order.objects.create()
    assert module.calls == []  # still disconnected, for the rest of the process


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork(), like a pre-forking server")
def test_sig106_a_view_that_disconnects_leaves_its_process_without_the_receiver():
    """disconnect() edits the signal's receiver list, which is process state: every later
    request of the process that served the view runs without the receiver, while a worker
    forked from the same loaded application (gunicorn, uWSGI) still has it."""
    source = textwrap.dedent(
        """\
        from django.db.models.signals import post_save
        from django.http import HttpResponse
        from truth_app.models import Order

        calls = []

        def reindex(sender, **kwargs):
            calls.append(sender)

        post_save.connect(reindex, sender=Order)

        def import_orders(request):
            post_save.disconnect(reindex, sender=Order)  # SIG106
            Order.objects.create(number=request.POST["number"])
            return HttpResponse("ok")

        def order_detail(request, pk):
            Order.objects.filter(pk=pk).first().save()
            return HttpResponse("ok")
        """
    )
    assert reported(source, "shop/views.py") == marked(source)
    module = load(source, "truth_views")
    from django.test import RequestFactory

    requests = RequestFactory()
    first = Order.objects.create()
    assert module.calls == [Order]

    ready_r, ready_w = os.pipe()
    answer_r, answer_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # another worker, forked before the request came in
        try:
            os.read(ready_r, 1)
            signals.post_save.send(sender=Order, instance=first, created=False)
            os.write(answer_w, str(len(module.calls)).encode())
        finally:
            os._exit(0)

    module.import_orders(requests.post("/import/", {"number": "7"}))
    module.order_detail(requests.get("/"), first.pk)  # a later request in the same process
    assert module.calls == [Order]  # neither the import's save nor the later one reached it
    os.write(ready_w, b"x")
    other_worker_calls = int(os.read(answer_r, 8))
    os.waitpid(pid, 0)
    assert other_worker_calls == 2  # the other worker's receiver still runs


def test_sig201_receivers_of_an_unimported_module_do_not_run(tmp_path, monkeypatch):
    app = tmp_path / "lateapp"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\nclass LateConfig(AppConfig):\n    name = 'lateapp'\n"
    )
    source = textwrap.dedent(
        """\
        from django.db.models.signals import post_save
        from django.dispatch import receiver

        calls = []


        @receiver(post_save, sender="truth_app.Order")  # SIG201
        def on_order(sender, instance, **kwargs):
            calls.append(instance.pk)
        """
    )
    (app / "signals.py").write_text(source)
    assert reported(source, str(app / "signals.py")) == marked(source)

    monkeypatch.syspath_prepend(str(tmp_path))
    Order.objects.create()
    import lateapp.apps  # noqa: F401  -- start-up imports apps.py, not signals.py

    assert "lateapp.signals" not in sys.modules
    import lateapp.signals

    order = Order.objects.create()
    assert lateapp.signals.calls == [order.pk]  # only saves after the import reach it


def test_sig303_task_enqueued_outside_on_commit_runs_before_commit():
    module = load(
        snippet(
            """
            from django.db import connection, transaction
            from django.db.models.signals import post_save
            from truth_app.models import Order

            class Task:
                def __init__(self):
                    self.ran_inside_transaction = []

                def delay(self, pk):
                    # a worker picking the job up now would not see the row
                    self.ran_inside_transaction.append(connection.in_atomic_block)

            eager = Task()
            deferred = Task()

            def queue_eager(sender, instance, **kwargs):
                eager.delay(instance.pk)  # the transaction is the caller's: see the tests below

            def queue_deferred(sender, instance, **kwargs):
                transaction.on_commit(lambda: deferred.delay(instance.pk))

            post_save.connect(queue_eager, sender=Order)
            post_save.connect(queue_deferred, sender=Order)
            """
        )
    )
    with transaction.atomic():
        Order.objects.create()
        assert module.deferred.ran_inside_transaction == []
    assert module.eager.ran_inside_transaction == [True]
    assert module.deferred.ran_inside_transaction == [False]
    assert not connection.in_atomic_block


def test_sig303_a_save_in_autocommit_mode_has_committed_before_post_save():
    """Why SIG303 needs evidence of a transaction for save signals: without one, the
    row is committed before post_save is sent, and a worker would find it."""
    seen = []

    def record(sender, instance, **kwargs):
        seen.append(connection.in_atomic_block)

    signals.post_save.connect(record, sender=Order)
    Order.objects.create()
    assert seen == [False]


def test_sig303_deletes_and_m2m_changes_send_their_signals_inside_atomic():
    seen = []

    def record(sender, **kwargs):
        seen.append((kwargs.get("action", "delete"), connection.in_atomic_block))

    signals.post_delete.connect(record, sender=Order)
    signals.m2m_changed.connect(record, sender=Pizza.toppings.through)
    Order.objects.create().delete()
    pizza, topping = Pizza.objects.create(), Topping.objects.create(name="basil")
    pizza.toppings.add(topping)
    pizza.toppings.remove(topping)
    assert ("delete", True) in seen
    assert {action for action, inside in seen if inside} >= {"pre_add", "post_add", "pre_remove", "post_remove"}
    assert all(inside for _, inside in seen)


def test_sig303_a_querysets_elements_are_instances_of_exactly_its_model():
    """Why ``for topping in pizza.toppings.all(): topping.method()`` is followed into
    Topping's class: a queryset made from a many-to-many field or from ``Model.objects``,
    through the methods that keep the model, yields instances of exactly that class
    (``only()``/``defer()`` make no subclass); ``values()`` yields dicts. A pre_delete
    receiver's loop runs inside the deletion's atomic() block."""
    seen = []

    def record(sender, instance, **kwargs):
        for topping in instance.toppings.all():
            seen.append((type(topping), connection.in_atomic_block))

    pizza = Pizza.objects.create()
    pizza.toppings.add(Topping.objects.create(name="basil"), Topping.objects.create(name="garlic"))
    querysets = (
        pizza.toppings.filter(name__isnull=False).order_by("name").distinct(),
        pizza.toppings.select_related(None).prefetch_related().annotate().alias().only("name").iterator(),
        Topping.objects.filter(pizza=pizza).exclude(name="").defer("name").using("default").reverse(),
    )
    for queryset in querysets:
        assert [type(topping) for topping in queryset] == [Topping, Topping]
    assert all(type(row) is dict for row in pizza.toppings.values("name"))
    signals.pre_delete.connect(record, sender=Pizza)
    pizza.delete()
    assert seen == [(Topping, True), (Topping, True)]


def test_sig303_django_ignores_a_top_level_atomic_requests_setting():
    from django.core.handlers.base import BaseHandler

    def view(request):
        return None

    handler = BaseHandler()
    with override_settings(ATOMIC_REQUESTS=True):
        assert handler.make_view_atomic(view) is view  # not wrapped: the setting is not read
    previous = connection.settings_dict.get("ATOMIC_REQUESTS", False)
    connection.settings_dict["ATOMIC_REQUESTS"] = True
    try:
        assert handler.make_view_atomic(view) is not view  # the DATABASES key is
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = previous


def test_sig303_the_admin_saves_and_deletes_inside_atomic():
    import inspect

    from django.contrib.admin import ModelAdmin

    for view in (ModelAdmin.changeform_view, ModelAdmin.delete_view):
        assert "transaction.atomic(" in inspect.getsource(view)


def test_sig401_save_in_pre_save_recurses():
    load(
        snippet(
            """
            from django.db.models.signals import pre_save
            from truth_app.models import Order

            def set_number(sender, instance, **kwargs):
                instance.number = "ORD"
                instance.save()  # SIG401

            pre_save.connect(set_number, sender=Order)
            """
        )
    )
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        with pytest.raises(RecursionError):
            Order.objects.create()
    finally:
        sys.setrecursionlimit(limit)


def test_sig402_unguarded_create_adds_a_row_on_every_save():
    load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import AuditLog, Order

            def log_order(sender, instance, **kwargs):
                AuditLog.objects.create(order=instance)  # SIG402

            post_save.connect(log_order, sender=Order)
            """
        )
    )
    order = Order.objects.create()
    assert AuditLog.objects.filter(order=order).count() == 1
    order.number = "2"
    order.save()
    assert AuditLog.objects.filter(order=order).count() == 2


def test_sig402_created_guard_keeps_one_row():
    load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import AuditLog, Order

            def log_order(sender, instance, created, **kwargs):
                if created:
                    AuditLog.objects.create(order=instance)

            post_save.connect(log_order, sender=Order)
            """
        )
    )
    order = Order.objects.create()
    order.save()
    assert AuditLog.objects.filter(order=order).count() == 1


def test_sig403_m2m_changed_receiver_without_action_runs_twice_per_add():
    module = load(
        snippet(
            """
            from django.db.models.signals import m2m_changed
            from truth_app.models import Pizza

            actions = []

            def toppings_changed(sender, instance, **kwargs):  # SIG403
                actions.append("ran")

            m2m_changed.connect(toppings_changed, sender=Pizza.toppings.through)
            """
        )
    )
    pizza = Pizza.objects.create()
    pizza.toppings.add(Topping.objects.create(name="basil"))
    assert module.actions == ["ran", "ran"]  # pre_add and post_add


TRUTH_APP_MODULE = str(Path(__file__).parent / "truth_app" / "receivers_snippet.py")


def test_sig506_m2m_changed_with_a_plain_model_sender_never_runs():
    """Django sends m2m_changed with the through model: sender=Pizza never matches."""
    source = textwrap.dedent(
        """
        from django.db.models.signals import m2m_changed
        from truth_app.models import Pizza

        plain = []
        through = []
        descriptor = []

        def on_plain(sender, instance, action, **kwargs):
            plain.append(action)

        def on_descriptor(sender, instance, action, **kwargs):
            descriptor.append(action)

        def on_through(sender, instance, action, **kwargs):
            through.append(action)

        m2m_changed.connect(on_plain, sender=Pizza)  # SIG506
        m2m_changed.connect(on_descriptor, sender=Pizza.toppings)  # SIG506
        m2m_changed.connect(on_through, sender=Pizza.toppings.through)
        """
    ).lstrip("\n")
    # Inside the truth app, so the plugin reads the app's models and knows Pizza is a
    # plain model (no through= names it).
    target = Path(TRUTH_APP_MODULE)
    target.write_text(source, encoding="utf-8")
    try:
        found = {(line, code) for line, code in reported(source, str(target)) if code != "SIG201"}
        assert found == marked(source)  # (SIG201 too: nothing imports this snippet module)
    finally:
        target.unlink()
    module = load(source)
    pizza = Pizza.objects.create()
    pizza.toppings.add(Topping.objects.create(name="basil"))
    assert module.plain == []
    assert module.descriptor == []
    assert module.through == ["pre_add", "post_add"]


def test_sig301_on_commit_runs_the_callback_in_the_same_thread_before_atomic_returns():
    """Why on_commit(lambda: requests.post(...)) is still reported: the caller waits."""
    module = load(
        snippet(
            """
            import threading
            import time
            from django.db import transaction
            from django.db.models.signals import post_save
            from truth_app.models import Order

            ran = []

            def slow_after_commit(sender, instance, **kwargs):
                transaction.on_commit(lambda: (time.sleep(0.2), ran.append(threading.get_ident())))  # SIG301

            post_save.connect(slow_after_commit, sender=Order)
            """
        )
    )
    started = time.monotonic()
    with transaction.atomic():
        Order.objects.create()
        assert module.ran == []  # not yet: the transaction is open
    assert module.ran == [threading.get_ident()]  # this thread, before atomic() returned
    assert time.monotonic() - started >= 0.2


def test_sig301_a_model_signals_instance_is_an_instance_of_its_sender():
    """Why ``instance.method()`` is followed into the sender's class: Django sends
    post_init, pre_save, post_save, pre_delete and post_delete with the instance's own
    class as the sender, for saves, loads, deletes and the rows a cascade deletes."""
    module = load(
        snippet(
            """
            from django.db.models.signals import post_delete, post_init, post_save, pre_delete, pre_save
            from truth_app.models import AuditLog, Order

            seen = []

            def record(sender, instance, signal, **kwargs):
                seen.append((signal, sender, type(instance)))

            for signal in (post_init, pre_save, post_save, pre_delete, post_delete):
                for model in (Order, AuditLog):
                    signal.connect(record, sender=model)
            """
        )
    )
    order = Order.objects.create()
    AuditLog.objects.create(order=order)
    Order.objects.get(pk=order.pk).save()
    Order.objects.all().delete()  # the AuditLog goes with it, by the cascade
    assert module.seen and all(sender is kind for _, sender, kind in module.seen)
    sent = {(signal, sender) for signal, sender, _ in module.seen}
    for signal in (signals.post_init, signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete):
        assert {(signal, Order), (signal, AuditLog)} <= sent


def test_sig304_delete_receivers_run_inside_the_deletion_transaction(tmp_path):
    """A rollback keeps the row, but the file a delete receiver removed is gone."""
    upload = tmp_path / "invoice.pdf"
    upload.write_bytes(b"%PDF")
    module = load(
        snippet(
            f"""
            import os
            from django.db import connection
            from django.db.models.signals import post_delete
            from truth_app.models import Order

            in_transaction = []

            def remove_file(sender, instance, **kwargs):
                in_transaction.append(connection.in_atomic_block)
                os.remove({str(upload)!r})  # SIG304
                raise RuntimeError("a later step of the deletion fails")

            post_delete.connect(remove_file, sender=Order)
            """
        )
    )
    order = Order.objects.create()
    with pytest.raises(RuntimeError):
        order.delete()  # no atomic() around it: Django opens one for the deletion
    assert module.in_transaction == [True]
    assert Order.objects.filter(pk=order.pk).exists()  # rolled back: the row survives
    assert not upload.exists()  # ... and its file is gone


def test_sig405_loaddata_sends_post_save_with_raw_and_the_receiver_writes_rows():
    """What loaddata does per fixture row: DeserializedObject.save() -> save_base(raw=True)."""
    from django.core import serializers

    source = textwrap.dedent(
        """
        from django.db.models.signals import post_save
        from truth_app.models import AuditLog, Order

        seen_raw = []

        def log_order(sender, instance, created, **kwargs):
            AuditLog.objects.create(order=instance)  # SIG405

        def remember_raw(sender, instance, raw, **kwargs):
            seen_raw.append(raw)

        post_save.connect(log_order, sender=Order)
        post_save.connect(remember_raw, sender=Order)
        """
    ).lstrip("\n")
    results = Engine().check_source(source, "snippet.py", EVERY_RULE, ast.parse(source))
    assert {(line, message[:6]) for line, _, message in results if message[:6] == "SIG405"} == marked(source)
    module = load(source)
    fixture = '[{"model": "truth_app.order", "pk": 77, "fields": {"number": "FX-77"}}]'
    for fixture_row in serializers.deserialize("json", fixture):
        fixture_row.save()
    assert module.seen_raw == [True]
    assert AuditLog.objects.filter(order_id=77).count() == 1  # a row the fixture did not contain


def test_sig501_receiver_without_kwargs_raises_in_debug():
    source = snippet(
        """
        from django.db.models.signals import post_save
        from truth_app.models import Order

        def on_saved(sender, instance, created):  # SIG501
            pass

        post_save.connect(on_saved, sender=Order)
        """
    )
    with override_settings(DEBUG=True):
        with pytest.raises(ValueError, match=r"\*\*kwargs"):
            load(source)


def test_sig502_providing_args_raises_type_error():
    source = snippet(
        """
        from django.dispatch import Signal

        order_paid = Signal(providing_args=["order"])  # SIG502
        """
    )
    with pytest.raises(TypeError, match="providing_args"):
        load(source)


SIG503_SNIPPET = """
import functools
from django.db.models.signals import post_save
from django.dispatch import receiver
from truth_app.models import Order

wrapped_calls = []

def audited(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapped_calls.append(func.__name__)
        return func(*args, **kwargs)
    return wrapper

plain_calls = []

@audited
@receiver(post_save, sender=Order)  # SIG503
def on_saved(sender, **kwargs):
    plain_calls.append(sender)
"""


def test_sig503_decorator_above_receiver_is_skipped_by_the_signal():
    module = load(snippet(SIG503_SNIPPET))
    Order.objects.create()
    assert module.plain_calls == [Order]
    assert module.wrapped_calls == []  # the signal called the unwrapped function
    live = live_receivers(signals.post_save)
    assert module.on_saved not in live and module.on_saved.__wrapped__ in live


def live_receivers(signal) -> list:
    """The receivers a signal holds. Entries are ``(key, receiver)`` on Django 4.2 and
    ``(key, receiver, is_async)`` since 5.0; weak ones hold a weak reference."""
    found = []
    for entry in signal.receivers:
        held = entry[1]
        found.append(held() if isinstance(held, weakref.ReferenceType) else held)
    return found


def test_sig505_mismatched_disconnect_returns_false_and_receiver_still_runs():
    module = load(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []

            def reindex(sender, **kwargs):
                calls.append(sender)

            post_save.connect(reindex, sender=Order, dispatch_uid="reindex-order")

            def mute():
                return post_save.disconnect(reindex, sender=Order)  # SIG505
            """
        )
    )
    assert module.mute() is False
    Order.objects.create()
    assert module.calls == [Order]


def test_sig505_disconnect_by_the_receivers_name_as_uid_removes_nothing():
    """``disconnect(sender=S, dispatch_uid=U)`` looks up ``(U, S)`` only: a receiver
    connected for S under another uid stays connected. (Alone, a module cannot know that
    no other module connects with U, so the single-file check stays silent; the shipsite
    fixture project's shipping/apps.py holds the finding.)"""
    module = load(
        snippet(
            """
            from django.db.models.signals import pre_save
            from truth_app.models import Order

            calls = []

            def tags_normalization(sender, **kwargs):
                calls.append(sender)

            pre_save.connect(tags_normalization, sender=Order, dispatch_uid="tags_normalization_order")

            def mute():
                return pre_save.disconnect(sender=Order, dispatch_uid="tags_normalization")
            """
        )
    )
    assert module.mute() is False
    Order.objects.create()
    assert module.calls == [Order]
    assert signals.pre_save.disconnect(sender=Order, dispatch_uid="tags_normalization_order") is True


# -- the fixes, on real Django: the fixed receiver is connected and called ---------------


def fixed(source: str, unsafe: bool = False) -> str:
    """The snippet after ``flake8-signals fix`` (every rule; safe fixes unless ``unsafe``)."""
    result = fix_source(Engine(), source.encode(), "snippet.py", EVERY_RULE, lambda code, line, text: True, unsafe=unsafe)
    assert result.changed and not result.skipped
    after = result.after.decode()
    assert reported(after) == set(), "the fixed snippet has no finding left"
    return after


def test_fixed_sig501_receiver_connects_in_debug_and_runs():
    source = fixed(
        snippet(
            """
            from django.db.models.signals import post_save
            from truth_app.models import Order

            calls = []

            def on_saved(sender, instance, created):  # SIG501
                calls.append((instance.pk, created))

            post_save.connect(on_saved, sender=Order)
            """
        )
    )
    with override_settings(DEBUG=True):
        module = load(source)  # no ValueError: the receiver accepts **kwargs now
    order = Order.objects.create()
    assert module.calls == [(order.pk, True)]


def test_fixed_sig503_signal_calls_the_decorated_function():
    module = load(fixed(snippet(SIG503_SNIPPET)))
    Order.objects.create()
    assert module.plain_calls == [Order]
    assert module.wrapped_calls == ["on_saved"]  # the wrapper ran: the decorator now applies
    assert module.on_saved in live_receivers(signals.post_save)


def test_fixed_sig105_name_stays_bound_and_the_receiver_runs():
    module = load(
        fixed(
            snippet(
                """
                from django.db.models.signals import post_save
                from truth_app.models import Order

                calls = []

                @post_save.connect(sender=Order)  # SIG105
                def on_saved(sender, **kwargs):
                    calls.append(sender)
                """
            ),
            unsafe=True,  # a receiver that never ran starts running: see its Fix safety
        )
    )
    assert callable(module.on_saved)
    gc.collect()
    Order.objects.create()
    assert module.calls == [Order]


def test_on_commit_from_async_code_raises_so_async_receivers_get_no_sig303_fix():
    import asyncio

    from django.core.exceptions import SynchronousOnlyOperation

    async def enqueue():
        transaction.on_commit(lambda: None)

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(enqueue())


def test_sig201_the_url_conf_and_template_tags_load_when_checks_run_not_at_setup(tmp_path):
    """SIG201's message for modules only the URLconf or template tags import: Django's
    system checks import them (check_url_config, the template tag libraries), setup()
    does not, and `shell` runs no checks."""
    (tmp_path / "probeapp" / "templatetags").mkdir(parents=True)
    (tmp_path / "probeapp" / "__init__.py").write_text("")
    (tmp_path / "probeapp" / "templatetags" / "__init__.py").write_text("")
    (tmp_path / "probeapp" / "templatetags" / "probe_tags.py").write_text(
        "import sys\nsys.modules.setdefault('LOADED', []).append('tags')\n"
        "from django import template\nregister = template.Library()\n"
    )
    (tmp_path / "probeurls.py").write_text("import sys\nsys.modules.setdefault('LOADED', []).append('urls')\nurlpatterns = []\n")
    script = textwrap.dedent(
        """
        import sys
        from django.conf import settings
        settings.configure(
            INSTALLED_APPS=["probeapp"], ROOT_URLCONF="probeurls",
            TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        )
        import django
        django.setup()
        assert "LOADED" not in sys.modules, sys.modules.get("LOADED")
        from django.core.management import call_command
        call_command("check")
        assert sorted(sys.modules["LOADED"]) == ["tags", "urls"], sys.modules["LOADED"]
        from django.core.management.commands.shell import Command as Shell
        assert not Shell.requires_system_checks
        """
    )
    import os
    import subprocess

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr


def test_sig201_a_url_conf_importing_by_computed_name_loads_the_module_with_the_checks_only(tmp_path):
    """SIG201 on a module only the URLconf's ``import_module("%s.signals" % app)`` loop
    loads: setup() leaves its receiver unconnected, the system checks connect it; and
    the plugin reports it with that message."""
    (tmp_path / "probeapp").mkdir()
    (tmp_path / "probeapp" / "__init__.py").write_text("")
    (tmp_path / "probeapp" / "models.py").write_text(
        "from django.db import models\n\n\nclass Probe(models.Model):\n    name = models.CharField(max_length=10)\n"
    )
    (tmp_path / "probeapp" / "signals.py").write_text(
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n\n"
        "from .models import Probe\n\n\n"
        "@receiver(post_save, sender=Probe)\n"
        "def on_probe(sender, instance, **kwargs):\n"
        "    pass\n"
    )
    (tmp_path / "probesettings.py").write_text('INSTALLED_APPS = ["probeapp"]\nROOT_URLCONF = "probeurls"\n')
    (tmp_path / "probeurls.py").write_text(
        "from importlib import import_module\n\n"
        "from django.conf import settings\n\n"
        "urlpatterns = []\n\n"
        "for app in settings.INSTALLED_APPS:\n"
        "    name = '%s.signals' % app\n"
        "    try:\n"
        "        import_module(name)\n"
        "    except ImportError:\n"
        "        pass\n"
    )
    script = textwrap.dedent(
        """
        import sys
        from django.conf import settings
        settings.configure(INSTALLED_APPS=["probeapp"], ROOT_URLCONF="probeurls")
        import django
        django.setup()
        from django.db.models.signals import post_save
        from probeapp.models import Probe
        assert "probeapp.signals" not in sys.modules
        assert not post_save.has_listeners(Probe)
        from django.core.management import call_command
        call_command("check")
        assert "probeapp.signals" in sys.modules
        assert post_save.has_listeners(Probe)
        """
    )
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "check", "--isolated", "--select=SIG201", "."],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("./probeapp/signals.py:7:1: SIG201"), done.stdout
    assert "only by an import by computed name in the URLconf or template tags" in lines[0]


def test_sig304_pre_save_runs_before_the_row_is_written():
    """A pre_save receiver that removes the previous file runs while the row still
    names it: a save that then fails leaves the row pointing at the removed file."""
    order = Order.objects.create(number="old")
    seen = []

    def record(sender, instance, **kwargs):
        seen.append(Order.objects.get(pk=instance.pk).number)

    signals.pre_save.connect(record, sender=Order)
    order.number = "new"
    order.save()
    assert seen == ["old"]


def test_sig304_a_positional_bool_is_field_file_deletes_save_flag_not_model_deletes_using():
    import inspect

    from django.db.models import Model
    from django.db.models.fields.files import FieldFile

    assert list(inspect.signature(FieldFile.delete).parameters)[1] == "save"
    assert list(inspect.signature(Model.delete).parameters)[1] == "using"
