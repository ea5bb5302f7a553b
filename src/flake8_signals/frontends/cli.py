"""``flake8-signals check``: the plugin's findings without the rest of flake8.

The same engine (``engine.check_source``) and the same options as the flake8 plugin,
for teams that run ruff instead of flake8, and for CI that wants only these codes
fast: flake8 also runs pycodestyle and pyflakes over every file, which costs far
more than this analysis. Semantics follow flake8's: files read and walked as flake8
reads and walks them (``--exclude`` patterns, ``-`` for standard input), ``# noqa``
(bare, or naming codes or prefixes) on any line of the statement,
``--select``/``--ignore``/``--extend-*`` with the longest matching prefix winning,
``per-file-ignores``, opt-in codes reported only when named, a ``[flake8]`` section
in setup.cfg, tox.ini or .flake8 (and ``[tool.flake8-signals]`` in pyproject.toml),
flake8's output options, exit status 1 when something is reported.
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import platform
import signal
import sys
from collections import Counter
from typing import Optional, Sequence

from .. import __version__
from ..engine import Engine, interrupted
from ..engine import signal_map
from ..engine.fixing import apply_file_edits, fix_source, unified_diff
from ..options import DEFAULT_MAX_LINE_LENGTH, OPTION_SPECS, OptionError, Options, options_from, validate
from ..rules import all_rules
from ..source.decoding import read_like_flake8, split_lines
from . import map_formats, verify
from .config import (
    COMMAND_LINE,
    ConfigError,
    Selection,
    Selections,
    ignores_whole_file,
    might_silence,
    noqa_lines,
    origin_name,
    read_config,
    selections_from,
    silenced,
    split_codes,
)
from .output import DOCUMENT_FORMATS, FORMATS, Result, progress_on, render, statistics
from .walking import DEFAULT_EXCLUDE, STDIN, normalize_paths, python_files
from .writing import NotWritten, replace_file

MAP_FORMATS = ("text", "json", "mermaid", "dot")
INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C


# -- one file ------------------------------------------------------------------------------


def check_text(engine: Engine, text: str, path: str, options: Options, selection: Selection, show_source: bool = True) -> list:
    """The results for one file's text (as ``read_like_flake8`` returns it).
    ``show_source``: give each result the lines --show-source prints."""
    if ignores_whole_file(text):
        return []
    report_syntax_errors = selection.reports("E999")
    if not report_syntax_errors and not engine.needs_analysis(text, path, engine.app_view_for(path, options)):
        return []  # nothing to find, and no need to parse it to say so
    statements: Optional[dict] = None
    physical: list = []
    # Mapping lines to statements tokenizes the whole file: only when a # noqa can
    # silence something, or the source is shown.
    statements_matter = show_source or might_silence(text)

    def result(line: int, column: int, code: str, message: str) -> Optional[Result]:
        """The Result, or None when its statement's # noqa silences it (flake8 reads
        # noqa for E999 too)."""
        nonlocal statements, physical
        if not statements_matter:
            return Result(path, line, column, code, message)
        if statements is None:
            statements, physical = noqa_lines(text), split_lines(text)
        source = statements.get(line)
        if silenced(code, source if source is not None else physical[line - 1] if 0 < line <= len(physical) else ""):
            return None
        return Result(path, line, column, code, message, source)

    try:
        tree = ast.parse(text, filename=path)  # the file's name in any SyntaxWarning
    except (SyntaxError, ValueError) as error:
        if not report_syntax_errors:
            return []
        line = getattr(error, "lineno", None) or 1
        offset = getattr(error, "offset", None)
        column = offset + 1 if offset else 1  # where flake8 puts its E999
        found = result(line, column, "E999", f"{type(error).__name__}: {getattr(error, 'msg', error)}")
        return [found] if found else []
    results = []
    for line, column, message in engine.check_source_or_note(text, path, options, tree):
        code, _, rest = message.partition(" ")
        if selection.reports(code):
            found = result(line, column + 1, code, rest)
            if found:
                results.append(found)
    return results


def check_file(engine: Engine, path: str, options: Options, selections: Selections, show_source: bool = True) -> list:
    selection = selections.for_path(path)
    try:
        with open(path, "rb") as handle:
            text = read_like_flake8(handle.read())
    except OSError as error:
        # flake8's E902: line 0 (the file as a whole), column 1.
        return [Result(path, 0, 1, "E902", f"{type(error).__name__}: {error}")] if selection.reports("E902") else []
    return check_text(engine, text, path, options, selection, show_source)


# -- many files ------------------------------------------------------------------------------


# What a worker process of ``check -j`` needs: an engine of its own, the options.
_WORKER_STATE: dict = {}


def _init_worker(options: Options, selections: Selections, show_source: bool) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the pool, the workers
    # must not each print a traceback (flake8 does the same).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_STATE.update(engine=Engine(long_lived=True), options=options, selections=selections, show_source=show_source)


def _check_in_worker(path: str) -> list:
    state = _WORKER_STATE
    return check_file(state["engine"], path, state["options"], state["selections"], state["show_source"])


def check_paths(engine: Engine, files: list, options: Options, selections: Selections, jobs: int, progress, show_source: bool = True) -> list:
    results: list = []
    if jobs > 1 and len(files) > 1:
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with context.Pool(min(jobs, len(files)), initializer=_init_worker, initargs=(options, selections, show_source)) as pool:
            for done, found in enumerate(pool.imap(_check_in_worker, files, chunksize=8), 1):
                results.extend(found)
                progress(done, len(files))
    else:
        for done, path in enumerate(files, 1):
            results.extend(check_file(engine, path, options, selections, show_source))
            progress(done, len(files))
    return sorted(results, key=lambda r: (r.path, r.line, r.column, r.code))


_STDIN_BYTES: list = []


def stdin_bytes() -> bytes:
    """Standard input, read once however often ``-`` is given (as flake8 caches it)."""
    if not _STDIN_BYTES:
        _STDIN_BYTES.append(sys.stdin.buffer.read())
    return _STDIN_BYTES[0]


# -- the command ---------------------------------------------------------------------------------

EXIT_STATUSES = {
    "check": (
        "exit status:\n"
        "  0    nothing was reported (or --exit-zero was given)\n"
        "  1    something was reported: a finding, or E902/E999 for a file that could not\n"
        "       be read or parsed\n"
        "  2    usage or configuration error (a bad option, value or config file)\n"
        "  130  interrupted (Ctrl-C)"
    ),
    "fix": (
        "exit status:\n"
        "  0    done: files fixed or nothing to fix (with --diff/--check: nothing would change)\n"
        "  1    with --diff or --check: something would change; or a file could not be\n"
        "       read or written (it is left as it was)\n"
        "  2    usage or configuration error (a bad option, value or config file)\n"
        "  130  interrupted (Ctrl-C); a file is either fully written or left as it was"
    ),
    "map": (
        "exit status:\n"
        "  0    the map was printed\n"
        "  1    a path could not be read (an E902 line on standard error names it); the\n"
        "       map of the other files is printed\n"
        "  2    usage or configuration error (a bad option, value or config file)\n"
        "  130  interrupted (Ctrl-C)"
    ),
    "verify": (
        "exit status:\n"
        "  0    every receiver the project defines agrees with the map\n"
        "  1    a project receiver is never live, the map and the live registry disagree,\n"
        "       or the project could not be started (the message says where)\n"
        "  2    usage error\n"
        "  130  interrupted (Ctrl-C)"
    ),
}


def jobs_argument(value: str) -> str:
    """flake8's ``--jobs``: ``auto`` or a whole number."""
    value = str(value).strip()
    if value != "auto" and not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} must be 'auto' or an integer.")
    return value


def _add_common_options(command: argparse.ArgumentParser, selection: bool = True, stdin: bool = True) -> None:
    """The options ``check``, ``fix`` and ``map`` share with flake8 and the plugin."""
    if selection:
        command.add_argument(
            "--select", default=None, metavar="errors",
            help="comma-separated codes or prefixes to report (replaces flake8's default of every installed code)",
        )
        command.add_argument("--ignore", default=None, metavar="errors", help="comma-separated codes or prefixes not to report (replaces flake8's default ignore list)")
        command.add_argument("--extend-select", default=None, metavar="errors", help="codes or prefixes to report in addition to --select")
        command.add_argument("--extend-ignore", default=None, metavar="errors", help="codes or prefixes not to report in addition to --ignore")
        command.add_argument(
            "--per-file-ignores", default=None, metavar="mapping",
            help="file patterns and the codes not to report in them, like flake8's: 'tests/*:SIG101 */migrations/*:SIG'",
        )
    command.add_argument(
        "--exclude", default=None, metavar="patterns",
        help="comma-separated patterns of files and folders to skip; replaces the default "
        f"({','.join(DEFAULT_EXCLUDE)}). A pattern with a / is relative to the current folder",
    )
    command.add_argument("--extend-exclude", default=None, metavar="patterns", help="comma-separated patterns to skip in addition to --exclude")
    if stdin:
        command.add_argument("--stdin-display-name", default="stdin", help="the name reported for standard input (-), and matched by --exclude and per-file-ignores (default: stdin)")
    command.add_argument("--isolated", action="store_true", help="ignore configuration files")
    for spec in OPTION_SPECS:
        command.add_argument(spec.flag, default=None, help=spec.help)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flake8-signals", description="Catch Django signal mistakes.")
    python = f"{platform.python_implementation()} {platform.python_version()} on {platform.system()}"
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__} ({python})", help="show the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{check,fix,map}", help="what to do (each command has its own --help)")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=help_text, description=help_text, epilog=EXIT_STATUSES[name], formatter_class=argparse.RawDescriptionHelpFormatter
        )

    check = command("check", "report SIG findings, like flake8 --select=SIG, without flake8's other checks")
    check.add_argument("paths", nargs="*", default=["."], help="files and folders (default: .); - reads standard input")
    check.add_argument("--format", choices=FORMATS, default="default", dest="output_format", help="how findings are printed (default: flake8's lines)")
    check.add_argument("-j", "--jobs", default=None, type=jobs_argument, help="processes to use: auto (one per CPU, the default) or a number")
    check.add_argument("--exit-zero", action="store_true", help="exit with status 0 even when something is reported")
    check.add_argument("--output-file", default=None, metavar="path", help="write the report to this file instead of standard output (appended to, as by flake8; json and sarif replace it)")
    check.add_argument("--tee", action="store_true", default=None, help="with --output-file, print the report on standard output too")
    check.add_argument("--count", action="store_true", default=None, help="print the number of findings reported, after everything else")
    check.add_argument("--statistics", action="store_true", default=None, help="print each code's number of findings and its first message")
    check.add_argument("--show-source", action="store_true", default=None, help="print the source line of each finding with a caret under its column")
    check.add_argument("--no-show-source", action="store_false", dest="show_source", default=None, help="negate --show-source (from a configuration file)")
    check.add_argument("-q", "--quiet", action="count", default=None, help="print only the names of the files with findings; twice (-qq): print nothing")
    _add_common_options(check)
    fix = command("fix", "rewrite the findings that have one right rewrite (see the rule table's fix column)")
    fix.add_argument("paths", nargs="*", default=["."], help="files and folders (default: .); - alone reads standard input and writes the fixed source")
    fix.add_argument("--diff", action="store_true", help="print a unified diff instead of writing; exit 1 if anything would change")
    fix.add_argument("--check", action="store_true", help="write nothing; list what would be fixed and exit 1 if anything would change")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply the fixes marked unsafe (they can change behaviour beyond the finding)")
    fix.add_argument(
        "--max-line-length", default=None, type=int, metavar="n",
        help=f"flake8's option: a rewritten line longer than this is wrapped where it can be (default: {DEFAULT_MAX_LINE_LENGTH})",
    )
    _add_common_options(fix)
    mapping = command("map", "show the project's signals, their receivers and senders")
    mapping.add_argument("paths", nargs="*", default=["."], help="files and folders (default: .)")
    mapping.add_argument("--format", choices=MAP_FORMATS, default="text", dest="output_format", help="text (default), json, mermaid or dot (Graphviz)")
    mapping.add_argument("--model", default=None, help="only what runs for app_label.Model (saves, deletes, m2m changes)")
    _add_common_options(mapping, selection=False, stdin=False)
    verifying = command(
        "verify", "start the project (it imports its code) and compare the map with its live signal registry"
    )
    verifying.add_argument("paths", nargs="*", default=["."], help="the project's files and folders (default: .)")
    verifying.add_argument("--settings", default=None, help="the settings module (default: DJANGO_SETTINGS_MODULE)")
    verifying.add_argument(
        "--pythonpath", action="append", default=None,
        help="a folder to put first on the project's sys.path, like django-admin's (repeatable; default: .)",
    )
    verifying.add_argument("--format", choices=("text", "json"), default="text", dest="output_format", help="text (default) or json")
    _add_common_options(verifying, selection=False, stdin=False)
    return parser


# -- configuration -------------------------------------------------------------------------------

SELECTION_KEYS = ("select", "ignore", "extend-select", "extend-ignore", "per-file-ignores")
# What each command reads from a configuration file, as flake8 reads it from [flake8].
CONFIG_KEYS = {
    "check": (*SELECTION_KEYS, "jobs", "count", "statistics", "show-source", "quiet", "tee"),
    "fix": (*SELECTION_KEYS, "max-line-length"),
    "map": (),
    "verify": (),
}
COMMON_CONFIG_KEYS = ("exclude", "extend-exclude", *(spec.flag[2:] for spec in OPTION_SPECS))
BOOLEAN_KEYS = ("count", "statistics", "show-source", "tee")
_BOOLEANS = {"1": True, "yes": True, "true": True, "on": True, "0": False, "no": False, "false": False, "off": False}


def apply_config(args: argparse.Namespace, config: dict) -> dict:
    """Fill the options not given on the command line from the configuration, as flake8
    does (the command line wins). Returns option dest -> where its value came from."""
    origins = {}
    for key in (*CONFIG_KEYS[args.command], *COMMON_CONFIG_KEYS):
        dest = key.replace("-", "_")
        if getattr(args, dest, None) is not None:
            origins[dest] = COMMAND_LINE
        elif key in config:
            setting = config[key]
            setattr(args, dest, _config_value(key, setting.value.strip(), setting.origin))
            origins[dest] = setting.origin
    return origins


def _config_value(key: str, value: str, origin: str):
    def wrong(expected: str) -> ConfigError:
        return ConfigError(f"{origin_name(origin)}: {key} = {value!r}: expected {expected}")

    if key in BOOLEAN_KEYS:
        if value.lower() not in _BOOLEANS:
            raise wrong("true or false")
        return _BOOLEANS[value.lower()]
    if key in ("quiet", "max-line-length"):
        if not value.isdigit():
            raise wrong("a number")
        return int(value)
    if key == "jobs":
        try:
            return jobs_argument(value)
        except argparse.ArgumentTypeError as error:
            raise ConfigError(f"{origin_name(origin)}: jobs: {error}") from error
    return value


def excluded_patterns(args: argparse.Namespace, origins: dict) -> list:
    """flake8's rule: --exclude replaces the default patterns, --extend-exclude adds; a
    pattern with a path separator is relative to the folder of the file that set it
    (the current folder for the command line)."""

    def patterns(dest: str) -> list:
        origin = origins.get(dest, COMMAND_LINE)
        return normalize_paths(split_codes(getattr(args, dest)), os.curdir if origin == COMMAND_LINE else os.path.dirname(origin))

    base = patterns("exclude") if args.exclude is not None else list(DEFAULT_EXCLUDE)
    return base + (patterns("extend_exclude") if args.extend_exclude is not None else [])


def no_signal_code_note(args: argparse.Namespace, origins: dict, selection: Selection) -> Optional[str]:
    """A note when the selection reports no SIG code at all (a config's ``select =``
    that lists only other plugins' codes): flake8 would then be silent about them."""
    codes = [rule.code for rule in all_rules()]
    if any(selection.reports(code) for code in codes):
        return None

    def shown(key: str) -> str:
        dest = key.replace("-", "_")
        value = ",".join(split_codes(getattr(args, dest)))
        if origins.get(dest, COMMAND_LINE) == COMMAND_LINE:
            return f"--{key}={value}"
        return f"{key} = {value} in {origin_name(origins[dest])}"

    involved = [
        key for key in ("select", "extend-select", "ignore", "extend-ignore")
        if getattr(args, key.replace("-", "_")) is not None
        and (key.endswith("select") or any(code.startswith(prefix) for prefix in split_codes(getattr(args, key.replace("-", "_"))) for code in codes))
    ]
    widened = Selection(selection.explicit_select + ("SIG",), selection.default_select, selection.explicit_ignore, selection.default_ignore, selection.options)
    if any(widened.reports(code) for code in codes):
        advice = "add extend-select = SIG" if origins.get("select") not in (None, COMMAND_LINE) else "add --extend-select=SIG"
    else:
        advice = "remove SIG from " + " and ".join(key for key in involved if key.endswith("ignore"))
    settings = "; ".join(shown(key) for key in involved) or "the defaults"
    return f"flake8-signals: the selection ({settings}) reports no SIG code; {advice}\n"


# -- check ----------------------------------------------------------------------------------


def run_check(engine: Engine, args: argparse.Namespace, options: Options, selections: Selections, exclude: list) -> int:
    files = list(python_files(args.paths, exclude, args.stdin_display_name))
    on_disk = [path for path in files if path != STDIN]
    jobs = (os.cpu_count() or 1) if args.jobs in (None, "auto") else max(1, int(args.jobs))
    show_source = bool(args.show_source)
    results = check_paths(engine, on_disk, options, selections, jobs, progress_on(sys.stderr), show_source)
    for _ in range(files.count(STDIN)):
        name = args.stdin_display_name
        results.extend(check_text(engine, read_like_flake8(stdin_bytes()), name, options, selections.for_path(name), show_source))
    results.sort(key=lambda r: (r.path, r.line, r.column, r.code))
    _print_report(args, results)
    return 1 if results and not args.exit_zero else 0


def _print_report(args: argparse.Namespace, results: list) -> None:
    """The report where flake8 puts it: standard output, or --output-file (and standard
    output with --tee); --statistics after the findings, --count last. A JSON or SARIF
    document stays one document: its statistics and count go to standard error."""
    quiet = args.quiet or 0
    document = args.output_format in DOCUMENT_FORMATS and not quiet
    report = render(results, args.output_format, bool(args.show_source), quiet)
    counted = statistics(results) if args.statistics else ""
    if not document:
        report, counted = report + counted, ""
    if args.output_file:
        folder = os.path.dirname(os.path.abspath(args.output_file))
        os.makedirs(folder, exist_ok=True)
        with open(args.output_file, "w" if document else "a", encoding="utf-8") as handle:
            handle.write(report)
    to_stdout = not args.output_file or args.tee
    if to_stdout:
        sys.stdout.write(report)
    sys.stderr.write(counted)
    if args.count:
        (sys.stderr if document and to_stdout else sys.stdout).write(f"{len(results)}\n")


# -- map --------------------------------------------------------------------------------------


def run_map(engine: Engine, args: argparse.Namespace, exclude: list) -> int:
    files = list(python_files(args.paths, exclude))
    unreadable = []
    for path in files:
        try:
            with open(path, "rb"):
                pass
        except OSError as error:
            unreadable.append(path)
            sys.stderr.write(f"{path}:0:1: E902 {type(error).__name__}: {error}\n")
    readable = [path for path in files if path not in unreadable]
    options = options_from(args)
    signals = signal_map.build_map(engine, readable, options)
    if args.model:
        known = signal_map.model_names(engine, readable, options, signals)
        if not signal_map.knows_model(known, args.model):
            listed = ", ".join(known) if known else "none"
            sys.stderr.write(f"flake8-signals map: no model {args.model} in these files; the models the map knows: {listed}\n")
        signals = signal_map.for_model(signals, args.model)
    render_map = {
        "text": map_formats.as_text,
        "json": lambda found: json.dumps(map_formats.as_json(found), indent=2) + "\n",
        "mermaid": map_formats.as_mermaid,
        "dot": map_formats.as_dot,
    }[args.output_format]
    sys.stdout.write(render_map(signals))
    return 1 if unreadable else 0


def run_verify(engine: Engine, args: argparse.Namespace, exclude: list) -> int:
    try:
        report = verify.verify_project(
            args.paths, args.settings, args.pythonpath, options=options_from(args), exclude=exclude, engine=engine
        )
    except verify.UsageError as error:
        return usage_error(args, str(error))
    (sys.stderr if report.error is not None else sys.stdout).write(verify.render(report, args.output_format))
    return report.exit_status


# -- fix ---------------------------------------------------------------------------------------


def fix_wanted(selection: Selection):
    """``wanted(code, line, text)`` for ``fixing.fix_source``: the code is selected and
    no ``# noqa`` on its statement silences it (fixed code is not fixed again)."""
    cache: dict = {}

    def wanted(code: str, line: int, text: str) -> bool:
        if not selection.reports(code):
            return False
        if cache.get("text") is not text:
            cache.update(text=text, statements=noqa_lines(text), physical=split_lines(text), whole=ignores_whole_file(text))
        if cache["whole"]:
            return False
        physical = cache["physical"]
        statement = cache["statements"].get(line, physical[line - 1] if 0 < line <= len(physical) else "")
        return not silenced(code, statement)

    return wanted


def _nothing_wanted(code: str, line: int, text: str) -> bool:
    return False


def unique_files(files: Sequence[str]) -> list:
    """Each file once (``fix shop shop/receivers.py``), under the name it had first."""
    seen: set = set()
    unique = []
    for path in files:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def run_fix(engine: Engine, args: argparse.Namespace, options: Options, selections: Selections, exclude: list) -> int:
    if args.paths == [STDIN]:
        return _fix_standard_input(engine, args, options, selections, exclude)
    files = unique_files(python_files(args.paths, exclude))
    results, changes, problems, made = _fix_files(engine, files, args, options, selections)
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


def _fix_standard_input(engine: Engine, args: argparse.Namespace, options: Options, selections: Selections, exclude: list) -> int:
    raw = stdin_bytes()
    name = args.stdin_display_name
    excluded = not list(python_files([STDIN], exclude, name))  # by its display name: nothing to fix
    wanted = _nothing_wanted if excluded else fix_wanted(selections.for_path(name))
    result = fix_source(engine, raw, name, options, wanted, args.unsafe_fixes)
    if args.diff:
        sys.stdout.write(unified_diff(name, raw, result.after))
    elif args.check:  # the "would be fixed" lines only, as for files
        _report_fixes(args, [result], {name: (name, raw, result.after)} if result.changed else {})
    else:
        sys.stdout.buffer.write(result.after)
    if result.other_files:
        others = sorted({os.path.relpath(edit.path) for edit in result.other_files})
        sys.stderr.write(f"not applied from standard input: the fixes that edit {', '.join(others)}\n")
    return 1 if (args.diff or args.check) and result.changed else 0


def _fix_files(engine: Engine, files: list, args: argparse.Namespace, options: Options, selections: Selections) -> tuple:
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
        results.append(fix_source(engine, raw, path, options, fix_wanted(selections.for_path(path)), args.unsafe_fixes))
        progress(done, len(files))
    changes = {os.path.abspath(r.path): (r.path, r.before, r.after) for r in results if r.changed}
    current = {path: after for path, (_shown, _before, after) in changes.items()}
    made: set = set()
    edits = [e for r in results for e in r.other_files]
    for path, (before, after) in apply_file_edits(engine, edits, current, problems, made, options.max_line_length).items():
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


# -- main ----------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _STDIN_BYTES.clear()  # main() may run more than once in a process (tests, editors)
    try:
        return _run(args)
    except ConfigError as error:
        return usage_error(args, str(error))
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as error:
        if interrupted(error):  # Ctrl-C turned into another error on its way up
            return _interrupted()
        raise


def _interrupted() -> int:
    sys.stderr.write("flake8-signals: interrupted\n")
    return INTERRUPTED


def usage_error(args: argparse.Namespace, message: str) -> int:
    """A usage or configuration error: exit status 2, as argparse and flake8 stop."""
    sys.stderr.write(f"flake8-signals {args.command}: error: {message}\n")
    return 2


def _run(args: argparse.Namespace) -> int:
    config = {} if args.isolated else read_config(os.getcwd())
    origins = apply_config(args, config)
    try:
        validate(args)
    except OptionError as error:
        where = next((origins.get(spec.dest) for spec in OPTION_SPECS if spec.flag in str(error)), COMMAND_LINE)
        return usage_error(args, str(error) if where in (None, COMMAND_LINE) else f"{error} (in {origin_name(where)})")
    if STDIN in args.paths and (args.command in ("map", "verify") or (args.command == "fix" and args.paths != [STDIN])):
        what = f"{args.command} reads files" if args.command != "fix" else "fix reads standard input (-) only on its own"
        return usage_error(args, f"{what}: {' '.join(args.paths)}")
    engine = Engine(long_lived=True)
    exclude = excluded_patterns(args, origins)
    if args.command == "map":
        return run_map(engine, args, exclude)
    if args.command == "verify":
        return run_verify(engine, args, exclude)
    options = options_from(args)
    try:
        selections = selections_from(args, options)
    except ConfigError as error:
        where = origins.get("per_file_ignores", COMMAND_LINE)
        raise ConfigError(f"{origin_name(where)}: {error}" if where != COMMAND_LINE else str(error)) from error
    note = no_signal_code_note(args, origins, selections.default)
    if note:
        sys.stderr.write(note)
    if args.command == "fix":
        return run_fix(engine, args, options, selections, exclude)
    return run_check(engine, args, options, selections, exclude)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
