"""``flake8-signals map`` against ``flake8-signals check`` on the same tree: CPU and memory.

    python benchmarks/map_speed.py [--rounds 3] [PATH ...]

PATH defaults to the installed Django package; give as many trees as you like. Both
commands run in a process of their own, ``check`` with -j1 (``map`` always runs in one
process), from the tree's folder, with ``--isolated``. For each the script prints the
median CPU time (user + system) and the peak resident set size (``ru_maxrss`` of that
process alone), then map's CPU as a multiple of check's and the difference in peak
memory. Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path


def measured(command: list, cwd: str) -> tuple:
    """(CPU seconds, peak RSS in MiB, exit status) of one run of ``command``."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / (1024 * 1024)
    return cpu, peak, process.returncode


def compare(path: str, rounds: int) -> None:
    path = os.path.abspath(path)
    commands = {
        "check": [sys.executable, "-m", "flake8_signals", "check", "--isolated", "-j1", "."],
        "map": [sys.executable, "-m", "flake8_signals", "map", "--isolated", "--format=json", "."],
    }
    runs: dict = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            cpu, peak, status = measured(command, path)
            if status not in (0, 1):
                print(f"{name} exited with status {status} on {path}", file=sys.stderr)
            runs[name].append((cpu, peak))
    print(path)
    summary = {}
    for name, values in runs.items():
        cpu = statistics.median(c for c, _ in values)
        peak = max(p for _, p in values)
        summary[name] = (cpu, peak)
        print(f"  {name:6} median CPU {cpu:7.2f} s   peak RSS {peak:7.1f} MiB")
    (check_cpu, check_peak), (map_cpu, map_peak) = summary["check"], summary["map"]
    ratio = map_cpu / check_cpu if check_cpu else float("inf")
    print(f"  map/check CPU {ratio:.2f}x   map peak RSS {map_peak - check_peak:+.1f} MiB over check's")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    paths = args.paths
    if not paths:
        import django

        paths = [str(Path(django.__file__).parent)]
    for path in paths:
        compare(path, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
