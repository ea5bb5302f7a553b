"""Findings and recall on the application corpus (``benchmarks/apps/``).

    python benchmarks/apps_accuracy.py CORPUS [--half development|held_out] [--out DIR]

CORPUS is a folder built by ``app_corpus.py build`` (one checkout per repository,
named ``owner+name``). For each repository of the half it runs ``flake8-signals check``
with every code selected, writes the findings to ``DIR/<owner+name>.txt`` (for judging
by hand), and, where ``benchmarks/apps/labels/<owner+name>.json`` exists, compares them
with the labelled pitfalls: a pitfall is found when a finding of the same code is on
its line, or in the same file between its receiver's ``def`` and the next receiver of
that file (the rules report some findings on the receiver's call that leads to the
problem rather than on the problem itself). Prints findings per rule and found /
labelled per rule. Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLIT = json.loads((HERE / "apps" / "split.json").read_text())
LABELS = HERE / "apps" / "labels"
# Every rule, the opt-in ones named (an off-by-default rule reports only when named).
SELECT = "--select=SIG,SIG101,SIG103,SIG201,SIG303,SIG402,SIG403,SIG404,SIG405,SIG504"


def findings_of(checkout: Path) -> list:
    """[(path, line, code, text)] of ``flake8-signals check`` over one checkout."""
    done = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "check", "--isolated", SELECT, "-j2", "."],
        cwd=checkout, capture_output=True, text=True, timeout=3600,
    )
    rows = []
    for line in done.stdout.splitlines():
        path, number, _column, rest = line.split(":", 3)
        code, _, text = rest.strip().partition(" ")
        rows.append((os.path.normpath(path), int(number), code, text))
    return rows


def read_saved(path: Path) -> list:
    rows = []
    for line in path.read_text().splitlines():
        location, number, rest = line.split(":", 2)
        code, _, text = rest.strip().partition(" ")
        rows.append((os.path.normpath(location), int(number), code, text))
    return rows


def _where(at: str) -> tuple:
    """(path, line) of a label's ``path:line``; line 0 when the label names no line."""
    path, _, line = at.rpartition(":")
    return os.path.normpath(path), int(line) if line.strip().isdigit() else 0


def found_pitfalls(labels: dict, rows: list) -> list:
    """(pitfall, found?) for each labelled pitfall."""
    receivers_by_file = collections.defaultdict(list)
    for receiver in labels.get("receivers", []):
        if not receiver.get("defined_at"):
            continue
        path, line = _where(receiver["defined_at"])
        receivers_by_file[path].append(line)
    results = []
    for pitfall in labels.get("pitfalls", []):
        path, line = _where(pitfall["at"])
        same = [(p, n) for p, n, code, _ in rows if code == pitfall["code"] and p == path]
        hit = any(n == line for _, n in same)
        if not hit and pitfall.get("receiver") and ":" in pitfall["receiver"]:
            start = _where(pitfall["receiver"])[1]
            later = [n for n in receivers_by_file[path] if n > start]
            end = min(later) if later else float("inf")
            hit = any(start <= n < end for _, n in same)
        results.append((pitfall, hit))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--half", choices=("development", "held_out"), default="development")
    parser.add_argument("--out", type=Path, default=None, help="where to write each repository's findings")
    parser.add_argument("--saved", type=Path, default=None, help="read the findings --out wrote instead of running the command")
    args = parser.parse_args()
    per_rule = collections.Counter()
    labelled = collections.Counter()
    found = collections.Counter()
    for repo in SPLIT[args.half]:
        name = repo.replace("/", "+")
        checkout = args.corpus / name
        if not checkout.is_dir():
            print(f"{repo}: not built", file=sys.stderr)
            continue
        rows = read_saved(args.saved / f"{name}.txt") if args.saved is not None else findings_of(checkout)
        per_rule.update(code for _, _, code, _ in rows)
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.txt").write_text("".join(f"{p}:{n}: {c} {t}\n" for p, n, c, t in rows))
        label_file = LABELS / f"{name}.json"
        if label_file.exists():
            for pitfall, hit in found_pitfalls(json.loads(label_file.read_text()), rows):
                labelled[pitfall["code"]] += 1
                found[pitfall["code"]] += hit
    print("findings per rule:", ", ".join(f"{code} {n}" for code, n in sorted(per_rule.items())))
    if labelled:
        print("found / labelled per rule:")
        for code in sorted(labelled):
            print(f"  {code}: {found[code]} / {labelled[code]}")
        print(f"  all: {sum(found.values())} / {sum(labelled.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
