"""``flake8-signals check`` against ``flake8 --select=SIG`` on the same tree, side by side.

    python benchmarks/standalone.py [--rounds 3] [PATH]

PATH defaults to the installed Django package. Both run with -j1 and the same select
list; the script prints each run's CPU time and wall time, and checks that both
report the same findings. Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(command: list) -> tuple:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, sorted(result.stdout.splitlines())


def main() -> int:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(Path(django.__file__).parent))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    select = "--select=SIG,SIG404,SIG405,SIG504"
    flake8 = [sys.executable, "-m", "flake8", "--isolated", "-j1", select, args.path]
    standalone = [sys.executable, "-m", "flake8_signals", "check", "--isolated", "-j1", select, args.path]
    runs: dict = {"flake8 --select=SIG": [], "flake8-signals check": []}
    outputs = {}
    for _ in range(args.rounds):
        for name, command in (("flake8 --select=SIG", flake8), ("flake8-signals check", standalone)):
            cpu, wall, output = timed(command)
            runs[name].append((cpu, wall))
            outputs[name] = output
    for name, measured in runs.items():
        cpu = statistics.median(c for c, _ in measured)
        wall = statistics.median(w for _, w in measured)
        print(f"{name:24} median CPU {cpu:6.2f} s, wall {wall:6.2f} s")
    ratio = statistics.median(c for c, _ in runs["flake8 --select=SIG"]) / statistics.median(
        c for c, _ in runs["flake8-signals check"]
    )
    print(f"speed-up (CPU): {ratio:.1f}x")
    same = outputs["flake8 --select=SIG"] == outputs["flake8-signals check"]
    print("same findings:", same, f"({len(outputs['flake8-signals check'])} lines)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
