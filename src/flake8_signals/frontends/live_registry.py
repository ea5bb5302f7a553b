"""Read the live signal registry of a Django project, in a process of its own.

``flake8-signals verify`` runs this module as ``python -m
flake8_signals.frontends.live_registry SETTINGS [PYTHONPATH ...]`` so that the
checker's own process never imports the project's code. It starts the project the way
Django does and reads every ``django.dispatch.Signal``'s live receivers twice:

1. after ``django.setup()`` (settings, every installed app's models and ``ready()``);
2. after importing ``ROOT_URLCONF``, as Django's system check does (and as the first
   request does).

It configures no logging (a file handler would create its file), writes no bytecode,
runs no migration and no query: it only imports. It prints one JSON document on
standard output (whatever the project prints goes to standard error): the Django
version, each stage's signals with their live receivers, and, when a stage fails, the
exception with the frames of its traceback. It imports nothing of flake8-signals, so
that it can run in any environment that has Django.
"""

from __future__ import annotations

import functools
import gc
import inspect
import json
import linecache
import os
import re
import sys
import traceback
import weakref

try:  # importing these reads no settings and imports nothing of the project
    import django
    from django.apps import apps
    from django.conf import settings
    from django.dispatch import Signal
    from django.urls import get_resolver
except ImportError as error:  # reported as the start-up error of the first stage
    django = apps = settings = Signal = get_resolver = None
    DJANGO_MISSING = error
else:
    DJANGO_MISSING = None

DEF_LINE = re.compile(r"\s*(async\s+)?def\s")


# -- one signal's receivers --------------------------------------------------------------------


def receiver_entries(signal) -> list:
    """[(receiver or ``None`` when its weak reference is dead, sender key, sender object or
    ``None``, is_async or ``None``, weak)] for one signal, whatever the layout of
    ``Signal.receivers``:

    - Django 4.2: ``(lookup_key, receiver)``;
    - Django 5.0 to 5.2: ``(lookup_key, receiver, is_async)``;
    - Django 6.0: ``(lookup_key, receiver, sender_ref, is_async)``.

    ``receiver`` is the function itself, or a ``weakref.ref`` / ``weakref.WeakMethod``
    to it when it was connected weakly (the default). ``lookup_key`` is
    ``(id of the receiver or its dispatch_uid, id of the sender)``."""
    found = []
    for entry in list(getattr(signal, "receivers", ())):
        if not isinstance(entry, tuple) or len(entry) < 2:
            continue
        lookup_key, held = entry[0], entry[1]
        is_async = entry[-1] if len(entry) >= 3 and isinstance(entry[-1], bool) else None
        sender = None
        if len(entry) >= 4:
            sender = entry[2]() if isinstance(entry[2], weakref.ReferenceType) else entry[2]
        weak = isinstance(held, weakref.ReferenceType)  # WeakMethod is one too
        receiver = held() if weak else held
        sender_key = lookup_key[1] if isinstance(lookup_key, tuple) and len(lookup_key) == 2 else None
        found.append((receiver, sender_key, sender, is_async, weak))
    return found


def describe(receiver) -> dict:
    """module, qualname, kind, file and line of a live receiver."""
    kind = "function"
    target = receiver
    if isinstance(target, functools.partial):
        kind, target = "partial", target.func
    if inspect.ismethod(target):
        kind, target = ("method" if kind == "function" else kind), target.__func__
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", None)
    if not isinstance(qualname, str):  # a callable object: its class
        cls = type(target)
        kind, module, qualname = "object", cls.__module__, cls.__qualname__
    try:
        code = getattr(inspect.unwrap(target), "__code__", None)
    except Exception:
        code = None
    path = line = None
    if code is not None:
        path, line = _absolute(code.co_filename), def_line(code.co_filename, code.co_firstlineno)
    else:
        try:
            path = os.path.abspath(inspect.getsourcefile(type(target)) or "") or None
        except (TypeError, OSError):
            path = None
    return {
        "module": module if isinstance(module, str) else None,
        "qualname": qualname,
        "kind": kind,
        "path": path,
        "line": line,
        "is_async": inspect.iscoroutinefunction(target) if kind != "object" else False,
    }


def def_line(filename: str, first: int) -> int:
    """The ``def`` line of a function whose code starts at ``first`` (its first decorator)."""
    if not linecache.getline(filename, first).lstrip().startswith("@"):
        return first
    for number in range(first, first + 100):
        text = linecache.getline(filename, number)
        if not text:
            break
        if DEF_LINE.match(text):
            return number
    return first


# -- the registry ------------------------------------------------------------------------------


def signal_names() -> dict:
    """id(signal) -> the names it is reachable by: module attributes and class attributes
    of the modules loaded. Only ``type()`` is looked at: a lazy object's ``__class__``
    would evaluate it."""
    names: dict = {}
    for module_name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for attribute, value in list(namespace.items()):
            kind = type(value)
            if issubclass(kind, Signal):
                names.setdefault(id(value), []).append(f"{module_name}.{attribute}")
            elif kind is type and getattr(value, "__module__", None) == module_name:
                for inner, member in list(vars(value).items()):
                    if issubclass(type(member), Signal):
                        names.setdefault(id(member), []).append(f"{module_name}.{value.__qualname__}.{inner}")
    return names


def model_labels() -> dict:
    """id(model class) -> ``app_label.Model``, for naming senders."""
    try:
        return {id(model): model._meta.label for model in apps.get_models(include_auto_created=True)}
    except Exception:
        return {}


def snapshot() -> list:
    """Every signal with live receivers: its names and its live receivers."""
    names = signal_names()
    labels = model_labels()
    none_key = id(None)
    found = []
    for signal in [obj for obj in gc.get_objects() if issubclass(type(obj), Signal)]:
        receivers = []
        for receiver, sender_key, sender, is_async, weak in receiver_entries(signal):
            if receiver is None:
                continue  # a dead weak reference: it will never run
            described = describe(receiver)
            if is_async is not None:
                described["is_async"] = is_async
            described["weak"] = weak
            if sender is not None:
                described["sender"] = labels.get(id(sender)) or getattr(sender, "__qualname__", None) or repr(sender)
            elif sender_key == none_key:
                described["sender"] = None
            else:
                described["sender"] = labels.get(sender_key, "?")
            receivers.append(described)
        if receivers:
            found.append({"names": sorted(names.get(id(signal), [])), "receivers": receivers})
    found.sort(key=lambda item: item["names"][:1])
    return found


def failure(stage: str, error: BaseException) -> dict:
    frames = traceback.extract_tb(error.__traceback__)
    if isinstance(error, SyntaxError) and error.filename:
        frames.append(traceback.FrameSummary(error.filename, error.lineno or 1, "<module>"))
    return {
        "stage": stage,
        "type": type(error).__name__,
        "message": str(error),
        "module": getattr(error, "name", None) if isinstance(error, ImportError) else None,
        "frames": [[_absolute(frame.filename), frame.lineno, frame.name] for frame in frames],
    }


def _absolute(filename: str) -> str:
    return filename if filename.startswith("<") else os.path.abspath(filename)


def run(settings_module: str, pythonpath: list) -> dict:
    """The stages, in order; the first failure ends the run."""
    result: dict = {"django": None, "stages": [], "error": None, "urlconf": None}
    if django is None:
        result["error"] = failure("settings", DJANGO_MISSING)
        return result
    result["django"] = django.get_version()
    for entry in reversed(pythonpath):
        sys.path.insert(0, os.path.abspath(entry))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    stage = "settings"
    try:
        settings.INSTALLED_APPS  # imports the settings module
        settings.LOGGING_CONFIG = None  # no handler opens a file
        stage = "setup"
        django.setup()
        result["stages"].append({"name": "setup", "signals": snapshot()})
        stage = "urlconf"
        result["urlconf"] = getattr(settings, "ROOT_URLCONF", None)
        if result["urlconf"]:
            get_resolver(result["urlconf"]).url_patterns  # imports it, and what it includes
            result["stages"].append({"name": "urlconf", "signals": snapshot()})
    except BaseException as error:  # SystemExit from a settings file too
        result["error"] = failure(stage, error)
    return result


def main(argv: list) -> int:
    output = sys.stdout
    sys.stdout = sys.stderr  # what the project prints is not the document
    sys.dont_write_bytecode = True
    result = run(argv[0], argv[1:])
    output.write(json.dumps(result) + "\n")
    output.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
