"""What a file's path says about it: migrations and test code."""

from __future__ import annotations

import os
from typing import Optional

# "tests" only: a package named "test" is as often a test framework others import
# (django.test, its client) as a folder of tests.
TEST_FOLDERS = frozenset({"tests"})


def path_parts(path: str) -> list[str]:
    return [part for part in os.path.normpath(path).replace("\\", "/").split("/") if part]


def is_migration_path(path: str) -> bool:
    return "migrations" in path_parts(path)[:-1]


def is_test_path(path: str, root: Optional[str] = None) -> bool:
    """Test code by its path: ``test_*.py``, ``*_test.py``, ``*_tests.py``,
    ``tests.py`` (Django's own ``tests/<name>/tests.py`` layout) and ``conftest.py``,
    or a ``tests/`` folder. The folders are those below ``root``, the
    project's import root, when it is known; otherwise only the file's own folder
    (what lies above the project says nothing about it)."""
    folders_from = 0
    if root is not None:
        relative = os.path.relpath(os.path.abspath(path), root)
        if not relative.startswith(".."):
            path = relative
            folders_from = None
    parts = path_parts(path)
    if not parts:
        return False
    name = parts[-1]
    folders = parts[:-1] if folders_from is None else parts[-2:-1]
    return (
        any(folder in TEST_FOLDERS for folder in folders)
        or name.startswith("test_")
        or name in ("tests.py", "test.py", "conftest.py")
        or name.endswith(("_tests.py", "_test.py"))
    )


def is_management_command_path(path: str) -> bool:
    """A module of ``<app>/management/commands/``: a command runs once, in a process of
    its own, and ends."""
    parts = path_parts(path)
    return len(parts) >= 3 and parts[-3:-1] == ["management", "commands"]


def request_module_kind(path: str) -> Optional[str]:
    """``"views"`` or ``"middleware"`` when the file's name says its functions handle
    requests: ``views.py``, ``*_views.py`` or a module of a ``views`` package;
    ``middleware.py`` (``middlewares.py``, ``*_middleware.py``) or a module of a
    ``middleware`` package. ``None`` otherwise."""
    parts = path_parts(path)
    if not parts or not parts[-1].endswith(".py"):
        return None
    stem = parts[-1][:-3]
    package = parts[-2] if len(parts) > 1 else ""
    if stem == "views" or stem.endswith("_views") or package == "views":
        return "views"
    if stem in ("middleware", "middlewares") or stem.endswith("_middleware") or package in ("middleware", "middlewares"):
        return "middleware"
    return None
