"""From source text to findings: pre-check, parse (once per process), build facts, run
the rules, place the findings, and never let a failure escape as anything but SIG000."""

from __future__ import annotations

import os
from typing import Callable, Optional, TypeVar

import libcst as cst

from ..module.facts import ModuleFacts
from ..options import Options
from ..project.app import AppView
from ..project.workspace import Workspace
from ..rules import all_rules
from ..rules.context import Context
from ..source import positions
from ..source.precheck import might_wire_signals
from .deep_stack import DEEP_STACK

T = TypeVar("T")


class Engine:
    """Runs the rules over modules. One per process (front ends create it): it owns the
    workspace, where every file text, parsed module and project value of the process
    is kept, and the deep-stack thread the analysis runs on."""

    def __init__(self, long_lived: bool = False, give_back_memory: bool = False) -> None:
        # long_lived: the one engine of a linting process (the plugin's, the command's),
        # whose kept trees are frozen out of the garbage collector's way.
        self.long_lived = long_lived
        # give_back_memory: the plugin's engine, whose memory adds to flake8's.
        self.give_back_memory = give_back_memory
        self.workspace = Workspace(freeze=long_lived, give_back_memory=give_back_memory)
        self.rules = [rule() for rule in all_rules()]

    def reset(self) -> None:
        """Forget every file, parsed module and app (a long-lived process, or a test,
        starting afresh)."""
        self.workspace = Workspace(freeze=self.long_lived, give_back_memory=self.give_back_memory)

    def run_deep(self, function: Callable[..., T], *args) -> T:
        """``function(*args)`` on the process's deep-stack thread; its exception is
        re-raised here."""
        return DEEP_STACK.run(function, *args)

    def app_view_for(self, path: str, options: Options) -> Optional[AppView]:
        return self.workspace.app_view_for(path, options.startup_modules)

    def needs_analysis(self, text: str, path: str, app: Optional[AppView] = None) -> bool:
        """The cheap pre-check: False when no rule can report anything in this file (it
        wires no signal and no other module connects one of its functions)."""
        return might_wire_signals(text) or (app is not None and app.may_wire_receivers_in(path))

    # -- the plugin and `check` ---------------------------------------------------------------

    def check_source(self, text: str, path: str, options: Options, tree=None) -> list[tuple[int, int, str]]:
        """Findings for one file as (line, column, message), sorted and de-duplicated.

        ``tree`` is flake8's ``ast`` of the same text: it locates findings cheaply."""
        app = self.app_view_for(path, options)
        if not self.needs_analysis(text, path, app):
            return []
        return self.run_deep(self._analyse, text, path, options, tree, app)

    def check_source_or_note(self, text: str, path: str, options: Options, tree=None) -> list[tuple[int, int, str]]:
        """``check_source``, with any failure of the analysis turned into one SIG000 note."""
        try:
            return self.check_source(text, path, options, tree)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # never crash the caller
            if interrupted(error):
                raise
            return [(1, 0, analysis_failed(error))]

    def _analyse(self, text: str, path: str, options: Options, tree, app) -> list[tuple[int, int, str]]:
        facts = self._facts(text, path, tree, app)
        return self._placed_findings(Context(facts, options, path, app), tree)

    def _facts(self, text: str, path: str, tree, app: Optional[AppView]) -> ModuleFacts:
        cache = self.workspace.facts
        if app is not None:
            wired = app.wired_names(path)
            return cache.facts_for(text, os.path.abspath(path), app.module_name_of(path), tree, wired)
        return cache.facts_for(text, path, None, tree, retain=False)  # outside any app

    def _placed_findings(self, ctx: Context, tree, every_rule: bool = False) -> list[tuple[int, int, str]]:
        findings = self.run_rules(ctx, every_rule)
        if not findings:
            return []
        facts = ctx.facts
        results: dict = {}
        for line, column, finding in positions.resolve(findings, facts.module, facts.statement_index(), tree):
            results.setdefault((line, finding.code), (line, column, finding.message))
        return sorted(results.values())

    # -- `map` ------------------------------------------------------------------------------------

    def map_module(self, text: str, path: str, options: Options, tree) -> tuple:
        """(Context, findings) of one file for the signal map: the same parse (shared with
        every other question about the file) and the same rules as ``check``. The rules
        run only where check's pre-check lets them, so the map shows what check reports;
        the facts are built for any file the caller asks about (a module that only sends
        a signal). Findings are (line, column, message). Call it on the deep-stack thread."""
        app = self.app_view_for(path, options)
        if not self.needs_analysis(text, path, app):  # it only sends: no rule reads it
            module_name = app.module_name_of(path) if app is not None else None
            facts = self.workspace.facts.sends_of(text, os.path.abspath(path) if app is not None else path, module_name, tree)
            return Context(facts, options, path, app), []
        ctx = Context(self._facts(text, path, tree, app), options, path, app)
        return ctx, self._placed_findings(ctx, tree, every_rule=True)

    def run_rules(self, ctx: Context, every_rule: bool = False) -> list:
        """The findings of the rules that can be reported: an off-by-default rule runs only
        when the options name it (its findings would be dropped, and some read a whole
        project), unless ``every_rule`` (the map shows every code)."""
        return [
            finding
            for rule in self.rules
            if every_rule or rule.enabled_by_default or ctx.options.opted_in(rule.code)
            for finding in rule.check(ctx)
        ]

    # -- `fix` ----------------------------------------------------------------------------------

    def findings_of_module(self, module: cst.Module, path: str, options: Options) -> list:
        """(line, column, Finding) of a module parsed in full, fixes attached: what
        ``flake8-signals fix`` works from (the same rules as the plugin; no skeleton,
        since a rewrite must keep every body). Call it on the deep-stack thread."""
        app = self.app_view_for(path, options)
        module_name = app.module_name_of(path) if app is not None else None
        facts = ModuleFacts(module, path=os.path.abspath(path) if app is not None else path, module_name=module_name)
        findings = self.run_rules(Context(facts, options, path, app))
        if not findings:
            return []
        return sorted(positions.resolve(findings, module, facts.statement_index(), None), key=lambda item: item[:2])


def interrupted(error: BaseException) -> bool:
    """Whether ``error`` is Ctrl-C, or an error raised while handling one (libcst's
    position bookkeeping turns a KeyboardInterrupt inside its code generation into a
    KeyError): either way the user asked to stop, and nothing may swallow it."""
    seen: set = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__context__
    return False


def analysis_failed(error: BaseException) -> str:
    """The SIG000 text. Building it must not fail either: ``str()`` of some errors
    recurses or raises (a RecursionError raised deep in a tree), so each step is guarded."""
    reason = "error"
    detail = ""
    try:
        reason = type(error).__name__
        text = str(error).strip()
        detail = text.splitlines()[0] if text else ""
    except BaseException:  # noqa: B036 - whatever str() raises, the note stays short
        detail = ""
    if len(detail) > 120:
        detail = detail[:117] + "..."
    return f"SIG000 flake8-signals could not analyse this file ({reason}{': ' + detail if detail else ''}); its signal wiring is unchecked"
