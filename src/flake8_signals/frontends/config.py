"""What the user configured, read the way flake8 reads it: the ``[flake8]`` section of
setup.cfg, tox.ini or .flake8 (and ``[tool.flake8-signals]`` in pyproject.toml), which
codes are reported (``--select``/``--ignore``/``--extend-*``, the longest matching
prefix winning, opt-in codes only when named), and ``# noqa`` comments."""

from __future__ import annotations

import argparse
import configparser
import io
import os
import re
import tokenize
from dataclasses import dataclass
from typing import Iterable, Optional

from ..options import Options
from ..rules import OFF_BY_DEFAULT

# flake8 skips a file with a line that starts with this (``should_ignore_file``).
FILE_NOQA = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
FLAKE8_DEFAULT_IGNORE = ("E121", "E123", "E126", "E226", "E24", "E704", "W503", "W504")
CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")


# -- configuration --------------------------------------------------------------------


def read_config(directory: str) -> dict:
    """Settings from the first of setup.cfg/tox.ini/.flake8 with a [flake8] section in
    ``directory`` or above, then ``[tool.flake8-signals]`` of pyproject.toml there."""
    settings: dict = {}
    current = os.path.abspath(directory)
    while True:
        for name in CONFIG_FILES:
            path = os.path.join(current, name)
            if os.path.isfile(path):
                parser = configparser.RawConfigParser()
                try:
                    parser.read(path, encoding="utf-8")
                except configparser.Error:
                    continue
                if parser.has_section("flake8"):
                    settings.update({key.replace("_", "-"): value for key, value in parser.items("flake8")})
                    settings.update(_pyproject(current))
                    return settings
        pyproject = _pyproject(current)
        if pyproject:
            return pyproject
        parent = os.path.dirname(current)
        if parent == current:
            return settings
        current = parent


def _pyproject(directory: str) -> dict:
    path = os.path.join(directory, "pyproject.toml")
    if not os.path.isfile(path):
        return {}
    try:
        import tomllib
    except ImportError:  # Python < 3.11: only the [flake8] files are read
        return {}
    with open(path, "rb") as handle:
        try:
            table = tomllib.load(handle).get("tool", {}).get("flake8-signals", {})
        except tomllib.TOMLDecodeError:
            return {}
    return {key.replace("_", "-"): ",".join(value) if isinstance(value, list) else str(value) for key, value in table.items()}


# -- which codes are reported -------------------------------------------------------------


def split_codes(value) -> list:
    """Codes or prefixes of a select/ignore value, separated by commas or white space."""
    if isinstance(value, list):
        return value
    return [item for item in re.split(r"[,\s]+", value or "") if item]


# flake8's own plugins' codes: selected by default next to ours when --select is not given.
DEFAULT_SELECT = ("SIG", "E", "W", "F", "C90")


@dataclass(frozen=True)
class Selection:
    """flake8's decision for one code: explicit choices (--select, --extend-select,
    --ignore, --extend-ignore) beat the defaults, and between two of the same kind the
    longer prefix wins; opt-in codes are reported only when named."""

    explicit_select: tuple
    default_select: tuple  # empty when --select is given
    explicit_ignore: tuple
    default_ignore: tuple
    options: Options

    def reports(self, code: str) -> bool:
        if code in OFF_BY_DEFAULT and not self.options.opted_in(code):
            return False
        chosen = _longest(code, self.explicit_select)
        refused = _longest(code, self.explicit_ignore)
        if chosen is not None:
            return refused is None or len(chosen) > len(refused)
        chosen = _longest(code, self.default_select)
        if chosen is None or refused is not None:
            return False
        refused = _longest(code, self.default_ignore)
        return refused is None or len(chosen) > len(refused)


def _longest(code: str, prefixes: Iterable[str]) -> Optional[str]:
    matches = [prefix for prefix in prefixes if code.startswith(prefix)]
    return max(matches, key=len) if matches else None


def selection_from(args: argparse.Namespace, options: Options) -> Selection:
    select = split_codes(args.select)
    ignore = split_codes(args.ignore)
    extend_ignore = split_codes(args.extend_ignore)
    return Selection(
        explicit_select=tuple(select + split_codes(args.extend_select)),
        default_select=() if args.select is not None else DEFAULT_SELECT,
        explicit_ignore=tuple(ignore + extend_ignore),
        default_ignore=() if args.ignore is not None else FLAKE8_DEFAULT_IGNORE + tuple(sorted(OFF_BY_DEFAULT)),
        options=options,
    )


# -- # noqa ------------------------------------------------------------------------------------


def noqa_lines(text: str) -> dict:
    """line -> the text searched for ``# noqa``, exactly as flake8 maps it: a token that
    spans lines (a multi-line string) makes one range of them; anything else is its line."""
    lines = text.splitlines(True)
    mapping: dict = {}
    low, high = len(lines) + 2, -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            low, high = min(low, token.start[0]), max(high, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[low - 1 : high])
                mapping.update(dict.fromkeys(range(low, high + 1), joined))
                low, high = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return mapping


def silenced(code: str, statement: str) -> bool:
    for match in NOQA.finditer(statement):
        codes = match.group("codes")
        if codes is None:
            return True
        if any(code.startswith(named) for named in split_codes(codes.upper())):
            return True
    return False


def ignores_whole_file(text: str) -> bool:
    return any(FILE_NOQA.match(line) for line in text.splitlines())
