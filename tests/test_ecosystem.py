"""Where users run the plugin: a pre-commit hook, and an editor's language server."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from flake8_runner import ROOT

PITFALL = textwrap.dedent(
    """\
    from django.db.models.signals import post_save

    post_save.connect(lambda sender, **kwargs: None, sender="shop.Order")
    """
)


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_hook_fails_a_commit_with_a_signal_pitfall(tmp_path):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("this checkout has no commit to install the hook from")
    repo = tmp_path / "project"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    _git("config", "user.email", "dev@example.com", cwd=repo)
    _git("config", "user.name", "Dev", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head.stdout.strip()}\n    hooks:\n"
        "      - id: flake8-signals\n      - id: flake8-signals-check\n"
    )
    (repo / "receivers.py").write_text(PITFALL)
    _git("add", ".", cwd=repo)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    # both hooks report it: the flake8 one and the standalone command
    assert result.stdout.count("receivers.py:3:1: SIG102") == 2, result.stdout

    (repo / "receivers.py").write_text("def on_saved(sender, **kwargs):\n    pass\n")
    clean = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # A file flake8 cannot parse was never checked: the hook must not pass it.
    (repo / "broken.py").write_text("from django.dispatch import receiver\ndef on_saved(sender, **kwargs:\n")
    _git("add", ".", cwd=repo)
    broken = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert broken.stdout.count("E999") == 2, broken.stdout  # each hook fails on it


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_fix_hook_rewrites_and_fails_once(tmp_path):
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("this checkout has no commit to install the hook from")
    shown = subprocess.run(["git", "show", "HEAD:.pre-commit-hooks.yaml"], cwd=ROOT, capture_output=True, text=True)
    if "flake8-signals-fix" not in shown.stdout:
        pytest.skip("the hook is not committed yet")
    repo = tmp_path / "project"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head.stdout.strip()}\n    hooks:\n      - id: flake8-signals-fix\n"
    )
    source = (
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n\n\n"
        "@receiver(post_save)\n"
        "def on_saved(sender, instance):\n"
        "    pass\n"
    )
    (repo / "receivers.py").write_text(source)
    _git("add", ".", cwd=repo)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    env.pop("PYTHONPATH", None)
    run = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    first = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 1, first.stdout + first.stderr  # pre-commit: files were modified
    assert "def on_saved(sender, instance, **kwargs):" in (repo / "receivers.py").read_text()
    second = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr


class LanguageServer:
    """A minimal LSP client over stdio. A reader thread parses the server's messages
    into a queue, so that every wait has a deadline even when the server says nothing."""

    def __init__(self, cwd: Path) -> None:
        env = dict(os.environ)
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        env.pop("PYTHONPATH", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pylsp"], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, method: str, params: dict, request: bool = False) -> None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(EOFError("the language server exited"))
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def receive(self, deadline: float) -> dict:
        """The next message; TimeoutError once ``deadline`` (time.monotonic()) passes."""
        try:
            message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError("no message from the language server before the deadline") from None
        if isinstance(message, Exception):
            raise message
        return message

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def test_language_server_reports_sig_diagnostics(tmp_path):
    document = tmp_path / "receivers.py"
    document.write_text(PITFALL)
    server = LanguageServer(tmp_path)
    deadline = time.monotonic() + 120
    try:
        server.send("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}, request=True)
        while "id" not in server.receive(deadline):
            pass
        server.send("initialized", {})
        plugins = {
            "flake8": {"enabled": True},
            "pycodestyle": {"enabled": False},
            "pyflakes": {"enabled": False},
            "mccabe": {"enabled": False},
        }
        server.send("workspace/didChangeConfiguration", {"settings": {"pylsp": {"plugins": plugins}}})
        server.send(
            "textDocument/didOpen",
            {"textDocument": {"uri": document.as_uri(), "languageId": "python", "version": 1, "text": PITFALL}},
        )
        diagnostics = []
        while not any(d.get("code") == "SIG102" for d in diagnostics):
            message = server.receive(deadline)
            if message.get("method") == "textDocument/publishDiagnostics":
                diagnostics = message["params"]["diagnostics"]
        found = [d for d in diagnostics if d.get("code") == "SIG102"]
        assert found[0]["range"]["start"]["line"] == 2  # zero-based: line 3 of the document
        assert found[0]["source"] == "flake8"
    finally:
        server.close()


def test_language_server_client_gives_up_at_its_deadline(tmp_path):
    """The client itself cannot hang: a server that never answers ends in TimeoutError."""
    server = LanguageServer(tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            server.receive(time.monotonic() + 1.0)  # nothing was sent, so nothing comes
        assert time.monotonic() - started < 10
    finally:
        server.close()
