"""SIG000: the file could not be analysed."""

from __future__ import annotations

from typing import Iterable

from .base import Finding, Rule, register


@register
class AnalysisFailed(Rule):
    """
    ## What it does
    Reports, once on line 1, a file that flake8 could read but flake8-signals could not
    analyse: libcst rejected its syntax, or it is nested too deeply to walk.

    ## Why is this bad?
    The file's signal wiring went unchecked. Nothing is wrong with the code as far as
    this note goes; it tells you the other SIG rules stayed silent for lack of a model.

    ## Example
    ```python
    # syntax newer than the installed libcst understands
    ```

    ## Use instead
    Upgrade libcst, or silence the note for the file with `per-file-ignores = path.py:SIG000`.
    """

    code = "SIG000"
    name = "analysis-failed"
    summary = "The plugin could not analyse the file (one note on line 1, never a crash)."

    def check(self, ctx) -> Iterable[Finding]:
        return ()  # reported by the plugin itself when analysis raises
