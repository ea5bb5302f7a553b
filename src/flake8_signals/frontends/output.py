"""How ``flake8-signals check`` prints its results: flake8's default lines (with its
``--show-source``, ``--statistics`` and ``-q``), JSON, GitHub workflow commands and
SARIF 2.1.0; and its progress on a terminal."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote

from .. import __version__
from ..rules import all_rules

FORMATS = ("default", "json", "github", "sarif")
REPOSITORY = "https://github.com/flake8-signals/flake8-signals"
# Codes the command reports that are not rules of ours: flake8's own, for files it cannot read.
FLAKE8_CODES = {
    "E902": "The file could not be read.",
    "E999": "The file does not parse: nothing in it was checked.",
}


@dataclass(frozen=True)
class Result:
    path: str
    line: int
    column: int  # 1-based, as flake8 prints it
    code: str
    text: str  # the message without the code
    # The line(s) flake8 shows for it with --show-source (the text its # noqa is read
    # from), or None where flake8 shows none (a file it could not read).
    source: Optional[str] = None

    def as_json(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.column, "code": self.code, "message": self.text}


# Formats that print one document: --statistics and --count go to standard error there.
DOCUMENT_FORMATS = ("json", "sarif")


def render(results: list, output_format: str, show_source: bool = False, quiet: int = 0) -> str:
    """The report. As with flake8, ``-q`` prints each file name once instead, whatever
    the format, and ``-qq`` prints nothing."""
    if quiet >= 2:
        return ""
    if quiet == 1:
        return "".join(f"{path}\n" for path in dict.fromkeys(r.path for r in results))
    if output_format == "json":
        return json.dumps([result.as_json() for result in results], indent=2) + "\n"
    if output_format == "sarif":
        return json.dumps(sarif_log(results), indent=2) + "\n"
    if output_format == "github":
        return "".join(_github_command(r) + _shown_source(r, show_source) for r in results)
    return "".join(f"{r.path}:{r.line}:{r.column}: {r.code} {r.text}\n" + _shown_source(r, show_source) for r in results)


def _shown_source(result: Result, show_source: bool) -> str:
    """flake8's ``show_source``: the line, then a caret under the column (white space
    kept as it is, so that tabs line up)."""
    if not show_source or result.source is None:
        return ""
    indent = "".join(c if c.isspace() else " " for c in result.source[: result.column - 1])
    return f"{result.source}{indent}^\n"


def statistics(results: list) -> str:
    """flake8's ``--statistics``: per code, sorted, the count and the message of its
    first finding in the first file that has it."""
    counts: dict = {}
    first: dict = {}
    for result in sorted(results, key=lambda r: (r.path, r.line, r.column)):
        counts[result.code] = counts.get(result.code, 0) + 1
        first.setdefault(result.code, result.text)
    return "".join(f"{counts[code]:<5} {code} {first[code]}\n" for code in sorted(counts))


def _github_command(result: Result) -> str:
    """A workflow command: ``warning`` for the SIG codes (SARIF's level for them),
    ``error`` for a file that could not be read or parsed. Line 0 (the whole file)
    is left out."""
    level = "error" if result.code in FLAKE8_CODES else "warning"
    place = f",line={result.line},col={result.column}" if result.line > 0 else ""
    properties = f"file={_escape_property(result.path)}{place},title={_escape_property(result.code)}"
    return f"::{level} {properties}::{_escape(result.code + ' ' + result.text)}\n"


def sarif_log(results: list) -> dict:
    """A SARIF 2.1.0 log: every rule described (so code scanning can show its help),
    one result per finding, paths relative to the folder the command ran in."""
    rules = []
    for rule in all_rules():
        what = rule.documentation().get("What it does", rule.summary)
        rules.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": " ".join(what.split())},
                "helpUri": f"{REPOSITORY}#{rule.code.lower()}",
                "defaultConfiguration": {"level": "warning" if rule.enabled_by_default else "none"},
            }
        )
    for code, text in FLAKE8_CODES.items():
        rules.append({"id": code, "shortDescription": {"text": text}, "defaultConfiguration": {"level": "error"}})
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flake8-signals",
                        "version": __version__,
                        "informationUri": REPOSITORY,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    {
                        "ruleId": r.code,
                        "ruleIndex": index[r.code],
                        "level": "error" if r.code in FLAKE8_CODES else "warning",
                        "message": {"text": f"{r.code} {r.text}"},
                        "locations": [{"physicalLocation": _physical_location(r)}],
                    }
                    for r in results
                    if r.code in index
                ],
            }
        ],
    }


def _physical_location(result: Result) -> dict:
    location: dict = {"artifactLocation": {"uri": _uri(result.path), "uriBaseId": "%SRCROOT%"}}
    if result.line > 0:  # SARIF lines start at 1; line 0 (a file not read) has no region
        location["region"] = {"startLine": result.line, "startColumn": result.column}
    return location


def _uri(path: str) -> str:
    """A relative URI reference (RFC 3986): ``/`` separators, every other reserved or
    non-ASCII character percent-encoded (a space, ``#``, ``%``)."""
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return quote(relative.replace(os.sep, "/"), safe="/")


def _escape(text: str) -> str:
    """A workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``)."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def progress_on(stream):
    if not stream.isatty():
        return lambda done, total: None

    def show(done: int, total: int) -> None:
        if total >= 50 and (done % 25 == 0 or done == total):
            stream.write(f"\rflake8-signals: {done}/{total} files")
            if done == total:
                stream.write("\r" + " " * 40 + "\r")
            stream.flush()

    return show
