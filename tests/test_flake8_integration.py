"""The plugin inside real flake8: noqa, select/ignore, stdin, parallel runs, config files."""

from __future__ import annotations

import os
import textwrap

import pytest

from flake8_runner import DEFAULT_ARGS, FIXTURES, ROOT, findings, parse_output, run_flake8

SIG101_FIXTURE = FIXTURES / "rules" / "sig101_connect_outside_ready.py"
MYSITE = FIXTURES / "projects" / "mysite"

SNIPPET = textwrap.dedent(
    """\
    from django.db.models.signals import post_save
    from django.dispatch import receiver


    def view(request):
        post_save.connect(handler, sender=1)  # noqa: SIG101
        post_save.connect(lambda **kw: None, sender=1)  # noqa: SIG101


    def handler(sender, instance):
        pass
    """
)


def codes_of(result) -> list:
    return sorted((line, code) for _, line, _, code, _ in parse_output(result.stdout))


def test_plugin_is_registered():
    result = run_flake8([], "--version")
    assert "flake8-signals" in result.stdout


def test_noqa_silences_only_the_named_code(tmp_path):
    target = tmp_path / "snippet.py"
    target.write_text(SNIPPET)
    result = run_flake8([target], *DEFAULT_ARGS)
    # line 6: SIG101 silenced; line 7: SIG101 silenced but SIG102 still reported
    assert codes_of(result) == [(7, "SIG102"), (10, "SIG501")]


def test_select_and_extend_ignore(tmp_path):
    target = tmp_path / "snippet.py"
    target.write_text(SNIPPET.replace("  # noqa: SIG101", ""))
    assert codes_of(run_flake8([target], "--select=SIG102")) == [(7, "SIG102")]
    ignored = codes_of(run_flake8([target], "--select=SIG", "--extend-ignore=SIG101,SIG504"))
    assert ("SIG101" not in {code for _, code in ignored}) and (7, "SIG102") in ignored


OPT_IN_SNIPPET = textwrap.dedent(
    """\
    from django.db.models import F
    from django.db.models.signals import post_save
    from django.dispatch import receiver


    @receiver(post_save)
    def count_saves(sender, instance, **kwargs):
        type(instance).objects.filter(pk=1).update(saves=F("saves") + 1)
    """
)


@pytest.mark.parametrize(
    "args, config",
    [
        ((), None),
        (("--select=SIG",), None),
        (("--extend-select=SIG",), None),  # the README's editor snippet
        (("--select=SIG4,SIG5",), None),
        (("--select=SIG,E9",), None),  # the pre-commit hook's own arguments
        ((), "[flake8]\nignore = E501\n"),  # replaces flake8's default ignore list
        ((), "[flake8]\nextend-select = SIG\n"),
    ],
)
def test_opt_in_rules_are_not_reported_unless_named(tmp_path, args, config):
    (tmp_path / "snippet.py").write_text(OPT_IN_SNIPPET)
    if config is not None:
        (tmp_path / "setup.cfg").write_text(config)
        args = (*args, "--no-isolated")
    result = run_flake8(["snippet.py"], *args, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    codes = {code for _, code in codes_of(result)}
    assert codes.isdisjoint({"SIG404", "SIG504"}), result.stdout


@pytest.mark.parametrize(
    "args, config, expected",
    [
        (("--extend-select=SIG504",), None, {"SIG504"}),
        (("--select=SIG404,SIG504",), None, {"SIG404", "SIG504"}),
        (("--select=SIG40",), None, {"SIG404"}),
        (("--select=SIG",  "--extend-select=SIG50"), None, {"SIG504"}),
        ((), "[flake8]\nignore = E501\nextend-select = SIG404\n", {"SIG404"}),
    ],
)
def test_opt_in_rules_are_reported_when_named(tmp_path, args, config, expected):
    (tmp_path / "snippet.py").write_text(OPT_IN_SNIPPET)
    if config is not None:
        (tmp_path / "setup.cfg").write_text(config)
        args = (*args, "--no-isolated")
    codes = {code for _, code in codes_of(run_flake8(["snippet.py"], *args, cwd=tmp_path))}
    assert codes & {"SIG404", "SIG504"} == expected


def test_off_by_default_rules_need_opting_in(tmp_path):
    target = tmp_path / "snippet.py"
    target.write_text(SNIPPET.replace(", sender=1)", ")"))
    default_codes = {code for _, code in codes_of(run_flake8([target]))}
    assert "SIG504" not in default_codes and "SIG102" in default_codes
    opted_in = {code for _, code in codes_of(run_flake8([target], "--extend-select=SIG504"))}
    assert "SIG504" in opted_in


def test_stdin_reports_what_the_file_run_reports():
    source = SIG101_FIXTURE.read_text()
    name = os.path.relpath(SIG101_FIXTURE, ROOT)
    on_disk = run_flake8([name], *DEFAULT_ARGS)
    from_stdin = run_flake8(["-"], *DEFAULT_ARGS, f"--stdin-display-name={name}", stdin=source)
    assert on_disk.stdout and on_disk.stdout == from_stdin.stdout


def test_stdin_uses_the_display_name_to_find_the_app():
    target = MYSITE / "forgotten" / "signals.py"
    name = os.path.join("forgotten", "signals.py")
    from_stdin = run_flake8(["-"], *DEFAULT_ARGS, f"--stdin-display-name={name}", cwd=MYSITE, stdin=target.read_text())
    on_disk = run_flake8([name], *DEFAULT_ARGS, cwd=MYSITE)
    assert "SIG201" in from_stdin.stdout
    assert from_stdin.stdout == on_disk.stdout


def test_stdin_with_a_name_not_on_disk_keeps_cross_file_rules_quiet():
    source = (MYSITE / "forgotten" / "signals.py").read_text()
    result = run_flake8(["-"], *DEFAULT_ARGS, "--stdin-display-name=nowhere/signals.py", cwd=MYSITE, stdin=source)
    assert result.returncode == 0 and result.stdout == "" and "Traceback" not in result.stderr
    anonymous = run_flake8(["-"], *DEFAULT_ARGS, cwd=MYSITE, stdin=source)
    assert anonymous.returncode == 0 and anonymous.stdout == ""


def test_parallel_run_matches_serial_run():
    rules = os.path.relpath(FIXTURES / "rules", ROOT)
    serial = run_flake8([rules], *DEFAULT_ARGS, "-j1")
    parallel = run_flake8([rules], *DEFAULT_ARGS, "-j2")
    assert serial.stdout.count("SIG") > 50
    assert sorted(serial.stdout.splitlines()) == sorted(parallel.stdout.splitlines())


CONFIG_SNIPPET = textwrap.dedent(
    """\
    import geo
    import slack
    from django.db.models.signals import post_delete
    from django.dispatch import receiver


    @receiver(post_delete, sender="shop.Order")
    def on_order(sender, instance, **kwargs):
        geo.lookup(instance.address)
        slack.post_message("#orders", "new order")
        instance.notify.schedule()
        instance.notify.later()
    """
)


@pytest.mark.parametrize("via", ["command line", "setup.cfg", "tox.ini", ".flake8"])
def test_list_options_from_command_line_and_config_files(tmp_path, via):
    (tmp_path / "snippet.py").write_text(CONFIG_SNIPPET)
    values = {"signals-blocking-calls": "geo.lookup", "signals-task-calls": "schedule"}
    if via == "command line":
        args = [f"--{name}={value}" for name, value in values.items()]
    else:
        section = "\n".join(f"{name} = {value}" for name, value in values.items())
        (tmp_path / via).write_text(f"[flake8]\n{section}\n")
        args = ["--no-isolated"]
    result = run_flake8(["snippet.py"], "--select=SIG3,SIG303", *args, cwd=tmp_path)
    # configured names are reported; slack.post_message and .later() are not configured
    assert codes_of(result) == [(9, "SIG301"), (11, "SIG303")]


def test_unconfigured_names_are_not_reported(tmp_path):
    (tmp_path / "snippet.py").write_text(CONFIG_SNIPPET)
    assert codes_of(run_flake8(["snippet.py"], "--select=SIG3", cwd=tmp_path)) == []


def test_startup_modules_option(tmp_path):
    target = os.path.join("forgotten", "views.py")
    assert "SIG201" in run_flake8([target], *DEFAULT_ARGS, cwd=MYSITE).stdout
    result = run_flake8([target], *DEFAULT_ARGS, "--signals-startup-modules=forgotten.views", cwd=MYSITE)
    assert result.returncode == 0 and result.stdout == ""


def test_rule_fixture_directory_has_no_flake8_errors_of_its_own():
    found = findings([os.path.relpath(FIXTURES / "rules", ROOT)], "--select=SIG000")
    assert found == {}


@pytest.mark.parametrize(
    "option, value, shown",
    [
        ("--signals-blocking-calls", "..bad..", "'..bad..'"),
        ("--signals-blocking-calls", "time.sleep(", "'time.sleep('"),
        ("--signals-blocking-calls", "sleep", "'sleep'"),  # not qualified: can never match
        ("--signals-blocking-calls", "geo.lookup,,slack.post", "empty item"),
        ("--signals-task-calls", "tasks.defer", "'tasks.defer'"),
        ("--signals-task-calls", "defer,", None),  # a trailing comma is fine
        ("--signals-startup-modules", "shop..receivers", "'shop..receivers'"),
        ("--signals-startup-modules", "shop.receivers.*", "'shop.receivers.*'"),
    ],
)
@pytest.mark.parametrize("via", ["command line", "setup.cfg"])
def test_malformed_option_values_are_usage_errors(tmp_path, option, value, shown, via):
    (tmp_path / "snippet.py").write_text(CONFIG_SNIPPET)
    if via == "command line":
        args = [f"{option}={value}"]
    else:
        (tmp_path / "setup.cfg").write_text(f"[flake8]\n{option.lstrip('-')} = {value}\n")
        args = ["--no-isolated"]
    result = run_flake8(["snippet.py"], "--select=SIG", *args, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    if shown is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("flake8: error: argument " + option) and shown in last, result.stderr


def test_a_module_wildcard_marks_every_function_of_it_blocking(tmp_path):
    (tmp_path / "snippet.py").write_text(
        CONFIG_SNIPPET.replace("import geo\n", "import geo\nimport paho.mqtt.publish\n").replace(
            'slack.post_message("#orders", "new order")', 'paho.mqtt.publish.single("orders", "new")'
        )
    )
    wildcard = run_flake8(["snippet.py"], "--select=SIG301", "--signals-blocking-calls=paho.mqtt.*", cwd=tmp_path)
    assert codes_of(wildcard) == [(11, "SIG301")]
    other = run_flake8(["snippet.py"], "--select=SIG301", "--signals-blocking-calls=paho.client.*", cwd=tmp_path)
    assert codes_of(other) == []


def test_option_registration_is_idempotent():
    """flake8 5.0.0 may load the plugin twice; the second registration must be a no-op."""
    from flake8.options.manager import OptionManager

    from flake8_signals.frontends.plugin import register_options

    try:
        manager = OptionManager(version="0", plugin_versions="", parents=[], formatter_names=["default"])
    except TypeError:  # flake8 5's signature
        manager = OptionManager(version="0", plugin_versions="", parents=[])
    register_options(manager)
    register_options(manager)
    parsed = manager.parse_args(["--signals-task-calls=defer"])
    assert parsed.signals_task_calls == "defer"


def test_a_second_run_on_the_same_tree_reports_nothing_again():
    """What flake8 5.0.0 does when it loaded the plugin twice: same tree, same lines."""
    import ast

    from flake8_signals.frontends.plugin import SignalsChecker

    source = SNIPPET.replace("  # noqa: SIG101", "")
    tree, lines = ast.parse(source), source.splitlines(True)
    first = list(SignalsChecker(tree, lines, "snippet.py").run())
    assert first
    assert list(SignalsChecker(tree, lines, "snippet.py").run()) == []
    assert list(SignalsChecker(ast.parse(source), lines, "snippet.py").run()) == first
