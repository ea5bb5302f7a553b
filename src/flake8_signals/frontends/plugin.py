"""The flake8 entry point: options, then one engine per process that checks each file
and never crashes flake8."""

from __future__ import annotations

import sys
from typing import Iterator, NoReturn

from .. import __version__
from ..engine import Engine
from ..options import OPTION_SPECS, OptionError, Options, options_from, validate
from ..rules import OFF_BY_DEFAULT, off_by_default_codes

Result = tuple  # (line, column, message, type)


class SignalsChecker:
    name = "flake8-signals"
    version = __version__
    options = Options()
    # Created on first use; with ``flake8 -j`` each forked worker carries its own copy.
    engine: "Engine | None" = None

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

    @classmethod
    def process_engine(cls) -> Engine:
        if SignalsChecker.engine is None:
            SignalsChecker.engine = Engine(long_lived=True, give_back_memory=True)
        return SignalsChecker.engine

    def run(self) -> Iterator[Result]:
        if self._seen_this_file():
            return
        text = "".join(self.lines)
        findings = self.process_engine().check_source_or_note(text, self.filename, self.options, self.tree)
        for line, column, message in findings:
            if self._reportable(message[:6]):
                yield (line, column, message, type(self))

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

    def _reportable(self, code: str) -> bool:
        return code not in OFF_BY_DEFAULT or self.options.opted_in(code)


def register_options(parser) -> None:
    # Idempotent: flake8 5.0.0 can load one plugin twice (an editable install is seen as
    # two distributions), and argparse refuses a second option with the same name.
    if spec_already_registered(parser):
        return
    for spec in OPTION_SPECS:
        parser.add_option(
            spec.flag,
            default="",
            parse_from_config=True,
            # Split here, not by flake8, which silently drops empty items ("a,,b").
            help=spec.help,
        )
    # Opinionated rules: users opt in with --extend-select.
    parser.extend_default_ignore(off_by_default_codes())


def spec_already_registered(parser) -> bool:
    known = getattr(getattr(parser, "parser", None), "_option_string_actions", {})
    return OPTION_SPECS[0].flag in known


def usage_error(error: OptionError) -> NoReturn:
    """Stop the run the way argparse does for a bad command-line value (exit status 2)."""
    sys.stderr.write(f"usage: flake8 [options] file file ...\nflake8: error: {error}\n")
    raise SystemExit(2)
