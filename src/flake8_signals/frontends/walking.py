"""Which files a run reads, decided the way flake8 decides (``discover_files``,
``utils.normalize_path``, ``utils.matches_filename``).

An exclude pattern with a path separator is made absolute, against the current folder
for a command-line value and against the configuration file's folder for a value from
a file; it is matched against each file's and folder's absolute path. A pattern
without one is matched against the base name. A path given on the command line is
read even when it is not a ``*.py`` file, unless a pattern excludes it; ``-`` is
standard input.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from typing import Iterator, Sequence

# flake8's default --exclude, so that both walk the same files.
DEFAULT_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg")
FILENAME_PATTERNS = ("*.py",)
STDIN = "-"


def normalize_path(path: str, parent: str = os.curdir) -> str:
    """flake8's ``normalize_path``: a path with a separator (or ``.``) becomes absolute,
    joined to ``parent``; trailing separators are dropped."""
    separator = os.path.sep
    alternate = os.path.altsep or ""
    if path == "." or separator in path or (alternate and alternate in path):
        path = os.path.abspath(os.path.join(parent, path))
    return path.rstrip(separator + alternate)


def normalize_paths(paths: Sequence[str], parent: str = os.curdir) -> list:
    return [normalize_path(path, parent) for path in paths]


@functools.lru_cache(maxsize=64)
def _pattern_matcher(patterns: tuple):
    """One compiled regular expression for a list of fnmatch patterns (what fnmatch
    does for each pattern, once instead of once per path)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)).match


def matches_filename(path: str, patterns: Sequence[str]) -> bool:
    """flake8's ``matches_filename``: the base name, then the absolute path."""
    if not patterns:
        return False
    match = _pattern_matcher(tuple(patterns))
    basename = os.path.basename(path)
    if basename not in {".", ".."} and match(os.path.normcase(basename)):
        return True
    return match(os.path.normcase(os.path.abspath(path))) is not None


def _is_python_file(name: str) -> bool:
    """flake8's ``--filename`` default (``*.py``); the base name decides, as the
    pattern has no separator."""
    return _pattern_matcher(FILENAME_PATTERNS)(os.path.normcase(name)) is not None


def python_files(paths: Sequence[str], exclude: Sequence[str], stdin_display_name: str = "stdin") -> Iterator[str]:
    """The files to read, as flake8 names them (joined to the path given), in a stable
    order. ``exclude`` holds normalized patterns (``normalize_paths``)."""

    def excluded(path: str) -> bool:
        if path == STDIN:
            if stdin_display_name == "stdin":
                return False  # flake8 always reads standard input under its default name
            path = stdin_display_name
        return matches_filename(path, exclude)

    for path in paths or ["."]:
        if excluded(path):
            continue
        if path != STDIN and os.path.isdir(path):
            for directory, folders, files in os.walk(path):
                folders[:] = sorted(f for f in folders if not excluded(os.path.join(directory, f)))
                for name in sorted(files):
                    full = os.path.join(directory, name)
                    # The file name first: most files of a tree (templates, data,
                    # translations) are not Python, and it is the cheaper test.
                    if _is_python_file(name) and not excluded(full):
                        yield full
        else:
            yield path  # given explicitly: read even when it is not a *.py file
