"""Wrapping the lines a fix made longer than the project's ``max-line-length``.

Only the lines the fix changed are looked at, and only those longer than the limit
are rewritten. They are wrapped the way Black wraps a line: at the last closing
bracket of the line that holds a call's arguments, a function's parameters or an
import's names (``from x import a, b`` gains parentheses), one item per line with a
trailing comma, one indent unit deeper than the line, and the closing bracket on a
line of its own at the line's indentation. A comment at the end of the line moves
after the opening bracket, on the statement's first line, where flake8 still reads its
``# noqa``. A split is made only when some of its items then fit on their lines: when
none would (``f(g(...))`` whose one argument is still too long), the bracket before it
is tried (``f(g(`` then holds the items of ``g``). An item line that is still too long
is wrapped the same way; a line no split helps (a long string) stays as it is.
"""

from __future__ import annotations

import bisect
import difflib
import io
import tokenize
from typing import Iterable, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .decoding import split_lines

MAX_ROUNDS = 20  # wraps of wraps: one round per level of nested brackets


def width(line: str) -> int:
    """The length pycodestyle's E501 measures: the line without its line break and
    trailing white space, in characters."""
    return len(line.rstrip())


def wrap_changed_lines(module: cst.Module, before: Optional[str], limit: int) -> cst.Module:
    """``module`` with each line that is not in ``before`` (every line when it is None)
    and is longer than ``limit`` wrapped where it can be; ``module`` itself when
    nothing is wrapped."""
    text = module.code
    lines = split_lines(text)
    changed = long_new_lines(before, lines, limit)
    if not changed:
        return module
    for _round in range(MAX_ROUNDS):
        long = [index for index in sorted(changed) if width(lines[index]) > limit]
        if not long:
            break
        splits = _splits("".join(lines), long, module.default_indent, module.default_newline, limit)
        changed -= set(long) - set(splits)  # no split helps these: they stay
        for index in sorted(splits, reverse=True):  # bottom-up: the indexes above stay valid
            new = splits[index]
            lines[index : index + 1] = new
            shift = len(new) - 1
            changed = {n + shift if n > index else n for n in changed} | set(range(index, index + len(new)))
    wrapped = "".join(lines)
    if wrapped == text:
        return module
    config = cst.PartialParserConfig(
        encoding=module.encoding, default_indent=module.default_indent, default_newline=module.default_newline
    )
    try:
        return cst.parse_module(wrapped, config=config)
    except cst.ParserSyntaxError:  # pragma: no cover - a split only moves whole items
        return module


def long_new_lines(before: Optional[str], lines: list, limit: int) -> set:
    """Indexes of the ``lines`` longer than ``limit`` that are not lines of ``before``,
    as a diff of the two texts' long lines shows them (a diff of every line would take
    seconds on a large module)."""
    long = [index for index, line in enumerate(lines) if width(line) > limit]
    if before is None or not long:
        return set(long)
    old = [line for line in split_lines(before) if width(line) > limit]
    matcher = difflib.SequenceMatcher(None, old, [lines[index] for index in long], autojunk=False)
    return {long[j] for tag, _i1, _i2, j1, j2 in matcher.get_opcodes() if tag != "equal" for j in range(j1, j2)}


# -- where a line can be split -----------------------------------------------------------


class _Brackets:
    """The module's bracket pairs and comments, from its tokens: positions are
    (line, column), lines from 1, columns in characters."""

    def __init__(self, text: str) -> None:
        self.closing: dict = {}  # opening bracket -> its closing bracket
        self.comments: dict = {}  # line -> (column, text) of the comment ending it
        self.opening_parens: dict = {}  # line -> sorted columns of its "("
        stack: list = []
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                self.comments[token.start[0]] = (token.start[1], token.string)
            elif token.type != tokenize.OP:
                continue
            elif token.string in "([{":
                stack.append(token.start)
                if token.string == "(":
                    self.opening_parens.setdefault(token.start[0], []).append(token.start[1])
            elif token.string in ")]}" and stack:
                self.closing[stack.pop()] = token.start

    def paren_from(self, position) -> Optional[tuple]:
        """The first "(" at or after ``position`` on its line."""
        line, column = position
        columns = self.opening_parens.get(line, [])
        at = bisect.bisect_left(columns, column)
        return (line, columns[at]) if at < len(columns) else None


def _parameters(params: cst.Parameters) -> list:
    """A signature's parameters, ``/`` and ``*`` in the order they are written."""
    items: list = [*params.posonly_params]
    if isinstance(params.posonly_ind, cst.ParamSlash):
        items.append(params.posonly_ind)
    items.extend(params.params)
    if isinstance(params.star_arg, (cst.Param, cst.ParamStar)):
        items.append(params.star_arg)
    items.extend(params.kwonly_params)
    if isinstance(params.star_kwarg, cst.Param):
        items.append(params.star_kwarg)
    return items


def _owners(module: cst.Module, brackets: _Brackets, text: list, lines: set) -> dict:
    """line -> [(opening column, closing column, [item (start, end) columns])] for the
    brackets on ``lines`` (numbers of lines of ``text``) that may be split: a call's
    arguments, a function's parameters, an import's names (a pair of parentheses to add
    when it has none). The items are told apart by their own commas (a lambda's have
    none of theirs)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    found: dict = {}

    def commas(items) -> list:
        return [positions[item.comma].start for item in items if isinstance(item.comma, cst.Comma)]

    def add(line: int, opening: int, closing: int, separators: list) -> None:
        if any(separator.line != line for separator in separators):
            return
        edges = [opening, *(separator.column for separator in separators), closing]
        found.setdefault(line, []).append((opening, closing, [(start + 1, end) for start, end in zip(edges, edges[1:])]))

    def pair_after(node: cst.CSTNode, items, between: str = "") -> None:
        """The pair whose "(" follows ``node`` with only white space, ")" and the
        words ``between`` before it."""
        end = positions[node].end
        if end.line not in lines:
            return
        opening = brackets.paren_from((end.line, end.column))
        if opening is None or text[end.line - 1][end.column : opening[1]].strip(" \t)") != between:
            return  # not the bracket right after the name (a call inside an f-string)
        closing = brackets.closing.get(opening)
        if closing is not None and closing[0] == opening[0]:
            add(opening[0], opening[1], closing[1], commas(items))

    for node in positions:
        if isinstance(node, cst.Call):
            if len(node.args) == 1 and isinstance(node.args[0].value, cst.GeneratorExp) and not node.args[0].value.lpar:
                continue  # f(x for x in y): a trailing comma would not compile
            pair_after(node.func, node.args)
        elif isinstance(node, cst.FunctionDef):
            pair_after(node.name, _parameters(node.params))
        elif isinstance(node, cst.ImportFrom) and isinstance(node.names, (list, tuple)) and node.names:
            if isinstance(node.lpar, cst.LeftParen):
                pair_after(node.module if node.module is not None else node.relative[-1], node.names, "import")
                continue
            first, last = positions[node.names[0]].start, positions[node.names[-1]].end
            if first.line == last.line and first.line in lines:
                # No brackets: the "(" goes before the first name, the ")" after the last.
                add(first.line, first.column - 1, last.column, commas(node.names))
    return found


def _split_at(line: str, opening: int, closing: int, items: Iterable[tuple], comment: Optional[tuple], unit: str, newline: str) -> Optional[list]:
    """``line`` split at the bracket pair (a "(" to add when ``line[opening]`` is not
    one): the opening line, the item lines, the closing line; None when the brackets
    hold nothing."""
    texts = [line[start:end].strip() for start, end in items]
    if texts and not texts[-1]:
        texts.pop()  # a trailing comma already
    if not texts or not all(texts):
        return None
    body, ending = line.rstrip("\r\n"), line[len(line.rstrip("\r\n")) :]
    indent = body[: len(body) - len(body.lstrip())]
    code_ends = comment[0] if comment is not None and comment[0] >= closing else len(body)
    if line[opening] == "(":
        head, tail = body[: opening + 1], body[closing:code_ends].rstrip()
    else:
        head, tail = body[: opening + 1] + "(", ")" + body[closing:code_ends].rstrip()
    if code_ends < len(body):
        head = f"{head}  {comment[1]}"
    newline = ending or newline  # the last line of a file without a final line break
    return [head + newline] + [f"{indent}{unit}{text},{newline}" for text in texts] + [indent + tail + ending]


def _splits(text: str, long: list, unit: str, newline: str, limit: int) -> dict:
    """line index -> the lines it becomes, for each of the ``long`` lines (indexes from
    0) that a split helps: it makes the line narrower, and some of its items then fit
    within ``limit``."""
    try:
        brackets = _Brackets(text)
        module = cst.parse_module(text)
    except (tokenize.TokenError, SyntaxError, cst.ParserSyntaxError):
        return {}
    lines = split_lines(text)
    owners = _owners(module, brackets, lines, {index + 1 for index in long})
    splits = {}
    for index in long:
        line = lines[index]
        # Black's right-hand split: the bracket that closes last first.
        for opening, closing, items in sorted(owners.get(index + 1, []), key=lambda owner: -owner[1]):
            new = _split_at(line, opening, closing, items, brackets.comments.get(index + 1), unit, newline)
            if new is None or max(width(part) for part in new) >= width(line):
                continue
            if any(width(item) <= limit for item in new[1:-1]):
                splits[index] = new
                break
    return splits


__all__ = ["long_new_lines", "width", "wrap_changed_lines"]
