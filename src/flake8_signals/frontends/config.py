"""What the user configured, read the way flake8 reads it: the ``[flake8]`` section of
setup.cfg, tox.ini or .flake8 (and ``[tool.flake8-signals]`` in pyproject.toml), which
codes are reported (``--select``/``--ignore``/``--extend-*``, the longest matching
prefix winning, opt-in codes only when named, ``per-file-ignores``), and ``# noqa``
comments."""

from __future__ import annotations

import argparse
import configparser
import io
import os
import re
import sys
import textwrap
import tokenize
from dataclasses import dataclass
from typing import Iterable, Optional

from ..options import Options
from ..rules import OFF_BY_DEFAULT
from ..source.decoding import split_lines
from .walking import matches_filename, normalize_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, published before it joined the standard library
    import tomli as tomllib

# flake8's own regular expressions (flake8/defaults.py), matched the way flake8 does.
FILE_NOQA = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
FILE_NOQA_ANYWHERE = re.compile(r"# flake8[:=]", re.IGNORECASE)
NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
FLAKE8_DEFAULT_IGNORE = ("E121", "E123", "E126", "E226", "E24", "E704", "W503", "W504")
CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
COMMAND_LINE = "the command line"


class ConfigError(Exception):
    """A configuration the command cannot use; the message names the file."""


# -- configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    value: str
    origin: str  # the file that set it

    @property
    def folder(self) -> str:
        return os.path.dirname(self.origin)


def read_config(directory: str) -> dict:
    """option name -> Setting, from the first of setup.cfg/tox.ini/.flake8 with a
    [flake8] section in ``directory`` or above (as flake8 does, not above the home
    folder), then ``[tool.flake8-signals]`` of pyproject.toml there. Raises ConfigError
    for a pyproject.toml that is not valid TOML or holds a value of the wrong type."""
    current = os.path.abspath(directory)
    home = os.path.expanduser("~")
    while True:
        for name in CONFIG_FILES:
            path = os.path.join(current, name)
            if os.path.isfile(path):
                parser = configparser.RawConfigParser()
                try:
                    parser.read(path, encoding="utf-8")
                except (configparser.Error, UnicodeDecodeError):
                    continue  # flake8 skips an unparseable file too
                if parser.has_section("flake8"):
                    settings = {key.replace("_", "-"): Setting(value, path) for key, value in parser.items("flake8")}
                    settings.update(_pyproject(current))
                    return settings
        pyproject = _pyproject(current)
        if pyproject:
            return pyproject
        parent = os.path.dirname(current)
        if parent == current or _same_folder(parent, home):
            return {}
        current = parent


def _same_folder(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _pyproject(directory: str) -> dict:
    path = os.path.join(directory, "pyproject.toml")
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from error
    table = document.get("tool", {}).get("flake8-signals", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.flake8-signals] must be a table")
    settings = {}
    for key, value in table.items():
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = ",".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (str, int)):
            value = str(value)
        else:
            raise ConfigError(f"{path}: [tool.flake8-signals] {key}: expected a string, a list of strings, a number or true/false")
        settings[key.replace("_", "-")] = Setting(value, path)
    return settings


def origin_name(origin: str) -> str:
    """How a message names where a value came from: a file relative to the current
    folder when it is inside it, or the command line."""
    if origin == COMMAND_LINE:
        return origin
    relative = os.path.relpath(origin)
    return origin if relative.startswith("..") else relative


# -- which codes are reported -------------------------------------------------------------


def split_codes(value) -> list:
    """Codes, prefixes or patterns of a list value, separated by commas or white space
    (flake8's ``parse_comma_separated_list``)."""
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

    def also_ignoring(self, codes: Iterable[str]) -> "Selection":
        """This selection with ``codes`` added to --extend-ignore (a per-file-ignores entry)."""
        return Selection(self.explicit_select, self.default_select, self.explicit_ignore + tuple(codes), self.default_ignore, self.options)


def _longest(code: str, prefixes: Iterable[str]) -> Optional[str]:
    matches = [prefix for prefix in prefixes if code.startswith(prefix)]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True)
class Selections:
    """The selection for each file: flake8's ``StyleGuideManager``. A file matched by
    ``per-file-ignores`` patterns uses the entry with the longest pattern (the first of
    equals), whose codes are added to --extend-ignore; the entries do not add up."""

    default: Selection
    per_file: tuple = ()  # (normalized pattern, Selection)

    def for_path(self, path: str) -> Selection:
        chosen, length = self.default, 0
        for pattern, selection in self.per_file:
            if len(pattern) > length and matches_filename(path, [pattern]):
                chosen, length = selection, len(pattern)
        return chosen


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


def selections_from(args: argparse.Namespace, options: Options) -> Selections:
    """The default selection and one per ``per-file-ignores`` entry. flake8 makes the
    entries' patterns absolute against the current folder, wherever they were set."""
    default = selection_from(args, options)
    entries = parse_files_to_codes_mapping(getattr(args, "per_file_ignores", None) or "")
    return Selections(default, tuple((normalize_path(pattern), default.also_ignoring(codes)) for pattern, codes in entries))


# flake8's tokens of a per-file-ignores value (flake8/utils.py).
_CODE, _FILE, _COLON, _COMMA, _WS, _EOF = "code", "file", "colon", "comma", "ws", "eof"
_FILE_LIST_TOKEN_TYPES = (
    (re.compile(r"[A-Z]+[0-9]*(?=$|\s|,)"), _CODE),
    (re.compile(r"[^\s:,]+"), _FILE),
    (re.compile(r"\s*:\s*"), _COLON),
    (re.compile(r"\s*,\s*"), _COMMA),
    (re.compile(r"\s+"), _WS),
)


def parse_files_to_codes_mapping(value: str) -> list:
    """[(file pattern, [codes])] of a per-file-ignores value, parsed as flake8's
    ``parse_files_to_codes_mapping`` parses it: patterns, a colon, codes; commas or
    white space between items; an entry without codes is dropped. Raises ConfigError
    where flake8 stops with "Expected `per-file-ignores` to be a mapping"."""
    result: list = []
    if not value.strip():
        return result
    tokens = []
    position = 0
    while position < len(value):
        for expression, kind in _FILE_LIST_TOKEN_TYPES:
            match = expression.match(value, position)
            if match:
                tokens.append((kind, match.group().strip()))
                position = match.end()
                break
        else:  # pragma: no cover - the last two expressions match any character
            raise AssertionError(value, position)
    tokens.append((_EOF, ""))

    seen_separator, seen_colon, filenames, codes = True, False, [], []

    def unexpected() -> ConfigError:
        return ConfigError(
            "Expected `per-file-ignores` to be a mapping from file exclude patterns to ignore codes.\n\n"
            f"Configured `per-file-ignores` setting:\n\n{textwrap.indent(value.strip(), '    ')}"
        )

    for kind, text in tokens:
        if kind in (_COMMA, _WS):
            seen_separator = True
        elif not seen_colon:
            if kind == _COLON:
                seen_colon = seen_separator = True
            elif seen_separator and kind == _FILE:
                filenames.append(text)
                seen_separator = False
            else:
                raise unexpected()
        elif kind == _EOF or (seen_separator and kind == _FILE):
            if codes:
                result.extend((filename, codes) for filename in filenames)
            seen_separator, seen_colon, filenames, codes = True, False, [], []
            if kind == _FILE:
                filenames.append(text)
                seen_separator = False
        elif seen_separator and kind == _CODE:
            codes.append(text)
            seen_separator = False
        else:
            raise unexpected()
    return result


# -- # noqa ------------------------------------------------------------------------------------


def noqa_lines(text: str) -> dict:
    """line -> the text searched for ``# noqa``, exactly as flake8 maps it: a token that
    spans lines (a multi-line string) makes one range of them; anything else is its line."""
    lines = split_lines(text)
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


def might_silence(text: str) -> bool:
    """False when no line of ``text`` has a ``# noqa`` (nothing in it is silenced)."""
    return NOQA.search(text) is not None


def silenced(code: str, statement: str) -> bool:
    """flake8's ``Violation.is_inline_ignored``: the first ``# noqa`` of the text
    decides; the codes it names are compared case-sensitively, as prefixes."""
    match = NOQA.search(statement)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    named = tuple(split_codes(codes))
    return code in named or code.startswith(named)


def ignores_whole_file(text: str) -> bool:
    # One search of the whole text first: almost no file has the marker at all.
    if FILE_NOQA_ANYWHERE.search(text) is None:
        return False
    return any(FILE_NOQA.match(line) for line in split_lines(text))
