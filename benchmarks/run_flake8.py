"""Run flake8 with or without flake8-signals, and report the plugin's own cost.

    python benchmarks/run_flake8.py [--without-signals] [--stats FILE] FLAKE8_ARGS...

flake8 runs every installed plugin; ``--without-signals`` drops this one from the
plugins flake8 finds, so both runs use the same interpreter and the same flake8.
``--stats FILE`` writes JSON: files the plugin saw, files it parsed with libcst, and
the seconds it spent (run with -j1: the numbers come from this process).
"""

from __future__ import annotations

import atexit
import json
import sys
import time


def main(argv: list) -> int:
    without = "--without-signals" in argv
    argv = [arg for arg in argv if arg != "--without-signals"]
    stats_path = None
    if "--stats" in argv:
        index = argv.index("--stats")
        stats_path = argv[index + 1]
        del argv[index : index + 2]

    from flake8.main import cli
    from flake8.plugins import finder

    if without:
        original = finder.find_plugins

        def find_plugins(cfg, opts):
            return [p for p in original(cfg, opts) if p.package != "flake8-signals"]

        finder.find_plugins = find_plugins
    elif stats_path:
        _measure(stats_path)
    return cli.main(argv)


def _measure(stats_path: str) -> None:
    from flake8_signals.frontends.plugin import SignalsChecker

    totals = {"files": 0, "seconds": 0.0}
    run = SignalsChecker.run

    def timed_run(self):
        started = time.perf_counter()
        results = list(run(self))
        totals["seconds"] += time.perf_counter() - started
        totals["files"] += 1
        return iter(results)

    SignalsChecker.run = timed_run

    def write() -> None:
        engine = SignalsChecker.engine
        totals["parsed"] = len(engine.workspace.facts.parses) if engine is not None else 0
        with open(stats_path, "w") as handle:
            json.dump(totals, handle)

    atexit.register(write)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
