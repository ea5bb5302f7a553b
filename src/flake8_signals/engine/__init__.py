"""Layer 5, the engine: runs the enabled rules over modules (``Engine``), applies their
fixes (``fixing``) and builds the project's signal map (``signal_map``). It owns the
per-process state (a ``Workspace``) and passes it down; it imports nothing above it."""

from .engine import Engine, analysis_failed, interrupted

__all__ = ["Engine", "analysis_failed", "interrupted"]
