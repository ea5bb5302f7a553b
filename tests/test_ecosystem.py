"""Where users run the plugin: a pre-commit hook, and an editor's language server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
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
        f"repos:\n  - repo: {ROOT}\n    rev: {head.stdout.strip()}\n    hooks:\n      - id: flake8-signals\n"
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
    assert "receivers.py:3:1: SIG102" in result.stdout

    (repo / "receivers.py").write_text("def on_saved(sender, **kwargs):\n    pass\n")
    clean = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr


class LanguageServer:
    """A minimal LSP client over stdio."""

    def __init__(self, cwd: Path) -> None:
        env = dict(os.environ)
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        env.pop("PYTHONPATH", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pylsp"], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.next_id = 0

    def send(self, method: str, params: dict, request: bool = False) -> None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict:
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the language server exited")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def test_language_server_reports_sig_diagnostics(tmp_path):
    document = tmp_path / "receivers.py"
    document.write_text(PITFALL)
    server = LanguageServer(tmp_path)
    try:
        server.send("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}, request=True)
        while "id" not in server.receive():
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
        deadline = time.monotonic() + 120
        diagnostics = []
        while time.monotonic() < deadline and not any(d.get("code") == "SIG102" for d in diagnostics):
            message = server.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                diagnostics = message["params"]["diagnostics"]
        found = [d for d in diagnostics if d.get("code") == "SIG102"]
        assert found, diagnostics
        assert found[0]["range"]["start"]["line"] == 2  # zero-based: line 3 of the document
        assert found[0]["source"] == "flake8"
    finally:
        server.close()
