"""SIG2xx: start-up registration (needs the project's files)."""

from __future__ import annotations

from typing import Iterable

import libcst as cst

from ..django_names import REQUEST_BOUND_SIGNALS, SEND_METHODS, TEST_ONLY_SIGNALS
from .base import Finding, Rule, register


def _own_signals(facts) -> set:
    """Signals this module defines or sends itself (``layout_variables.send(...)``):
    whoever sends them has imported this module, so its receivers are connected before
    the first send."""
    sent = {facts.qualify_local(name) for name in facts.local_signals}
    for call in facts.calls:
        func = call.node.func
        if isinstance(func, cst.Attribute) and func.attr.value in SEND_METHODS:
            signal = facts.signal_of(func.value)
            if signal is not None:
                sent.add(signal.qualname)
    return sent


@register
class NotImportedAtStartup(Rule):
    """
    ## What it does
    Flags each module-level `@receiver` and `connect()` in a module that Django does not
    import at start-up. A module of app package `P` is imported at start-up if it is
    `P/__init__.py`, `P/apps.py`, `P/models.py` (or `P/models/`), `P/admin.py`,
    `P/management/__init__.py` (Django's `migrate` and `flush` import it to register
    `pre_migrate`/`post_migrate` receivers), or is imported (statically, transitively, at module level or from `AppConfig.ready()` and
    the functions it calls) by one of those, or is named in `--signals-startup-modules`.
    Migrations and tests are never reported. When a start-up module cannot be parsed or
    imports modules dynamically, the app is skipped: unknown is not unimported.

    ## Why is this bad?
    Registration at import time only happens if something imports the module. A
    `signals.py` that nothing imports registers nothing; one imported only by
    `views.py` or `tasks.py` registers its receivers in the processes that happen to
    import those first, and never in the others (workers, management commands,
    shells). The receivers are simply missing, with no error.

    ## Example
    ```python
    # shop/signals.py -- nothing imports this module
    @receiver(post_save, sender=Order)
    def send_receipt(sender, instance, created, **kwargs): ...
    ```

    ## Use instead
    ```python
    # shop/apps.py
    class ShopConfig(AppConfig):
        name = "shop"

        def ready(self):
            from . import signals  # noqa: F401  (registers the receivers)
    ```
    """

    code = "SIG201"
    name = "not-imported-at-startup"
    summary = "Module registers receivers at import time but start-up never imports it."

    def check(self, ctx) -> Iterable[Finding]:
        app = ctx.app
        module = ctx.facts.module_name
        if app is None or module is None:
            return
        never_missed = _own_signals(ctx.facts) | TEST_ONLY_SIGNALS
        registrations = [c for c in ctx.facts.connections if c.function is None and c.signal.qualname not in never_missed]
        if not registrations or app.is_test_or_migration(ctx.path) or app.is_startup_root(module):
            return
        if ctx.path.endswith("__init__.py"):
            return  # a package that wires receivers on import is meant for INSTALLED_APPS: unknown
        startup = app.startup_modules()
        if startup is None or module in startup or module in ctx.options.startup_modules:
            return
        imported_later = app.mentioned_elsewhere(module)
        if imported_later:
            # Imported by a view, the URLconf, a task module or named in MIDDLEWARE: the
            # receivers exist in the processes that load it. They miss sends only in
            # other processes, which is known for Django's own process-independent
            # signals (a worker saving a model); for request-bound and third-party or
            # project signals, whose send sites we cannot place, it is unknown.
            registrations = [
                c for c in registrations
                if c.signal.origin == "builtin" and c.signal.qualname not in REQUEST_BOUND_SIGNALS
            ]
        apps_module = f"{app.package}.apps" if app.package else "apps"
        if app.has_apps_module():
            fix = f"import it from ready() in {apps_module}"
        else:
            fix = f"create an AppConfig with a ready() in {apps_module} and import it there"
        for connection in registrations:
            if imported_later:
                consequence = (
                    f"so this `{connection.signal.text}` receiver is missing in every process that has not "
                    "imported it yet (workers and management commands may never)"
                )
            else:
                consequence = f"and no module of the project imports it: this `{connection.signal.text}` receiver is never connected"
            yield self.finding(
                connection.report_node,
                f"`{module}` registers receivers at import time, but no module Django imports at "
                f"start-up imports it, {consequence}; {fix}",
            )
