"""The plugin's options, as flake8 parses them from the command line and config files."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Options:
    blocking_calls: frozenset = field(default_factory=frozenset)  # extra qualified names
    task_calls: frozenset = field(default_factory=frozenset)  # extra enqueue names
    startup_modules: tuple = ()  # extra dotted modules imported at start-up


def register_options(parser) -> None:
    parser.add_option(
        "--signals-blocking-calls",
        default="",
        parse_from_config=True,
        comma_separated_list=True,
        help="Extra qualified names of blocking calls for SIG301/SIG302, "
        "e.g. 'myproject.geo.lookup,slack_sdk.WebClient.chat_postMessage'.",
    )
    parser.add_option(
        "--signals-task-calls",
        default="",
        parse_from_config=True,
        comma_separated_list=True,
        help="Extra method or function names that enqueue background work for SIG303, "
        "e.g. 'schedule,defer'.",
    )
    parser.add_option(
        "--signals-startup-modules",
        default="",
        parse_from_config=True,
        comma_separated_list=True,
        help="Extra dotted modules imported at start-up some other way (settings, URLconf) "
        "for SIG201, e.g. 'shop.receivers'.",
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
