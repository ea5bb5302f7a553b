"""Everything one process reads and derives from disk, in one object.

flake8 checks one file at a time, in one process (or one per ``-j`` worker), and the
project analysis reads many other files for each. A ``Workspace`` keeps what was read
and derived so that each file is read and parsed at most once per process: source
texts (re-read when their size or mtime changes), parsed modules, import summaries,
the app around each folder, and values shared by all apps of a project (the start-up
closure, the receiver map, the model index). The engine creates one and passes it
down; starting afresh is creating a new one.
"""

from __future__ import annotations

import os
from typing import Optional

from ..module.parsing import FactsCache
from ..source.decoding import decode_source
from ..source.imports_summary import ImportSummary, summarize
from .app import AppView, signature


class DiskCache:
    """Source text of files on disk, re-read only when their size or mtime changes."""

    def __init__(self) -> None:
        self._texts: dict[str, tuple] = {}

    def read(self, path: str) -> Optional[str]:
        key = signature(path)
        if key is None:
            return None
        entry = self._texts.get(path)
        if entry is not None and entry[0] == key:
            return entry[1]
        try:
            with open(path, "rb") as handle:
                text = decode_source(handle.read())
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            text = None
        self._texts[path] = (key, text)
        return text


class Workspace:
    """The per-process state of the analysis (see the module docstring)."""

    def __init__(self, freeze: bool = False) -> None:
        self.disk = DiskCache()
        self.facts = FactsCache(freeze)
        self.summaries: dict = {}  # (path, signature) -> ImportSummary
        self.apps: dict = {}  # (app folder, extra start-up modules) -> AppView
        # (kind, project key) -> (value, {path: signature read}): shared by a project's apps
        self.shared: dict = {}
        self._app_dirs: dict = {}  # folder -> nearest app folder at or above it

    def read_source(self, path: str) -> Optional[str]:
        return self.disk.read(path)

    def summary_of(self, path: str, text: str) -> Optional[ImportSummary]:
        key = (path, signature(path))
        if key not in self.summaries:
            self.summaries[key] = summarize(text, path)
        return self.summaries[key]

    def find_app_dir(self, directory: str) -> Optional[str]:
        """The nearest folder at or above ``directory`` holding apps.py or models.py."""
        if directory not in self._app_dirs:
            self._app_dirs[directory] = _find_app_dir(directory)
        return self._app_dirs[directory]

    def app_view_for(self, path: str, startup_modules: tuple = ()) -> Optional[AppView]:
        """The app around ``path``, or ``None`` (stdin with a name not on disk, no app package)."""
        if not path or path in ("-", "stdin"):
            return None
        absolute = os.path.abspath(path)
        if not os.path.isfile(absolute):
            return None
        folder = os.path.dirname(absolute)
        app_dir = self.find_app_dir(folder)
        is_app = app_dir is not None
        if app_dir is None:
            # A package of the project outside any app (imported by an app's ready(), a
            # settings module...): a view of its own, named from the import root.
            if not os.path.isfile(os.path.join(folder, "__init__.py")):
                return None
            app_dir = folder
        key = (app_dir, startup_modules)
        view = self.apps.get(key)
        if view is None:
            view = self.apps[key] = AppView(app_dir, startup_modules, self, is_app)
        else:
            view.refresh()
        return view


def _find_app_dir(directory: str) -> Optional[str]:
    current = directory
    while True:
        if (
            os.path.isfile(os.path.join(current, "apps.py"))
            or os.path.isfile(os.path.join(current, "models.py"))
            or os.path.isfile(os.path.join(current, "models", "__init__.py"))
        ):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
