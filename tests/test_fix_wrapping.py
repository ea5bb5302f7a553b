"""``flake8-signals fix`` keeps the lines it rewrites within flake8's ``max-line-length``:
each fix that can make a line longer, wrapped at the default 79, kept on one line when
the configuration or the command line allows 120, and left on one line when the result
is short; the wrapped code compiles and a second run changes nothing. Lines the fix
did not change are never rewrapped."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import pytest

from flake8_runner import findings

from flake8_signals.frontends import cli
from flake8_signals.source.wrapping import wrap_changed_lines

# A long line no fix touches: it must stay as it is.
UNTOUCHED = 'CACHE_KEYS = dict(orders="orders-cache-key", products="products-cache-key", lines=3)\n'


def _text(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


@dataclass(frozen=True)
class Case:
    args: tuple  # what selects the fix
    before: str
    wrapped: str  # the result with the default max-line-length, 79
    one_line: str  # the result with max-line-length = 120
    short_before: str
    short_after: str


CASES = {
    # SIG102: weak=False and a dispatch_uid added to a connect() call.
    "sig102-connect": Case(
        ("--unsafe-fixes",),
        _text(
            """
            from functools import partial

            from django.db.models.signals import post_save

            from shop.models import Order


            def forget(key, sender, **kwargs):
                pass


            post_save.connect(partial(forget, "o"), sender=Order)  # cache
            """
        ),
        _text(
            """
            from functools import partial

            from django.db.models.signals import post_save

            from shop.models import Order


            def forget(key, sender, **kwargs):
                pass


            post_save.connect(  # cache
                partial(forget, "o"),
                sender=Order,
                weak=False,
                dispatch_uid="receivers.partial(forget)",
            )
            """
        ),
        _text(
            """
            from functools import partial

            from django.db.models.signals import post_save

            from shop.models import Order


            def forget(key, sender, **kwargs):
                pass


            post_save.connect(partial(forget, "o"), sender=Order, weak=False, dispatch_uid="receivers.partial(forget)")  # cache
            """
        ),
        _text(
            """
            from functools import partial

            from django.db.models.signals import post_save


            def f(key, sender, **kwargs):
                pass


            post_save.connect(partial(f))
            """
        ),
        _text(
            """
            from functools import partial

            from django.db.models.signals import post_save


            def f(key, sender, **kwargs):
                pass


            post_save.connect(partial(f), weak=False, dispatch_uid="receivers.partial(f)")
            """
        ),
    ),
    # SIG105: @signal.connect(...) becomes the longer @receiver(signal, ...).
    "sig105-decorator": Case(
        ("--unsafe-fixes",),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver

            from shop.models import PurchaseOrderLine


            @post_save.connect(sender=PurchaseOrderLine, dispatch_uid="shop.lines.resave")
            def on_line_saved(sender, **kwargs):
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver

            from shop.models import PurchaseOrderLine


            @receiver(
                post_save,
                sender=PurchaseOrderLine,
                dispatch_uid="shop.lines.resave",
            )
            def on_line_saved(sender, **kwargs):
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver

            from shop.models import PurchaseOrderLine


            @receiver(post_save, sender=PurchaseOrderLine, dispatch_uid="shop.lines.resave")
            def on_line_saved(sender, **kwargs):
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver


            @post_save.connect(weak=False)
            def on_saved(sender, **kwargs):
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver


            @receiver(post_save, weak=False)
            def on_saved(sender, **kwargs):
                pass
            """
        ),
    ),
    # SIG303: the enqueue wrapped in transaction.on_commit(partial(...)).
    "sig303-on-commit": Case(
        ("--unsafe-fixes", "--extend-select=SIG303"),
        _text(
            """
            from functools import partial

            from django.db import transaction
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.purge_cache.delay(instance.pk, instance.customer_id)
            """
        ),
        _text(
            """
            from functools import partial

            from django.db import transaction
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                transaction.on_commit(
                    partial(tasks.purge_cache.delay, instance.pk, instance.customer_id),
                )
            """
        ),
        _text(
            """
            from functools import partial

            from django.db import transaction
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                transaction.on_commit(partial(tasks.purge_cache.delay, instance.pk, instance.customer_id))
            """
        ),
        _text(
            """
            from functools import partial

            from django.db import transaction
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.purge.delay(instance.pk)
            """
        ),
        _text(
            """
            from functools import partial

            from django.db import transaction
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                transaction.on_commit(partial(tasks.purge.delay, instance.pk))
            """
        ),
    ),
    # SIG303 in a module that uses Celery's DjangoTask methods: .delay_on_commit().
    "sig303-delay-on-commit": Case(
        ("--unsafe-fixes", "--extend-select=SIG303"),
        _text(
            """
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.make_invoice.delay_on_commit(instance.pk)
                tasks.purge_cache.delay(instance.pk, instance.customer_id, reason="gone")
            """
        ),
        _text(
            """
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.make_invoice.delay_on_commit(instance.pk)
                tasks.purge_cache.delay_on_commit(
                    instance.pk,
                    instance.customer_id,
                    reason="gone",
                )
            """
        ),
        _text(
            """
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.make_invoice.delay_on_commit(instance.pk)
                tasks.purge_cache.delay_on_commit(instance.pk, instance.customer_id, reason="gone")
            """
        ),
        _text(
            """
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.make_invoice.delay_on_commit(instance.pk)
                tasks.purge.delay(instance.pk)
            """
        ),
        _text(
            """
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.make_invoice.delay_on_commit(instance.pk)
                tasks.purge.delay_on_commit(instance.pk)
            """
        ),
    ),
    # SIG501: **kwargs added to the signature.
    "sig501-signature": Case(
        (),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver

            from shop.models import Order


            @receiver(post_save, sender=Order)
            def on_saved(sender, instance, created, raw, using, update_fields):  # audit
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver

            from shop.models import Order


            @receiver(post_save, sender=Order)
            def on_saved(  # audit
                sender,
                instance,
                created,
                raw,
                using,
                update_fields,
                **kwargs,
            ):
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver

            from shop.models import Order


            @receiver(post_save, sender=Order)
            def on_saved(sender, instance, created, raw, using, update_fields, **kwargs):  # audit
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver


            @receiver(post_save)
            def on_saved(sender, instance):
                pass
            """
        ),
        _text(
            """
            from django.db.models.signals import post_save
            from django.dispatch import receiver


            @receiver(post_save)
            def on_saved(sender, instance, **kwargs):
                pass
            """
        ),
    ),
    # An import a fix needs, added to the module's `from django.db import ...` line.
    "import-names": Case(
        ("--unsafe-fixes", "--extend-select=SIG303"),
        _text(
            """
            from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, router
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                tasks.purge.delay()
            """
        ),
        _text(
            """
            from django.db import (
                DEFAULT_DB_ALIAS,
                IntegrityError,
                connections,
                router,
                transaction,
            )
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                transaction.on_commit(tasks.purge.delay)
            """
        ),
        _text(
            """
            from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, router, transaction
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks
            from shop.models import Order


            @receiver(post_delete, sender=Order)
            def forget_order(sender, instance, **kwargs):
                transaction.on_commit(tasks.purge.delay)
            """
        ),
        _text(
            """
            from django.db import models
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks


            @receiver(post_delete, sender=models.Model)
            def forget(sender, instance, **kwargs):
                tasks.purge.delay()
            """
        ),
        _text(
            """
            from django.db import models, transaction
            from django.db.models.signals import post_delete
            from django.dispatch import receiver

            from shop import tasks


            @receiver(post_delete, sender=models.Model)
            def forget(sender, instance, **kwargs):
                transaction.on_commit(tasks.purge.delay)
            """
        ),
    ),
}


def _fix(folder: Path, monkeypatch, capsys, *args: str) -> int:
    monkeypatch.chdir(folder)
    status = cli.main(["fix", *args])
    _out, err = capsys.readouterr()
    assert "Traceback" not in err and "error" not in err, err
    return status


def _longest(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


def _assert_settled(folder: Path, monkeypatch, capsys, args: tuple, *names: str) -> None:
    """The files compile, and a second run has nothing to change."""
    before = {name: (folder / name).read_bytes() for name in names}
    for name, data in before.items():
        compile(data, name, "exec")
    assert _fix(folder, monkeypatch, capsys, "--isolated", "--check", *args, ".") == 0
    assert _fix(folder, monkeypatch, capsys, "--isolated", *args, ".") == 0
    assert {name: (folder / name).read_bytes() for name in names} == before


@pytest.mark.parametrize("name", CASES)
def test_a_rewritten_line_past_79_is_wrapped(name, tmp_path, monkeypatch, capsys):
    case = CASES[name]
    target = tmp_path / "receivers.py"
    target.write_text(case.before + "\n" + UNTOUCHED)
    assert _longest(case.before) <= 79  # the fix makes the line too long
    assert _fix(tmp_path, monkeypatch, capsys, "--isolated", *case.args, "receivers.py") == 0
    assert target.read_text() == case.wrapped + "\n" + UNTOUCHED
    assert _longest(case.wrapped) <= 79
    _assert_settled(tmp_path, monkeypatch, capsys, case.args, "receivers.py")


@pytest.mark.parametrize(
    "where, config",
    [
        ("setup.cfg", "[flake8]\nmax-line-length = 120\n"),
        ("tox.ini", "[flake8]\nmax_line_length = 120\n"),
        ("pyproject.toml", "[tool.flake8-signals]\nmax-line-length = 120\n"),
        ("command line", None),
    ],
)
@pytest.mark.parametrize("name", CASES)
def test_max_line_length_120_keeps_the_rewritten_line_whole(name, where, config, tmp_path, monkeypatch, capsys):
    case = CASES[name]
    target = tmp_path / "receivers.py"
    target.write_text(case.before)
    if config is None:
        _fix(tmp_path, monkeypatch, capsys, "--isolated", "--max-line-length=120", *case.args, "receivers.py")
    else:
        (tmp_path / where).write_text(config)
        _fix(tmp_path, monkeypatch, capsys, *case.args, "receivers.py")
    assert target.read_text() == case.one_line
    assert 79 < _longest(case.one_line) <= 120


@pytest.mark.parametrize("name", CASES)
def test_a_short_rewritten_line_stays_on_one_line(name, tmp_path, monkeypatch, capsys):
    case = CASES[name]
    target = tmp_path / "receivers.py"
    target.write_text(case.short_before)
    assert _fix(tmp_path, monkeypatch, capsys, "--isolated", *case.args, "receivers.py") == 0
    assert target.read_text() == case.short_after
    _assert_settled(tmp_path, monkeypatch, capsys, case.args, "receivers.py")


def test_the_command_line_beats_the_configured_max_line_length(tmp_path, monkeypatch, capsys):
    case = CASES["sig501-signature"]
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = 120\n")
    target = tmp_path / "receivers.py"
    target.write_text(case.before)
    _fix(tmp_path, monkeypatch, capsys, "--max-line-length=79", "receivers.py")
    assert target.read_text() == case.wrapped


def test_a_malformed_max_line_length_is_a_configuration_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = wide\n")
    (tmp_path / "receivers.py").write_text(CASES["sig501-signature"].before)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fix", "receivers.py"]) == 2
    assert "setup.cfg: max-line-length = 'wide': expected a number" in capsys.readouterr().err
    assert (tmp_path / "receivers.py").read_text() == CASES["sig501-signature"].before


def test_a_statement_already_on_several_lines_gets_the_new_arguments_in_its_layout(tmp_path, monkeypatch, capsys):
    target = tmp_path / "receivers.py"
    header = "from functools import partial\n\nfrom django.db.models.signals import post_save\n\n\ndef f(key, sender, **kwargs):\n    pass\n\n\n"
    target.write_text(
        header
        + "post_save.connect(partial(f, 1),\n                  sender=None)\n"
        + "post_save.connect(\n    partial(f, 2),\n    sender=None,\n)\n"
    )
    _fix(tmp_path, monkeypatch, capsys, "--isolated", "--unsafe-fixes", "receivers.py")
    assert target.read_text() == header + (
        "post_save.connect(partial(f, 1),\n"
        "                  sender=None,\n"
        "                  weak=False,\n"
        '                  dispatch_uid="receivers.partial(f)#1")\n'
        "post_save.connect(\n"
        "    partial(f, 2),\n"
        "    sender=None,\n"
        "    weak=False,\n"
        '    dispatch_uid="receivers.partial(f)#2",\n'
        ")\n"
    )
    _assert_settled(tmp_path, monkeypatch, capsys, ("--unsafe-fixes",), "receivers.py")


# -- SIG201: the import added to ready() in another file ----------------------------------------------

RECEIVERS = (
    "from django.core.signals import request_started\n"
    "from django.dispatch import receiver\n\n\n"
    "@receiver(request_started)\n"
    "def started(sender, **kwargs):\n"
    "    pass\n"
)
APPS = (
    "from django.apps import AppConfig\n\n\n"
    "class LedgerConfig(AppConfig):\n"
    '    name = "ledger"\n\n'
    "    def ready(self):\n"
    "        pass\n"
)


def _ledger(tmp_path: Path, module: str) -> Path:
    """A project whose app ``ledger`` registers receivers in ``module``, which start-up
    never imports."""
    project = tmp_path / "project"
    package = folder = project / "ledger"
    for part in ["", *module.split(".")[:-1]]:
        folder = folder / part
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").touch()
    (package / "models.py").write_text("")
    (package / "apps.py").write_text(APPS)
    (folder / f"{module.rsplit('.', 1)[-1]}.py").write_text(RECEIVERS)
    return project


SIG201 = ("--unsafe-fixes", "--extend-select=SIG201")
LONG_MODULE = "settlement.payment_providers.settlement_handlers"


def test_sig201_a_ready_import_past_79_is_wrapped(tmp_path, monkeypatch, capsys):
    project = _ledger(tmp_path, LONG_MODULE)
    assert _fix(project, monkeypatch, capsys, "--isolated", *SIG201, ".") == 0
    apps = (project / "ledger" / "apps.py").read_text()
    assert apps == APPS.replace(
        "        pass\n",
        "        # Registers its receivers.\n"
        "        from .settlement.payment_providers import (  # noqa: F401\n"
        "            settlement_handlers,\n"
        "        )\n",
    )
    assert _longest(apps) <= 79
    _assert_settled(project, monkeypatch, capsys, SIG201, "ledger/apps.py")
    # flake8 agrees: no line too long, the import is not reported unused.
    assert findings(["ledger/apps.py"], "--select=E,F,W,SIG201", cwd=project) == {}


def test_sig201_a_created_apps_module_is_wrapped_too(tmp_path, monkeypatch, capsys):
    project = _ledger(tmp_path, LONG_MODULE)
    (project / "ledger" / "apps.py").unlink()
    _fix(project, monkeypatch, capsys, "--isolated", *SIG201, ".")
    apps = (project / "ledger" / "apps.py").read_text()
    assert apps.endswith(
        "    def ready(self):\n"
        "        # Registers its receivers.\n"
        "        from .settlement.payment_providers import (  # noqa: F401\n"
        "            settlement_handlers,\n"
        "        )\n"
    )
    _assert_settled(project, monkeypatch, capsys, SIG201, "ledger/apps.py")


@pytest.mark.parametrize("where", ["setup.cfg", "command line"])
def test_sig201_max_line_length_120_keeps_the_ready_import_whole(where, tmp_path, monkeypatch, capsys):
    project = _ledger(tmp_path, LONG_MODULE)
    if where == "command line":
        _fix(project, monkeypatch, capsys, "--isolated", "--max-line-length=120", *SIG201, ".")
    else:
        (project / "setup.cfg").write_text("[flake8]\nmax-line-length = 120\n")
        _fix(project, monkeypatch, capsys, *SIG201, ".")
    assert (project / "ledger" / "apps.py").read_text() == APPS.replace(
        "        pass\n",
        "        from .settlement.payment_providers import settlement_handlers  # noqa: F401"
        "  (registers its receivers)\n",
    )


def test_sig201_a_short_ready_import_stays_on_one_line(tmp_path, monkeypatch, capsys):
    project = _ledger(tmp_path, "hooks.signals")
    _fix(project, monkeypatch, capsys, "--isolated", *SIG201, ".")
    assert (project / "ledger" / "apps.py").read_text() == APPS.replace(
        "        pass\n", "        from .hooks import signals  # noqa: F401  (registers its receivers)\n"
    )
    _assert_settled(project, monkeypatch, capsys, SIG201, "ledger/apps.py")


# -- the wrapping itself -------------------------------------------------------------------------------


def _wrap(before: str, after: str, limit: int = 79) -> str:
    return wrap_changed_lines(cst.parse_module(after), before, limit).code


@pytest.mark.parametrize(
    "after, expected",
    [
        # A lambda's commas are not the call's.
        (
            "post_save.connect(lambda sender, **kwargs: cache.clear(), sender=Product, weak=False)\n",
            "post_save.connect(\n    lambda sender, **kwargs: cache.clear(),\n    sender=Product,\n    weak=False,\n)\n",
        ),
        # Parameters with defaults, annotations, / and *: all one per line.
        (
            "def on_saved(sender, /, instance: Order = None, *, using: str = 'default', **kwargs):\n    pass\n",
            "def on_saved(\n    sender,\n    /,\n    instance: Order = None,\n    *,\n    using: str = 'default',\n"
            "    **kwargs,\n):\n    pass\n",
        ),
        # An item still too long is wrapped in turn.
        (
            'post_save.connect(partial(forget_all_cached_for, "orders", "products", "lines", "bills", "taxes"), sender=Order)\n',
            'post_save.connect(\n    partial(\n        forget_all_cached_for,\n        "orders",\n        "products",\n'
            '        "lines",\n        "bills",\n        "taxes",\n    ),\n    sender=Order,\n)\n',
        ),
        # The one argument would still be too long on its line: the call inside is split.
        (
            "if True:\n    transaction.on_commit(partial(tasks.purge_cache.delay, instance.pk, instance.customer_id, using))\n",
            "if True:\n    transaction.on_commit(partial(\n        tasks.purge_cache.delay,\n        instance.pk,\n"
            "        instance.customer_id,\n        using,\n    ))\n",
        ),
        # The sole generator argument gets no trailing comma (it would not compile).
        (
            "total = sum(line.quantity * line.unit_price for line in order.lines.all() if line.counted)\n",
            "total = sum(line.quantity * line.unit_price for line in order.lines.all() if line.counted)\n",
        ),
        # A long string stays as it is: on a line of its own it would not fit either.
        (
            'warn("' + "x" * 80 + '")\n',
            'warn("' + "x" * 80 + '")\n',
        ),
        # Tabs stay tabs, a Windows line break stays one.
        (
            "if True:\r\n\tpost_save.connect(partial(forget, 'orders'), sender=Order, weak=False, uid=12345)\r\n",
            "if True:\r\n\tpost_save.connect(\r\n\t\tpartial(forget, 'orders'),\r\n\t\tsender=Order,\r\n"
            "\t\tweak=False,\r\n\t\tuid=12345,\r\n\t)\r\n",
        ),
        # Parentheses an import already has.
        (
            "from shop.signals.handlers import (order_paid_handler, order_refunded_handler, cart)\n",
            "from shop.signals.handlers import (\n    order_paid_handler,\n    order_refunded_handler,\n    cart,\n)\n",
        ),
        # A call inside an f-string is not taken for the call after it.
        (
            'message = f"{g(a)}" + h(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb)\n',
            'message = f"{g(a)}" + h(\n    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,\n    bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb,\n)\n',
        ),
        # The last line of a file without a final line break.
        (
            "x = 1\nfrom django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, router, models",
            "x = 1\nfrom django.db import (\n    DEFAULT_DB_ALIAS,\n    IntegrityError,\n    connections,\n"
            "    router,\n    models,\n)",
        ),
    ],
)
def test_wrapping(after, expected):
    assert _wrap("", after) == expected
    compile(expected, "wrapped.py", "exec")


def test_only_changed_lines_are_wrapped():
    untouched = "post_save.connect(partial(forget, 'orders'), sender=Order, dispatch_uid='orders')\n"
    changed = "post_save.connect(partial(forget, 'lines'), sender=Line, weak=False, dispatch_uid='x')\n"
    before = untouched + changed.replace(", weak=False", "")
    wrapped = _wrap(before, untouched + changed)
    assert wrapped.startswith(untouched)
    assert wrapped[len(untouched) :] == (
        "post_save.connect(\n    partial(forget, 'lines'),\n    sender=Line,\n    weak=False,\n    dispatch_uid='x',\n)\n"
    )
    # Within the limit, nothing is wrapped.
    assert _wrap(before, untouched + changed, limit=120) == untouched + changed
