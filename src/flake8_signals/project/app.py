"""One Django app as the rules see it, read from disk through the process's workspace.

flake8 checks one file at a time. For the rules that need the rest of the app
(SIG201, receivers wired from apps.py, ready() reaching helpers in other modules,
blocking calls in imported helpers, dispatch_uid reuse across migrations) an
``AppView`` reads the app's other files itself. Every file is read through the
workspace's disk cache, keyed by (size, mtime), and parsed through its facts cache,
keyed by content, so each file is parsed at most once per process however many files
ask about it.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import time
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from ..module.facts import CallSite, Connection, Function, ModuleFacts
from ..source.imports_summary import ImportSummary, dotted
from ..source.paths import is_test_path
from ..source.precheck import might_wire_signals
from .libraries import class_defines

if TYPE_CHECKING:  # pragma: no cover
    from .workspace import Workspace

# P/management/__init__.py: Django's migrate and flush commands import it "to register
# dispatcher events" (the usual home of post_migrate receivers).
STARTUP_BASENAMES = ("__init__", "apps", "models", "admin", "management")
REFRESH_SECONDS = 1.0
SKIPPED_FOLDERS = frozenset({"node_modules", "site-packages", "__pycache__", "migrations", "build", "dist"})
CLASS_STATEMENT = re.compile(r"^class\s+(\w+)\s*[(:]", re.MULTILINE)
# A call by name, ``name(`` or ``obj.name(``; not a ``def name(`` nor ``super().name(``
# (an override calling the method it overrides is not a caller of its own).
# A comment on a line with no quote before it (a "#" inside a string is left alone).
COMMENT = re.compile(r"^([^'\"#\n]*)#[^\n]*$", re.MULTILINE)
CALLED_NAME = re.compile(r"(?<!def )(?<!super\(\)\.)\b([A-Za-z_]\w*)\s*\(")
APP_LABEL = re.compile(r"\blabel\s*=\s*[\"'](\w+)[\"']")
THROUGH_ARGUMENT = re.compile(r"\bthrough\s*=\s*(?:[\"']([\w.]+)[\"']|([A-Za-z_][\w.]*))")


def startup_roots_of(package: str) -> list:
    """``P`` and its modules Django (or migrate) imports by definition."""
    return [package] + [f"{package}.{name}" if package else name for name in STARTUP_BASENAMES[1:]]


# -- the file system ------------------------------------------------------------------------


def _changed(reads: dict) -> bool:
    """Whether a file read (path -> its signature then) has changed since."""
    return any(signature(path) != seen for path, seen in reads.items())


def signature(path: str) -> Optional[tuple]:
    """(size, mtime) of a file: what tells an edited file from the one we read."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _models_package(path: str) -> Optional[str]:
    """The app package folder of a models module (``app/models.py``, or a file of an
    ``app/models/`` package), or ``None`` for any other file."""
    directory, name = os.path.split(path)
    if name == "models.py":
        return directory
    if os.path.basename(directory) == "models":
        return os.path.dirname(directory)
    return None


def _package_of(module: str, packages: list) -> str:
    """The app package a module belongs to (the longest that contains it), or itself."""
    return max((p for p in packages if module == p or module.startswith(p + ".")), key=len, default=module)


def import_root_of(package_dir: str) -> str:
    """The folder on sys.path for a package: above the topmost folder with __init__.py."""
    current = package_dir
    while os.path.isfile(os.path.join(os.path.dirname(current), "__init__.py")):
        current = os.path.dirname(current)
    return os.path.dirname(current)


def module_name_for(path: str, root: str) -> Optional[str]:
    relative = os.path.relpath(path, root)
    if relative.startswith(".."):
        return None
    parts = relative.replace("\\", "/").split("/")
    if not parts[-1].endswith(".py"):
        return None
    parts[-1] = parts[-1][:-3]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) if parts and all(parts) else None


# ATOMIC_REQUESTS set for a database: {"default": {..., "ATOMIC_REQUESTS": True}} or
# DATABASES["default"]["ATOMIC_REQUESTS"] = True. Django ignores a top-level setting.
ATOMIC_REQUESTS = re.compile(r"""(?:['"]ATOMIC_REQUESTS['"]\s*:\s*True\b|\[\s*['"]ATOMIC_REQUESTS['"]\s*\]\s*=\s*True\b)""")
# Task backends whose enqueue writes a row in the caller's transaction: the task is
# visible to workers only once that transaction commits.
# django-tasks' ``django_tasks.backends.database.DatabaseBackend`` and the package it
# became, django-tasks-db (``django_tasks_db.DatabaseBackend``): both create the task's
# row with the ORM on the caller's connection.
DATABASE_TASK_BACKEND = re.compile(
    r"""['"](?:[\w.]*tasks\.backends\.database|django_tasks_db(?:\.backend)?)\.DatabaseBackend['"]"""
)
DJANGO_Q_ORM_BROKER = re.compile(r"""Q_CLUSTER[\s\S]{0,2000}?['"]orm['"]\s*:""")
SAVE_CALLS = frozenset({"save", "create", "get_or_create", "update_or_create"})
EMAIL_BACKEND = re.compile(r"""^\s*EMAIL_BACKEND\s*=\s*['"]([\w.]+)['"]""", re.MULTILINE)
QUEUEING_BACKEND = re.compile(r"celery|queue|huey|\brq\b|django_q|dramatiq|async", re.IGNORECASE)
ROOT_URLCONF = re.compile(r"""^\s*ROOT_URLCONF\s*=\s*['"]([\w.]+)['"]""", re.MULTILINE)
# include("app.urls") and include(("app.urls", "app_name"), namespace=...)
INCLUDED_URLCONF = re.compile(r"""\binclude\(\s*\(?\s*['"]([\w.]+)['"]""")
# The statement that sets or extends the MIDDLEWARE setting (MIDDLEWARE = [...],
# MIDDLEWARE += (...), MIDDLEWARE.insert(0, "..."), the old MIDDLEWARE_CLASSES), up to
# the next line that starts a statement, and the dotted names quoted in it.
MIDDLEWARE_SETTING = re.compile(
    r"""^[ \t]*MIDDLEWARE(?:_CLASSES)?\b[^\n]*(?:\n(?:[ \t]+|[\])][^\n]*$|#)[^\n]*)*""", re.MULTILINE
)
# from <module> import <names>: the dots of a relative import, the module, the names
# (in parentheses, over lines, or to the end of the line).
FROM_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:\\\n|[^\n])*)", re.MULTILINE
)
IMPORTED_NAME = re.compile(r"\*|\b\w+\b")
DYNAMIC_IMPORT_NAME = re.compile(r"\b(?:import_module|import_string|autodiscover_modules|__import__)\b")
QUOTED_DOTTED = re.compile(r"""['"]([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)['"]""")


def absolute_name(name: str, module: str, is_package: bool) -> str:
    """``name`` as written in ``module`` (``.signals``, ``..core``) made absolute."""
    if not name.startswith("."):
        return name
    stripped = name.lstrip(".")
    level = len(name) - len(stripped)
    package = module.split(".") if module else []
    if not is_package:
        package = package[:-1]
    if level > 1:
        package = package[: max(0, len(package) - (level - 1))]
    return ".".join(package + ([stripped] if stripped else []))


CONNECT_CALL = re.compile(r"\.connect\(([^)]{0,400})")
IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*\b")


def connects_an_imported_name(text: str) -> bool:
    """Whether a module may pass an imported name to ``.connect()`` (``connect(on_saved)``
    with ``from .handlers import on_saved``, ``connect(receiver=handlers.on_saved, ...)``),
    judged from the text alone, so that only such modules get a libcst parse for the
    project's receiver map. Generous: any name in the arguments that is also imported."""
    names = {name for arguments in CONNECT_CALL.findall(text) for name in IDENTIFIER.findall(arguments)}
    for name in names:
        if re.search(rf"^\s*(?:from\s+\S+\s+)?import\b[^\n]*\b{name}\b", text, re.MULTILINE):
            return True
        if re.search(rf"\bimport\s*\([^)]*\b{name}\b", text):  # from x import (\n a,\n b)
            return True
    return False


# -- one app ------------------------------------------------------------------------------


class AppView:
    """The app package around a file, as far as the rules need it."""

    def __init__(self, app_dir: str, startup_extra: tuple, workspace: "Workspace", is_app: bool = True) -> None:
        self.workspace = workspace
        # False for a package of the project that is not a Django app (no apps.py or
        # models.py at or above it): its modules still have names, other modules and
        # calls, but nothing Django imports by definition.
        self.is_app = is_app
        self.cache = workspace.facts
        self.app_dir = app_dir
        self.root = import_root_of(app_dir)
        self.package = module_name_for(os.path.join(app_dir, "__init__.py"), self.root) or ""
        self.startup_extra = startup_extra
        self._depends_on: dict[str, Optional[tuple]] = {}  # path -> signature when read
        # shared value key -> the files that value was derived from: the store's own dict,
        # not a copy (a project has many app views, and each would copy every file's
        # signature).
        self._shared_reads: dict[tuple, dict] = {}
        self._computing = 0  # how many shared values are being computed (nested) now
        self._checked_at = time.monotonic()
        self._forget()

    def _forget(self) -> None:
        self._startup: Optional[tuple] = None
        self._startup_functions: Optional[dict] = None
        self._wired: Optional[dict] = None
        self._uids: Optional[list] = None
        self._depends_on = {}
        self._shared_reads = {}

    def refresh(self) -> None:
        """Drop what was derived from files that have changed since (editors, long runs).
        Checked at most once a second: one flake8 run lints an app in less."""
        now = time.monotonic()
        if now - self._checked_at < REFRESH_SECONDS:
            return
        self._checked_at = now
        if _changed(self._depends_on) or any(_changed(reads) for reads in self._shared_reads.values()):
            self._forget()

    def _read(self, path: str) -> Optional[str]:
        self._depends_on[path], text = self.workspace.read_signed(path)
        return text

    # -- modules ---------------------------------------------------------------------------

    def module_name_of(self, path: str) -> Optional[str]:
        return module_name_for(os.path.abspath(path), self.root)

    def path_of(self, module: str) -> Optional[str]:
        base = os.path.join(self.root, *module.split("."))
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
        return None

    def in_app(self, module: str) -> bool:
        return module == self.package or module.startswith(self.package + ".")

    def facts_of(self, module: str, need: Optional[str] = None) -> Optional[ModuleFacts]:
        """Parsed facts of a project module; ``None`` if it is missing or does not parse.
        ``need``: a function whose body the caller reads (see FactsCache.facts_for)."""
        path = self.path_of(module)
        if path is None:
            return None
        seen = self._depends_on[path] = signature(path)
        known = self.cache.known(path, seen, need)
        if known is not None:
            return known  # parsed from this very file: no need to read it again
        text = self._read(path)
        if text is None:
            return None
        # The receivers other modules connect by name keep their bodies, as in the
        # module's own check (once the receiver map is known: it is built from here).
        wired = frozenset(name for name, _ in self._wired.get(module, ())) if self._wired is not None else frozenset()
        try:
            return self.cache.facts_for(text, path, module, keep=wired, need=need, disk_signature=self._depends_on[path])
        except Exception:  # unparseable: unknown, never a crash
            return None

    def absolute(self, name: str, facts: ModuleFacts) -> str:
        """A possibly relative dotted name (``.handlers.on_saved``) made absolute."""
        is_package = os.path.basename(facts.path) == "__init__.py"
        return self.relative_to(name, facts.module_name or "", is_package)

    def relative_to(self, name: str, module: str, is_package: bool) -> str:
        """``name`` as written in ``module`` (``.signals``, ``..core``) made absolute."""
        return absolute_name(name, module, is_package)

    def imported_modules(self, module: str, summary: ImportSummary) -> Iterator[str]:
        """Absolute names of what a module's imports may load: every package on the way,
        and for ``from x import y`` also ``x.y`` (a module, if such a file exists)."""
        is_package = (self.path_of(module) or "").endswith("__init__.py")
        for written, names, is_from in summary.imports:
            base = self.relative_to(written, module, is_package)
            parts = base.split(".") if base else []
            for index in range(1, len(parts) + 1):
                yield ".".join(parts[:index])
            for name in names if is_from else ():
                if name != "*":
                    yield f"{base}.{name}" if base else name

    def summary_of(self, module: str) -> Optional[ImportSummary]:
        path = self.path_of(module)
        if path is None:
            return None
        self._depends_on[path], summary = self.workspace.summary_at(path)
        return summary

    # -- start-up ----------------------------------------------------------------------------

    def startup_modules(self) -> Optional[frozenset]:
        """Modules of the project imported at start-up; ``None`` when that cannot be known
        for this app.

        Django imports the models (and apps) module of every installed app, so the
        closure starts from the start-up modules of every app of the project and follows
        imports across apps (``shop.models`` importing ``billing.signals`` registers
        billing's receivers). An app whose start-up code cannot be read or imports by
        computed name is unknown: its own modules are never reported. Modules that an
        import by computed name may load are not in it (see ``may_load_at_startup``)."""
        closure = self._startup_closure()
        return None if self.package in closure.unknown else closure.modules

    def may_load_at_startup(self, module: str) -> bool:
        """Whether start-up code may import ``module`` through a name it computes
        (``import_module(app + ".signals")`` loads some module named ``*.signals``)."""
        return self._startup_closure().may_load(module)

    def _startup_closure(self) -> "ImportClosure":
        if self._startup is None:
            packages = self.workspace.shared.get(("packages",) + self._project_key())
            if packages is None:
                packages = self.workspace.shared[("packages",) + self._project_key()] = self.project_app_packages()
            # An app the walk cannot reach (a folder without __init__.py above it, such as
            # a vendored dist/) is added for its own files, under a key of its own: the
            # shared result must not depend on which file asked first.
            own = () if not self.is_app or not self.package or self.package in packages else (self.package,)
            key = self._project_key() + (self.startup_extra, own)
            self._startup = self._shared("closure", key, lambda: self._compute_startup(packages + list(own)))
        return self._startup

    def _project_key(self) -> tuple:
        scope = self.package.split(".")[0] if self._is_installed_package() else ""
        return (self.root, scope)

    def _shared(self, kind: str, key: tuple, compute):
        """A value derived from the project's files, shared by every app view of the
        project and recomputed when a file it read has changed; the files it read join
        this view's dependencies (see ``refresh``)."""
        store = self.workspace.shared
        key = (kind,) + key
        cached = store.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[2] >= REFRESH_SECONDS:
            # Looked at again at most once a second (every app of a project asks, and
            # the files it read can be a whole project's).
            if _changed(cached[1]):
                cached = None
            else:
                cached = store[key] = (cached[0], cached[1], now)
        if cached is None:
            reads_before = self._depends_on
            self._depends_on = {}
            self._computing += 1
            try:
                value = compute()
                cached = store[key] = (value, self._depends_on, now)
            finally:
                self._computing -= 1
                self._depends_on = reads_before
        if self._computing:
            # Part of another shared value: that value depends on these files too.
            self._depends_on.update(cached[1])
        else:
            self._shared_reads[key] = cached[1]
        return cached[0]

    def _compute_startup(self, packages: list) -> "ImportClosure":
        roots = [root for package in packages for root in startup_roots_of(package)]
        roots += list(self.startup_extra)
        return self._import_closure(roots, packages)

    def _import_closure(self, roots: list, packages: list, follow_includes: bool = False) -> "ImportClosure":
        """What ``roots`` import, transitively (see ``ImportClosure``).
        ``follow_includes``: a URLconf's ``include("app.urls")`` imports that module."""
        seen: set = set()
        unknown: set = set()
        tails: set = set()
        discovered: set = set()
        self._follow_imports(roots, seen, unknown, tails, discovered, packages, follow_includes)
        modules = frozenset(seen)
        followed: set = set()
        while tails - followed:
            # An import by computed name whose tail is written out loads a module with
            # that tail, and its packages: every project module that fits may be the one.
            new = tails - followed
            followed |= new
            fits = [name for name in self._project_module_names() if name.endswith(tuple(new))]
            fits += [name.rsplit(".", depth)[0] for name in fits for depth in range(1, name.count(".") + 1)]
            self._follow_imports(fits, seen, unknown, tails, discovered, packages, follow_includes)
        return ImportClosure(modules, frozenset(unknown), frozenset(seen) - modules, frozenset(tails))

    def _project_module_names(self) -> list:
        return [name for name in map(self.module_name_of, self.project_files()) if name]

    def _follow_imports(
        self, roots: list, seen: set, unknown: set, tails: set, discovered: set, packages: list, follow_includes: bool
    ) -> None:
        """Add to ``seen`` what ``roots`` import, transitively; into ``unknown`` the apps
        whose graph cannot be known, into ``tails`` the tails of names imported by
        computed name."""
        queue = [m for m in roots if m and m not in seen and self.path_of(m) is not None]
        while queue:
            module = queue.pop()
            if module in seen:
                continue
            seen.add(module)
            summary = self.summary_of(module)
            if summary is None:
                # unreadable: that app's graph is unknown
                unknown.add(_package_of(module, packages))
                continue
            if summary.dynamic:
                # It imports by computed name: its app's graph is unknown, and when the
                # name is not confined to its own package (a list from the settings, a
                # loop over the apps) any module of any app may be loaded, so no app's
                # graph is known. What it imports by literal name is still followed.
                unknown.add(_package_of(module, packages))
                if summary.dynamic_anywhere:
                    unknown.update(packages)
            imported = list(self.imported_modules(module, summary))
            tails.update(summary.computed_tails)
            if follow_includes:
                imported.extend(INCLUDED_URLCONF.findall(self._read(self.path_of(module) or "") or ""))
            for name in summary.autodiscovered:
                if name not in discovered:
                    discovered.add(name)
                    imported.extend(f"{package}.{name}" if package else name for package in packages)
            for other in imported:
                found = self.canonical_module(other, module)
                if found is not None and found not in seen:
                    queue.append(found)

    def checks_modules(self) -> Optional[frozenset]:
        """Modules Django imports when its system checks run (runserver, management
        commands that run checks, the test runner, Celery workers with Django's fixup)
        and not before: the URLconf named by ``ROOT_URLCONF`` and what it includes, and
        the template tag libraries of the project's apps; with those an import by
        computed name there may load. ``None`` when that cannot be known (a URLconf that
        imports by a name whose end is computed too)."""
        closure = self._checks_closure()
        return None if closure is None else closure.loaded

    def checks_may_load(self, module: str) -> bool:
        """Whether what Django loads with its system checks imports ``module`` only
        perhaps: through a name it computes (``import_module("%s.signals" % app)``)."""
        closure = self._checks_closure()
        return closure is not None and module not in closure.modules and closure.may_load(module)

    def _checks_closure(self) -> Optional["ImportClosure"]:
        return self._shared("checks", self._project_key(), self._compute_checks_modules)

    def _compute_checks_modules(self) -> Optional["ImportClosure"]:
        packages = self.workspace.shared.get(("packages",) + self._project_key()) or self.project_app_packages()
        roots = []
        for path in self.project_files(include_root_scripts=True):
            text = self._read(path) or ""
            if "ROOT_URLCONF" in text:
                roots.extend(ROOT_URLCONF.findall(text))
            if os.path.basename(os.path.dirname(path)) == "templatetags":
                module = self.module_name_of(path)
                if module:
                    roots.append(module)
        roots = [m for m in roots if self.path_of(m) is not None]
        closure = self._import_closure(roots, packages, follow_includes=True)
        return None if closure.unknown else closure

    def middleware_classes(self) -> frozenset:
        """Dotted names the project's settings list in ``MIDDLEWARE`` (or the old
        ``MIDDLEWARE_CLASSES``), as far as their text shows: Django calls these
        classes for every request."""
        return self._shared("middleware", self._project_key(), self._compute_middleware_classes)

    def _compute_middleware_classes(self) -> frozenset:
        names: set = set()
        for path in self.project_files(include_root_scripts=True):
            text = self._read(path) or ""
            if "MIDDLEWARE" in text:
                for statement in MIDDLEWARE_SETTING.findall(COMMENT.sub(r"\1", text)):
                    names.update(QUOTED_DOTTED.findall(statement))
        return frozenset(names)

    def canonical_module(self, name: str, importer: str) -> Optional[str]:
        """The project module an absolute import ``name`` in ``importer`` loads, named from
        the import root; ``None`` outside the project. Projects also put folders inside
        the tree on sys.path (manage.py's folder, a vendored ``dist/``): an import that
        does not resolve from the import root is looked up from the importer's ancestor
        folders too."""
        if self._in_project(name) and self.path_of(name) is not None:
            return name
        importer_path = self.path_of(importer)
        if importer_path is None or name.startswith("."):
            return None
        relative = os.path.join(*name.split("."))
        directory = os.path.dirname(importer_path)
        while len(directory) > len(self.root):
            for candidate in (os.path.join(directory, relative + ".py"), os.path.join(directory, relative, "__init__.py")):
                if os.path.isfile(candidate):
                    found = module_name_for(candidate, self.root)
                    return found if found and self._in_project(found) else None
            directory = os.path.dirname(directory)
        return None

    def definition_of(self, name: str, facts: ModuleFacts) -> tuple:
        """(qualified name, in the project) of what ``name`` names as written in the module
        of ``facts`` (``.signals.order_paid``, ``helpdesk.order_paid``, ``handlers.Handler.run``):
        relative imports made absolute, a module named without its package (a folder inside
        the tree on sys.path) named from the import root, and a package's re-export
        (``from .signals import order_paid`` in its ``__init__``) followed to the project
        module that defines it. A name outside the project is returned absolute, as
        written; ``in the project`` is False then."""
        importer = facts.module_name or ""
        absolute = self.absolute(name, facts)
        for _ in range(8):  # a re-export of a re-export; never a cycle
            parts = absolute.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                module = self.canonical_module(".".join(parts[:cut]), importer) if importer else None
                if module is None and self._in_project(".".join(parts[:cut])) and self.path_of(".".join(parts[:cut])):
                    module = ".".join(parts[:cut])
                if module is not None:
                    break
            else:
                return absolute, False
            rest = parts[cut:]
            found = ".".join([module] + rest)
            if len(rest) > 1 or self.path_of(found) is not None:
                return found, True  # a class's attribute, or a module
            other = self.facts_of(module)
            if other is None or _binds(other, rest[0]):
                return found, True
            target = other.imports.aliases.get(rest[0])
            if target is None:
                return found, True  # bound some other way (a star import): as far as we can tell
            absolute = self.relative_to(target, module, (self.path_of(module) or "").endswith("__init__.py"))
            if not absolute.split(".")[0]:
                return found, True
            importer = module
        return found, True

    def project_app_packages(self) -> list:
        """Dotted names of the app packages of the project around this app: every package
        under the import root with apps.py or models.py (only this distribution's own
        top-level package when the root is site-packages)."""
        packages = []
        for directory, files in self.project_package_dirs():
            if "apps.py" in files or "models.py" in files or os.path.isfile(os.path.join(directory, "models", "__init__.py")):
                name = module_name_for(os.path.join(directory, "__init__.py"), self.root)
                if name:
                    packages.append(name)
        return packages

    def project_package_dirs(self) -> Iterator[tuple]:
        """(folder, file names) for every package folder of the project."""
        tops = [self.package.split(".")[0]] if self.package else []
        if not self._is_installed_package() and os.path.isdir(self.root):
            tops = sorted(
                name for name in os.listdir(self.root)
                if os.path.isfile(os.path.join(self.root, name, "__init__.py"))
            )
        for top in tops:
            for directory, folders, files in os.walk(os.path.join(self.root, top)):
                folders[:] = sorted(
                    f for f in folders
                    if not f.startswith(".") and f not in SKIPPED_FOLDERS
                    and os.path.isfile(os.path.join(directory, f, "__init__.py"))
                )
                yield directory, files

    def project_files(self, include_root_scripts: bool = False) -> Iterator[str]:
        """The project's package files (and, when asked, the scripts beside them at the
        import root: manage.py, conftest.py)."""
        if include_root_scripts and not self._is_installed_package() and os.path.isdir(self.root):
            for name in sorted(os.listdir(self.root)):
                if name.endswith(".py") and os.path.isfile(os.path.join(self.root, name)):
                    yield os.path.join(self.root, name)
        for directory, files in self.project_package_dirs():
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(directory, name)

    def _is_installed_package(self) -> bool:
        return os.path.basename(self.root) in ("site-packages", "dist-packages")

    def mentioned_elsewhere(self, module: str) -> Optional[str]:
        """How another project file, test code aside, may import ``module``, as far as
        its text shows: ``"named"`` when it names it (an import, or a string such as
        ``MIDDLEWARE = ["shop.middleware.Tracking"]``: the dotted name or its end, as a
        folder inside the tree on sys.path would name it, ``from <parent> import
        <name>`` with relative imports made absolute from the importing file);
        ``"computed"`` when only an import by computed name may load it (one whose
        written tail fits, or whose name is computed to the end); ``None`` when none."""
        own = self.path_of(module)
        parent, _, last = module.rpartition(".")
        parts = module.split(".")
        ends = [".".join(parts[index:]) for index in range(len(parts) - 1)]
        named = re.compile(r"(?<![\w.])(?:%s)\b" % "|".join(map(re.escape, ends))) if ends else None
        closures = self._closure_modules()
        found = None
        for path in self.project_files(include_root_scripts=True):
            if path == own or is_test_path(path, self.root):
                continue
            text = self._read(path) or ""
            importer = self.module_name_of(path) or ""
            if found is None and DYNAMIC_IMPORT_NAME.search(text) and self._may_import_by_name(path, importer, module, closures):
                found = "computed"
            if last not in text:
                continue
            if module in text or (named is not None and named.search(text)):
                return "named"
            is_package = os.path.basename(path) == "__init__.py"
            for dots, written, names in FROM_IMPORT.findall(text):
                base = absolute_name(dots + written, importer, is_package) if dots else written
                if base == module or base.startswith(module + "."):
                    return "named"
                imported = set(IMPORTED_NAME.findall(names))
                if (last in imported or "*" in imported) and (base == parent or (not dots and parent.endswith("." + base))):
                    return "named"
        return found

    def _closure_modules(self) -> frozenset:
        """Modules whose import-time imports by name the start-up and checks closures
        have already followed."""
        startup = self._startup_closure()
        checks = self._checks_closure()
        return startup.loaded | checks.loaded if checks is not None else startup.loaded

    def _may_import_by_name(self, path: str, importer: str, module: str, closures: frozenset) -> bool:
        """Whether the file at ``path`` may import ``module`` by a name it computes or
        reads (``import_module``, ``import_string``, ``autodiscover_modules``): in code
        that runs later than its import, and, unless a closure followed it already, in
        code that runs on import."""
        self._depends_on[path], later = self.workspace.later_imports_at(path)
        summaries = [later]
        if importer not in closures:
            summaries.append(self.summary_of(importer) if importer else None)
        for summary in summaries:
            if summary is None or summary.dynamic:
                return True  # unreadable, or a name computed to the end: anything
            if module.endswith(summary.computed_tails) and summary.computed_tails:
                return True
            if any(module.endswith("." + name) or module == name for name in summary.autodiscovered):
                return True
            for name in self.imported_modules(importer, summary) if importer else ():
                if self.canonical_module(name, importer) == module:
                    return True
        return False

    def name_imported_elsewhere(self, module: str, name: str) -> bool:
        """Whether another file of the project may import ``name`` from ``module``
        (``from .signals import ORDER_ARGS``, or ``import *`` of it), as far as the
        text shows: the name as a word in a file that also names the module."""
        own = self.path_of(module)
        last = module.rsplit(".", 1)[-1]
        word = re.compile(rf"\b{re.escape(name)}\b")
        star = re.compile(rf"^\s*from\s+\S*\b{re.escape(last)}\s+import\s+\*", re.MULTILINE)
        for path in self.project_files(include_root_scripts=True):
            if path == own:
                continue
            text = self._read(path) or ""
            if last in text and (word.search(text) or star.search(text)):
                return True
        return False

    def is_startup_root(self, module: str) -> bool:
        """``P``, ``P.apps``, ``P.models``, ``P.admin`` (and ``P.management``, which migrate
        imports): imported at start-up by definition."""
        return (self.is_app and module in startup_roots_of(self.package)) or module in self.startup_extra

    def has_apps_module(self) -> bool:
        return self.path_of(f"{self.package}.apps" if self.package else "apps") is not None

    # -- what other modules say about this one ----------------------------------------------------

    def wired_receivers(self, facts: ModuleFacts) -> Iterator[tuple[Function, Connection]]:
        """(function of ``facts``, connection) for receivers other project modules connect."""
        module = facts.module_name
        if module is None:
            return
        for name, connection in self._wired_map().get(module, ()):
            function = facts.module_functions.get(name)
            if function is not None:
                yield function, connection

    def wired_names(self, path: str) -> frozenset:
        """Names of the functions of ``path`` that other project modules connect as receivers."""
        module = self.module_name_of(path)
        return frozenset(name for name, _ in self._wired_map().get(module, ())) if module else frozenset()

    def may_wire_receivers_in(self, path: str) -> bool:
        module = self.module_name_of(path)
        return module is not None and module in self._wired_map()

    def _wired_map(self) -> dict:
        """module -> [(function name, connection)] for receivers that some project module
        connects by name (``post_save.connect(handlers.on_saved)`` in a models module,
        another app's ready()), built once per project and process."""
        if self._wired is None:
            self._wired = self._shared("wired", self._project_key(), self._compute_wired)
        return self._wired

    def _compute_wired(self) -> dict:
        wired: dict = {}
        for path in self.project_files():
            text = self._read(path)
            if not text or ".connect(" not in text or not might_wire_signals(text):
                continue
            if not connects_an_imported_name(text):
                continue  # its receivers are its own: the rules see them when it is checked
            module = self.module_name_of(path)
            facts = self.facts_of(module) if module else None
            for connection in facts.connections if facts is not None else ():
                qualname = connection.receiver.qualname
                if connection.receiver.kind == "imported" and qualname:
                    target = self.absolute(qualname, facts)
                    owner, _, name = target.rpartition(".")
                    wired.setdefault(owner, []).append((name, connection))
        return wired

    def model_index(self) -> tuple:
        """(names of model classes the project defines, names used as ``through=`` models),
        read from the text of the project's files once per project and process."""
        return self._shared("models", self._project_key(), self._compute_model_index)

    def _compute_model_index(self) -> tuple:
        models: set = set()
        through: set = set()
        for path in self.project_files():
            text = self._read(path) or ""
            if _models_package(path) is not None:
                models.update(CLASS_STATEMENT.findall(text))
            for quoted, plain in THROUGH_ARGUMENT.findall(text):
                through.add((quoted or plain).rsplit(".", 1)[-1])
        return frozenset(models), frozenset(through)

    def model_labels(self) -> frozenset:
        """``app_label.Model`` of every model class the project defines (the app label
        taken as Django's default, the app package's last name), read from the text."""
        return self._shared("model labels", self._project_key(), self._compute_model_labels)

    def _compute_model_labels(self) -> frozenset:
        labels: set = set()
        for path in self.project_files():
            package = _models_package(path)
            if package is None:
                continue
            label = os.path.basename(package)
            labels.update(f"{label}.{model}" for model in CLASS_STATEMENT.findall(self._read(path) or ""))
        return frozenset(labels)

    def model_named_by_label(self, label: str) -> Optional[str]:
        """The dotted name of the project model class an ``"app_label.Model"`` string
        names (``"projects.Project"`` -> ``readthedocs.projects.models.Project``), or
        ``None`` when it is not exactly one class of the project's models modules. The app
        label is the app package's last name unless its apps.py sets ``label = "..."``;
        an app whose label is set in a way the text does not show is left out."""
        return self._shared("models by label", self._project_key(), self._compute_models_by_label).get(label)

    def _compute_models_by_label(self) -> dict:
        found: dict = {}
        for path in self.project_files():
            package = _models_package(path)
            if package is None:
                continue
            label = self._app_label(package)
            module = module_name_for(path, self.root)
            if label is None or module is None:
                continue
            for model in CLASS_STATEMENT.findall(self._read(path) or ""):
                found.setdefault(f"{label}.{model}", []).append(f"{module}.{model}")
        return {label: names[0] for label, names in found.items() if len(names) == 1}

    def _app_label(self, package: str) -> Optional[str]:
        apps = os.path.join(package, "apps.py")
        text = self._read(apps) if os.path.isfile(apps) else None
        if text is None or not re.search(r"\blabel\s*=", text):
            return os.path.basename(package)
        labels = set(APP_LABEL.findall(text))
        return labels.pop() if len(labels) == 1 and len(re.findall(r"\blabel\s*=", text)) == 1 else None

    def project_calls(self, name: str) -> bool:
        """Whether any project file calls something named ``name`` (``name(...)`` or
        ``x.name(...)``; not ``super().name(...)``), as far as its text shows."""
        return name in self._shared("called names", self._project_key(), self._compute_called_names)

    def _compute_called_names(self) -> frozenset:
        names: set = set()
        for path in self.project_files(include_root_scripts=True):
            names.update(CALLED_NAME.findall(COMMENT.sub(r"\1", self._read(path) or "")))
        return frozenset(names)

    def library_defines(self, dotted_class: str, method: str) -> Optional[bool]:
        """Whether a class from outside the project (read from its source on this
        process's sys.path, never imported) defines ``method``; ``None``: cannot tell."""
        key = ("library method", dotted_class, method)
        store = self.workspace.shared
        if key not in store:
            store[key] = class_defines(dotted_class, method, list(sys.path), self.workspace.read_source)
        return store[key]

    def startup_entry_points(self, facts: ModuleFacts) -> list[Function]:
        """Functions of ``facts`` that start-up code of the project (any app's
        ``AppConfig`` methods and module-level code of its apps module) calls from
        other modules, transitively."""
        names = self._startup_function_map().get(facts.module_name or "", set())
        return [f for f in facts.functions if f.qualname in names]

    def _startup_function_map(self) -> dict:
        """module -> qualnames of its functions reached from start-up code across modules.

        Shared by every app of the project: a package with a ``models.py`` of its own
        inside another app (``shop/nodes/models.py``) has its receivers connected by
        the enclosing app's ``ready()``, and one app's ``ready()`` may call into
        another app."""
        if self._startup_functions is None:
            self._startup_functions = self._shared("startup-functions", self._project_key(), self._compute_startup_functions)
        return self._startup_functions

    def _compute_startup_functions(self) -> dict:
        stack: list = []
        packages = self.workspace.shared.get(("packages",) + self._project_key()) or self.project_app_packages()
        for package in sorted(set(packages) | {self.package}):
            apps = self.facts_of(f"{package}.apps" if package else "apps")
            if apps is not None:
                stack.extend((apps, function) for function in apps.reachable_from(apps.import_time_roots()).values())
        return self._reach(stack)

    def checks_entry_points(self, facts: ModuleFacts) -> list[Function]:
        """Functions of ``facts`` that run when a module Django loads with its system
        checks is imported: the URLconf (``init_signals()`` called at the bottom of an
        app's ``urls.py``) and the template tag libraries. They run in every process
        that runs checks (runserver, most commands, the test runner, Celery workers with
        Django's fixup)."""
        names = self._shared("checks-functions", self._project_key(), self._compute_checks_functions).get(facts.module_name or "", set())
        return [f for f in facts.functions if f.qualname in names]

    def _compute_checks_functions(self) -> dict:
        stack: list = []
        for module in sorted(self.checks_modules() or ()):
            facts = self.facts_of(module)
            if facts is None:
                continue
            stack.extend((facts, function) for function in facts.import_time_roots())
            for call in facts.module_level_calls():
                target = self.resolve_call(call, facts)
                if target is not None:
                    stack.append(target)
        return self._reach(stack)

    def _reach(self, stack: list) -> dict:
        """module -> qualnames of the functions in ``stack`` ((facts, function) pairs)
        and of everything they call, in this module or, resolved, in others."""
        reached: dict = {}
        while stack:
            facts, function = stack.pop()
            names = reached.setdefault(facts.module_name, set())
            if function.qualname in names:
                continue
            names.add(function.qualname)
            for call in function.calls:
                local = facts.callees(call)
                if local is not None:
                    stack.append((facts, local))
                    continue
                target = self.resolve_call(call, facts)
                if target is not None:
                    stack.append(target)
        return reached

    def call_target(self, call: CallSite, facts: ModuleFacts) -> Optional[tuple]:
        """(module, name) of the project module's function a call may run, read from the
        imports alone (nothing is parsed); see ``resolve_call``."""
        qualname = call.qualname
        if qualname is None or call.dotted is None or not facts.imports.is_imported(call.node.func):
            return None
        target = self.absolute(qualname, facts)
        module, _, name = target.rpartition(".")
        if not module or not self._in_project(module):
            return None
        return module, name

    def text_at(self, path: str) -> Optional[str]:
        """The text of a project file, read through the workspace (nothing is parsed)."""
        return self._read(path)

    def resolve_call(self, call: CallSite, facts: ModuleFacts) -> Optional[tuple]:
        """(facts, function) of a project-module function that a call runs, if any."""
        target = self.call_target(call, facts)
        if target is None:
            return None
        module, name = target
        path = self.path_of(module)
        text = self._read(path) if path is not None else None
        if text is None or not _defines(text, name):
            return None  # no def of that name (a class, a constant): nothing to parse for
        other = self.facts_of(module, need=name)
        if other is None or other is facts:
            return None
        function = other.module_functions.get(name)
        return (other, function) if function is not None else None

    def project_class(self, qualname: str, need: Optional[str] = None, _depth: int = 0) -> Optional[tuple]:
        """(facts, ClassInfo) of the project class an absolute dotted name names, through
        re-exports (``from .order import Order`` in ``models/__init__.py``); ``None`` when
        it is not a project module's class, or is bound in a way we do not follow.
        ``need``: a method whose body the caller reads."""
        module, _, name = qualname.rpartition(".")
        if not module or _depth > 4 or not self.is_project_module(module):
            return None
        facts = self.facts_of(module, need=need)
        if facts is None:
            return None
        info = facts.module_classes.get(name)
        if info is not None:
            bound_again = name in facts.module_values or name in facts.imports.aliases
            return None if bound_again else (facts, info)
        imported = facts.imports.aliases.get(name)
        if imported is not None and name not in facts.module_values:
            return self.project_class(self.absolute(imported, facts), need, _depth + 1)
        return None

    def signal_kind(self, qualname: str, _depth: int = 0) -> Optional[str]:
        """What a signal imported from a project module is, read from the module that
        defines it: ``"django"`` (a ``Signal()``/``ModelSignal()`` of Django's),
        ``"other"`` (something else with a ``.connect``: blinker, a Celery signal, a
        project class), ``"unknown"`` when a project module defines it in a way we do
        not follow, and ``None`` when it is not a project module's."""
        module, _, name = qualname.rpartition(".")
        if not module or not self._in_project(module):
            return None
        facts = self.facts_of(module)
        if facts is None or _depth > 4:
            return "unknown"
        if name in facts.local_signals:
            return "django"
        values = facts.module_values.get(name)
        if values:
            return "other" if all(isinstance(value, cst.Call) for value in values) else "unknown"
        imported = facts.imports.aliases.get(name)
        if imported is not None and imported != qualname:
            return self.signal_kind(self.absolute(imported, facts), _depth + 1) or "unknown"
        return "unknown"

    # -- transactions ---------------------------------------------------------------------------

    def transaction_evidence(self) -> "TransactionEvidence":
        """What the project's code shows about open transactions, read once per project."""
        return self._shared("transactions", self._project_key(), self._compute_transaction_evidence)

    def _compute_transaction_evidence(self) -> "TransactionEvidence":
        evidence = TransactionEvidence()
        for path in self.project_files(include_root_scripts=True):
            text = self._read(path) or ""
            shown = os.path.relpath(path, self.root)
            if "ATOMIC_REQUESTS" in text and evidence.atomic_requests is None:
                match = ATOMIC_REQUESTS.search(text)
                if match:
                    evidence.atomic_requests = f"{shown}:{text.count(chr(10), 0, match.start()) + 1}"
            if DATABASE_TASK_BACKEND.search(text):
                evidence.transactional_enqueues.add("enqueue")
            if "Q_CLUSTER" in text and DJANGO_Q_ORM_BROKER.search(text):
                evidence.transactional_enqueues.add("async_task")
            if "atomic" in text or "register" in text:
                _saves_in_transactions(text, shown, evidence.saved_in_atomic)
        return evidence

    def is_project_module(self, module: str) -> bool:
        """A module of this project (a file under its import root, not an installed package)."""
        return self._in_project(module) and self.path_of(module) is not None

    def mail_backend_queues(self) -> bool:
        """Whether the project's ``EMAIL_BACKEND`` hands mail to a task queue
        (django-celery-email's, or any backend named for a queue): sending then does not
        wait for the mail server."""
        return self._shared("queued mail", self._project_key(), self._compute_mail_backend_queues)

    def _compute_mail_backend_queues(self) -> bool:
        for path in self.project_files(include_root_scripts=True):
            text = self._read(path) or ""
            if "EMAIL_BACKEND" in text:
                for backend in EMAIL_BACKEND.findall(text):
                    if QUEUEING_BACKEND.search(backend):
                        return True
        return False

    def _in_project(self, module: str) -> bool:
        """The app's own modules, and other top-level packages of the project; never
        other installed packages (whose import root is site-packages)."""
        if self.in_app(module):
            return True
        if self._is_installed_package():
            return bool(self.package) and module.split(".")[0] == self.package.split(".")[0]
        top = module.split(".")[0]
        return os.path.isdir(os.path.join(self.root, top)) or os.path.isfile(os.path.join(self.root, top + ".py"))

    # -- dispatch_uid across modules -------------------------------------------------------------

    def earlier_dispatch_uids(self, facts: ModuleFacts) -> dict:
        """(signal, sender, uid) -> first connection, from app modules sorting before this one."""
        here = os.path.abspath(facts.path)
        first: dict = {}
        for path, connection in self._uid_connections():
            if path >= here:
                break
            key = (connection.signal.qualname, connection.sender_key, connection.dispatch_uid)
            first.setdefault(key, connection)
        return first

    def _uid_connections(self) -> list:
        if self._uids is None:
            self._uids = []
            for path in sorted(self._app_files()):
                text = self._read(path)
                if not text or "dispatch_uid" not in text:
                    continue
                module = self.module_name_of(path)
                facts = self.facts_of(module) if module else None
                for connection in sorted(facts.connections, key=lambda c: c.order) if facts else ():
                    if connection.dispatch_uid is not None:
                        self._uids.append((path, connection))
        return self._uids

    def may_connect_with_uid(self, signal: str, uid: str) -> bool:
        """Whether some module of the project may connect a receiver to ``signal`` with
        the ``dispatch_uid`` key ``uid`` (``"str:..."``): a connection with that uid, a
        ``dispatch_uid`` the code computes (any uid, as far as we can tell), or a module
        that names ``dispatch_uid`` or the uid's text and cannot be read. Only modules
        whose text names ``dispatch_uid`` or the uid are parsed."""
        text_of_uid = uid[4:]
        for path in self.project_files(include_root_scripts=True):
            text = self._read(path)
            if text is None:
                return True
            if "dispatch_uid" not in text and text_of_uid not in text:
                continue
            module = self.module_name_of(path)
            facts = self.facts_of(module) if module else None
            if facts is None:
                return True
            for connection in facts.connections:
                if connection.dispatch_uid == uid:
                    return True
                computed = connection.dispatch_uid is not None and not connection.dispatch_uid.startswith("str:")
                if computed and connection.signal.qualname == signal:
                    return True
        return False

    def _app_files(self) -> Iterator[str]:
        for directory, folders, files in os.walk(self.app_dir):
            folders[:] = [f for f in folders if not f.startswith(".") and f != "__pycache__"]
            for name in files:
                if name.endswith(".py"):
                    yield os.path.join(directory, name)

    # -- SIG201 -------------------------------------------------------------------------------------


class ImportClosure:
    """What a set of root modules imports, transitively: ``modules`` imported for sure;
    ``unknown``, the apps (or modules outside any app) whose imports cannot be known
    (unreadable, or by a computed name with nothing written at its end); ``maybe``,
    what imports by computed name may load (every project module with the name's
    written tail, what those import); ``tails``, those written tails."""

    __slots__ = ("modules", "unknown", "maybe", "tails", "loaded")

    def __init__(self, modules: frozenset, unknown: frozenset, maybe: frozenset, tails: frozenset) -> None:
        self.modules = modules
        self.unknown = unknown
        self.maybe = maybe
        self.tails = tails
        self.loaded = modules | maybe if maybe else modules  # for sure or perhaps

    def may_load(self, module: str) -> bool:
        """Whether ``module`` may be loaded by an import by computed name: it was found
        to fit, or fits a tail (a module the walk of the project's packages misses)."""
        return module in self.maybe or module.endswith(tuple(self.tails))


class TransactionEvidence:
    """Where a project's saves can run inside a transaction (SIG303's claim rests on it)."""

    def __init__(self) -> None:
        self.atomic_requests: Optional[str] = None  # path:line of ATOMIC_REQUESTS in DATABASES
        self.saved_in_atomic: dict = {}  # model class name -> why its save can be in one
        self.transactional_enqueues: set = set()  # enqueue names that write in the transaction

    def for_save_of(self, model: Optional[str]) -> Optional[str]:
        """Why a save of ``model`` (a class name; None: any model) can run inside an
        open transaction, or None when nothing shows it."""
        if model is not None and model in self.saved_in_atomic:
            return self.saved_in_atomic[model]
        if self.atomic_requests is not None:
            return f"ATOMIC_REQUESTS is set for a database ({self.atomic_requests}), so views save inside a transaction"
        return None


def _is_atomic(expression: ast.AST) -> bool:
    target = expression.func if isinstance(expression, ast.Call) else expression
    return dotted(target).rsplit(".", 1)[-1] == "atomic"


def _saves_in_transactions(text: str, shown: str, found: dict) -> None:
    """Model class names saved inside ``atomic()`` (a ``with`` block or a decorated
    function that names the class and calls save/create), in a model's own ``save()``
    wrapped in ``atomic()``, or registered in the admin (whose add, change and delete
    views run inside ``atomic()``), into ``found``: name -> why."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "save":
                    if any(_is_atomic(d) for d in item.decorator_list) or any(
                        isinstance(inner, ast.With) and any(_is_atomic(i.context_expr) for i in inner.items)
                        for inner in ast.walk(item)
                    ):
                        found.setdefault(node.name, f"{node.name}.save() runs inside atomic() ({shown}:{item.lineno})")
        body = None
        if isinstance(node, ast.With) and any(_is_atomic(item.context_expr) for item in node.items):
            body = node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(_is_atomic(d) for d in node.decorator_list):
            body = node
        if body is not None:
            for name in sorted(_models_saved_in(body)):
                found.setdefault(name, f"{name} is saved inside atomic() ({shown}:{node.lineno})")
        registered = _admin_registered(node)
        for name in registered:
            found.setdefault(
                name, f"{name} is registered in the admin ({shown}:{node.lineno}), whose add and change views save inside atomic()"
            )


def _models_saved_in(body: ast.AST) -> set:
    """The model classes a block surely saves: ``Model.objects.create(...)`` (any
    manager; ``get_or_create``, ``update_or_create``), ``Model(...).save()``, and
    ``x.save()`` where the block binds ``x`` once, to ``Model(...)`` or to what a
    manager of ``Model`` returns (``Model.objects.get(...)``). Another object's
    ``save()`` is no evidence about any class: a block that saves a profile is not one
    that saves users because it reads ``User.objects``."""
    origins: dict = {}
    bound: dict = {}
    for inner in ast.walk(body):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            bound[inner.id] = bound.get(inner.id, 0) + 1
        if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name):
            model = _model_made_by(inner.value)
            if model is not None:
                origins[inner.targets[0].id] = model
    saved = set()
    for inner in ast.walk(body):
        if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr in SAVE_CALLS):
            continue
        owner = inner.func.value
        if inner.func.attr == "save":
            if isinstance(owner, ast.Name) and bound.get(owner.id) == 1 and owner.id in origins:
                saved.add(origins[owner.id])
            elif isinstance(owner, ast.Call):
                model = _model_made_by(owner)
                if model is not None:
                    saved.add(model)
        elif isinstance(owner, ast.Attribute) and _names_a_model(owner.value):
            saved.add(owner.value.id)  # Model.objects.create(...)
    return saved


def _model_made_by(value: ast.AST) -> Optional[str]:
    """The model class whose object an expression gives: ``Model(...)``, or a call on a
    manager of ``Model`` and what it returns (``Model.objects.filter(...).first()``)."""
    if not isinstance(value, ast.Call):
        return None
    if _names_a_model(value.func):
        return value.func.id
    node = value.func
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and _names_a_model(node.value.value):
            return node.value.value.id  # Model.<manager>.<method>
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return None


def _names_a_model(node: ast.AST) -> bool:
    """A bare name written like a class (``Order``), as models are."""
    return isinstance(node, ast.Name) and node.id[:1].isupper()


def _admin_registered(node: ast.AST) -> list:
    """Model names given to ``admin.site.register(...)`` or ``@admin.register(...)``."""
    calls = []
    if isinstance(node, ast.Call) and dotted(node.func).endswith(("site.register", "admin.register")):
        calls.append(node)
    names = []
    for call in calls:
        for argument in call.args[:1] if dotted(call.func).endswith("site.register") else call.args:
            elements = argument.elts if isinstance(argument, (ast.List, ast.Tuple)) else [argument]
            names.extend(dotted(e).rsplit(".", 1)[-1] for e in elements if dotted(e))
    return names


def _defines(text: str, name: str) -> bool:
    """Whether a module's text may define a function ``name`` (a ``def`` of that name
    anywhere: a method too, so never a miss)."""
    return f"def {name}(" in text or re.search(rf"\bdef\s+{re.escape(name)}\s*\(", text) is not None


def _binds(facts: ModuleFacts, name: str) -> bool:
    """Whether a module binds ``name`` itself (a def, a class, an assignment), not by import."""
    return name in facts.module_functions or name in facts.module_classes or name in facts.module_values
