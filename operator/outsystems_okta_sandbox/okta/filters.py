"""The small SCIM-style expression language Okta uses for `filter` and `search` query parameters.

Grammar: ``expr := term (("and" | "or") term)*``, ``term := "(" expr ")" | attr op [value]``;
``and`` binds tighter than ``or``. Operators: ``eq ne sw co gt ge lt le pr``. ``eq`` compares whole
values exactly (case-sensitive); ``sw``/``co`` are case-insensitive prefix/substring matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Value = str | bool | int | float | None

OPERATORS = frozenset({"eq", "ne", "sw", "co", "gt", "ge", "lt", "le", "pr"})


class FilterSyntaxError(ValueError):
    """The expression cannot be parsed or uses an attribute/operator the endpoint does not allow."""


@dataclass(frozen=True)
class Comparison:
    attr: str
    op: str
    value: Value


@dataclass(frozen=True)
class Junction:
    op: Literal["and", "or"]
    left: Expr
    right: Expr


Expr = Comparison | Junction

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\()|(?P<rparen>\))
        |"(?P<string>(?:[^"\\]|\\.)*)"
        |(?P<number>-?\d+(?:\.\d+)?)(?![\w.])
        |(?P<word>[A-Za-z_][\w.:-]*)
    )""",
    re.VERBOSE,
)

_Token = tuple[str, str]


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise FilterSyntaxError(f"Invalid search syntax near position {pos}.")
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "string":
            raw = re.sub(r"\\(.)", r"\1", raw)
        tokens.append((kind, raw))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], allow: Callable[[str, str], bool]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.allow = allow

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError("Invalid search syntax: unexpected end of expression.")
        self.pos += 1
        return token

    def parse_or(self) -> Expr:
        left = self.parse_and()
        while self._keyword("or"):
            left = Junction("or", left, self.parse_and())
        return left

    def parse_and(self) -> Expr:
        left = self.parse_term()
        while self._keyword("and"):
            left = Junction("and", left, self.parse_term())
        return left

    def _keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() == word:
            self.pos += 1
            return True
        return False

    def parse_term(self) -> Expr:
        kind, raw = self.take()
        if kind == "lparen":
            inner = self.parse_or()
            if self.take()[0] != "rparen":
                raise FilterSyntaxError("Invalid search syntax: missing ')'.")
            return inner
        if kind != "word":
            raise FilterSyntaxError(f"Invalid search syntax: expected an attribute, got {raw!r}.")
        attr = raw
        op_kind, op = self.take()
        op = op.lower()
        if op_kind != "word" or op not in OPERATORS:
            raise FilterSyntaxError(f"Invalid search syntax: unknown operator {op!r}.")
        if not self.allow(attr, op):
            raise FilterSyntaxError(f"Unsupported search on '{attr}' with operator '{op}'.")
        if op == "pr":
            return Comparison(attr, op, None)
        return Comparison(attr, op, self._value())

    def _value(self) -> Value:
        kind, raw = self.take()
        if kind == "string":
            return raw
        if kind == "number":
            return float(raw) if "." in raw else int(raw)
        if kind == "word" and raw in ("true", "false"):
            return raw == "true"
        if kind == "word" and raw == "null":
            return None
        raise FilterSyntaxError(f"Invalid search syntax: expected a value, got {raw!r}.")


def parse(text: str, allow: Callable[[str, str], bool]) -> Expr:
    """Parse `text`; `allow(attr, op)` decides which comparisons the endpoint supports."""
    tokens = _tokenize(text)
    if not tokens:
        raise FilterSyntaxError("Invalid search syntax: empty expression.")
    parser = _Parser(tokens, allow)
    expr = parser.parse_or()
    leftover = parser.peek()
    if leftover is not None:
        raise FilterSyntaxError(f"Invalid search syntax: unexpected {leftover[1]!r}.")
    return expr


def matches(expr: Expr, get: Callable[[str], Any]) -> bool:
    """Evaluate `expr` with `get(attr)` returning the object's value (None when absent)."""
    if isinstance(expr, Junction):
        if expr.op == "and":
            return matches(expr.left, get) and matches(expr.right, get)
        return matches(expr.left, get) or matches(expr.right, get)
    return _compare(get(expr.attr), expr.op, expr.value)


def _compare(actual: Any, op: str, expected: Value) -> bool:
    if op == "pr":
        return actual is not None and actual != ""
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if actual is None or expected is None:
        return False
    if op in ("sw", "co"):
        if not isinstance(actual, str) or not isinstance(expected, str):
            return False
        if op == "sw":
            return actual.lower().startswith(expected.lower())
        return expected.lower() in actual.lower()
    try:
        if op == "gt":
            return bool(actual > expected)
        if op == "ge":
            return bool(actual >= expected)
        if op == "lt":
            return bool(actual < expected)
        return bool(actual <= expected)
    except TypeError:
        return False


def dotted(document: dict[str, Any], path: str) -> Any:
    """Look up ``a.b.c`` in nested dicts; None when any step is missing."""
    current: Any = document
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current
