"""The condition language of `when:` keys, parsed by hand and never given to eval.

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | atom
    atom       := "(" condition ")" | operand [op operand]
    operand    := NAME | ["-"] INTEGER
    op         := "<" | "<=" | ">" | ">=" | "==" | "!="

A NAME is a meter (an integer) or a flag (true once a choice has set it). A meter
must be compared with something; a flag stands on its own.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

NAME_PATTERN = r"[a-z][a-z0-9_]*"

_TOKEN = re.compile(r"\s*(?:(?P<int>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|==|!=|<|>|\(|\)|-)|(?P<bad>\S))")
_KEYWORDS = {"and", "or", "not"}
_COMPARE = {"<", "<=", ">", ">=", "==", "!="}


class ConditionError(ValueError):
    """A condition that cannot be parsed or names something unknown.

    ``offset`` is the 0-based character position in the condition text.
    """

    def __init__(self, message: str, offset: int, code: str = "condition-syntax") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.code = code


@dataclass(frozen=True, slots=True)
class Int:
    value: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Int | Name
    right: Int | Name


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Expr, ...]


Expr = Int | Name | Compare | Not | BoolOp


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    offset: int


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or "bad"
        start = match.start(kind)
        value = match.group(kind)
        if kind == "bad":
            hint = " Use 'and', 'or', 'not' instead of symbols." if value in "&|!" else ""
            if value == "=":
                hint = " Compare with '==' (two equals signs)."
            raise ConditionError(f"Unexpected character '{value}'.{hint}", start)
        if kind == "name" and value in _KEYWORDS:
            kind = value
        tokens.append(_Tok(kind, value, start))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


# Brackets and 'not's inside one another. Real conditions use two or three; the parser recurses
# once per level, so without a bound a few hundred '(' would end the lint in a RecursionError.
MAX_NESTING = 32


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def deeper(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionError(
                f"The condition nests brackets or 'not' more than {MAX_NESTING} levels deep here. "
                "Write it more simply, or split it between choices.",
                tok.offset,
            )

    def peek(self) -> _Tok:
        return self.tokens[self.pos]

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise ConditionError("The condition is empty. Write one, e.g. 'employee >= 30'.", 0)
        expr = self.or_()
        tok = self.peek()
        if tok.kind != "end":
            raise ConditionError(f"Unexpected '{tok.text}'. Join conditions with 'and' or 'or'.", tok.offset)
        return expr

    def or_(self) -> Expr:
        items = [self.and_()]
        while self.peek().kind == "or":
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_(self) -> Expr:
        items = [self.not_()]
        while self.peek().kind == "and":
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_(self) -> Expr:
        if self.peek().kind == "not":
            self.deeper(self.take())
            inner = Not(self.not_())
            self.depth -= 1
            return inner
        return self.atom()

    def atom(self) -> Expr:
        tok = self.peek()
        if tok.kind == "op" and tok.text == "(":
            self.deeper(self.take())
            inner = self.or_()
            close = self.take()
            if close.text != ")":
                raise ConditionError("Missing ')' to close the '(' .", close.offset)
            self.depth -= 1
            return inner
        left = self.operand()
        nxt = self.peek()
        if nxt.kind == "op" and nxt.text in _COMPARE:
            self.take()
            right = self.operand()
            return Compare(nxt.text, left, right)
        return left

    def operand(self) -> Int | Name:
        tok = self.take()
        if tok.kind == "int":
            return Int(int(tok.text))
        if tok.kind == "op" and tok.text == "-":
            num = self.take()
            if num.kind != "int":
                raise ConditionError("Expected a number after '-'.", num.offset)
            return Int(-int(num.text))
        if tok.kind == "name":
            return Name(tok.text, tok.offset)
        if tok.kind == "end":
            raise ConditionError("The condition ends too early: something is missing here.", tok.offset)
        raise ConditionError(f"Expected a meter, a flag or a number, found '{tok.text}'.", tok.offset)


def parse(text: str) -> Expr:
    """Parse a condition; raises :class:`ConditionError` with the offending column."""
    return _Parser(text).parse()


def names(expr: Expr) -> list[Name]:
    """Every name the condition mentions, in order."""
    if isinstance(expr, Name):
        return [expr]
    if isinstance(expr, Compare):
        return [n for n in (expr.left, expr.right) if isinstance(n, Name)]
    if isinstance(expr, Not):
        return names(expr.operand)
    if isinstance(expr, BoolOp):
        return [n for item in expr.operands for n in names(item)]
    return []


def required_unset(expr: Expr) -> set[str]:
    """Flags that must be unset for the condition to hold (``not f``, possibly and-ed)."""
    if isinstance(expr, Not) and isinstance(expr.operand, Name):
        return {expr.operand.name}
    if isinstance(expr, BoolOp) and expr.op == "and":
        return set().union(*(required_unset(e) for e in expr.operands))
    return set()


def check_names(expr: Expr, meters: Mapping[str, object], flags: set[str] | frozenset[str]) -> None:
    """Raise :class:`ConditionError` if a name is unknown or used the wrong way."""
    from .suggest import did_you_mean

    def operand(node: Int | Name) -> None:
        if isinstance(node, Name):
            if node.name in flags:
                raise ConditionError(
                    f"'{node.name}' is a flag: it is true or false and cannot be compared. "
                    f"Write '{node.name}' or 'not {node.name}'.",
                    node.offset,
                    "condition-type",
                )
            if node.name not in meters:
                raise ConditionError(
                    f"Unknown meter '{node.name}'.{did_you_mean(node.name, meters)}",
                    node.offset,
                    "unknown-meter",
                )

    def boolean(node: Expr) -> None:
        if isinstance(node, Name):
            if node.name in meters:
                raise ConditionError(
                    f"'{node.name}' is a meter: compare it with a number, e.g. '{node.name} >= 50'.",
                    node.offset,
                    "condition-type",
                )
            if node.name not in flags:
                hint = did_you_mean(node.name, [*flags, *meters])
                raise ConditionError(
                    f"Unknown flag '{node.name}': no choice sets it.{hint} "
                    "Add it to a choice's 'set' list, or fix the spelling.",
                    node.offset,
                    "unknown-flag",
                )
        elif isinstance(node, Int):
            raise ConditionError("A number alone is not a condition; compare it with a meter.", 0, "condition-type")
        elif isinstance(node, Compare):
            operand(node.left)
            operand(node.right)
        elif isinstance(node, Not):
            boolean(node.operand)
        else:
            for item in node.operands:
                boolean(item)

    boolean(expr)


Evaluator = Callable[[tuple[int, ...], int], bool]
"""A compiled condition: (meter values in module order, flag bitmask) -> bool."""

# The operator module's functions, not int.__lt__ and co.: grading calls them hundreds of
# thousands of times, and a C function is called about three times faster than a slot wrapper.
_OPS: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def compile_condition(expr: Expr, meter_index: Mapping[str, int], flag_bit: Mapping[str, int]) -> Evaluator:
    """Turn a checked condition into a closure over index lookups.

    Grading evaluates conditions millions of times; closures over tuple indexes
    and bitmasks are several times faster than walking the tree each time.
    """
    if isinstance(expr, Name):
        bit = 1 << flag_bit[expr.name]
        return lambda meters, flags: bool(flags & bit)
    if isinstance(expr, Compare):
        op = _OPS[expr.op]
        left, right = expr.left, expr.right
        if isinstance(left, Name) and isinstance(right, Int):
            i, k = meter_index[left.name], right.value
            return lambda meters, flags: op(meters[i], k)
        if isinstance(left, Int) and isinstance(right, Name):
            k, j = left.value, meter_index[right.name]
            return lambda meters, flags: op(k, meters[j])
        if isinstance(left, Name) and isinstance(right, Name):
            i, j = meter_index[left.name], meter_index[right.name]
            return lambda meters, flags: op(meters[i], meters[j])
        assert isinstance(left, Int) and isinstance(right, Int)
        constant = op(left.value, right.value)
        return lambda meters, flags: constant
    if isinstance(expr, Not):
        inner = compile_condition(expr.operand, meter_index, flag_bit)
        return lambda meters, flags: not inner(meters, flags)
    if isinstance(expr, BoolOp):
        parts = [compile_condition(e, meter_index, flag_bit) for e in expr.operands]
        return _chain(parts, expr.op == "and")
    raise TypeError(f"not a condition: {expr!r}")


def _chain(parts: list[Evaluator], conjunction: bool) -> Evaluator:
    """``a and b and ...`` (or ``or``) as closures: several times faster than all() or any() over a
    generator, evaluated left to right and stopping at the same operand. Halves are nested rather
    than one operand at a time, so a long chain stays shallow. Every part returns a bool, so does this."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    left, right = _chain(parts[:half], conjunction), _chain(parts[half:], conjunction)
    if conjunction:
        return lambda meters, flags: left(meters, flags) and right(meters, flags)
    return lambda meters, flags: left(meters, flags) or right(meters, flags)
