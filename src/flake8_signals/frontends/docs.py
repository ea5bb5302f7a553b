"""The README's rule and option sections, generated from the rules and options themselves.

    python -m flake8_signals.frontends.docs           # rewrite README.md
    python -m flake8_signals.frontends.docs --check   # exit 1 if README.md is stale
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from ..engine import Engine, signal_map
from ..options import OPTION_SPECS, Options
from ..rules import all_rules
from . import map_formats, verify
from .walking import python_files

SECTIONS = ("rules-table", "rules-reference", "options", "example-map", "example-map-mermaid", "example-verify")


def rules_table() -> str:
    lines = ["| Code | Name | What it catches | Default | Fix |", "|---|---|---|---|---|"]
    for rule in all_rules():
        default = "on" if rule.enabled_by_default else f"off (`--extend-select={rule.code}`)"
        fix = rule.fix_safety or "–"
        lines.append(f"| [{rule.code}](#{rule.code.lower()}) | `{rule.name}` | {rule.summary} | {default} | {fix} |")
    return "\n".join(lines)


def rules_reference() -> str:
    parts = []
    for rule in all_rules():
        doc = rule.documentation()
        parts.append(f"### {rule.code}\n\n`{rule.name}`{'' if rule.enabled_by_default else ' (off by default)'}\n")
        if rule.held_out is not None:
            parts.append(held_out_note(rule) + "\n")
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
            if heading in doc:
                parts.append(f"**{heading}**\n\n{doc[heading]}\n")
    return "\n".join(parts).rstrip()


def held_out_note(rule) -> str:
    """Why an accuracy-measured rule is off by default, with the figure."""
    true, found = rule.held_out
    share = f" ({true * 100 // found}%)" if found else ""
    return (
        f"*Off by default, measured:* on the held-out half of the application corpus "
        f"(`benchmarks/apps/`), {true} of its {found} findings were true{share}, short of the 90% a "
        f"default-on rule must reach. Enable it with `--extend-select={rule.code}`."
    )


def options_section() -> str:
    lines = ["| Option | Meaning | In a config file |", "|---|---|---|"]
    for spec in OPTION_SPECS:
        lines.append(f"| `{spec.flag}` | {spec.help} | `{spec.example}` |")
    return "\n".join(lines)


@contextmanager
def inside(directory: Path):
    previous = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def example_map(output_format: str, model: str = "") -> str:
    """The map of the bundled example project, as ``flake8-signals map`` prints it there."""
    with inside(EXAMPLES):
        signals = signal_map.build_map(Engine(), list(python_files(["."], [])), Options())
    if model:
        signals = signal_map.for_model(signals, model)
    if output_format == "mermaid":
        return "```mermaid\n" + map_formats.as_mermaid(signals) + "```"
    return "```text\n" + map_formats.as_text(signals) + "```"


def example_verify() -> str:
    """``flake8-signals verify`` of the bundled example project, run in its folder (it
    starts the project: Django must be installed)."""
    with inside(EXAMPLES):
        report = verify.verify_project(["."], settings="config.settings", pythonpath=["."])
    return "```text\n$ flake8-signals verify --settings config.settings\n" + verify.as_text(report) + "```"


GENERATORS = {
    "rules-table": rules_table,
    "rules-reference": rules_reference,
    "options": options_section,
    "example-map": lambda: example_map("text", "shop.Order"),
    "example-map-mermaid": lambda: example_map("mermaid", "shop.Order"),
    "example-verify": example_verify,
}
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def render(readme: str) -> str:
    for name in SECTIONS:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        before, found, rest = readme.partition(start)
        if not found:
            raise ValueError(f"README has no {start} marker")
        _, found, after = rest.partition(end)
        if not found:
            raise ValueError(f"README has no {end} marker")
        readme = f"{before}{start}\n{GENERATORS[name]()}\n{end}{after}"
    return readme


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    parser.add_argument("--readme", default="README.md")
    args = parser.parse_args(argv)
    path = Path(args.readme)
    current = path.read_text(encoding="utf-8")
    updated = render(current)
    if args.check:
        if updated != current:
            print(f"{path} is stale: run python -m flake8_signals.docs", file=sys.stderr)
            return 1
        return 0
    path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
