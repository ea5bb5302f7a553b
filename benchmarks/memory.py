"""Peak memory that flake8-signals adds to a flake8 run, and where it goes.

    python benchmarks/memory.py [--breakdown] [PATH]

PATH defaults to the installed Django package. Runs ``flake8 -j1`` over PATH with and
without the plugin (``run_flake8.py --without-signals``) and prints each run's peak
resident memory (``ru_maxrss`` of the child) and the difference.

``--breakdown`` also runs the plugin's engine over the same files in this process
under ``tracemalloc`` and prints what it keeps at the end, by kind (parsed trees,
source texts, module facts, project values), and the file whose analysis needed the
most memory at once. Python objects only: what libcst's native parser allocates while
it parses, and the memory the allocator does not give back, show only in the peaks.
Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tracemalloc
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
    parser.add_argument("--breakdown", action="store_true", help="also show what the engine keeps, by kind")
    args = parser.parse_args()
    flake8_args = ["--isolated", "-j1", args.path]
    without = peak_mib(["--without-signals", *flake8_args])
    with_plugin = peak_mib(flake8_args)
    print(f"tree: {args.path}")
    print(f"flake8 -j1 without the plugin: {without:.0f} MiB peak")
    print(f"flake8 -j1 with the plugin:    {with_plugin:.0f} MiB peak ({with_plugin - without:+.0f} MiB)")
    if args.breakdown:
        breakdown(args.path)
    return 0


# Where an allocation was made (a frame of its traceback) -> the kind of thing it is.
KINDS = (
    ("libcst", "parsed trees (libcst nodes of the modules kept)"),
    ("flake8_signals/source/decoding.py", "source texts"),
    ("flake8_signals/module/", "module facts"),
    ("flake8_signals/project/", "project values (app views, maps, summaries)"),
)


def breakdown(path: str) -> None:
    from flake8_signals.engine.engine import Engine
    from flake8_signals.options import Options

    files = sorted(str(p) for p in Path(path).rglob("*.py"))
    engine, options = Engine(long_lived=True), Options()
    tracemalloc.start(25)
    largest = (0, "")
    for name in files:
        try:
            text = Path(name).read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            continue
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        engine.check_source_or_note(text, name, options, tree)
        largest = max(largest, (tracemalloc.get_traced_memory()[1] - before, name))
        del tree, text
    kept: dict = {}
    for trace in tracemalloc.take_snapshot().traces:
        frames = [frame.filename.replace(os.sep, "/") for frame in trace.traceback]
        kind = next((label for marker, label in KINDS if any(marker in frame for frame in frames)), "other")
        kept[kind] = kept.get(kind, 0) + trace.size
    tracemalloc.stop()
    print("kept by the engine at the end (Python objects):")
    for kind, size in sorted(kept.items(), key=lambda item: -item[1]):
        print(f"  {size / 2**20:6.1f} MiB  {kind}")
    print(f"most at once for one file: {largest[0] / 2**20:.1f} MiB ({os.path.relpath(largest[1], path)})")


if __name__ == "__main__":
    sys.exit(main())
