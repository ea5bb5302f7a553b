"""Multi-file fixture projects through real flake8, run from the project root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from flake8_runner import DEFAULT_ARGS, FIXTURES, expected_findings, findings, parse_output, run_flake8

PROJECTS = FIXTURES / "projects"


def expected_for(project) -> dict:
    expected = {}
    for path in sorted(project.rglob("*.py")):
        marked = expected_findings(path)
        if marked:
            expected[os.path.normpath(os.path.relpath(path, project))] = marked
    return expected


def actual_for(project, *args) -> dict:
    found = findings(["."], *DEFAULT_ARGS, *args, cwd=project)
    return {os.path.normpath(path): codes for path, codes in found.items() if codes}


# Projects whose every finding is marked inline (the others serve verify's tests).
OTHER_PROJECTS = [
    PROJECTS / name
    for name in ("atomicsite", "autocommitsite", "computedsite", "loadersite", "pluginsite", "servingsite", "shipsite")
]


@pytest.mark.parametrize("project", OTHER_PROJECTS, ids=lambda p: p.name)
def test_project_findings_are_exactly_the_markers(project):
    expected = expected_for(project)
    assert expected, f"{project.name} marks no finding"
    assert actual_for(project, "-j1") == expected


@pytest.mark.parametrize("project", OTHER_PROJECTS, ids=lambda p: p.name)
def test_project_through_the_command_gives_the_same_findings(project):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "check", "--isolated", *DEFAULT_ARGS, "."],
        cwd=project, capture_output=True, text=True, env=env, timeout=600,
    )
    found: dict = {}
    for line in done.stdout.splitlines():
        path, number, _column, rest = line.split(":", 3)
        found.setdefault(os.path.normpath(path), set()).add((int(number), rest.split()[0]))
    assert found == expected_for(project)


@pytest.fixture(scope="module")
def mysite_j1():
    return actual_for(PROJECTS / "mysite", "-j1")


def test_mysite_findings_are_exactly_the_markers(mysite_j1):
    expected = expected_for(PROJECTS / "mysite")
    assert mysite_j1 == expected


def test_mysite_parallel_run_matches(mysite_j1):
    assert actual_for(PROJECTS / "mysite", "-j2") == mysite_j1


def test_each_file_is_linted_from_its_own_directory_too():
    """Running flake8 on one file from elsewhere finds the same app on disk."""
    project = PROJECTS / "mysite"
    target = project / "forgotten" / "signals.py"
    found = findings([target], *DEFAULT_ARGS)
    assert found == {os.path.normpath(str(target)): expected_findings(target)}


def test_sig201_message_never_points_at_an_apps_module_that_does_not_exist():
    from flake8_runner import parse_output, run_flake8

    result = run_flake8(["legacy/hooks.py", "forgotten/signals.py"], *DEFAULT_ARGS, cwd=PROJECTS / "mysite")
    messages = {path: text for path, _, _, code, text in parse_output(result.stdout) if code == "SIG201"}
    assert "create an AppConfig with a ready() in legacy.apps" in messages["legacy/hooks.py"]
    assert "import it from ready() in forgotten.apps" in messages["forgotten/signals.py"]


def test_sig201_says_never_when_nothing_imports_the_module():
    from flake8_runner import parse_output, run_flake8

    result = run_flake8(["forgotten/login_hooks.py", "forgotten/views.py"], *DEFAULT_ARGS, cwd=PROJECTS / "mysite")
    messages = {path: text for path, _, _, code, text in parse_output(result.stdout) if code == "SIG201"}
    assert "is imported by no module of the project (test code aside)" in messages["forgotten/login_hooks.py"]
    assert "is imported only by other modules of the project, none of them at start-up" in messages["forgotten/views.py"]
    assert "may never" not in messages["forgotten/views.py"]


def test_sig201_says_which_processes_miss_a_module_the_url_conf_or_template_tags_load():
    from flake8_runner import parse_output, run_flake8

    project = PROJECTS / "autocommitsite"
    files = ["library/hooks.py", "library/badges.py", "library/api_views.py", "library/orphans.py"]
    result = run_flake8(files, *DEFAULT_ARGS, cwd=project)
    messages = {path: text for path, _, _, code, text in parse_output(result.stdout) if code == "SIG201"}
    for path in ("library/hooks.py", "library/badges.py", "library/api_views.py"):
        assert "which Django loads when its system checks run" in messages[path]
        assert "in `manage.py shell` and in commands that skip checks" in messages[path]
    assert "never connected" in messages["library/orphans.py"]


def test_sig201_imports_by_computed_name_load_the_modules_their_written_tail_fits():
    """A name computed up to a written tail (``"%s.signals" % app``, ``self.name +
    ".receivers"``) loads a module with that tail: the modules that fit are loaded
    perhaps, the others not, and a name computed to the end may load any module."""
    from flake8_runner import parse_output, run_flake8

    files = ["accounts/signals.py", "accounts/hooks.py", "builder/ws/events.py", "builder/receivers.py"]
    result = run_flake8(files, *DEFAULT_ARGS, cwd=PROJECTS / "pluginsite")
    messages = {path: text for path, _, _, code, text in parse_output(result.stdout) if code == "SIG201"}
    assert "is loaded, if at all, only by an import by computed name in the URLconf or template tags" in messages["accounts/signals.py"]
    assert "in `manage.py shell` and in commands that skip checks" in messages["accounts/signals.py"]
    assert "later at most by an import by computed name" in messages["accounts/hooks.py"]
    assert "is imported by no module of the project (test code aside)" in messages["builder/ws/events.py"]
    assert "builder/receivers.py" not in messages

    result = run_flake8(["shop/order_receivers.py", "shop/payment_hooks.py"], *DEFAULT_ARGS, cwd=PROJECTS / "computedsite")
    messages = {path: text for path, _, _, code, text in parse_output(result.stdout) if code == "SIG201"}
    assert "later at most by an import by computed name" in messages["shop/order_receivers.py"]
    assert "never connected" not in messages["shop/order_receivers.py"]
    assert "shop/payment_hooks.py" not in messages


def test_signal_map_says_unknown_for_a_module_an_import_by_computed_name_may_load_at_start_up():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-m", "flake8_signals", "map", "."],
        cwd=PROJECTS / "pluginsite", capture_output=True, text=True, env=env, timeout=600,
    )
    lines = done.stdout.splitlines()
    receivers = next(index for index, line in enumerate(lines) if "builder.receivers.index_domain" in line)
    assert "registered at start-up: unknown (a start-up module imports modules by computed name" in lines[receivers + 1]
    events = next(index for index, line in enumerate(lines) if "builder.ws.events.broadcast_domain" in line)
    assert "registered at start-up: no" in lines[events + 1]


def _chain_project(root, modules: int) -> None:
    """An app whose receiver reaches requests.post() through ``modules`` helper modules,
    each calling the next."""
    app = root / "relay"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\nclass RelayConfig(AppConfig):\n    name = 'relay'\n\n"
        "    def ready(self):\n        from . import receivers  # noqa: F401\n"
    )
    for number in range(1, modules + 1):
        if number < modules:
            body = f"from relay.step{number + 1} import hop{number + 1}\n\n\ndef hop{number}(pk):\n    hop{number + 1}(pk)\n"
        else:
            body = f"import requests\n\n\ndef hop{number}(pk):\n    requests.post('https://example.com', json={{'pk': pk}})\n"
        (app / f"step{number}.py").write_text(body)
    (app / "receivers.py").write_text(
        "from django.core.signals import request_finished\nfrom django.dispatch import receiver\n\n"
        "from relay.step1 import hop1\n\n\n@receiver(request_finished)\ndef relay(sender, **kwargs):\n    hop1(1)\n"
    )


@pytest.mark.parametrize("modules, reported", [(3, True), (16, True), (17, False)])
def test_helpers_are_followed_through_other_modules_up_to_the_budget(tmp_path, modules, reported):
    """Any depth, but at most MAX_MODULES (16) other modules per receiver: beyond, silent."""
    _chain_project(tmp_path, modules)
    found = findings(["relay/receivers.py"], "--select=SIG301", cwd=tmp_path)
    assert found.get(os.path.normpath("relay/receivers.py"), set()) == ({(9, "SIG301")} if reported else set())


def test_messages_name_what_made_the_object_a_blocking_call_is_made_on():
    """The chain names a helper's client by the call as written, and a method of an
    object the receiver made by that object's class."""
    result = run_flake8(["shipping/receivers.py"], "--select=SIG301", cwd=PROJECTS / "shipsite")
    messages = {line: text for _, line, _, _, text in parse_output(result.stdout)}
    refund = {line: text for line, text in messages.items() if "`refund`" in text}
    assert any("calls billing_client().refunds.create()," in text for text in refund.values())
    assert any("(via Notice.send() -> message.send())" in text for text in refund.values())


@pytest.mark.parametrize(
    "backend, reported",
    [
        ("django_tasks.backends.database.DatabaseBackend", False),
        ("django_tasks_db.DatabaseBackend", False),  # the package django-tasks' backend became
        ("django_tasks_db.backend.DatabaseBackend", False),
        ("django_tasks.backends.immediate.ImmediateBackend", True),
    ],
)
def test_sig303_knows_the_database_task_backends_enqueue_in_the_transaction(tmp_path, backend, reported):
    """The database backends create the task's row with the ORM, in the caller's
    transaction: workers see it only after the commit."""
    project = tmp_path / "autocommitsite"
    shutil.copytree(PROJECTS / "autocommitsite", project)
    settings = project / "config" / "settings.py"
    settings.write_text(settings.read_text().replace("django_tasks.backends.database.DatabaseBackend", backend))
    found = actual_for(project, "-j1").get(os.path.normpath("library/receivers.py"), set())
    assert ((43, "SIG303") in found) is reported


def test_messages_name_the_chain_to_a_method_a_project_client_inherits():
    """A method a project class inherits from a library client reads as written, and
    one reached through the project's own method names that method first."""
    result = run_flake8(["shipping/receivers.py"], "--select=SIG301", cwd=PROJECTS / "shipsite")
    texts = [text for _, _, _, _, text in parse_output(result.stdout) if "`fleet_synced`" in text]
    assert any("calls carrier_session().post()," in text for text in texts)
    assert any("(via CarrierSession.push() -> self.post())" in text for text in texts)
    assert any("(via RelaySMTP.relay() -> self.login())" in text for text in texts)
