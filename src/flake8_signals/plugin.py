"""The flake8 entry point: pre-check, parse once, build facts, run the rules, never crash."""

from __future__ import annotations

import re
from typing import Iterator

from . import __version__
from .options import OptionError, Options, options_from, register_options, usage_error, validate

# A module can only wire Django signals if it names a signals module, django.dispatch,
# autoreload, or defines a Signal; and it must connect, disconnect or decorate something.
_SIGNALISH = re.compile(r"signals|dispatch|autoreload|Signal\b")
_WIRING = re.compile(r"\breceiver\b|\.(?:dis)?connect\b|\bSignal\s*\(")


def might_wire_signals(text: str) -> bool:
    """The cheap pre-check: False means no rule can fire on this text alone."""
    return _SIGNALISH.search(text) is not None and _WIRING.search(text) is not None


Result = tuple  # (line, column, message, type)


class SignalsChecker:
    name = "flake8-signals"
    version = __version__
    options = Options()

    def __init__(self, tree, lines: list, filename: str) -> None:
        # ``tree`` makes flake8 treat us as an AST plugin; we read ``lines`` and parse
        # them with libcst ourselves.
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, parser) -> None:
        register_options(parser)

    @classmethod
    def parse_options(cls, options) -> None:
        try:
            validate(options)
        except OptionError as error:
            usage_error(error)
        cls.options = options_from(options)

    def run(self) -> Iterator[Result]:
        if self._seen_this_file():
            return
        try:
            results = self._results()
        except BaseException as error:  # never crash flake8 (KeyboardInterrupt aside)
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            results = [(1, 0, _analysis_failed(error), type(self))]
        yield from results

    _last_input: tuple = (None, None)

    def _seen_this_file(self) -> bool:
        """flake8 5.0.0 may load the plugin twice (an editable install seen as two
        distributions) and then runs it twice on the very same ``tree`` and ``lines``
        objects; the second run must not report everything again."""
        last_tree, last_lines = SignalsChecker._last_input
        if self.tree is not None and self.tree is last_tree and self.lines is last_lines:
            return True
        SignalsChecker._last_input = (self.tree, self.lines)
        return False

    def _results(self) -> list:
        from .engine import check_source

        text = "".join(self.lines)
        findings = check_source(text, self.filename, self.options, self.tree)
        return [
            (line, column, message, type(self))
            for line, column, message in findings
            if self._reportable(message[:6])
        ]

    def _reportable(self, code: str) -> bool:
        from .rules import OFF_BY_DEFAULT

        return code not in OFF_BY_DEFAULT or self.options.opted_in(code)


def _analysis_failed(error: BaseException) -> str:
    """The SIG000 text. Building it must not fail either: ``str()`` of some errors
    recurses or raises (a RecursionError raised deep in a tree), so each step is guarded."""
    reason = "error"
    detail = ""
    try:
        reason = type(error).__name__
        text = str(error).strip()
        detail = text.splitlines()[0] if text else ""
    except BaseException:  # noqa: B036 - whatever str() raises, the note stays short
        detail = ""
    if len(detail) > 120:
        detail = detail[:117] + "..."
    return f"SIG000 flake8-signals could not analyse this file ({reason}{': ' + detail if detail else ''}); its signal wiring is unchecked"
