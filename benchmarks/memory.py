"""Peak memory that flake8-signals adds to a flake8 run.

    python benchmarks/memory.py [PATH]

PATH defaults to the installed Django package. Runs ``flake8 -j1`` over PATH with and
without the plugin (``run_flake8.py --without-signals``) and prints each run's peak
resident memory (``ru_maxrss`` of the child) and the difference. Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).with_name("run_flake8.py")


def peak_mib(args: list) -> float:
    """Peak RSS in MiB of one flake8 run in a fresh child process (the wrapper process
    forks it, so ru_maxrss of the children is this run's alone)."""
    script = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, sys.executable, str(RUNNER), *args], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def main() -> int:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(Path(django.__file__).parent))
    args = parser.parse_args()
    flake8_args = ["--isolated", "-j1", args.path]
    without = peak_mib(["--without-signals", *flake8_args])
    with_plugin = peak_mib(flake8_args)
    print(f"tree: {args.path}")
    print(f"flake8 -j1 without the plugin: {without:.0f} MiB peak")
    print(f"flake8 -j1 with the plugin:    {with_plugin:.0f} MiB peak ({with_plugin - without:+.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
