"""Layer 0, the user's settings: the plugin's options (what they are, how a value is
split and validated) and the frozen ``Options`` every layer reads. Imports nothing of
the package."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

# flake8's (pycodestyle's) default --max-line-length.
DEFAULT_MAX_LINE_LENGTH = 79


@dataclass(frozen=True)
class Options:
    blocking_calls: frozenset = field(default_factory=frozenset)  # extra qualified names
    task_calls: frozenset = field(default_factory=frozenset)  # extra enqueue names
    startup_modules: tuple = ()  # extra dotted modules imported at start-up
    named_codes: frozenset = field(default_factory=frozenset)  # every --select/--extend-select entry
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH  # flake8's: the fixes wrap longer lines they write

    def opted_in(self, code: str) -> bool:
        """Whether an off-by-default code is named explicitly: ``SIG404`` or ``SIG40``,
        never ``SIG`` or ``SIG4`` alone (flake8-bugbear's rule for its B9 warnings).
        A project config that sets ``ignore =`` replaces flake8's default ignore list,
        which would otherwise switch these codes on silently."""
        return any(code.startswith(named) for named in self.named_codes if len(named) >= len(code) - 1)


_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True)
class OptionSpec:
    flag: str
    help: str
    example: str  # a config-file line, for the README
    pattern: str  # what one comma-separated item must look like
    expected: str  # the same, in words, for the usage error

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def invalid_items(self, items: Iterable[str]) -> list[str]:
        return [item for item in items if not re.fullmatch(self.pattern, item)]


OPTION_SPECS = (
    OptionSpec(
        "--signals-blocking-calls",
        "Extra qualified names of blocking calls for SIG301/SIG302 (comma-separated); "
        "`module.*` marks every function of a module.",
        "signals-blocking-calls = stripe.Charge.create,paho.mqtt.publish.*",
        rf"{_IDENTIFIER}(\.{_IDENTIFIER})*\.({_IDENTIFIER}|\*)",
        "a qualified name such as pkg.module.func, or pkg.module.*",
    ),
    OptionSpec(
        "--signals-task-calls",
        "Extra method or function names that enqueue background work, for SIG303 (comma-separated).",
        "signals-task-calls = defer,defer_async",
        _IDENTIFIER,
        "a method or function name such as defer",
    ),
    OptionSpec(
        "--signals-startup-modules",
        "Extra dotted modules your project imports at start-up some other way (settings, "
        "URLconf, a custom loader), for SIG201 (comma-separated).",
        "signals-startup-modules = shop.receivers,billing.hooks",
        rf"{_IDENTIFIER}(\.{_IDENTIFIER})*",
        "a dotted module name such as shop.receivers",
    ),
)


class OptionError(ValueError):
    """A malformed option value; flake8 shows it as a usage error."""


def split_items(raw) -> list[str]:
    """The items of a comma- or line-separated value, stripped; an empty item between
    two commas (``a,,b``) is kept as ``""`` so that it can be rejected."""
    if raw is None:
        return []
    if not isinstance(raw, str):  # already split by flake8; lists of lists from flake8 5's appending options
        return [item for part in raw for item in split_items(part)]
    items: list[str] = []
    for line in raw.splitlines():  # a config value may list one item per line
        line = line.strip().rstrip(",").strip()  # "a.b," and blank lines
        if line:
            items.extend(item.strip() for item in line.split(","))
    return items


def validate(namespace) -> None:
    """Raise OptionError naming the option and the first malformed item."""
    for spec in OPTION_SPECS:
        raw = getattr(namespace, spec.dest, None)
        items = split_items(raw)
        if any(not item for item in items):
            raise OptionError(f"argument {spec.flag}: empty item in {raw.strip()!r}")
        bad = spec.invalid_items(items)
        if bad:
            raise OptionError(f"argument {spec.flag}: invalid value {bad[0]!r} (expected {spec.expected})")


def options_from(namespace) -> Options:
    return Options(
        blocking_calls=frozenset(split_items(getattr(namespace, "signals_blocking_calls", None))),
        task_calls=frozenset(split_items(getattr(namespace, "signals_task_calls", None))),
        startup_modules=tuple(sorted(set(split_items(getattr(namespace, "signals_startup_modules", None))))),
        named_codes=frozenset(
            item for name in ("select", "extend_select") for item in split_items(getattr(namespace, name, None)) if item
        ),
        max_line_length=_max_line_length(getattr(namespace, "max_line_length", None)),
    )


def _max_line_length(raw) -> int:
    """flake8's ``max_line_length`` (an int), or the default when it is not set."""
    if raw is None or raw == "":
        return DEFAULT_MAX_LINE_LENGTH
    return int(raw)
