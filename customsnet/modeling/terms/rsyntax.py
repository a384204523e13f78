"""A small reader for the R syntax used in btergm formulas, and a safe evaluator for ``function(t) ...``.

Only what model formulas need: names, numbers, strings, ``TRUE``/``FALSE``/``NULL``, calls with
positional and named arguments (``c(1, 2)`` is a call), ``+ - * / ^``, ``a:b`` sequences, unary minus, parentheses,
``~`` and anonymous functions ``function(t) <arithmetic>``. Nothing is ever passed to Python's ``eval``:
a function body is evaluated by walking its syntax tree with a fixed table of numpy functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


class RSyntaxError(ValueError):
    """The text is not in the supported subset of R syntax."""


# ---------------------------------------------------------------------------------- syntax tree
@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Const:
    """``TRUE``, ``FALSE`` or ``NULL`` (value ``None``)."""

    value: bool | None


@dataclass(frozen=True)
class Name:
    id: str


@dataclass(frozen=True)
class Arg:
    name: str | None
    value: Node


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Arg, ...]


@dataclass(frozen=True)
class UnaryOp:
    op: str
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Function:
    params: tuple[str, ...]
    body: Node


Node = Num | Str | Const | Name | Call | UnaryOp | BinOp | Function

# ---------------------------------------------------------------------------------- tokenizer
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z.][A-Za-z0-9._]*|`[^`]+`)
  | (?P<op>[~+\-*/^(),=\[\]:])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[_Tok]:
    """Split R source into tokens; raise :class:`RSyntaxError` at the first unknown character."""
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise RSyntaxError(f"unexpected character {text[pos]!r} at position {pos} in {text!r}")
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    return tokens


def _unquote(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


# ---------------------------------------------------------------------------------- parser
class _Parser:
    """Recursive descent with R's precedence: ``~`` < ``+ -`` < ``* /`` < unary ``-`` < ``^``."""

    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    def peek(self, text: str | None = None) -> _Tok | None:
        tok = self.toks[self.i] if self.i < len(self.toks) else None
        if text is not None and (tok is None or tok.kind in ("str", "num") or tok.text != text):
            return None
        return tok

    def take(self, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise RSyntaxError(f"unexpected end of {self.text!r}" + (f" (expected {text!r})" if text else ""))
        if text is not None and (tok.text != text or tok.kind in ("str", "num")):
            raise RSyntaxError(f"expected {text!r} at position {tok.pos} in {self.text!r}, found {tok.text!r}")
        self.i += 1
        return tok

    def done(self) -> None:
        tok = self.peek()
        if tok is not None:
            raise RSyntaxError(f"unexpected {tok.text!r} at position {tok.pos} in {self.text!r}")

    def expr(self) -> Node:
        return self.tilde()

    def tilde(self) -> Node:
        if self.peek("~"):
            self.take()
            return BinOp("~", Const(None), self.additive())
        left = self.additive()
        if self.peek("~"):
            self.take()
            return BinOp("~", left, self.additive())
        return left

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.peek("+") or self.peek("-"):
            op = self.take().text
            node = BinOp(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.sequence()
        while self.peek("*") or self.peek("/"):
            op = self.take().text
            node = BinOp(op, node, self.sequence())
        return node

    def sequence(self) -> Node:
        # R's ``a:b`` binds tighter than * and / but looser than unary minus: -1:2 is (-1):2
        node = self.unary()
        while self.peek(":"):
            self.take()
            node = BinOp(":", node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek("-") or self.peek("+"):
            op = self.take().text
            return UnaryOp(op, self.unary())
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.peek("^"):
            self.take()
            # right-associative, and binds tighter than unary minus on its left only
            return BinOp("^", base, self.unary())
        return base

    def postfix(self) -> Node:
        node = self.atom()
        while self.peek("("):
            if not isinstance(node, Name):
                raise RSyntaxError(f"only named functions can be called, in {self.text!r}")
            node = Call(node.id, self.arguments())
        return node

    def arguments(self) -> tuple[Arg, ...]:
        self.take("(")
        args: list[Arg] = []
        if self.peek(")"):
            self.take()
            return ()
        while True:
            tok = self.peek()
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
            if tok is not None and tok.kind in ("name", "str") and nxt is not None and nxt.text == "=":
                self.i += 2
                name = _unquote(tok.text) if tok.kind == "str" or tok.text.startswith("`") else tok.text
                args.append(Arg(name, self.expr()))
            else:
                args.append(Arg(None, self.expr()))
            if self.peek(","):
                self.take()
                continue
            self.take(")")
            return tuple(args)

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Num(float(tok.text.rstrip("L")))
        if tok.kind == "str":
            return Str(_unquote(tok.text))
        if tok.kind == "name":
            if tok.text in ("TRUE", "T"):
                return Const(True)
            if tok.text in ("FALSE", "F"):
                return Const(False)
            if tok.text == "NULL":
                return Const(None)
            if tok.text == "function":
                return self.function()
            return Name(tok.text.strip("`"))
        if tok.text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        raise RSyntaxError(f"unexpected {tok.text!r} at position {tok.pos} in {self.text!r}")

    def function(self) -> Function:
        self.take("(")
        params: list[str] = []
        while not self.peek(")"):
            tok = self.take()
            if tok.kind != "name":
                raise RSyntaxError(f"function parameters must be names, found {tok.text!r} in {self.text!r}")
            params.append(tok.text)
            if self.peek(","):
                self.take()
        self.take(")")
        return Function(tuple(params), self.expr())


def parse(text: str) -> Node:
    """Parse one R expression (a formula, a call, or ``function(t) ...``)."""
    parser = _Parser(text)
    if not parser.toks:
        raise RSyntaxError("empty expression")
    node = parser.expr()
    parser.done()
    return node


# ---------------------------------------------------------------------------------- deparse
_PRECEDENCE = {"~": 1, "+": 2, "-": 2, "*": 3, "/": 3, ":": 3.5, "unary": 4, "^": 5}


def r_number(x: float) -> str:
    """A number as R's ``as.character(double)`` writes it: 15 significant digits, shortest form.

    R chooses scientific notation when it is strictly narrower than fixed notation, so
    ``0.5 -> "0.5"``, ``1 -> "1"``, ``1e-04`` for 0.0001 and ``1e+05`` for 100000.
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, exponent = f"{abs(x):.14e}".split("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    exp = int(exponent)
    # Scientific form: d[.ddd]e[+-]XX with at least two exponent digits.
    sci_mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sci = f"{sci_mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    # Fixed form with exactly the significant digits needed.
    if exp >= 0:
        int_part = digits[: exp + 1].ljust(exp + 1, "0")
        frac = digits[exp + 1 :]
        fixed = int_part + ("." + frac if frac else "")
    else:
        fixed = "0." + "0" * (-exp - 1) + digits
    return sign + (sci if len(sci) < len(fixed) else fixed)


def _format_number(x: float) -> str:
    return r_number(x)


def deparse(node: Node) -> str:
    """R source for a syntax tree, with only the parentheses precedence requires."""
    if isinstance(node, Num):
        return _format_number(node.value)
    if isinstance(node, Str):
        return '"' + node.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(node, Const):
        return {True: "TRUE", False: "FALSE", None: "NULL"}[node.value]
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Call):
        parts = [(f"{a.name} = " if a.name else "") + deparse(a.value) for a in node.args]
        return f"{node.func}({', '.join(parts)})"
    if isinstance(node, Function):
        return f"function({', '.join(node.params)}) {deparse(node.body)}"
    if isinstance(node, UnaryOp):
        return node.op + _wrap(node.operand, _PRECEDENCE["unary"], right=True)
    if isinstance(node, BinOp):
        prec = _PRECEDENCE[node.op]
        left_assoc = node.op != "^"
        left = _wrap(node.left, prec if left_assoc else prec + 1, right=False)
        right = _wrap(node.right, prec + 1 if left_assoc else prec, right=True)
        return f"{left} {node.op} {right}" if node.op not in ("^", ":") else f"{left}{node.op}{right}"
    raise TypeError(f"cannot deparse {node!r}")


def _wrap(node: Node, min_prec: int, right: bool) -> str:
    text = deparse(node)
    if isinstance(node, BinOp) and _PRECEDENCE[node.op] < min_prec:
        return f"({text})"
    if isinstance(node, UnaryOp) and _PRECEDENCE["unary"] < min_prec:
        return f"({text})"
    if isinstance(node, Function):
        return f"({text})"
    return text


# ---------------------------------------------------------------------------------- evaluation
#: functions a time transform may call (R name -> numpy implementation)
SAFE_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "log1p": np.log1p,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "floor": np.floor,
    "ceiling": np.ceil,
    "round": np.round,
}

_BINARY: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
}


def evaluate(node: Node, env: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate an arithmetic syntax tree over numpy arrays; names come from ``env`` only."""
    if isinstance(node, Num):
        return np.asarray(node.value, dtype=np.float64)
    if isinstance(node, Name):
        if node.id not in env:
            raise RSyntaxError(f"unknown name {node.id!r} (a transform may only use {sorted(env)})")
        return np.asarray(env[node.id], dtype=np.float64)
    if isinstance(node, UnaryOp):
        value = evaluate(node.operand, env)
        return -value if node.op == "-" else value
    if isinstance(node, BinOp) and node.op in _BINARY:
        with np.errstate(all="ignore"):
            return _BINARY[node.op](evaluate(node.left, env), evaluate(node.right, env))
    if isinstance(node, Call):
        if node.func not in SAFE_FUNCTIONS:
            raise RSyntaxError(
                f"function {node.func!r} is not allowed in a transform (allowed: {sorted(SAFE_FUNCTIONS)})"
            )
        if len(node.args) != 1 or node.args[0].name is not None:
            raise RSyntaxError(f"{node.func}() takes exactly one unnamed argument in a transform")
        with np.errstate(all="ignore"):
            return SAFE_FUNCTIONS[node.func](evaluate(node.args[0].value, env))
    raise RSyntaxError(
        f"{deparse(node)!r} is not arithmetic (numbers, the parameter, + - * / ^, {sorted(SAFE_FUNCTIONS)})"
    )


@dataclass(frozen=True)
class RFunction:
    """A one-parameter R function of arithmetic, e.g. ``function(t) t^2``, callable on arrays."""

    param: str
    body: Node

    @classmethod
    def parse(cls, text: str) -> RFunction:
        """Parse ``function(t) <expr>``, or a bare function name such as ``sqrt`` or ``log``."""
        node = parse(text)
        if isinstance(node, Name) and node.id in SAFE_FUNCTIONS:
            return cls("t", Call(node.id, (Arg(None, Name("t")),)))
        if not isinstance(node, Function) or len(node.params) != 1:
            raise RSyntaxError(f"expected a one-argument function such as 'function(t) t^2', got {text!r}")
        fn = cls(node.params[0], node.body)
        fn(np.arange(1.0, 3.0))  # reject unknown names / functions now, not at fit time
        return fn

    def __call__(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        return np.broadcast_to(evaluate(self.body, {self.param: values}), values.shape).astype(np.float64)

    def __str__(self) -> str:
        return f"function({self.param}) {deparse(self.body)}"
