"""Run ``flake8-signals fix`` over the triage corpus (see corpus.py) and judge it.

    python benchmarks/fix_corpus.py /path/to/corpus/src [--unsafe-fixes] [--keep DIR]

Each package is copied to a scratch folder and fixed there (the corpus stays as
downloaded). For every package it records: the fixes applied per code, files the
command skipped and why, whether every changed file still compiles, whether a second
run changes anything (idempotence), and which findings of the fixed codes remain.
Prints one line per package with changes, then the totals; exits 1 on a crash, a
file that no longer compiles, or a second run that changes something.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

FIXED = re.compile(r"^(?P<path>.+):(?P<line>\d+): (?P<code>SIG\d{3}) would be fixed$")


def command(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_signals", *args], cwd=cwd, capture_output=True, text=True, timeout=3600
    )


def changed_files(before: str, after: str) -> list:
    changed = []
    for directory, _folders, files in os.walk(after):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(directory, name)
            original = os.path.join(before, os.path.relpath(path, after))
            if not os.path.exists(original) or not filecmp.cmp(original, path, shallow=False):
                changed.append(path)
    return changed


def compile_error(path: str) -> str:
    with open(path, "rb") as handle:
        source = handle.read()
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        return str(error)
    return ""


def judge(package: str, scratch: str, extra: list) -> dict:
    copy = os.path.join(scratch, os.path.basename(package))
    shutil.copytree(package, copy, symlinks=True)
    planned = command("fix", "--isolated", "--check", *extra, ".", cwd=copy)
    applied = command("fix", "--isolated", *extra, ".", cwd=copy)
    report: dict = {"codes": Counter(), "crash": "", "not_compiling": [], "not_idempotent": "", "skipped": []}
    for output in (planned, applied):
        if "Traceback" in output.stderr:
            report["crash"] = output.stderr[-2000:]
    for line in planned.stdout.splitlines():
        match = FIXED.match(line)
        if match:
            report["codes"][match.group("code")] += 1
    report["skipped"] = [line for line in applied.stderr.splitlines() if "not fixed" in line]
    report["changed"] = changed_files(package, copy)
    for path in report["changed"]:
        error = compile_error(path)
        original = os.path.join(package, os.path.relpath(path, copy))
        # Files that did not compile before either (Python 2 code in old sdists) are not ours.
        if error and not (os.path.exists(original) and compile_error(original)):
            report["not_compiling"].append(f"{path}: {error}")
    again = command("fix", "--isolated", "--check", *extra, ".", cwd=copy)
    if again.returncode != 0:
        report["not_idempotent"] = again.stdout[-2000:]
    remaining = command("check", "--isolated", "--select=" + ",".join(report["codes"]) if report["codes"] else "--select=SIG9", ".", cwd=copy)
    report["remaining"] = remaining.stdout.count("\n") if report["codes"] else 0
    shutil.rmtree(copy)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--unsafe-fixes", action="store_true")
    args = parser.parse_args()
    extra = ["--unsafe-fixes"] if args.unsafe_fixes else []
    totals: Counter = Counter()
    failures = 0
    files = packages = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name in sorted(os.listdir(args.corpus)):
            package = os.path.join(args.corpus, name)
            if not os.path.isdir(package):
                continue
            report = judge(package, scratch, extra)
            totals.update(report["codes"])
            if report["changed"]:
                packages += 1
                files += len(report["changed"])
                codes = ", ".join(f"{code} x{n}" for code, n in sorted(report["codes"].items()))
                print(f"{name}: {len(report['changed'])} files, {codes}; remaining findings of those codes: {report['remaining']}")
            for line in report["skipped"]:
                print(f"  skipped {line}")
            for key in ("crash", "not_idempotent"):
                if report[key]:
                    failures += 1
                    print(f"  {key}: {report[key]}")
            for line in report["not_compiling"]:
                failures += 1
                print(f"  does not compile: {line}")
    print(f"\n{sum(totals.values())} fixes in {files} files of {packages} packages: " + ", ".join(f"{c} x{n}" for c, n in sorted(totals.items())))
    print(f"failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
