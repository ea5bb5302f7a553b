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
from collections import OrderedDict
from typing import Optional

from ..module.parsing import FactsCache
from ..source.decoding import decode_source
from ..source.imports_summary import later_dynamic_imports, summarize
from .app import AppView, signature


# Characters of source text kept in memory. A project analysis reads every file of the
# project, but later questions come back to a few of them; the others are read from
# disk again (the system's file cache makes that cheap) rather than held all run.
TEXT_BUDGET = 1 << 20


class DiskCache:
    """Source text of files on disk: the most recently used ones, up to ``budget``
    characters, each re-read when its size or mtime changes."""

    def __init__(self, budget: int = TEXT_BUDGET) -> None:
        self.budget = budget
        self._texts: OrderedDict[str, tuple] = OrderedDict()  # path -> (signature, text)
        self._kept = 0  # characters in _texts

    def read(self, path: str) -> Optional[str]:
        return self.read_signed(path)[1]

    def read_signed(self, path: str) -> tuple:
        """(signature, text) of ``path`` now; (None, None) when it cannot be stat-ed,
        (signature, None) when it cannot be read or decoded."""
        key = signature(path)
        if key is None:
            return None, None
        entry = self._texts.get(path)
        if entry is not None and entry[0] == key:
            self._texts.move_to_end(path)
            return entry
        try:
            with open(path, "rb") as handle:
                text = decode_source(handle.read())
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            text = None
        self._keep(path, (key, text))
        return key, text

    def _keep(self, path: str, entry: tuple) -> None:
        previous = self._texts.pop(path, None)
        if previous is not None:
            self._kept -= len(previous[1] or "")
        self._texts[path] = entry
        self._kept += len(entry[1] or "")
        while self._kept > self.budget and len(self._texts) > 1:
            _, (_, dropped) = self._texts.popitem(last=False)
            self._kept -= len(dropped or "")


class Workspace:
    """The per-process state of the analysis (see the module docstring)."""

    def __init__(self, freeze: bool = False, give_back_memory: bool = False) -> None:
        self.disk = DiskCache()
        self.facts = FactsCache(freeze, give_back_memory)
        self.summaries: dict = {}  # (path, signature) -> ImportSummary
        self.later_imports: dict = {}  # (path, signature) -> ImportSummary of later imports by name
        self.apps: dict = {}  # (app folder, extra start-up modules) -> AppView
        # (kind, project key) -> (value, {path: signature read}): shared by a project's apps
        self.shared: dict = {}
        self._app_dirs: dict = {}  # folder -> nearest app folder at or above it

    def read_source(self, path: str) -> Optional[str]:
        return self.disk.read(path)

    def read_signed(self, path: str) -> tuple:
        return self.disk.read_signed(path)

    def summary_at(self, path: str) -> tuple:
        """(signature, import summary) of the file at ``path``; the summary is None
        when the file cannot be read. Read from disk only when not known yet."""
        key = signature(path)
        if key is None:
            return None, None
        if (path, key) not in self.summaries:
            # Keyed by what was read, should the file have changed in between.
            key, text = self.disk.read_signed(path)
            self.summaries[(path, key)] = summarize(text, path) if text is not None else None
        return key, self.summaries[(path, key)]

    def later_imports_at(self, path: str) -> tuple:
        """(signature, what the file imports by name in code that runs later than its
        import: see ``later_dynamic_imports``); None when it cannot be read or parsed."""
        key, text = self.disk.read_signed(path)
        if key is None:
            return None, None
        if (path, key) not in self.later_imports:
            self.later_imports[(path, key)] = later_dynamic_imports(text, path) if text is not None else None
        return key, self.later_imports[(path, key)]

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
