"""Unit tests for the model a module is turned into: imports, signals, receivers."""

from __future__ import annotations

import re
import textwrap

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_signals.module.facts import ModuleFacts
from flake8_signals.rules.analysis import Constant, decided
from flake8_signals.source.syntax import code_of
from flake8_signals.source.precheck import might_send_signals, might_wire_signals


def facts_of(source: str) -> ModuleFacts:
    return ModuleFacts(cst.parse_module(textwrap.dedent(source)), "module.py", "shop.module")


@pytest.mark.parametrize(
    "imports, expression, qualname",
    [
        ("from django.db.models.signals import post_save", "post_save", "django.db.models.signals.post_save"),
        ("from django.db.models.signals import post_save as ps", "ps", "django.db.models.signals.post_save"),
        ("from django.db.models import signals", "signals.post_save", "django.db.models.signals.post_save"),
        ("from django.db import models", "models.signals.post_save", "django.db.models.signals.post_save"),
        ("import django.db.models.signals as s", "s.pre_save", "django.db.models.signals.pre_save"),
        ("import django.db.models.signals", "django.db.models.signals.pre_save", "django.db.models.signals.pre_save"),
        ("from django.db.models.signals import *", "m2m_changed", "django.db.models.signals.m2m_changed"),
        ("from django.core import signals", "signals.request_finished", "django.core.signals.request_finished"),
        ("from .signals import order_paid", "order_paid", ".signals.order_paid"),
        ("from . import signals", "signals.order_paid", ".signals.order_paid"),
        ("from shop.signals import order_paid", "order_paid", "shop.signals.order_paid"),
    ],
)
def test_signal_resolution(imports, expression, qualname):
    facts = facts_of(f"{imports}\n{expression}.connect(handler)\n")
    [connection] = facts.connections
    assert connection.signal.qualname == qualname


@pytest.mark.parametrize(
    "source",
    [
        "import socket\nsocket.socket().connect(('a', 1))\n",
        "import sqlite3\nsqlite3.connect(':memory:')\n",
        "from celery import signals\nsignals.task_success.connect(handler)\n",
        "from blinker import signal\nsignal('x').connect(handler)\n",
        "post_save.connect(handler)\n",  # not imported: some other object
        "self.clicked.connect(handler)\n",
    ],
)
def test_connect_on_other_things_is_not_a_connection(source):
    assert facts_of(source).connections == []


def test_local_custom_signal_and_receiver_details():
    facts = facts_of(
        """
        from functools import partial
        from django.dispatch import Signal, receiver

        order_paid = Signal()

        @receiver([order_paid], sender="shop.Order", dispatch_uid="paid", weak=False)
        def on_paid(sender, order, **kwargs):
            pass

        order_paid.connect(partial(on_paid, order=None))
        """
    )
    decorated, connected = sorted(facts.connections, key=lambda c: c.order)
    assert decorated.signal.qualname == "shop.module.order_paid" and decorated.signal.origin == "custom"
    assert decorated.sender_key == "str:shop.Order" and decorated.dispatch_uid == "str:paid"
    assert decorated.weak is False and decorated.receiver.function.name == "on_paid"
    assert connected.receiver.kind == "partial" and connected.weak is True


def test_app_config_and_call_graph():
    facts = facts_of(
        """
        from django.apps import AppConfig

        class BaseConfig(AppConfig):
            pass

        class ShopConfig(BaseConfig):
            def ready(self):
                register()

        def register():
            _helper()

        def _helper():
            pass
        """
    )
    configs = {info.name: info.is_app_config for info in facts.classes}
    assert configs == {"BaseConfig": True, "ShopConfig": True}
    ready = facts.module_classes["ShopConfig"].methods["ready"]
    assert [callee.name for _, callee in facts.function_calling(ready)] == ["register"]


def test_guards_record_created_checks():
    facts = facts_of(
        """
        def handler(sender, instance, **kwargs):
            if not kwargs.get("created"):
                return
            Profile.objects.create(user=instance)
        """
    )
    [_, create] = facts.module_functions["handler"].calls
    assert any("created" in guard.mentions for guard in create.guards)


def test_guards_record_which_branch_a_call_is_on():
    facts = facts_of(
        """
        def helper(mode, quiet):
            if mode == "a":
                first()
            elif mode == "b":
                second()
            else:
                third()
            if quiet:
                return
            fourth()
        """
    )
    calls = {call.callee_name: call for call in facts.module_functions["helper"].calls}
    branches = {name: [(code_of(g.test), g.holds) for g in call.guards] for name, call in calls.items()}
    assert branches == {
        "first": [('mode == "a"', True)],
        "second": [('mode == "a"', False), ('mode == "b"', True)],
        "third": [('mode == "a"', False), ('mode == "b"', False)],
        "fourth": [("quiet", False)],
    }


@pytest.mark.parametrize(
    "test, known, value",
    [
        ("notify", {"notify": False}, False),
        ("notify", {"notify": "x"}, True),
        ("not notify", {"notify": None}, True),
        ("mode == 'sync'", {"mode": "sync"}, True),
        ("'sync' == mode", {"mode": "async"}, False),
        ("mode != 'sync'", {"mode": "async"}, True),
        ("token is None", {"token": None}, True),
        ("token is not None", {"token": None}, False),
        ("token is not None", {"token": 0}, True),
        ("count == 1", {"count": 1}, True),
        ("notify", {}, None),  # not known
        ("notify and other", {"notify": False}, None),  # only the simplest tests
        ("mode == other", {"mode": "a"}, None),
        ("mode is 'a'", {"mode": "a"}, None),
        ("mode in ('a', 'b')", {"mode": "a"}, None),
        ("instance.notify", {"instance": True}, None),
    ],
)
def test_constants_decide_only_the_simplest_tests(test, known, value):
    constants = {name: Constant(v) for name, v in known.items()}
    assert decided(cst.parse_expression(test), constants.get) is value


@pytest.mark.parametrize(
    "text, expected",
    [
        ("from django.dispatch import receiver\n@receiver(x)\n", True),
        ("from django.db.models.signals import post_save\npost_save.connect(f)\n", True),
        ("from django.dispatch import Signal\nx = Signal()\n", True),
        ("import socket\nsocket.socket().connect(addr)\n", False),
        ("from django.db.models.signals import post_save\n", False),
        ("def receiver(): pass\n", False),
    ],
)
def test_pre_check(text, expected):
    assert might_wire_signals(text) is expected


# The patterns the pre-check stands for, written plainly: the fast version (substring
# tests first) must decide exactly as they do.
PLAIN_SIGNALISH = re.compile(r"signals|dispatch|autoreload|Signal\b")
PLAIN_WIRING = re.compile(r"\breceiver\b|\.(?:dis)?connect\b|\bSignal\s*\(|\b\w*(?:connect\w*signal|signal\w*connect)\w*\s*\(")
PLAIN_SENDING = re.compile(r"\.a?send(?:_robust)?\s*\(")
PIECES = [
    "signals", "dispatch", "autoreload", "Signal", "Signals", "receiver", "receivers", ".connect", ".disconnect",
    "connect", "connection", "signal", "_order_", "disconnect_signals", "signal_connect", ".send", ".asend",
    "_robust", "send", "(", " ", "\n", "x", "_", ".", "1", "é",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_pre_check_decides_as_the_plain_patterns(text):
    signalish = PLAIN_SIGNALISH.search(text) is not None
    assert might_wire_signals(text) is (signalish and PLAIN_WIRING.search(text) is not None)
    assert might_send_signals(text) is (signalish and PLAIN_SENDING.search(text) is not None)


def test_loop_sources_and_binding_counts():
    facts = facts_of(
        """
        def receiver(sender, instance, **kwargs):
            org = instance
            for project in org.projects.all():
                project.delete()
            for project in org.archived.all():
                pass
            for a, b in pairs:
                pass
            try:
                pass
            except Exception as error:
                pass
        """
    )
    function = facts.module_functions["receiver"]
    loops = function.loop_sources["project"]
    assert [code_of(loop.iterable) for loop in loops] == ["org.projects.all()", "org.archived.all()"]
    call = next(c for c in function.calls if c.method == "delete")
    assert [loop for loop in loops if loop.body in {block for block, _ in call.path}] == [loops[0]]
    assert "a" not in function.loop_sources  # a tuple target is not one name
    assert function.bindings_of("project") == 2
    assert function.bindings_of("org") == 1
    assert function.bindings_of("error") == 1
    assert function.bindings_of("instance") == 0  # a parameter, never bound again
    assert function.rebinds("org") and not function.rebinds("instance")
