"""Block dicts: making new ones and checking the structure of blocks and designs.

The checks here are structural only (kinds, fields, nesting, JSON literals), enough for the
editor to keep a design well formed. Whether an op exists, whether its arguments fit and what
shapes come out is decided by the design package's validation, shown next to each block.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from workbench.models.editor.paths import CHILD_FIELDS, format_path
from workbench.problems import did_you_mean

FORMAT = "slim-workbench-design"
VERSION = 1

#: Every block kind, in the order a palette lists them.
KINDS = ("layer", "repeat", "stack", "arg_scope", "residual", "branches", "net")
#: The kinds that structure other layers (the palette's "structure" group).
STRUCTURE_KINDS = ("repeat", "stack", "arg_scope", "residual", "branches")
#: Fields every block of a kind has, beside `kind` (`scope` is optional where allowed).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "layer": ("op", "args"),
    "repeat": ("count", "block"),
    "stack": ("op", "args", "per_layer"),
    "arg_scope": ("ops", "defaults", "blocks"),
    "residual": ("blocks", "shortcut"),
    "branches": ("branches", "axis"),
    "net": ("name", "options"),
}
#: Kinds that take an optional `scope`.
SCOPED_KINDS = ("layer", "repeat", "stack", "residual", "branches")
#: The layer `repeat` and `stack` use when `new_block` is not told one: TF-Slim's README
#: examples repeat `conv2d` and stack `fully_connected`.
DEFAULT_REPEAT_OP = "conv2d"
DEFAULT_STACK_OP = "fully_connected"

_IDENTIFIER_HINT = "a name such as 'conv2d'"


def new_block(op_or_kind: str, *, op: str | None = None, name: str | None = None) -> dict:
    """A new block with empty arguments, ready to insert.

    Args:
      op_or_kind: A structure kind (`"repeat"`, `"stack"`, `"arg_scope"`, `"residual"`,
        `"branches"`), `"net"`, `"layer"`, or the name of a layer op (`"conv2d"`) for a layer.
      op: The layer op of a `layer`, `repeat` or `stack`; a `repeat` defaults to `conv2d`,
        a `stack` to `fully_connected`.
      name: The net's name (`"vgg_16"`); required for `"net"`.

    Returns:
      A fresh dict, e.g. `{"kind": "layer", "op": "conv2d", "args": {}}`. A `repeat` repeats
      its layer 2 times, a `stack` has 2 (empty) per-layer argument sets, a `branches` block 2
      empty branches joined on axis 3.

    Raises:
      TypeError: If `op_or_kind`, `op` or `name` is not a str.
      ValueError: If a name is not an identifier, `op` is given where no op belongs, or
        `"net"` comes without `name`.

    Example:
      >>> new_block("conv2d")
      {'kind': 'layer', 'op': 'conv2d', 'args': {}}
      >>> new_block("repeat")["block"]
      {'kind': 'layer', 'op': 'conv2d', 'args': {}}
    """
    check_name("new_block", "op_or_kind", op_or_kind)
    if op is not None:
        check_name("new_block", "op", op)
        if op_or_kind not in ("layer", "repeat", "stack"):
            raise ValueError(
                f"new_block: `op` goes with 'layer', 'repeat' or 'stack', "
                f"got op={op!r} for {op_or_kind!r}."
            )
    if name is not None:
        check_name("new_block", "name", name)
        if op_or_kind != "net":
            raise ValueError(
                f"new_block: `name` goes with 'net', got name={name!r} for {op_or_kind!r}."
            )
    kind = op_or_kind
    if kind == "layer":
        if op is None:
            raise ValueError("new_block: 'layer' needs `op`, the layer to call, e.g. op='conv2d'.")
        return {"kind": "layer", "op": op, "args": {}}
    if kind == "repeat":
        return {"kind": "repeat", "count": 2, "block": new_block(op or DEFAULT_REPEAT_OP)}
    if kind == "stack":
        return {"kind": "stack", "op": op or DEFAULT_STACK_OP, "args": {}, "per_layer": [{}, {}]}
    if kind == "arg_scope":
        return {"kind": "arg_scope", "ops": [], "defaults": {}, "blocks": []}
    if kind == "residual":
        return {"kind": "residual", "blocks": [], "shortcut": []}
    if kind == "branches":
        return {"kind": "branches", "branches": [[], []], "axis": 3}
    if kind == "net":
        if name is None:
            raise ValueError("new_block: 'net' needs `name`, the net to call, e.g. name='vgg_16'.")
        return {"kind": "net", "name": name, "options": {}}
    return {"kind": "layer", "op": kind, "args": {}}


def empty_design(name: str = "model", shape: tuple[int | None, ...] = (28, 28, 1)) -> dict:
    """A design with no blocks yet.

    Args:
      name: The design's name.
      shape: Input shape `[height, width, channels]` (no batch dimension); default the
        28x28 grey images of MNIST-like data.

    Returns:
      `{"format": "slim-workbench-design", "version": 1, "name": name, "input": {...},
      "blocks": []}`.
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "input": {"shape": list(shape), "dtype": "float32"},
        "blocks": [],
    }


def iter_blocks(design: dict) -> Iterator[tuple[str, dict]]:
    """Every block of a structurally valid design with its path, depth first in reading order.

    Example:
      >>> design = empty_design()
      >>> design["blocks"] = [new_block("repeat")]
      >>> [path for path, _ in iter_blocks(design)]
      ['blocks[0]', 'blocks[0].block']
    """
    yield from _iter_list(design["blocks"], ("blocks",))


def _iter_list(blocks: list, steps: tuple) -> Iterator[tuple[str, dict]]:
    for index, block in enumerate(blocks):
        yield from _iter_block(block, (*steps, index))


def _iter_block(block: dict, steps: tuple) -> Iterator[tuple[str, dict]]:
    yield format_path(steps), block
    for field in CHILD_FIELDS.get(block["kind"], ()):
        if field == "block":
            yield from _iter_block(block["block"], (*steps, "block"))
        elif field == "branches":
            for number, branch in enumerate(block["branches"]):
                yield from _iter_list(branch, (*steps, "branches", number))
        else:
            yield from _iter_list(block[field], (*steps, field))


def check_design(design: Any, *, fn: str) -> None:
    """Raises if `design` is not a structurally valid design dict.

    Args:
      design: The candidate, e.g. parsed from a design JSON file.
      fn: Name of the calling function, for error messages.

    Raises:
      TypeError: If `design` or one of its parts has the wrong type.
      ValueError: If `format`, `version` or a block's kind or fields are wrong.
    """
    if not isinstance(design, dict):
        raise TypeError(
            f"{fn}: `design` must be a dict, got {_short(design)} ({type(design).__name__})."
        )
    if design.get("format") != FORMAT:
        raise ValueError(f"{fn}: design `format` must be {FORMAT!r}, got {design.get('format')!r}.")
    if design.get("version") != VERSION:
        raise ValueError(
            f"{fn}: design `version` must be {VERSION}, got {design.get('version')!r}."
        )
    if not isinstance(design.get("name"), str):
        raise TypeError(f"{fn}: design `name` must be a str, got {design.get('name')!r}.")
    spec = design.get("input")
    if not isinstance(spec, dict) or not isinstance(spec.get("shape"), list):
        raise TypeError(
            f"{fn}: design `input` must be a dict with a `shape` list such as "
            f'{{"shape": [28, 28, 1], "dtype": "float32"}}, got {_short(spec)}.'
        )
    check_literal(spec, fn=fn, where="input")
    check_blocks(design.get("blocks"), fn=fn, where="blocks")


def check_blocks(blocks: Any, *, fn: str, where: str) -> None:
    """Raises unless `blocks` is a list of structurally valid blocks (see `check_block`)."""
    if not isinstance(blocks, list):
        raise TypeError(f"{fn}: `{where}` must be a list of blocks, got {_short(blocks)}.")
    for index, block in enumerate(blocks):
        check_block(block, fn=fn, where=f"{where}[{index}]")


def check_block(block: Any, *, fn: str, where: str = "block") -> None:
    """Raises unless `block` is a structurally valid block, with all blocks nested in it.

    Args:
      block: The candidate block dict.
      fn: Name of the calling function, for error messages.
      where: The block's path (or argument name), for error messages.

    Raises:
      TypeError: If `block` or one of its fields has the wrong type.
      ValueError: If its kind is unknown, a field is missing or out of range, or a `repeat`
        holds anything but a layer block.
    """
    if not isinstance(block, dict):
        raise TypeError(
            f"{fn}: `{where}` must be a block dict, got {_short(block)} ({type(block).__name__})."
        )
    kind = block.get("kind")
    if kind not in KINDS:
        raise ValueError(
            f"{fn}: `{where}` has kind {kind!r}; expected one of {', '.join(KINDS)}."
            + did_you_mean(kind, KINDS)
        )
    missing = [field for field in REQUIRED_FIELDS[kind] if field not in block]
    if missing:
        raise ValueError(
            f"{fn}: `{where}` is a {kind!r} block without {', '.join(map(repr, missing))}; "
            f"a {kind!r} block needs {', '.join(map(repr, REQUIRED_FIELDS[kind]))}."
        )
    for field in REQUIRED_FIELDS[kind]:
        check_field(kind, field, block[field], fn=fn, where=f"{where}.{field}")
    if "scope" in block:
        if kind not in SCOPED_KINDS:
            raise ValueError(f"{fn}: `{where}` is a {kind!r} block, which takes no `scope`.")
        check_field(kind, "scope", block["scope"], fn=fn, where=f"{where}.scope")


def check_field(kind: str, field: str, value: Any, *, fn: str, where: str) -> None:
    """Raises unless `value` fits `field` of a `kind` block (nested blocks checked too).

    Raises:
      TypeError: If `value` has the wrong type for the field.
      ValueError: If `value` is out of range, or a `repeat`'s block is not a layer.
    """
    if field in ("op", "name", "activation"):
        check_name(fn, where, value)
    elif field == "scope":
        if not isinstance(value, str) or not value.strip():
            raise TypeError(f"{fn}: `{where}` must be a non-empty str, got {_short(value)}.")
    elif field in ("args", "defaults", "options"):
        check_arguments(value, fn=fn, where=where)
    elif field == "per_layer":
        if not isinstance(value, list):
            raise TypeError(
                f"{fn}: `{where}` must be a list of argument dicts, got {_short(value)}."
            )
        for index, args in enumerate(value):
            check_arguments(args, fn=fn, where=f"{where}[{index}]")
    elif field == "count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{fn}: `{where}` must be an int, got {_short(value)}.")
        if value < 1:
            raise ValueError(f"{fn}: `{where}` must be >= 1, got {value}.")
    elif field == "axis":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{fn}: `{where}` must be an int, got {_short(value)}.")
    elif field == "ops":
        if not isinstance(value, list):
            raise TypeError(f"{fn}: `{where}` must be a list of op names, got {_short(value)}.")
        for index, op in enumerate(value):
            check_name(fn, f"{where}[{index}]", op)
        if len(set(value)) != len(value):
            raise ValueError(f"{fn}: `{where}` must name each op once, got {value!r}.")
    elif field == "block":
        check_block(value, fn=fn, where=where)
        if value["kind"] != "layer":
            raise ValueError(
                f"{fn}: `{where}` must be a layer block (repeat calls one layer `count` times), "
                f"got a {value['kind']!r} block."
            )
    elif field in ("blocks", "shortcut"):
        check_blocks(value, fn=fn, where=where)
    elif field == "branches":
        if not isinstance(value, list):
            raise TypeError(f"{fn}: `{where}` must be a list of block lists, got {_short(value)}.")
        for index, branch in enumerate(value):
            check_blocks(branch, fn=fn, where=f"{where}[{index}]")
    else:
        raise ValueError(f"{fn}: {kind!r} blocks have no field {field!r}.")


def check_arguments(args: Any, *, fn: str, where: str) -> None:
    """Raises unless `args` maps identifier names to JSON literals."""
    if not isinstance(args, dict):
        raise TypeError(f"{fn}: `{where}` must be a dict of arguments, got {_short(args)}.")
    for key, value in args.items():
        check_name(fn, f"{where} name {key!r}", key)
        check_literal(value, fn=fn, where=f"{where}.{key}")


def check_literal(value: Any, *, fn: str, where: str) -> None:
    """Raises `TypeError` unless `value` is a JSON literal: None, bool, int, finite float, str,
    or lists and str-keyed dicts of those (a design holds values, never code)."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{fn}: `{where}` must be a finite number, got {value!r}.")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_literal(item, fn=fn, where=f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{fn}: `{where}` keys must be str, got {key!r}.")
            check_literal(item, fn=fn, where=f"{where}.{key}")
        return
    raise TypeError(
        f"{fn}: `{where}` must be a JSON literal (None, bool, int, float, str, list or dict), "
        f"got {_short(value)} ({type(value).__name__})."
    )


def check_name(fn: str, where: str, value: Any) -> None:
    """Raises unless `value` is a str that is a Python identifier (an op, argument or net name)."""
    if not isinstance(value, str):
        raise TypeError(
            f"{fn}: `{where}` must be a str, got {_short(value)} ({type(value).__name__})."
        )
    if not value.isidentifier():
        raise ValueError(f"{fn}: `{where}` must be {_IDENTIFIER_HINT}, got {value!r}.")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
