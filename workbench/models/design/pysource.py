"""Python expressions as small trees, written out the way `ruff format` lays them out.

Generated code must come out already formatted, also where `ruff` is not installed (the
web app). Only what the code generator writes is covered: names, literals, calls, lists,
tuples and dicts. A statement that does not fit the line is split at its last bracket
(one indented line with every item when that fits, else one item per line with a
trailing comma), recursively: the layout `ruff format` (and Black) chooses for them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from typing import Any

INDENT = "    "


class Expr:
    """A Python expression that knows its one-line text and how to split itself."""

    def flat(self) -> str:
        raise NotImplementedError

    def parts(self) -> tuple[str, list[tuple[str, Expr]], str] | None:
        """`(opener, [(label, item)], closer)` for a bracketed expression, else None."""
        return None


@dataclasses.dataclass(frozen=True)
class Atom(Expr):
    """Text written as is: a name (`net`, `tf.nn.relu`), a number, a string literal."""

    text: str

    def flat(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class Call(Expr):
    """`func(arg, ..., name=value, ...)`."""

    func: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()

    def flat(self) -> str:
        items = [a.flat() for a in self.args] + [f"{k}={v.flat()}" for k, v in self.kwargs]
        return f"{self.func}({', '.join(items)})"

    def parts(self) -> tuple[str, list[tuple[str, Expr]], str] | None:
        items = [("", a) for a in self.args] + [(f"{k}=", v) for k, v in self.kwargs]
        return (f"{self.func}(", items, ")") if items else None


@dataclasses.dataclass(frozen=True)
class ListExpr(Expr):
    """`[item, ...]`."""

    items: tuple[Expr, ...] = ()

    def flat(self) -> str:
        return "[" + ", ".join(i.flat() for i in self.items) + "]"

    def parts(self) -> tuple[str, list[tuple[str, Expr]], str] | None:
        return ("[", [("", i) for i in self.items], "]") if self.items else None


@dataclasses.dataclass(frozen=True)
class TupleExpr(Expr):
    """`(item, ...)`; a single item gets its trailing comma: `(x,)`."""

    items: tuple[Expr, ...] = ()

    def flat(self) -> str:
        if len(self.items) == 1:
            return f"({self.items[0].flat()},)"
        return "(" + ", ".join(i.flat() for i in self.items) + ")"

    def parts(self) -> tuple[str, list[tuple[str, Expr]], str] | None:
        return ("(", [("", i) for i in self.items], ")") if self.items else None


@dataclasses.dataclass(frozen=True)
class DictExpr(Expr):
    """`{key: value, ...}` with string keys."""

    items: tuple[tuple[str, Expr], ...] = ()

    def flat(self) -> str:
        return "{" + ", ".join(f"{string(k)}: {v.flat()}" for k, v in self.items) + "}"

    def parts(self) -> tuple[str, list[tuple[str, Expr]], str] | None:
        if not self.items:
            return None
        return ("{", [(f"{string(k)}: ", v) for k, v in self.items], "}")


def string(text: str) -> str:
    """A double-quoted Python string literal for `text` (JSON escapes are Python escapes)."""
    return json.dumps(text, ensure_ascii=False)


def literal(value: Any) -> Expr:
    """The Python expression of a JSON value (`None`, `True`, numbers, strings, lists, dicts).

    Example:
      >>> literal({"decay": 0.997, "scale": True, "shape": [1, 2]}).flat()
      '{"decay": 0.997, "scale": True, "shape": [1, 2]}'
    """
    if value is None or isinstance(value, bool):
        return Atom(repr(value))
    if isinstance(value, int):
        return Atom(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"literal: `value` must be a finite number, got {value!r}.")
        return Atom(repr(value))
    if isinstance(value, str):
        return Atom(string(value))
    if isinstance(value, (list, tuple)):
        return ListExpr(tuple(literal(v) for v in value))
    if isinstance(value, dict):
        return DictExpr(tuple((str(k), literal(v)) for k, v in value.items()))
    raise TypeError(
        f"literal: `value` must be a JSON value, got {value!r} ({type(value).__name__})."
    )


def statement(
    prefix: str, expr: Expr, suffix: str = "", *, indent: int = 0, width: int = 100
) -> list[str]:
    """The lines of `prefix + expr + suffix` at `indent` levels, split to fit `width`.

    Example:
      >>> call = Call("slim.conv2d", (Atom("net"), Atom("64")), (("scope", Atom('"c"')),))
      >>> statement("net = ", call)
      ['net = slim.conv2d(net, 64, scope="c")']
      >>> for line in statement("net = ", call, width=24): print(line)
      net = slim.conv2d(
          net, 64, scope="c"
      )
    """
    pad = INDENT * indent
    line = pad + prefix + expr.flat() + suffix
    parts = expr.parts()
    if len(line) <= width or parts is None:
        return [line]
    opener, items, closer = parts
    head = pad + prefix + opener
    tail = pad + closer + suffix
    inner = pad + INDENT
    one_line = inner + ", ".join(label + item.flat() for label, item in items)
    # A lone tuple item keeps its comma, which (as a magic trailing comma) forces one
    # item per line.
    single_tuple = isinstance(expr, TupleExpr) and len(items) == 1
    if len(one_line) <= width and not single_tuple:
        return [head, one_line, tail]
    lines = [head]
    for label, item in items:
        lines += statement(label, item, ",", indent=indent + 1, width=width)
    lines.append(tail)
    return lines


def block(lines: Sequence[str], indent: int) -> list[str]:
    """`lines` shifted right by `indent` levels (empty lines stay empty)."""
    pad = INDENT * indent
    return [pad + line if line else line for line in lines]
