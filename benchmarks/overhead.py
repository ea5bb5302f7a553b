"""How much flake8-signals adds to flake8's own time on a large real tree.

    python benchmarks/overhead.py [--rounds 5] [PATH]

PATH defaults to the installed Django package (~900 files). Runs ``flake8 -j1`` with
and without the plugin alternately, measuring each run's CPU time, and prints the median
overhead, how many files the plugin parsed with libcst, and its own time per file. Run
by hand; not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNNER = Path(__file__).with_name("run_flake8.py")


def timed(args: list) -> float:
    """CPU seconds (user + system) of one flake8 run: steadier than wall time on a
    shared machine, and with -j1 the same thing."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, str(RUNNER), *args], stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(Path(django.__file__).parent))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    flake8_args = ["--isolated", "-j1", args.path]

    with_plugin, without_plugin, stats = [], [], {}
    for round_number in range(args.rounds):
        with tempfile.NamedTemporaryFile(suffix=".json") as handle:
            without_plugin.append(timed(["--without-signals", *flake8_args]))
            with_plugin.append(timed(["--stats", handle.name, *flake8_args]))
            stats = json.loads(Path(handle.name).read_text())
        print(f"round {round_number + 1}: without {without_plugin[-1]:.2f}s, with {with_plugin[-1]:.2f}s (CPU)", flush=True)

    ratios = [w / wo - 1 for w, wo in zip(with_plugin, without_plugin)]
    print(f"\ntree: {args.path}")
    print(f"flake8 -j1 without the plugin: median {statistics.median(without_plugin):.2f}s")
    print(f"flake8 -j1 with the plugin:    median {statistics.median(with_plugin):.2f}s")
    print(f"median overhead: {statistics.median(ratios) * 100:+.1f}%")
    print(f"files seen by the plugin: {stats['files']}, parsed with libcst: {stats['parsed']}")
    print(
        f"plugin's own time: {stats['seconds']:.2f}s in all, "
        f"{stats['seconds'] / max(stats['files'], 1) * 1000:.2f} ms per file"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
