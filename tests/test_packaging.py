"""The source distribution holds what its tests and documentation need, and the
metadata says which Python and Django versions the package supports."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile

import pytest

from flake8_runner import ROOT

NEEDED = ("tests/fixtures", "tests/truth_app", "examples", "docs")
NEEDED_FILES = (
    "tests/conftest.py",
    "tests/flake8_runner.py",
    "tests/django_setup.py",
    "CHANGELOG.md",
    ".pre-commit-hooks.yaml",
    "README.md",
    "LICENSE",
)


def _builder_missing() -> str:
    try:
        import build  # noqa: F401
        import setuptools
    except ImportError as error:
        return f"cannot build here: {error}"
    if int(setuptools.__version__.split(".")[0]) < 77:
        return "the build backend needs setuptools 77+"
    return ""


@pytest.mark.skipif(bool(_builder_missing()), reason=_builder_missing() or "builds")
def test_the_sdist_holds_what_its_tests_need(tmp_path):
    # Built from a copy without the egg-info an editable install leaves: setuptools would
    # otherwise take its old list of files instead of MANIFEST.in's.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT, source,
        ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", ".git", "build", "dist", ".hypothesis", ".pytest_cache", ".venv"),
    )
    built = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (archive,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(archive) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
        metadata = sdist.extractfile(next(n for n in sdist.getnames() if n.endswith("/PKG-INFO") and n.count("/") == 1)).read().decode()
    expected = set(NEEDED_FILES)
    for folder in NEEDED:
        expected |= {
            str(path.relative_to(ROOT)) for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
        }
    assert expected - members == set()
    assert not any("__pycache__" in name for name in members)

    classifiers = {line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Classifier: ")}
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in range(9, 14)} <= classifiers
    assert {f"Framework :: Django :: {version}" for version in ("4.2", "5.0", "5.1", "5.2", "6.0")} <= classifiers
    assert "Development Status :: 4 - Beta" in classifiers
    assert "Requires-Dist: tomli>=1.1; python_version < \"3.11\"" in metadata
