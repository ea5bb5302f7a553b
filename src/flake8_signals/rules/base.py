"""What a rule is, and the registry every rule adds itself to."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Callable, ClassVar, Iterable, Optional

import libcst as cst

from .context import Context


@dataclass(frozen=True)
class Finding:
    node: cst.CSTNode  # where the finding is reported: its first line
    code: str
    message: str  # the full text, starting with the code
    anchor: Optional[cst.CSTNode] = None  # a recorded node containing ``node`` (positions)
    # ``flake8-signals fix``: makes the rewrite (a ``fixes.Fix``, or None when this
    # occurrence has no safe rewrite); built only when asked, never by the plugin.
    fix: Optional[Callable[[], object]] = field(default=None, compare=False, repr=False)
    fix_safety: Optional[str] = None  # "safe" or "unsafe", as the rule's ``fix_safety``


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
    # (true, all) findings on the held-out half of the application corpus, for a rule
    # that is off by default because it fell short of 90% there (its docs say so).
    held_out: ClassVar[Optional[tuple]] = None
    # "safe": ``flake8-signals fix`` applies it; "unsafe": only with --unsafe-fixes (the
    # docstring's "Fix safety" section says why); None: no fix.
    fix_safety: ClassVar[Optional[str]] = None

    def check(self, ctx: Context) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        node: cst.CSTNode,
        message: str,
        anchor: Optional[cst.CSTNode] = None,
        fix: Optional[Callable[[], object]] = None,
    ) -> Finding:
        safety = self.fix_safety if fix is not None else None
        return Finding(node, self.code, f"{self.code} {message}", anchor, fix, safety)

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
