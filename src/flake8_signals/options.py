"""The plugin's options, as flake8 parses them from the command line and config files."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Options:
    blocking_calls: frozenset = field(default_factory=frozenset)  # extra qualified names
    task_calls: frozenset = field(default_factory=frozenset)  # extra enqueue names
    startup_modules: tuple = ()  # extra dotted modules imported at start-up


@dataclass(frozen=True)
class OptionSpec:
    flag: str
    help: str
    example: str  # a config-file line, for the README


OPTION_SPECS = (
    OptionSpec(
        "--signals-blocking-calls",
        "Extra qualified names of blocking calls for SIG301/SIG302 (comma-separated).",
        "signals-blocking-calls = myproject.geo.lookup,slack_sdk.webhook.send",
    ),
    OptionSpec(
        "--signals-task-calls",
        "Extra method or function names that enqueue background work, for SIG303 (comma-separated).",
        "signals-task-calls = schedule,defer",
    ),
    OptionSpec(
        "--signals-startup-modules",
        "Extra dotted modules your project imports at start-up some other way (settings, "
        "URLconf, a custom loader), for SIG201 (comma-separated).",
        "signals-startup-modules = shop.receivers,billing.hooks",
    ),
)


def register_options(parser) -> None:
    for spec in OPTION_SPECS:
        parser.add_option(
            spec.flag,
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help=spec.help,
        )
    # Opinionated rules: users opt in with --extend-select.
    from .rules import off_by_default_codes

    parser.extend_default_ignore(off_by_default_codes())


def _names(value) -> frozenset:
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(item.strip() for item in value or () if item and item.strip())


def options_from(namespace) -> Options:
    return Options(
        blocking_calls=_names(getattr(namespace, "signals_blocking_calls", ())),
        task_calls=_names(getattr(namespace, "signals_task_calls", ())),
        startup_modules=tuple(sorted(_names(getattr(namespace, "signals_startup_modules", ())))),
    )
