"""The plugin never crashes flake8: odd inputs, generated programs, whole real trees."""

from __future__ import annotations

import ast
import sys
import sysconfig
import time
from pathlib import Path

import django
import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings

from flake8_runner import parse_output, run_flake8
from flake8_signals.engine import Engine
from flake8_signals.engine.fixing import compiles, fix_source
from flake8_signals.module import parsing
from flake8_signals.module.facts import ModuleFacts
from flake8_signals.options import Options
from flake8_signals.frontends.plugin import SignalsChecker
from flake8_signals.rules.context import Context
from flake8_signals.source import positions

HEADER = "from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n"
RECEIVER = "@receiver(post_save)\ndef on_save(sender):\n    pass\n"  # SIG501 on the def line


def run_on(tmp_path, name: str, content: bytes, *args) -> list:
    (tmp_path / name).write_bytes(content)
    result = run_flake8([name], "--select=SIG", *args, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return sorted((line, code) for _, line, _, code, _ in parse_output(result.stdout))


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("empty.py", b"", []),
        ("comments.py", b"# receiver connect Signal( signals\n# nothing else\n", []),
        ("bom.py", b"\xef\xbb\xbf" + (HEADER + RECEIVER).encode(), [(4, "SIG501")]),
        ("crlf.py", (HEADER + RECEIVER).replace("\n", "\r\n").encode(), [(4, "SIG501")]),
        ("cr.py", (HEADER + RECEIVER).replace("\n", "\r").encode(), [(4, "SIG501")]),
        ("tabs.py", (HEADER + RECEIVER.replace("    ", "\t")).encode(), [(4, "SIG501")]),
        ("formfeed.py", (HEADER + "\f\n" + RECEIVER).encode(), [(5, "SIG501")]),
        (
            "latin1.py",
            b"# -*- coding: latin-1 -*-\n" + HEADER.encode() + b"NAME = '\xe9t\xe9'\n" + RECEIVER.encode(),
            [(6, "SIG501")],
        ),
    ],
)
def test_odd_inputs(tmp_path, name, content, expected):
    assert run_on(tmp_path, name, content) == expected


@pytest.mark.parametrize("depth", [180, 199])
def test_deeply_nested_code_is_analysed_or_one_sig000(tmp_path, depth):
    """Nesting just below CPython's own limit (200 brackets): analysed, or one SIG000."""
    nested = "x = " + "f(" * depth + ")" * depth + "\n"
    found = run_on(tmp_path, "deep.py", (HEADER + nested + RECEIVER).encode())
    assert found in ([(1, "SIG000")], [(5, "SIG501")])


def _receiver_around(body: str) -> str:
    """A receiver with a SIG401 finding, and ``body`` (indented) before it."""
    return (
        HEADER
        + '\n@receiver(post_save, sender="shop.Order")\ndef on_save(sender, instance, **kwargs):\n'
        + body
        + "    instance.save()\n"
    )


@pytest.mark.parametrize(
    "shape, body",
    [
        # a long SQL text: implicit concatenation is a left-nested tree, one level per piece
        ("concatenated literals", "    sql = (\n" + "".join(f'        "select {i} from t "\n' for i in range(1500)) + "    )\n"),
        ("nested calls", "    x = " + "f(" * 190 + ")" * 190 + "\n"),
        ("chained operators", "    x = " + " + ".join(["a"] * 800) + "\n"),
        ("chained attributes", "    x = a" + ".b" * 800 + "\n"),
        ("nested lists", "    x = " + "[" * 180 + "]" * 180 + "\n"),
    ],
)
def test_deep_real_world_shapes_are_analysed(shape, body):
    """Shapes Python's parser accepts are analysed, not given up on with SIG000. (Driven
    directly: pyflakes itself gives up on the chained ones inside flake8.)"""
    source = _receiver_around(body)
    checker = SignalsChecker(ast.parse(source), source.splitlines(True), "deep.py")
    found = [(line, message.split()[0]) for line, _, message, _ in checker.run()]
    assert found == [(source.count("\n"), "SIG401")], shape


def test_a_long_concatenated_text_through_flake8(tmp_path):
    """The shape that used to abort the whole flake8 run: analysed, in -j1 and -j2."""
    body = "    sql = (\n" + "".join(f'        "select {i} from t "\n' for i in range(600)) + "    )\n"
    source = _receiver_around(body)
    for jobs in ("-j1", "-j2"):
        assert run_on(tmp_path, "deep.py", source.encode(), jobs) == [(source.count("\n"), "SIG401")]


def test_an_error_whose_text_cannot_be_built_is_still_one_sig000(monkeypatch):
    """``str()`` of an error raised deep in a tree can itself recurse: the note must not."""

    class Unprintable(RecursionError):
        def __str__(self):
            raise RecursionError("maximum recursion depth exceeded while getting the str")

    def explode(*args, **kwargs):
        raise Unprintable()

    monkeypatch.setattr(Engine, "check_source", explode)
    source = HEADER + RECEIVER
    results = list(SignalsChecker(ast.parse(source), source.splitlines(True), "x.py").run())
    assert [(line, message.split()[0]) for line, _, message, _ in results] == [(1, "SIG000")]
    assert "Unprintable" in results[0][2]


def test_five_thousand_deep_nesting():
    """Deeper than CPython's own parser goes (flake8 stops with its own error before
    calling plugins), so the plugin is driven directly: still no exception."""
    nested = "x = " + "- " * 5000 + "1\n"
    source = HEADER + nested + RECEIVER
    checker = SignalsChecker(None, source.splitlines(True), "deep5000.py")
    codes = [(line, message.split()[0]) for line, _, message, _ in checker.run()]
    assert codes in ([(1, "SIG000")], [(5, "SIG501")])


def test_a_file_libcst_rejects_is_one_sig000_and_no_crash(monkeypatch):
    def reject(source, *args, **kwargs):
        raise cst.ParserSyntaxError("newer syntax", lines=[""], raw_line=1, raw_column=0)

    monkeypatch.setattr(parsing.cst, "parse_module", reject)
    source = HEADER + RECEIVER
    checker = SignalsChecker(ast.parse(source), source.splitlines(True), "newer.py")
    results = list(checker.run())
    assert [(line, message.split()[0]) for line, _, message, _ in results] == [(1, "SIG000")]
    assert "could not analyse" in results[0][2]


def test_fifty_thousand_line_module_in_bounded_time(tmp_path):
    body = "".join(
        f"def helper_{i}(value):\n    return value + {i}\n\n\n" for i in range(12_500)
    )
    source = HEADER + body + RECEIVER
    assert source.count("\n") > 50_000
    started = time.monotonic()
    found = run_on(tmp_path, "big.py", source.encode())
    assert time.monotonic() - started < 240
    assert found == [(50_004, "SIG501")]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_programs_never_raise(source):
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # flake8 would report E999 and never call the plugin
    text = HEADER + "# .connect(receiver)\n" + source  # pass the pre-check: always analysed
    checker = SignalsChecker(tree, text.splitlines(True), "generated.py")
    for line, column, message, _ in checker.run():
        assert isinstance(line, int) and line >= 1 and message.startswith("SIG")


def _python_files(root: Path) -> list:
    return sorted(p for p in root.rglob("*.py") if "site-packages" not in p.relative_to(root).parts)


def _analyse_everything(path: Path) -> None:
    """Facts and every rule, with no pre-check: the whole analysis on a real file."""
    text = path.read_text(encoding="utf-8")
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return  # reported as SIG000 by the plugin
    facts = ModuleFacts(module, str(path))
    ctx = Context(facts, Options(), str(path))
    findings = Engine().run_rules(ctx, every_rule=True)
    positions.resolve(findings, module, facts.statement_index(), ast.parse(text))


def test_every_django_file_is_analysed_without_error():
    failures = []
    files = _python_files(Path(django.__file__).parent)
    assert len(files) > 800
    for path in files:
        try:
            _analyse_everything(path)
        except UnicodeDecodeError:
            continue
        except Exception as error:  # collect them all, then fail once
            failures.append(f"{path}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures[:20])


def test_the_standard_library_through_the_plugin():
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = [p for p in _python_files(stdlib) if "test" not in p.parts and "idlelib" not in p.parts]
    assert len(files) > 500
    for path in files:
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
            continue
        results = list(SignalsChecker(tree, source.splitlines(True), str(path)).run())
        assert all(message[:3] == "SIG" for _, _, message, _ in results)
        assert not any(message.startswith("SIG000") for _, _, message, _ in results), (path, results)


@pytest.fixture(autouse=True)
def _fresh():
    SignalsChecker.engine = None  # each test starts with a new engine
    yield
    SignalsChecker.engine = None


assert sys.version_info >= (3, 9)


# -- flake8-signals fix: never an error, never code that does not compile -----------------------

FIXABLE = (
    "from django.dispatch import Signal\n"
    "paid = Signal(providing_args=['order'])\n"
    "@post_save.connect\n"
    "def connected(sender, **kwargs):\n    pass\n"
    "@receiver(post_save)\n"
    "def on_saved(sender, instance):\n    pass\n"
)


def _fixed(source: bytes, path: str = "generated.py", engine: Engine = None):
    engine = engine or Engine()
    result = fix_source(engine, source, path, Options(), lambda code, line, text: True, unsafe=True)
    assert not (result.skipped or "").startswith("the analysis failed"), result.skipped
    assert not result.changed or compiles(result.after, path)
    return result


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_fix_on_generated_programs_never_fails_and_compiles(source):
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    _fixed((HEADER + FIXABLE + source).encode())


def test_fix_over_every_django_file_never_fails():
    files = _python_files(Path(django.__file__).parent)
    assert len(files) > 800
    engine = Engine()  # one process's engine: Django's project model is read once
    for path in files:
        _fixed(path.read_bytes(), str(path), engine)
