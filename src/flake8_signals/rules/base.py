"""What a rule is, and the registry every rule adds itself to."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterable, Optional

import libcst as cst

if TYPE_CHECKING:  # pragma: no cover
    from ..context import Context


@dataclass(frozen=True)
class Finding:
    node: cst.CSTNode  # where the finding is reported: its first line
    code: str
    message: str  # the full text, starting with the code
    anchor: Optional[cst.CSTNode] = None  # a recorded node containing ``node`` (positions)


class Rule:
    """One check. Subclasses set the class attributes and implement ``check``.

    The class docstring is the rule's documentation, in four sections headed
    ``What it does``, ``Why is this bad?``, ``Example`` and ``Use instead``;
    the README is generated from it.
    """

    code: ClassVar[str]
    name: ClassVar[str]  # a short slug: "connect-outside-ready"
    summary: ClassVar[str]  # one line for the README table
    enabled_by_default: ClassVar[bool] = True

    def check(self, ctx: "Context") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(self, node: cst.CSTNode, message: str, anchor: Optional[cst.CSTNode] = None) -> Finding:
        return Finding(node, self.code, f"{self.code} {message}", anchor)

    @classmethod
    def documentation(cls) -> dict[str, str]:
        """The docstring's sections, keyed by heading."""
        text = inspect.cleandoc(cls.__doc__ or "")
        sections: dict[str, str] = {}
        heading = None
        lines: list[str] = []
        for line in text.splitlines():
            match = re.match(r"^## (.+)$", line)
            if match:
                if heading is not None:
                    sections[heading] = "\n".join(lines).strip()
                heading, lines = match.group(1), []
            elif heading is not None:
                lines.append(line)
        if heading is not None:
            sections[heading] = "\n".join(lines).strip()
        return sections


RULES: list[type[Rule]] = []


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry (once per code)."""
    if any(existing.code == rule.code for existing in RULES):
        raise ValueError(f"duplicate rule code {rule.code}")
    RULES.append(rule)
    return rule
