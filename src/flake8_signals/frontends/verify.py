"""``flake8-signals verify``: the map against the project's own live registry.

The map says, from the source, which receivers start-up registers. ``verify`` starts
the project the way Django does, in a process of its own (``live_registry``: settings
from ``--settings`` or ``DJANGO_SETTINGS_MODULE``, ``--pythonpath`` like
``django-admin``; ``django.setup()``, then the URLconf), reads every signal's live
receivers, and compares: for each receiver the project defines, live after setup, live
only after the URLconf, or never live, and where the map's verdict disagrees. It
imports the project's code (in that other process), runs no migration and no query,
and writes nothing.

From a test suite::

    from flake8_signals.frontends.verify import verify_project

    def test_every_receiver_is_registered_at_start_up():
        report = verify_project(["."], settings="config.settings")
        assert report.agrees, report.disagreements
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from typing import Optional, Sequence, Union

from ..engine import Engine, signal_map
from ..engine.verification import AFTER_SETUP, NEVER, Report, StartError, compare
from ..options import Options
from .walking import DEFAULT_EXCLUDE, python_files

PROBE = "flake8_signals.frontends.live_registry"
TIMEOUT_SECONDS = 600


class UsageError(Exception):
    """The command was asked something it cannot do (exit status 2)."""


def verify_project(
    paths: Sequence[str] = (".",),
    settings: Optional[str] = None,
    pythonpath: Union[str, Sequence[str], None] = None,
    *,
    options: Optional[Options] = None,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    engine: Optional[Engine] = None,
) -> Report:
    """The report for the project in ``paths``: its map, compared with its live registry.

    ``settings``: the settings module (default: ``DJANGO_SETTINGS_MODULE``).
    ``pythonpath``: folders put first on the project's ``sys.path`` (default: the
    current folder, as ``python manage.py`` run from it has). Raises ``UsageError``
    when no settings module is given."""
    settings = settings or os.environ.get("DJANGO_SETTINGS_MODULE")
    if not settings:
        raise UsageError("no settings module: pass --settings or set DJANGO_SETTINGS_MODULE")
    if pythonpath is None:
        folders = [os.getcwd()]
    elif isinstance(pythonpath, str):
        folders = [entry for entry in pythonpath.split(os.pathsep) if entry]
    else:
        folders = list(pythonpath)
    files = list(python_files(list(paths), list(exclude)))
    signals = signal_map.build_map(engine or Engine(), files, options or Options())
    registry = read_registry(settings, [os.path.abspath(folder) for folder in folders])
    project_dirs = [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths]
    return compare(signals, registry, project_dirs, signal_map.PathDisplay(files), settings)


def read_registry(settings: str, pythonpath: list, timeout: float = TIMEOUT_SECONDS) -> dict:
    """What ``live_registry`` reads in a process of its own (see its docstring)."""
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE=settings, PYTHONDONTWRITEBYTECODE="1")
    try:
        result = subprocess.run(
            [sys.executable, "-m", PROBE, settings, *pythonpath],
            env=environment, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return _crashed(f"the project did not finish starting within {timeout:.0f} s", "")
    lines = result.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        return _crashed(f"the start-up process exited with status {result.returncode}", result.stderr)


def _crashed(what: str, stderr: str) -> dict:
    last = [line for line in stderr.strip().splitlines() if line.strip()][-1:] or [""]
    return {"error": {"stage": "setup", "type": what, "message": last[0].strip(), "frames": []}}


# -- output ------------------------------------------------------------------------------------------


def as_text(report: Report) -> str:
    if report.error is not None:
        return f"flake8-signals verify: {report.error.message}\n"
    stages = ["django.setup()"] + ([f"the URLconf ({report.urlconf})"] if "urlconf" in report.stages else [])
    lines = [f"Started with {report.settings}: read the registry after {' and after '.join(stages)}."]
    signal = None
    width = max((len(check.live) for check in report.receivers), default=0)
    repeated = Counter((check.signal, check.receiver) for check in report.receivers)
    for check in report.receivers:
        if check.signal != signal:
            signal = check.signal
            lines.append(signal)
        note = f"  <- {check.verdict}" if check.verdict else ""
        where = f", connected at {check.connected_at}" if repeated[(check.signal, check.receiver)] > 1 else ""
        lines.append(f"  {check.live:<{width}}  {check.receiver}  {check.defined_at}  (map: {check.map}{where}){note}")
    if report.unknown_to_map:
        lines.append("Live receivers of project code the map does not know:")
        lines.extend(
            f"  {item.live}  {item.signal} -> {item.receiver}  {item.defined_at}" for item in report.unknown_to_map
        )
    if report.map_yes_not_live:
        lines.append('Receivers the map calls "yes" that are not live after setup:')
        lines.extend(f"  {check.signal} -> {check.receiver}  ({check.live})" for check in report.map_yes_not_live)
    summary = report.summary()
    lines.append(
        f"{summary['receivers']} receivers of the project: {summary[AFTER_SETUP]} live after setup, "
        f"{summary['live only after the URLconf']} only after the URLconf, {summary[NEVER]} never live; "
        f"{summary['disagreements']} disagreements with the map; "
        f"{summary['unknown_to_map']} live receivers the map does not know."
    )
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2) + "\n"


def render(report: Report, output_format: str) -> str:
    return as_json(report) if output_format == "json" else as_text(report)


__all__ = ["Report", "StartError", "UsageError", "as_json", "as_text", "read_registry", "render", "verify_project"]
