"""Check out the application corpus: deployed Django applications pinned to commit ids.

    python benchmarks/app_corpus.py build --out DIR [--mirrors DIR] [--half development|held_out|all]
    python benchmarks/app_corpus.py split [--check]
    python benchmarks/app_corpus.py list [--half development|held_out|all]

The corpus (``benchmarks/apps/corpus.csv``) lists public GitHub repositories of Django
*applications* -- sites and products that are deployed as they are, not reusable
libraries -- that wire up signal receivers across several apps, define their own
signals, and hand work to task queues. Each row pins the repository to one commit, so
every run reads the same code. ``benchmarks/apps/README.md`` says how they were chosen.

The split: the repositories, sorted as Python sorts strings, are shuffled with
``random.Random(SEED).shuffle``; the first ceil(n / 2) of the shuffled list are the
development half and the rest are held out. Each half is stored sorted in
``benchmarks/apps/split.json``. The seed was fixed before the shuffle was run and before
the plugin was run over any of these repositories. ``split`` prints the split the seed
gives and ``split --check`` compares it with the stored file. The held-out half is
for measuring accuracy after a rule change is finished; do not read its findings
while developing.

``build`` writes each repository of the chosen half (development unless told otherwise)
to ``DIR/owner+name`` at its recorded commit. With ``--mirrors``, it reads bare git
copies already on disk, named ``owner+name/repo``, ``owner+name/repo/.git``,
``owner+name.git`` or ``owner+name`` under that folder; such copies may lack their
largest files, which are then skipped and counted. Without ``--mirrors`` it fetches
each commit from https://github.com/owner/name. A checkout that already holds the
right commit is left as it is. The checkouts are never committed to this repository;
this script is how to get them back.

Standard library only; needs ``git`` on PATH.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS_CSV = HERE / "apps" / "corpus.csv"
SPLIT_JSON = HERE / "apps" / "split.json"

SEED = 20261129
HALVES = ("development", "held_out")
MARKER = ".corpus-commit"  # written into each checkout: the commit it holds
METHOD = (
    "random.Random(seed).shuffle over the repo names sorted as Python sorts strings; "
    "the first ceil(n/2) of the shuffled list are the development half, the rest are "
    "held out; each half is stored sorted"
)


def load_corpus(path: Path = CORPUS_CSV) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = [row["repo"] for row in rows]
    if names != sorted(names) or len(set(names)) != len(names):
        raise SystemExit(f"{path}: rows must be unique and sorted by repo")
    for row in rows:
        commit = row["commit"]
        if len(commit) != 40 or any(c not in "0123456789abcdef" for c in commit):
            raise SystemExit(f"{path}: {row['repo']}: commit must be 40 lowercase hex digits")
    return rows


def derive_split(repos: list[str], seed: int = SEED) -> dict:
    order = sorted(repos)
    random.Random(seed).shuffle(order)
    cut = math.ceil(len(order) / 2)
    return {
        "seed": seed,
        "method": METHOD,
        "development": sorted(order[:cut]),
        "held_out": sorted(order[cut:]),
    }


def split_text(split: dict) -> str:
    return json.dumps(split, indent=2) + "\n"


def repos_of(half: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    if half == "all":
        return rows
    stored = json.loads(SPLIT_JSON.read_text(encoding="utf-8"))
    derived = derive_split([row["repo"] for row in rows], stored["seed"])
    if stored != derived:
        raise SystemExit(f"{SPLIT_JSON} does not match the split its seed gives; run `split --check`")
    wanted = set(stored[half])
    return [row for row in rows if row["repo"] in wanted]


def git(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], check=True, **kwargs)


def find_mirror(mirrors: Path, repo: str, commit: str) -> Path | None:
    slug = repo.replace("/", "+")
    for candidate in (
        mirrors / slug / "repo",
        mirrors / slug / "repo" / ".git",
        mirrors / f"{slug}.git",
        mirrors / slug,
        mirrors / slug / ".git",
    ):
        if not candidate.is_dir():
            continue
        probe = subprocess.run(
            ["git", f"--git-dir={candidate}", "cat-file", "-e", f"{commit}^{{commit}}"],
            capture_output=True,
        )
        if probe.returncode == 0:
            return candidate
    return None


def export_tree(git_dir: Path, commit: str, dest: Path) -> tuple[int, int]:
    """Write the files of ``commit`` into ``dest``; return (written, missing blobs)."""
    listing = git(
        f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "--full-tree", commit, capture_output=True
    ).stdout
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = os.fsdecode(raw_path)
        parts = Path(path).parts
        if Path(path).is_absolute() or ".." in parts or ".git" in parts:
            raise SystemExit(f"{git_dir}: refusing tree path {path!r}")
        entries.append((mode, kind, sha, path))

    written = missing = 0
    batch = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert batch.stdin is not None and batch.stdout is not None
    try:
        for mode, kind, sha, path in entries:
            target = dest / path
            if kind == "commit":  # a submodule: leave an empty folder, as git does
                target.mkdir(parents=True, exist_ok=True)
                continue
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) == 2 and header[1] == b"missing":
                missing += 1
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after each object
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                os.symlink(os.fsdecode(data), target)
            else:
                target.write_bytes(data)
                if mode == "100755":
                    target.chmod(0o755)
            written += 1
    finally:
        batch.stdin.close()
        batch.wait()
    return written, missing


def fetch_from_github(repo: str, commit: str, dest: Path) -> None:
    url = f"https://github.com/{repo}"
    git("init", "--quiet", str(dest))
    shallow = subprocess.run(
        ["git", "-C", str(dest), "fetch", "--quiet", "--depth", "1", url, commit]
    )
    if shallow.returncode != 0:  # the server would not hand out the commit by id
        git("-C", str(dest), "fetch", "--quiet", url, "+refs/heads/*:refs/remotes/origin/*")
    git("-C", str(dest), "-c", "advice.detachedHead=false", "checkout", "--quiet", commit)


def build(out: Path, mirrors: Path | None, rows: list[dict[str, str]]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for row in rows:
        repo, commit = row["repo"], row["commit"]
        slug = repo.replace("/", "+")
        dest = out / slug
        marker = dest / MARKER
        if dest.exists():
            if marker.is_file() and marker.read_text().strip() == commit:
                print(f"{repo}: already at {commit[:12]}")
                continue
            print(f"{repo}: {dest} exists and is not at {commit[:12]}; remove it first", file=sys.stderr)
            failures += 1
            continue
        partial = out / f".{slug}.partial"
        if partial.exists():
            shutil.rmtree(partial)
        try:
            if mirrors is not None:
                git_dir = find_mirror(mirrors, repo, commit)
                if git_dir is None:
                    raise RuntimeError(f"no git copy holding {commit} under {mirrors}")
                partial.mkdir()
                written, missing = export_tree(git_dir, commit, partial)
                note = f"{written} files" + (f", {missing} absent from the copy" if missing else "")
            else:
                fetch_from_github(repo, commit, partial)
                note = "fetched"
            (partial / MARKER).write_text(commit + "\n")
            partial.rename(dest)
            print(f"{repo}: {commit[:12]} ({note})")
        except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
            print(f"{repo}: failed: {exc}", file=sys.stderr)
            shutil.rmtree(partial, ignore_errors=True)
            failures += 1
    print(f"{len(rows) - failures} of {len(rows)} repositories in {out}")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="check out the repositories of one half")
    p_build.add_argument("--out", type=Path, required=True)
    p_build.add_argument("--mirrors", type=Path, help="folder of bare git copies named owner+name")
    p_build.add_argument("--half", choices=(*HALVES, "all"), default="development")
    p_split = sub.add_parser("split", help="print the split the seed gives")
    p_split.add_argument("--check", action="store_true", help="compare it with apps/split.json")
    p_list = sub.add_parser("list", help="print the repositories of one half")
    p_list.add_argument("--half", choices=(*HALVES, "all"), default="development")
    args = parser.parse_args(argv)

    rows = load_corpus()
    if args.command == "split":
        text = split_text(derive_split([row["repo"] for row in rows]))
        if args.check:
            if SPLIT_JSON.read_text(encoding="utf-8") != text:
                print(f"{SPLIT_JSON} differs from the split seed {SEED} gives", file=sys.stderr)
                return 1
            print(f"{SPLIT_JSON} matches the split seed {SEED} gives")
            return 0
        sys.stdout.write(text)
        return 0
    if args.command == "list":
        for row in repos_of(args.half, rows):
            print(row["repo"])
        return 0
    return build(args.out, args.mirrors, repos_of(args.half, rows))


if __name__ == "__main__":
    sys.exit(main())
