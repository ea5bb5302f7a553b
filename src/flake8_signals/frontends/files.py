"""Walking files like flake8: the paths given, the folders under them, flake8's excludes."""

from __future__ import annotations

import argparse
import fnmatch
import os
from typing import Iterator, Sequence

from .config import split_codes

# flake8's default --exclude, so that both walk the same files.
DEFAULT_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg")


def python_files(paths: Sequence[str], exclude: Sequence[str]) -> Iterator[str]:
    def excluded(path: str) -> bool:
        name = os.path.basename(path.rstrip(os.sep))
        return any(fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(path, pattern) for pattern in exclude)

    for path in paths:
        if os.path.isdir(path):
            for directory, folders, files in os.walk(path):
                folders[:] = sorted(f for f in folders if not excluded(os.path.join(directory, f)))
                for name in sorted(files):
                    full = os.path.join(directory, name)
                    if name.endswith(".py") and not excluded(full):
                        yield full  # as flake8 prints it: joined to the path given
        elif not excluded(path):
            yield path


def excluded_patterns(args: argparse.Namespace) -> list:
    """flake8's rule: --exclude replaces the default patterns, --extend-exclude adds."""
    base = split_codes(args.exclude) if args.exclude is not None else list(DEFAULT_EXCLUDE)
    return base + split_codes(args.extend_exclude)
