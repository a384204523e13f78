"""Readers for the arguments of R term calls, as ergm's ``check.ErgmTerm`` reads them.

A term class lists its formal arguments as :class:`Formal` entries (name, reader, default);
:func:`match_arguments` matches a call's arguments to them the way R does (exact names first,
then positions in formal order) and converts each with its reader. Readers raise
:class:`~customsnet.modeling.terms.base.TermError` naming the term and argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from customsnet.modeling.terms import rsyntax as rs


class ArgumentError(ValueError):
    """An argument of a term call cannot be read (wrong kind of value, unknown or refused name)."""


Reader = Callable[[str, str, rs.Node], Any]

#: marker for "no default: the dataclass field's own default applies"
NO_DEFAULT = object()


@dataclass(frozen=True)
class Formal:
    """One formal argument of an R term: its name, how to read it, and its R default.

    ``default`` is the value R uses when the argument is not given, when it differs from the
    Python class's default (e.g. ergm's ``fixed = FALSE`` for gw terms, which customsnet refuses).
    """

    name: str
    read: Reader
    default: Any = NO_DEFAULT


def number(term: str, arg: str, node: rs.Node) -> float:
    if isinstance(node, rs.Num):
        return node.value
    if isinstance(node, rs.UnaryOp) and isinstance(node.operand, rs.Num):
        return -node.operand.value if node.op == "-" else node.operand.value
    raise ArgumentError(f"{term}: argument {arg} must be a number, got {rs.deparse(node)}")


def logical(term: str, arg: str, node: rs.Node) -> bool:
    if isinstance(node, rs.Const) and node.value is not None:
        return bool(node.value)
    raise ArgumentError(f"{term}: argument {arg} must be TRUE or FALSE, got {rs.deparse(node)}")


def text(term: str, arg: str, node: rs.Node) -> str:
    if isinstance(node, rs.Str):
        return node.value
    raise ArgumentError(f"{term}: argument {arg} must be a quoted string, got {rs.deparse(node)}")


def name(term: str, arg: str, node: rs.Node) -> str:
    """A covariate or attribute name, written bare (``mlat``) or quoted (``"mlat"``)."""
    if isinstance(node, (rs.Name, rs.Str)):
        value = node.id if isinstance(node, rs.Name) else node.value
        if "[" in value or value == "i":
            raise ArgumentError(
                f"{term}: covariate name {value!r} may not contain '[' or be 'i' (btergm reserves them)"
            )
        return value
    raise ArgumentError(f"{term}: argument {arg} must be a covariate name, got {rs.deparse(node)}")


def optional_name(term: str, arg: str, node: rs.Node) -> str | None:
    if isinstance(node, rs.Const) and node.value is None:
        return None
    return name(term, arg, node)


def optional_number(term: str, arg: str, node: rs.Node) -> float | None:
    if isinstance(node, rs.Const) and node.value is None:
        return None
    return number(term, arg, node)


def function(term: str, arg: str, node: rs.Node) -> str:
    if isinstance(node, (rs.Function, rs.Name)):
        return rs.deparse(node)
    raise ArgumentError(f"{term}: argument {arg} must be a function such as function(t) t^2, got {rs.deparse(node)}")


def _scalars(term: str, arg: str, node: rs.Node) -> list[rs.Node]:
    """The elements of ``c(...)``, ``a:b`` (whole numbers) or a single value."""
    if isinstance(node, rs.Call) and node.func == "c":
        if any(a.name is not None for a in node.args):
            raise ArgumentError(f"{term}: argument {arg}: named elements in c() are not supported")
        out: list[rs.Node] = []
        for a in node.args:
            out.extend(_scalars(term, arg, a.value))
        return out
    if isinstance(node, rs.BinOp) and node.op == ":":
        lo, hi = number(term, arg, node.left), number(term, arg, node.right)
        if lo != int(lo) or hi != int(hi):
            raise ArgumentError(f"{term}: argument {arg}: {rs.deparse(node)} needs whole numbers")
        step = 1 if hi >= lo else -1
        return [rs.Num(float(v)) for v in range(int(lo), int(hi) + step, step)]
    return [node]


def numbers(term: str, arg: str, node: rs.Node) -> tuple[float, ...]:
    """A numeric vector: ``2``, ``c(1, 3)``, ``0:4``."""
    return tuple(number(term, arg, x) for x in _scalars(term, arg, node))


def whole_numbers(term: str, arg: str, node: rs.Node) -> tuple[int, ...]:
    values = numbers(term, arg, node)
    if any(v != int(v) or v < 0 for v in values):
        raise ArgumentError(f"{term}: argument {arg} must be whole numbers >= 0, got {rs.deparse(node)}")
    return tuple(int(v) for v in values)


def levels(term: str, arg: str, node: rs.Node) -> tuple | None:
    """ergm's ``levels=`` / ``keep=``: ``NULL``, ``TRUE`` (all), or a vector of level values or
    1-based positions (numbers) or names (strings); a negative number removes that position."""
    if isinstance(node, rs.Const):
        if node.value is None:
            return None
        if node.value is True:
            return ("__all__",)
        raise ArgumentError(f"{term}: argument {arg} = FALSE is not supported")
    out: list[Any] = []
    for x in _scalars(term, arg, node):
        if isinstance(x, rs.Str):
            out.append(x.value)
        else:
            out.append(number(term, arg, x))
    return tuple(out)


def match_arguments(
    term: str, formals: Iterable[Formal], refused: dict[str, str], args: Iterable[rs.Arg]
) -> dict[str, Any]:
    """R-style matching: named arguments by exact name, then positional ones in formal order."""
    by_name = {f.name: f for f in formals}
    values: dict[str, rs.Node] = {}
    positional: list[rs.Node] = []
    for arg in args:
        if arg.name is None:
            positional.append(arg.value)
        elif arg.name in refused:
            raise ArgumentError(f"{term}: {refused[arg.name]}")
        elif arg.name not in by_name:
            raise ArgumentError(f"{term}: unknown argument {arg.name!r} (accepted: {list(by_name) or 'none'})")
        elif arg.name in values:
            raise ArgumentError(f"{term}: argument {arg.name!r} given twice")
        else:
            values[arg.name] = arg.value
    free = [n for n in by_name if n not in values]
    if len(positional) > len(free):
        raise ArgumentError(f"{term}: too many arguments (accepted: {list(by_name) or 'none'})")
    values.update(zip(free, positional))
    for n in values:
        if n in refused:
            raise ArgumentError(f"{term}: {refused[n]}")
    kwargs = {f.name: f.default for f in by_name.values() if f.default is not NO_DEFAULT}
    kwargs.update({n: by_name[n].read(term, n, node) for n, node in values.items()})
    return kwargs
