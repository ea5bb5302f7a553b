"""The format-preserving edit helpers the fixes are built from."""

from __future__ import annotations

import libcst as cst
import pytest

from flake8_signals.source.edits import ImportRequest, add_imports, append_item, local_name_of, module_bindings, name_is_free


@pytest.mark.parametrize(
    "source, qualified, expected",
    [
        ("from django.db import transaction\n", "django.db.transaction.on_commit", "transaction.on_commit"),
        ("from django.dispatch import receiver as on\n", "django.dispatch.receiver", "on"),
        ("import django.dispatch\n", "django.dispatch.receiver", "django.dispatch.receiver"),
        ("import django.dispatch as dispatch\n", "django.dispatch.receiver", "dispatch.receiver"),
        ("from django.db.models.signals import post_save\n", "django.dispatch.receiver", None),
        ("def f():\n    from django.dispatch import receiver\n", "django.dispatch.receiver", None),  # not module level
    ],
)
def test_local_name_of(source, qualified, expected):
    assert local_name_of(cst.parse_module(source), qualified) == expected


def test_module_bindings_are_the_module_level_names_only():
    module = cst.parse_module(
        "import os.path\nfrom a import b as c\nx, y = 1, 2\nz: int = 3\nfor i in []: pass\n"
        "with open() as f: pass\nif (w := 1): pass\n"
        "def g(receiver):\n    q = 1\n    global G\nclass K:\n    r = 1\n"
    )
    assert module_bindings(module) == {"os", "c", "x", "y", "z", "i", "f", "w", "g", "G", "K"}


def test_name_is_free_also_looks_at_the_enclosing_function():
    module = cst.parse_module("def setup(receiver):\n    @post_save.connect\n    def f(sender, **kwargs): ...\n")
    assert name_is_free(module, "receiver")
    assert not name_is_free(module, "receiver", module.body[0])
    assert not name_is_free(cst.parse_module("receiver = 'a@b.c'\n"), "receiver")
    assert not name_is_free(cst.parse_module("from shop.models import *\n"), "receiver")


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "from django.dispatch import Signal\n\nx = 1\n",
            "from django.dispatch import Signal, receiver\n\nx = 1\n",
        ),
        (
            "from django.dispatch import (\n    Signal,\n)\n",
            "from django.dispatch import (\n    Signal,\n    receiver,\n)\n",
        ),
        (
            '"""Doc."""\nimport os\nfrom shop import models\n\nx = 1\n',
            '"""Doc."""\nimport os\nfrom shop import models\nfrom django.dispatch import receiver\n\nx = 1\n',
        ),
        ('"""Doc."""\n\nx = 1\n', '"""Doc."""\nfrom django.dispatch import receiver\n\nx = 1\n'),
        # Comments on top stay on top: a shebang or coding line must stay on line 1 or 2.
        ("# A comment about x.\nx = 1\n", "# A comment about x.\nfrom django.dispatch import receiver\nx = 1\n"),
        (
            "#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nx = 1\n",
            "#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nfrom django.dispatch import receiver\nx = 1\n",
        ),
        ("from django.dispatch import receiver\n", "from django.dispatch import receiver\n"),  # already there
    ],
)
def test_add_imports(source, expected):
    module = add_imports(cst.parse_module(source), [ImportRequest("django.dispatch", "receiver")])
    assert module.code == expected


@pytest.mark.parametrize(
    "call, expected",
    [
        ("f(a, b)", "f(a, b, c=1)"),
        ("f(\n    a,\n    b,\n)", "f(\n    a,\n    b,\n    c=1,\n)"),
        ("f(\n    a,\n    b  # why\n)", "f(\n    a,\n    b,  # why\n    c=1\n)"),
        ("f(\n    a,\n    b,  # why\n)", "f(\n    a,\n    b,  # why\n    c=1,\n)"),
        ("f(a,\n  b)", "f(a,\n  b,\n  c=1)"),
        ("f()", "f(c=1)"),
    ],
)
def test_append_item_keeps_the_layout(call, expected):
    node = cst.parse_expression(call)
    new = cst.Arg(keyword=cst.Name("c"), value=cst.Integer("1"), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
    args = append_item(node.args, new, node.whitespace_before_args, "whitespace_after_arg")
    assert cst.Module(body=[]).code_for_node(node.with_changes(args=args)) == expected


@pytest.mark.parametrize(
    "source, request_, expected",
    [
        # isort's blocks: the new line goes into the block of its kind, at its sorted place
        (
            "import os\n\nfrom celery import shared_task\nfrom django.db import models\n\nfrom .models import Order\n",
            ImportRequest("django.dispatch", "receiver"),
            "import os\n\nfrom celery import shared_task\nfrom django.db import models\nfrom django.dispatch import receiver\n\nfrom .models import Order\n",
        ),
        (
            "import os\nfrom typing import Any\n\nfrom django.db import models\n",
            ImportRequest("functools", "partial"),
            "import os\nfrom functools import partial\nfrom typing import Any\n\nfrom django.db import models\n",
        ),
        # no block of its kind yet: a block of its own, in isort's order
        (
            "import os\n\nfrom .models import Order\n",
            ImportRequest("django.db", "transaction"),
            "import os\n\nfrom django.db import transaction\n\nfrom .models import Order\n",
        ),
        (
            "from django.db import models\n\nfrom .models import Order\n",
            ImportRequest("functools", "partial"),
            "from functools import partial\n\nfrom django.db import models\n\nfrom .models import Order\n",
        ),
        # names imported one per line stay one per line
        (
            "from django.db.models.signals import post_delete\nfrom django.db.models.signals import post_save\n\nx = 1\n",
            ImportRequest("django.db.models.signals", "pre_save"),
            "from django.db.models.signals import post_delete\nfrom django.db.models.signals import post_save\n"
            "from django.db.models.signals import pre_save\n\nx = 1\n",
        ),
    ],
)
def test_new_imports_follow_the_modules_import_style(source, request_, expected):
    assert add_imports(cst.parse_module(source), [request_]).code == expected
