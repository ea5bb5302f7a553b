"""``flake8-signals check``: the plugin's findings without the rest of flake8.

The same engine (``engine.check_source``) and the same options as the flake8 plugin,
for teams that run ruff instead of flake8, and for CI that wants only these codes
fast: flake8 also runs pycodestyle and pyflakes over every file, which costs far
more than this analysis. Semantics follow flake8's: ``# noqa`` (bare, or naming codes
or prefixes) on any line of the statement, ``--select``/``--ignore``/``--extend-*``
with the longest matching prefix winning, opt-in codes reported only when named, a
``[flake8]`` section in setup.cfg, tox.ini or .flake8 (and ``[tool.flake8-signals]``
in pyproject.toml), exit status 1 when something is reported.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import multiprocessing
import os
import sys
from collections import Counter
from typing import Iterator, Optional, Sequence

from ..engine import Engine
from ..engine import signal_map
from ..engine.fixing import apply_file_edits, fix_source, unified_diff
from ..options import OPTION_SPECS, OptionError, Options, options_from, validate
from ..source.decoding import decode_source
from . import map_formats
from .config import Selection, ignores_whole_file, noqa_lines, read_config, selection_from, silenced, split_codes
from .output import FORMATS, Result, progress_on, render
from .writing import NotWritten, replace_file

# flake8's default --exclude, so that both walk the same files.
DEFAULT_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg")
MAP_FORMATS = ("text", "json", "mermaid", "dot")


# -- one file ------------------------------------------------------------------------------


def check_text(engine: Engine, text: str, path: str, options: Options, selection: Selection) -> list:
    if ignores_whole_file(text):
        return []
    report_syntax_errors = selection.reports("E999")
    if not report_syntax_errors and not engine.needs_analysis(text, path, engine.app_view_for(path, options)):
        return []  # nothing to find, and no need to parse it to say so
    try:
        tree = ast.parse(text, filename=path)  # the file's name in any SyntaxWarning
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        offset = getattr(error, "offset", None)
        column = offset + 1 if offset else 1  # where flake8 puts its E999
        message = f"{type(error).__name__}: {getattr(error, 'msg', error)}"
        return [Result(path, line, column, "E999", message)] if report_syntax_errors else []
    findings = engine.check_source_or_note(text, path, options, tree)
    statements = None
    results = []
    for line, column, message in findings:
        code, _, rest = message.partition(" ")
        if not selection.reports(code):
            continue
        if statements is None:
            statements = noqa_lines(text)
            physical = text.splitlines(True)
        if silenced(code, statements.get(line, physical[line - 1] if 0 < line <= len(physical) else "")):
            continue
        results.append(Result(path, line, column + 1, code, rest))
    return results


def check_file(engine: Engine, path: str, options: Options, selection: Selection) -> list:
    try:
        with open(path, "rb") as handle:
            text = decode_source(handle.read())
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as error:
        return [Result(path, 1, 1, "E902", f"{type(error).__name__}: {error}")] if selection.reports("E902") else []
    return check_text(engine, text, path, options, selection)


# -- many files ------------------------------------------------------------------------------


def python_files(paths: Sequence[str], exclude: Sequence[str]) -> Iterator[str]:
    def excluded(path: str) -> bool:
        name = os.path.basename(path.rstrip(os.sep))
        return any(fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(path, pattern) for pattern in exclude)

    for path in paths:
        if os.path.isdir(path):
            for directory, folders, files in os.walk(path):
                folders[:] = sorted(f for f in folders if not excluded(os.path.join(directory, f)))
                for name in sorted(files):
                    full = os.path.join(directory, name)
                    if name.endswith(".py") and not excluded(full):
                        yield full  # as flake8 prints it: joined to the path given
        elif not excluded(path):
            yield path


# What a worker process of ``check -j`` needs: an engine of its own, the options.
_WORKER_STATE: dict = {}


def _init_worker(options: Options, selection: Selection) -> None:
    _WORKER_STATE.update(engine=Engine(), options=options, selection=selection)


def _check_in_worker(path: str) -> list:
    return check_file(_WORKER_STATE["engine"], path, _WORKER_STATE["options"], _WORKER_STATE["selection"])


def check_paths(engine: Engine, files: list, options: Options, selection: Selection, jobs: int, progress) -> list:
    results: list = []
    if jobs > 1 and len(files) > 1:
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(jobs, initializer=_init_worker, initargs=(options, selection)) as pool:
            for done, found in enumerate(pool.imap(_check_in_worker, files, chunksize=8), 1):
                results.extend(found)
                progress(done, len(files))
    else:
        for done, path in enumerate(files, 1):
            results.extend(check_file(engine, path, options, selection))
            progress(done, len(files))
    return sorted(results, key=lambda r: (r.path, r.line, r.column, r.code))


# -- the command ---------------------------------------------------------------------------------


def _add_common_options(command: argparse.ArgumentParser, selection: bool = True, stdin: bool = True) -> None:
    """The options ``check``, ``fix`` and ``map`` share with flake8 and the plugin."""
    if selection:
        for flag in ("--select", "--ignore", "--extend-select", "--extend-ignore"):
            command.add_argument(flag, default=None)
    command.add_argument("--exclude", default=None, help="comma-separated patterns of files and folders to skip (replaces flake8's defaults)")
    command.add_argument("--extend-exclude", default=None, help="more patterns to skip")
    if stdin:
        command.add_argument("--stdin-display-name", default="stdin")
    command.add_argument("--isolated", action="store_true", help="ignore configuration files")
    for spec in OPTION_SPECS:
        command.add_argument(spec.flag, default=None, help=spec.help)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flake8-signals", description="Catch Django signal mistakes.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="report SIG findings, like flake8 --select=SIG, without flake8's other checks")
    check.add_argument("paths", nargs="*", default=["."], help="files and folders (default: .); - reads standard input")
    check.add_argument("--format", choices=FORMATS, default="default", dest="output_format")
    check.add_argument("-j", "--jobs", default="auto", help="processes to use (default: one per CPU)")
    _add_common_options(check)
    fix = commands.add_parser("fix", help="rewrite the findings that have one right rewrite (see the rule table's fix column)")
    fix.add_argument("paths", nargs="*", default=["."], help="files and folders (default: .); - reads standard input and writes the fixed source")
    fix.add_argument("--diff", action="store_true", help="print a unified diff instead of writing; exit 1 if anything would change")
    fix.add_argument("--check", action="store_true", help="write nothing; list what would be fixed and exit 1 if anything would change")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply the fixes marked unsafe (they can change behaviour beyond the finding)")
    _add_common_options(fix)
    mapping = commands.add_parser("map", help="show the project's signals, their receivers and senders")
    mapping.add_argument("paths", nargs="*", default=["."], help="files and folders (default: .)")
    mapping.add_argument("--format", choices=MAP_FORMATS, default="text", dest="output_format")
    mapping.add_argument("--model", default=None, help="only what runs for app_label.Model (saves, deletes, m2m changes)")
    _add_common_options(mapping, selection=False, stdin=False)
    return parser


def excluded_patterns(args: argparse.Namespace) -> list:
    """flake8's rule: --exclude replaces the default patterns, --extend-exclude adds."""
    base = split_codes(args.exclude) if args.exclude is not None else list(DEFAULT_EXCLUDE)
    return base + split_codes(args.extend_exclude)


def run_map(engine: Engine, args: argparse.Namespace) -> int:
    files = list(python_files(args.paths, excluded_patterns(args)))
    signals = signal_map.build_map(engine, files, options_from(args))
    if args.model:
        signals = signal_map.for_model(signals, args.model)
    render_map = {
        "text": map_formats.as_text,
        "json": lambda found: json.dumps(map_formats.as_json(found), indent=2) + "\n",
        "mermaid": map_formats.as_mermaid,
        "dot": map_formats.as_dot,
    }[args.output_format]
    sys.stdout.write(render_map(signals))
    return 0


def fix_wanted(selection: Selection):
    """``wanted(code, line, text)`` for ``fixing.fix_source``: the code is selected and
    no ``# noqa`` on its statement silences it (fixed code is not fixed again)."""
    cache: dict = {}

    def wanted(code: str, line: int, text: str) -> bool:
        if not selection.reports(code):
            return False
        if cache.get("text") is not text:
            cache.update(text=text, statements=noqa_lines(text), physical=text.splitlines(True), whole=ignores_whole_file(text))
        if cache["whole"]:
            return False
        physical = cache["physical"]
        statement = cache["statements"].get(line, physical[line - 1] if 0 < line <= len(physical) else "")
        return not silenced(code, statement)

    return wanted


def run_fix(engine: Engine, args: argparse.Namespace, options: Options, selection: Selection) -> int:
    wanted = fix_wanted(selection)
    if args.paths == ["-"]:
        return _fix_standard_input(engine, args, options, wanted)
    files = list(python_files(args.paths, excluded_patterns(args)))
    results, changes, problems, made = _fix_files(engine, files, args, options, wanted)
    for problem in [f"{r.path}: not fixed: {r.skipped}" for r in results if r.skipped] + problems:
        sys.stderr.write(problem + "\n")
    not_written = []
    for path in sorted(changes):
        shown, before, after = changes[path]
        if args.diff:
            sys.stdout.write(unified_diff(shown, before, after))
        elif not args.check:
            try:
                replace_file(path, before, after)
            except NotWritten as why:
                not_written.append(path)
                sys.stderr.write(f"{shown}: not written: {why}\n")
    for path in not_written:
        del changes[path]
    _claim_other_file_fixes(results, made, set(not_written))
    _report_fixes(args, results, changes, not_written)
    if problems or not_written:
        return 1
    return 1 if (args.diff or args.check) and changes else 0


def _fix_standard_input(engine: Engine, args: argparse.Namespace, options: Options, wanted) -> int:
    raw = sys.stdin.buffer.read()
    result = fix_source(engine, raw, args.stdin_display_name, options, wanted, args.unsafe_fixes)
    if args.diff:
        sys.stdout.write(unified_diff(args.stdin_display_name, raw, result.after))
    else:
        sys.stdout.buffer.write(result.after)
    if result.other_files:
        others = sorted({os.path.relpath(edit.path) for edit in result.other_files})
        sys.stderr.write(f"not applied from standard input: the fixes that edit {', '.join(others)}\n")
    return 1 if (args.diff or args.check) and result.changed else 0


def _fix_files(engine: Engine, files: list, args: argparse.Namespace, options: Options, wanted) -> tuple:
    """(FileFix per file, absolute path -> (shown path, bytes before, bytes after) of
    every file to change, problems, (absolute path, key) of the edits of other files
    that changed them)."""
    results = []
    progress = progress_on(sys.stderr)
    problems: list = []
    for done, path in enumerate(files, 1):
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as error:
            problems.append(f"{path}: not fixed: {error}")
            continue
        results.append(fix_source(engine, raw, path, options, wanted, args.unsafe_fixes))
        progress(done, len(files))
    changes = {os.path.abspath(r.path): (r.path, r.before, r.after) for r in results if r.changed}
    current = {path: after for path, (_shown, _before, after) in changes.items()}
    made: set = set()
    edits = [e for r in results for e in r.other_files]
    for path, (before, after) in apply_file_edits(engine, edits, current, problems, made).items():
        shown, original, _ = changes.get(path, (os.path.relpath(path), before, None))
        changes[path] = (shown, original, after)
    return results, changes, problems, made


def _claim_other_file_fixes(results: list, made: set, not_written: set) -> None:
    """A fix that edits another file counts once that edit is made and written."""
    for result in results:
        result.applied.extend(
            (line, code) for line, code, file_edits in result.elsewhere
            if any((os.path.abspath(e.path), e.key) in made and os.path.abspath(e.path) not in not_written for e in file_edits)
        )


def _report_fixes(args: argparse.Namespace, results: list, changes: dict, not_written: Sequence[str] = ()) -> None:
    unwritten = set(not_written)
    applied = sorted(
        (r.path, line, code) for r in results for line, code in r.applied if os.path.abspath(r.path) not in unwritten
    )
    if args.check:
        for path, line, code in applied:
            sys.stdout.write(f"{path}:{line}: {code} would be fixed\n")
    report = sys.stderr if args.diff else sys.stdout
    if applied or changes:
        verb = "Would fix" if args.diff or args.check else "Fixed"
        counts = ", ".join(f"{code} x{n}" for code, n in sorted(Counter(code for _p, _l, code in applied).items()))
        findings = f"{len(applied)} finding{'s' if len(applied) != 1 else ''}"
        report.write(f"{verb} {findings} in {len(changes)} file{'s' if len(changes) != 1 else ''} ({counts}).\n")
    if unwritten:
        report.write(f"{len(unwritten)} file{'s were' if len(unwritten) != 1 else ' was'} not written (see above); they are unchanged.\n")
    unsafe = sum(len(r.unsafe_available) for r in results)
    if unsafe:
        report.write(f"{unsafe} more finding{'s have' if unsafe != 1 else ' has'} a fix that --unsafe-fixes applies.\n")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = {} if args.isolated else read_config(os.getcwd())
    for key in ("select", "ignore", "extend-select", "extend-ignore", "exclude", "extend-exclude", *(s.flag[2:] for s in OPTION_SPECS)):
        dest = key.replace("-", "_")
        if getattr(args, dest, None) is None and key in config and hasattr(args, dest):
            setattr(args, dest, config[key])
    try:
        validate(args)
    except OptionError as error:
        parser.error(str(error))
    engine = Engine()
    if args.command == "map":
        return run_map(engine, args)
    for name in ("select", "ignore", "extend_select", "extend_ignore"):
        value = getattr(args, name)
        setattr(args, name, None if value is None else split_codes(value))  # "SIG, E9" or one per line
    options = options_from(args)
    selection = selection_from(args, options)
    if args.command == "fix":
        return run_fix(engine, args, options, selection)

    if args.paths == ["-"]:
        results = check_text(engine, decode_source(sys.stdin.buffer.read()), args.stdin_display_name, options, selection)
    else:
        files = list(python_files(args.paths, excluded_patterns(args)))
        jobs = (os.cpu_count() or 1) if args.jobs == "auto" else max(1, int(args.jobs))
        results = check_paths(engine, files, options, selection, jobs, progress_on(sys.stderr))
    sys.stdout.write(render(results, args.output_format))
    return 1 if results else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
