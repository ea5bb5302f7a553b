"""The flake8 entry point: pre-check, parse once, build facts, run the rules, never crash."""

from __future__ import annotations

import re
from typing import Iterator

from . import __version__
from .options import Options, options_from, register_options

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
        cls.options = options_from(options)

    def run(self) -> Iterator[Result]:
        try:
            results = self._results()
        except (Exception, RecursionError) as error:  # never crash flake8
            results = [(1, 0, _analysis_failed(error), type(self))]
        yield from results

    def _results(self) -> list:
        from .engine import check_source

        text = "".join(self.lines)
        findings = check_source(text, self.filename, self.options, self.tree)
        return [(line, column, message, type(self)) for line, column, message in findings]


def _analysis_failed(error: BaseException) -> str:
    reason = type(error).__name__
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if len(detail) > 120:
        detail = detail[:117] + "..."
    return f"SIG000 flake8-signals could not analyse this file ({reason}{': ' + detail if detail else ''}); its signal wiring is unchecked"
