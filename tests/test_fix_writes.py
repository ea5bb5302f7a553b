"""``flake8-signals fix`` never loses a user's bytes: a write that fails part-way, a
read-only file in the middle of a run, a file edited while the command works, and a
file that does not exist each leave the files as they were, are reported, and do not
stop the other files from being fixed."""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_signals.frontends import cli, writing

SOURCE = (
    "from django.db.models.signals import post_save\n"
    "from django.dispatch import receiver\n\n\n"
    "@receiver(post_save)\n"
    "def on_saved(sender, instance):\n"
    "    pass\n"
)
FIXED = SOURCE.replace("instance):", "instance, **kwargs):")


def _files(folder: Path, *names: str) -> list:
    paths = []
    for name in names:
        path = folder / name
        path.write_text(SOURCE)
        paths.append(path)
    return paths


def _leftovers(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".flake8-signals"))


def _fix(folder: Path, monkeypatch, capsys, *args: str) -> tuple:
    monkeypatch.chdir(folder)
    status = cli.main(["fix", "--isolated", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def test_a_write_that_fails_part_way_leaves_the_original(tmp_path, monkeypatch, capsys):
    first, second = _files(tmp_path, "a.py", "b.py")
    real_fdopen = os.fdopen

    class HalfWritten:
        """A handle that writes half of what it is given, then reports a full disk."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    def failing_fdopen(descriptor, *args, **kwargs):
        handle = real_fdopen(descriptor, *args, **kwargs)
        return HalfWritten(handle) if first.name in os.readlink(f"/proc/self/fd/{descriptor}") else handle

    monkeypatch.setattr(writing.os, "fdopen", failing_fdopen)
    status, out, err = _fix(tmp_path, monkeypatch, capsys, ".")
    assert status == 1
    assert first.read_text() == SOURCE  # untouched, not half of the new bytes
    assert second.read_text() == FIXED  # the other file is still fixed
    assert "a.py: not written: OSError: No space left on device" in err
    assert "1 file was not written" in out
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_a_file_size_limit_leaves_the_original(tmp_path):
    # The original is larger than the limit, as in a real project file; the new bytes
    # cannot be written whole, so the file must keep its old bytes whole.
    padding = "".join(f"# line {number} of a long comment block\n" for number in range(100))
    target = tmp_path / "receivers.py"
    target.write_text(SOURCE + padding)
    size = target.stat().st_size

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    done = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "fix", "--isolated", "receivers.py"],
        cwd=tmp_path, capture_output=True, preexec_fn=limit, timeout=600,
    )
    assert size > 2048
    assert target.read_text() == SOURCE + padding
    assert done.returncode == 1 and b"not written" in done.stderr, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    assert _leftovers(tmp_path) == []


def test_a_read_only_file_in_the_middle_of_a_run(tmp_path, monkeypatch, capsys):
    before, locked, after = _files(tmp_path, "a.py", "b.py", "c.py")
    locked.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        status, out, err = _fix(tmp_path, monkeypatch, capsys, ".")
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert status == 1
    assert before.read_text() == FIXED and after.read_text() == FIXED
    assert locked.read_text() == SOURCE
    assert "b.py: not written: it is read-only" in err
    # The summary counts only what was written.
    assert "Fixed 2 findings in 2 files (SIG501 x2)." in out
    assert "1 file was not written" in out


def test_a_file_changed_during_the_run_keeps_the_change(tmp_path, monkeypatch, capsys):
    target, other = _files(tmp_path, "a.py", "b.py")
    real_fix_files = cli._fix_files

    def edited_meanwhile(*args, **kwargs):
        found = real_fix_files(*args, **kwargs)
        with open(target, "a") as handle:  # an editor saves while fix is working
            handle.write("EDITED = True\n")
        return found

    monkeypatch.setattr(cli, "_fix_files", edited_meanwhile)
    status, out, err = _fix(tmp_path, monkeypatch, capsys, ".")
    assert status == 1
    assert target.read_text() == SOURCE + "EDITED = True\n"
    assert other.read_text() == FIXED
    assert "a.py: not written: it changed while flake8-signals was fixing it; run fix again" in err


def test_a_file_created_meanwhile_is_not_overwritten(tmp_path):
    target = tmp_path / "apps.py"
    target.write_text("# the user's own\n")
    with pytest.raises(writing.NotWritten, match="created while"):
        writing.replace_file(str(target), None, b"from django.apps import AppConfig\n")
    assert target.read_text() == "# the user's own\n"


def test_the_new_file_keeps_the_old_permissions(tmp_path, monkeypatch, capsys):
    (target,) = _files(tmp_path, "a.py")
    target.chmod(0o640)
    status, _out, _err = _fix(tmp_path, monkeypatch, capsys, "a.py")
    assert status == 0 and target.read_text() == FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symbolic_link_keeps_pointing_at_the_fixed_file(tmp_path, monkeypatch, capsys):
    real_folder = tmp_path / "real"
    real_folder.mkdir()
    (target,) = _files(real_folder, "a.py")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    status, _out, _err = _fix(tmp_path, monkeypatch, capsys, "link.py")
    assert status == 0
    assert link.is_symlink() and target.read_text() == FIXED


def test_a_missing_file_is_an_error(tmp_path, monkeypatch, capsys):
    status, _out, err = _fix(tmp_path, monkeypatch, capsys, "nonexistent.py")
    assert status == 1
    assert "nonexistent.py: not fixed" in err
