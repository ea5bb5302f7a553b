"""What a file's path says about when its code runs."""

from __future__ import annotations

import pytest

from flake8_signals.source.paths import is_management_command_path, request_module_kind


@pytest.mark.parametrize(
    "path, kind",
    [
        ("shop/views.py", "views"),
        ("shop/member_views.py", "views"),
        ("shop/views/orders.py", "views"),
        ("shop/views/__init__.py", "views"),
        ("shop/middleware.py", "middleware"),
        ("shop/middlewares.py", "middleware"),
        ("shop/auth_middleware.py", "middleware"),
        ("shop/middleware/tracking.py", "middleware"),
        ("shop/viewsets.py", None),
        ("shop/api.py", None),
        ("shop/preview.py", None),
        ("shop/views/templates/x.html", None),
    ],
)
def test_request_module_kind(path, kind):
    assert request_module_kind(path) == kind


def test_management_command_path():
    assert is_management_command_path("shop/management/commands/reindex.py")
    assert not is_management_command_path("shop/management/__init__.py")
    assert not is_management_command_path("shop/commands.py")
