"""The map against the project's live registry: ``flake8-signals verify``.

The front end starts the project in a process of its own and hands over what it read
(``frontends.live_registry``: every signal's live receivers after ``django.setup()`` and
after the URLconf is imported, or the exception that stopped it). This module compares
that with the map, receiver by receiver, and explains a failed start-up. It imports no
project code itself.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Callable, Optional

SETUP, URLCONF = "setup", "urlconf"
AFTER_SETUP, AFTER_URLCONF, NEVER = "live after setup", "live only after the URLconf", "never live"
STAGE_TEXT = {"settings": "importing the settings", SETUP: "django.setup()", URLCONF: "importing the URLconf"}
REPORT_VERSION = 1


@dataclass
class ReceiverCheck:
    """A receiver the project defines, as the map lists it, and what the registry says."""

    signal: str
    receiver: str
    defined_at: Optional[str]
    connected_at: str
    map: str  # the map's "registered at start-up": yes, no, unknown
    reason: str  # the map's reason
    live: str  # live after setup, live only after the URLconf, never live
    verdict: Optional[str] = None  # set when the map and the registry disagree


@dataclass
class UnmappedReceiver:
    """A live receiver of project code that the map does not list for that signal."""

    signal: str
    receiver: str
    defined_at: Optional[str]
    live: str


@dataclass
class StartError:
    """Why the project did not start: nothing was compared."""

    stage: str  # settings, setup, urlconf
    problem: str  # "settings module not found", "missing dependency", "import error", "error"
    exception: str  # "ModuleNotFoundError: No module named 'stripe'"
    where: Optional[str]  # path:line of the last frame of the traceback inside the project

    @property
    def message(self) -> str:
        where = f"\n  at {self.where} (the project's last line in the traceback)" if self.where else ""
        return f"the project did not start ({STAGE_TEXT.get(self.stage, self.stage)}): {self.problem}: {self.exception}{where}"


@dataclass
class Report:
    settings: str
    django: Optional[str] = None
    urlconf: Optional[str] = None
    stages: list = field(default_factory=list)  # the stages that ran: setup, urlconf
    receivers: list = field(default_factory=list)  # ReceiverCheck
    unknown_to_map: list = field(default_factory=list)  # UnmappedReceiver
    error: Optional[StartError] = None

    @property
    def never_live(self) -> list:
        return [check for check in self.receivers if check.live == NEVER]

    @property
    def disagreements(self) -> list:
        return [check for check in self.receivers if check.verdict]

    @property
    def map_yes_not_live(self) -> list:
        """Receivers the map says start-up registers that are not live after setup."""
        return [check for check in self.receivers if check.map == "yes" and check.live != AFTER_SETUP]

    @property
    def agrees(self) -> bool:
        return self.error is None and not self.never_live and not self.disagreements and not self.unknown_to_map

    @property
    def exit_status(self) -> int:
        """0 when everything agrees; 1 when a project receiver is never live or the map
        and the registry disagree; 2 when the project did not start."""
        if self.error is not None:
            return 2
        return 0 if self.agrees else 1

    def as_json(self) -> dict:
        document = asdict(self)
        document["version"] = REPORT_VERSION
        document["error"] = None if self.error is None else {**asdict(self.error), "message": self.error.message}
        document["map_yes_not_live"] = [asdict(check) for check in self.map_yes_not_live]
        document["summary"] = self.summary()
        return document

    def summary(self) -> dict:
        return {
            "receivers": len(self.receivers),
            AFTER_SETUP: sum(check.live == AFTER_SETUP for check in self.receivers),
            AFTER_URLCONF: sum(check.live == AFTER_URLCONF for check in self.receivers),
            NEVER: len(self.never_live),
            "disagreements": len(self.disagreements),
            "unknown_to_map": len(self.unknown_to_map),
        }


# -- the comparison --------------------------------------------------------------------------------


@dataclass
class _Live:
    signal_names: tuple
    name: str  # module.qualname, without ".<locals>"
    path: Optional[str]  # real path
    line: Optional[int]
    stage: str


def compare(signals: dict, registry: dict, project_dirs: list, display: Callable[[str], str], settings: str) -> Report:
    """The report for a map (``signal_map.build_map``) and what ``live_registry`` read.
    ``project_dirs``: the folders of the project (the paths given); a live receiver is
    the project's when its file is under one of them and not in an installed package.
    ``display`` prints a path as the map does."""
    report = Report(settings=settings, django=registry.get("django"), urlconf=registry.get("urlconf"))
    roots = [os.path.realpath(directory) for directory in project_dirs]
    if registry.get("error"):
        report.error = start_error(registry["error"], roots, settings, display)
        return report
    stages = registry.get("stages", [])
    report.stages = [stage["name"] for stage in stages]
    live = _live_receivers(stages)
    seen: set = set()
    mapped: list = []  # (signal, ReceiverEntry) of the project's receivers
    registered_elsewhere = {  # connected more than once, and one of them at start-up
        (entry.signal, receiver.receiver)
        for entry in signals.values()
        for receiver in entry.receivers
        if receiver.registered_at_startup == "yes"
    }
    for entry in signals.values():
        for receiver in entry.receivers:
            if receiver.defined_outside_project or receiver.path is None:
                continue
            mapped.append((entry.signal, receiver))
            key = (entry.signal, receiver.receiver, receiver.connected_at)
            if key in seen:
                continue
            seen.add(key)
            matched = {item.stage for item in live if _same(item, entry.signal, receiver)}
            status = AFTER_SETUP if SETUP in matched else AFTER_URLCONF if URLCONF in matched else NEVER
            report.receivers.append(
                ReceiverCheck(
                    signal=entry.signal,
                    receiver=receiver.receiver,
                    defined_at=f"{receiver.path}:{receiver.line}" if receiver.line is not None else receiver.path,
                    connected_at=receiver.connected_at,
                    map=receiver.registered_at_startup,
                    reason=receiver.reason,
                    live=status,
                    verdict=None if (entry.signal, receiver.receiver) in registered_elsewhere and status == AFTER_SETUP
                    else verdict(receiver.registered_at_startup, status),
                )
            )
    reported: set = set()
    for item in live:
        if item.path is None or not _in_project(item.path, roots):
            continue
        if any(_same(item, signal, receiver) for signal, receiver in mapped):
            continue
        signal = _signal_name(item.signal_names, signals)
        key = (signal, item.name)
        if key in reported:
            continue  # live after setup, and still after the URLconf
        reported.add(key)
        where = f"{display(item.path)}:{item.line}" if item.line is not None else display(item.path)
        report.unknown_to_map.append(
            UnmappedReceiver(signal, item.name, where, AFTER_SETUP if item.stage == SETUP else AFTER_URLCONF)
        )
    return report


def _signal_name(names: tuple, signals: dict) -> str:
    """The name to print for a live signal: the map's, else the one in a ``signals``
    module (``django.db.models.signals.post_save``, not ``django.db.models.base.post_save``)."""
    if not names:
        return "(a signal no module names)"
    on_map = [name for name in names if any(_same_name(signal, name) for signal in signals)]
    in_signals = [name for name in names if ".signals." in name or name.startswith("signals.")]
    return min(on_map or in_signals or names, key=lambda name: (len(name.split(".")), name))


def verdict(map_says: str, live: str) -> Optional[str]:
    """Why the map's "registered at start-up" and the registry disagree, or ``None``."""
    if map_says == "yes" and live == NEVER:
        return "map says yes, but it is never live"
    if map_says == "yes" and live == AFTER_URLCONF:
        return "map says yes, but it is live only after the URLconf is imported"
    if map_says == "no" and live == AFTER_SETUP:
        return "map says no, but it is live after setup"
    return None


def _live_receivers(stages: list) -> list:
    found = []
    for stage in stages:
        for signal in stage.get("signals", []):
            names = tuple(signal.get("names", []))
            for receiver in signal.get("receivers", []):
                qualname = (receiver.get("qualname") or "?").replace(".<locals>", "")
                module = receiver.get("module")
                path = receiver.get("path")
                found.append(
                    _Live(
                        names,
                        f"{module}.{qualname}" if module else qualname,
                        os.path.realpath(path) if path and not path.startswith("<") else None,
                        receiver.get("line"),
                        stage["name"],
                    )
                )
    return found


def _same(item: _Live, signal: str, receiver) -> bool:
    """Whether a live receiver is the map's receiver of that signal: by name (a module
    the project imports without its package is the same module), or by file and line."""
    if not any(_same_name(signal, name) for name in item.signal_names):
        return False
    if _same_name(receiver.receiver, item.name):
        return True
    if item.path is None or receiver.path is None or receiver.line is None:
        return False
    return item.path == os.path.realpath(os.path.abspath(receiver.path)) and item.line == receiver.line


def _same_name(mapped: str, live: str) -> bool:
    return mapped == live or mapped.endswith("." + live) or live.endswith("." + mapped)


def _in_project(path: str, roots: list) -> bool:
    parts = path.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


# -- a failed start-up -------------------------------------------------------------------------------


def start_error(error: dict, roots: list, settings: str, display: Callable[[str], str]) -> StartError:
    """What stopped the project, and the last line of the project in its traceback."""
    kind, message, missing = error.get("type", "Error"), error.get("message", ""), error.get("module")
    where = None
    for path, line, _function in reversed(error.get("frames", [])):
        if not path.startswith("<") and _in_project(os.path.realpath(path), roots):
            where = f"{display(path)}:{line}"
            break
    if kind == "ModuleNotFoundError" and missing:
        if error.get("stage") == "settings" and (settings == missing or settings.startswith(missing + ".")):
            problem = "settings module not found"
        elif _is_project_module(missing, roots):
            problem = "import error"
        else:
            problem = "missing dependency"
    elif kind in ("ImportError", "ModuleNotFoundError"):
        problem = "import error"
    else:
        problem = "error"
    return StartError(error.get("stage", "?"), problem, f"{kind}: {message}" if message else kind, where)


def _is_project_module(name: str, roots: list) -> bool:
    top = name.split(".")[0]
    return any(
        os.path.isdir(os.path.join(root, top)) or os.path.isfile(os.path.join(root, top + ".py")) for root in roots
    )
