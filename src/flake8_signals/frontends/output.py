"""How ``flake8-signals check`` prints its results: flake8's default lines, JSON,
GitHub workflow commands and SARIF 2.1.0; and its progress on a terminal."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

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

    def as_json(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.column, "code": self.code, "message": self.text}


def render(results: list, output_format: str) -> str:
    if output_format == "json":
        return json.dumps([result.as_json() for result in results], indent=2) + "\n"
    if output_format == "sarif":
        return json.dumps(sarif_log(results), indent=2) + "\n"
    if output_format == "github":
        return "".join(
            f"::error file={r.path},line={r.line},col={r.column},title={r.code}::{r.code} {_escape(r.text)}\n"
            for r in results
        )
    return "".join(f"{r.path}:{r.line}:{r.column}: {r.code} {r.text}\n" for r in results)


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
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": _uri(r.path), "uriBaseId": "%SRCROOT%"},
                                    "region": {"startLine": r.line, "startColumn": r.column},
                                }
                            }
                        ],
                    }
                    for r in results
                    if r.code in index
                ],
            }
        ],
    }


def _uri(path: str) -> str:
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
