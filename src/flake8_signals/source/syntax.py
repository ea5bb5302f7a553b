"""Small helpers over libcst nodes, shared by the fact builder and the rules."""

from __future__ import annotations

import re
from typing import Iterator, Optional

import libcst as cst

_EMPTY_MODULE = cst.Module(body=[])
_SPACE = re.compile(r"\s+")


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a chain of names and attributes, else ``None``."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    """What a decorator names: ``app.task`` for both ``@app.task`` and ``@app.task(bind=True)``."""
    expression = decorator.decorator
    return expression.func if isinstance(expression, cst.Call) else expression


def attribute_names(node: cst.CSTNode) -> list[str]:
    """Names along a call/attribute chain: ``X.objects.filter(a=1).update`` -> [X, objects, filter, update]."""
    parts: list[str] = []
    while True:
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Name):
            parts.append(node.value)
            break
        else:
            break
    return list(reversed(parts))


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY_MODULE.code_for_node(node)


def normalized(node: Optional[cst.CSTNode]) -> Optional[str]:
    """Source text without white space or comments, for comparing expressions."""
    if node is None:
        return None
    text = code_of(node)
    if "#" in text:
        text = "".join(line.split("#", 1)[0] for line in text.splitlines())
    return _SPACE.sub("", text)


def string_value(node: Optional[cst.CSTNode]) -> Optional[str]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value
    return None


def positional_args(call: cst.Call) -> list[cst.BaseExpression]:
    return [arg.value for arg in call.args if arg.keyword is None and not arg.star]


def keyword_arg(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def argument(call: cst.Call, position: int, name: str) -> Optional[cst.BaseExpression]:
    """The argument passed at ``position`` or as ``name=``."""
    value = keyword_arg(call, name)
    if value is not None:
        return value
    positional = positional_args(call)
    if len(positional) > position:
        return positional[position]
    return None


def literal_bool(node: Optional[cst.CSTNode]) -> Optional[bool]:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def is_none(node: Optional[cst.CSTNode]) -> bool:
    return node is None or (isinstance(node, cst.Name) and node.value == "None")


def ends_in_exit(block: cst.BaseSuite) -> bool:
    """Whether a block always leaves (return/raise/continue/break as its last statement)."""
    body = block.body
    if not body:
        return False
    last = body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        small = last.body
        return bool(small) and isinstance(small[-1], (cst.Return, cst.Raise, cst.Continue, cst.Break))
    return isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break))


def iter_elements(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """The items of a list/tuple literal, or the node itself."""
    if isinstance(node, (cst.List, cst.Tuple)):
        for element in node.elements:
            if isinstance(element, cst.Element):
                yield element.value
    else:
        yield node


def names_in(node: cst.CSTNode) -> set:
    """The plain names an expression reads (a lambda's own parameters excluded)."""
    found: set = set()
    bound: set = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
            continue
        if isinstance(current, cst.Lambda):
            bound.update(p.name.value for p in current.params.params)
            stack.append(current.body)
            continue
        if isinstance(current, cst.Attribute):
            stack.append(current.value)
            continue
        stack.extend(current.children)
    return found - bound


NOT_LITERAL = object()  # what ``literal_value`` returns for anything but a literal


def literal_value(node: Optional[cst.CSTNode]) -> object:
    """The value of a literal constant (``True``, ``None``, ``3``, ``-1.5``, ``"sync"``),
    or ``NOT_LITERAL``."""
    if isinstance(node, cst.Name):
        return {"True": True, "False": False, "None": None}.get(node.value, NOT_LITERAL)
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return NOT_LITERAL if value is None else value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = node.expression
        if isinstance(inner, (cst.Integer, cst.Float)):
            return -inner.evaluated_value
    return NOT_LITERAL
