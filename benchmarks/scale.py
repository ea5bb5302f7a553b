"""Plugin cost against project size: a generated project with thousands of apps.

    python benchmarks/scale.py [--apps 250 500 1000]

Each generated app has __init__.py, apps.py, models.py, signals.py (imported from
ready() in half the apps, forgotten in the others), handlers.py (connected from
apps.py) and views.py: 6 files an app. Prints files, findings, the plugin's own time and time per file for each
size; linear cost shows as a flat time per file. Run by hand; not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNNER = Path(__file__).with_name("run_flake8.py")

APPS_PY = '''\
from django.apps import AppConfig
from django.db.models.signals import post_save


class App{n}Config(AppConfig):
    name = "app{n}"

    def ready(self):
        from . import handlers
        {import_signals}
        post_save.connect(handlers.on_saved, sender="app{n}.Thing")
'''

MODELS_PY = '''\
from django.db import models


class Thing(models.Model):
    name = models.CharField(max_length=20)
'''

SIGNALS_PY = '''\
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Thing


@receiver(post_save, sender=Thing)
def on_thing(sender, instance, created, **kwargs):
    if created:
        Thing.objects.filter(pk=instance.pk).update(name="x")
'''

HANDLERS_PY = '''\
def on_saved(sender, instance, **kwargs):
    instance.name = instance.name.strip()
'''

VIEWS_PY = '''\
from django.http import HttpResponse


def index(request):
    return HttpResponse("ok")
'''


def generate(root: Path, apps: int) -> int:
    for n in range(apps):
        app = root / f"app{n}"
        app.mkdir()
        (app / "__init__.py").write_text("")
        import_signals = "from . import signals  # noqa: F401" if n % 2 == 0 else "pass"
        (app / "apps.py").write_text(APPS_PY.format(n=n, import_signals=import_signals))
        (app / "models.py").write_text(MODELS_PY)
        (app / "signals.py").write_text(SIGNALS_PY)
        (app / "handlers.py").write_text(HANDLERS_PY)
        (app / "views.py").write_text(VIEWS_PY)
    return apps * 6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, nargs="+", default=[100, 200, 400])
    args = parser.parse_args()
    print(f"{'apps':>6} {'files':>7} {'findings':>9} {'plugin s':>9} {'ms/file':>8} {'flake8 s':>9}")
    for apps in args.apps:
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            files = generate(root, apps)
            stats_file = root / "stats.json"
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, str(RUNNER), "--stats", str(stats_file), "--isolated", "-j1", "--select=SIG", "."],
                cwd=root, capture_output=True, text=True,
            )
            elapsed = time.perf_counter() - started
            stats = json.loads(stats_file.read_text())
            findings = len(result.stdout.splitlines())
            per_file = stats["seconds"] / max(stats["files"], 1) * 1000
            print(f"{apps:>6} {files:>7} {findings:>9} {stats['seconds']:>9.2f} {per_file:>8.2f} {elapsed:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
