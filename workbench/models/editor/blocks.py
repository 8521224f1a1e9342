"""Block dicts: making new ones and checking the structure of blocks and designs.

The checks here are structural only (kinds, fields, nesting, JSON literals), enough for the
editor to keep a design well formed; they are the design format's JSON Schema
(`design.schema`, generated from the kind table in `design.kinds`), and a refused value is
reported with every problem the schema finds, each with its path. Whether an op exists,
whether its arguments fit and what shapes come out is decided by the design package's
analysis, shown next to each block.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workbench.models.design import kinds, schema
from workbench.models.design.starting_args import starting_args
from workbench.problems import Problem, short_repr

FORMAT = kinds.FORMAT
VERSION = kinds.VERSION
#: Every block kind, in the order a palette lists them.
KINDS = kinds.KINDS
#: The kinds that structure other layers (the palette's "structure" group).
STRUCTURE_KINDS = kinds.STRUCTURE_KINDS
DEFAULT_REPEAT_OP = kinds.DEFAULT_REPEAT_OP
DEFAULT_STACK_OP = kinds.DEFAULT_STACK_OP

_IDENTIFIER_HINT = "a name such as 'conv2d'"


def new_block(
    op_or_kind: str, *, op: str | None = None, name: str | None = None, ready: bool = False
) -> dict:
    """A new block, ready to insert: with empty arguments, or valid at once when `ready`.

    Args:
      op_or_kind: A structure kind (`"repeat"`, `"stack"`, `"arg_scope"`, `"residual"`,
        `"branches"`), `"net"`, `"layer"`, or the name of a layer op (`"conv2d"`) for a layer.
      op: The layer op of a `layer`, `repeat` or `stack`; a `repeat` defaults to `conv2d`,
        a `stack` to `fully_connected`.
      name: The net's name (`"vgg_16"`); required for `"net"`.
      ready: Whether a layer starts with its required arguments filled in
        (`design.starting_args`), as a layer dropped on the canvas does, so it is valid at
        once; a repeat's layer and each of a stack's calls start the same way.

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
      >>> new_block("conv2d", ready=True)["args"]
      {'num_outputs': 32, 'kernel_size': [3, 3]}
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
        return kinds.new_block("layer", op=op, args=starting_args(op) if ready else {})
    if kind == "repeat":
        return kinds.new_block("repeat", block=new_block(op or DEFAULT_REPEAT_OP, ready=ready))
    if kind == "stack":
        stack = kinds.new_block("stack", op=op or DEFAULT_STACK_OP)
        if ready:
            # A stack's calls differ only in their leading arguments, which `per_layer` holds.
            stack["per_layer"] = [starting_args(stack["op"]) for _ in stack["per_layer"]]
        return stack
    if kind == "net":
        if name is None:
            raise ValueError("new_block: 'net' needs `name`, the net to call, e.g. name='vgg_16'.")
        return kinds.new_block("net", name=name)
    if kind in kinds.KIND_TABLE:
        return kinds.new_block(kind)
    return kinds.new_block("layer", op=kind, args=starting_args(kind) if ready else {})


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
        "format": kinds.FORMAT,
        "version": kinds.VERSION,
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
    return kinds.iter_blocks(design)


def check_design(design: Any, *, fn: str) -> None:
    """Raises if `design` is not a structurally valid design dict.

    Args:
      design: The candidate, e.g. parsed from a design JSON file.
      fn: Name of the calling function, for error messages.

    Raises:
      TypeError: If every problem found is a value of the wrong type.
      ValueError: Otherwise, if anything is wrong: the message lists every problem.
    """
    _refuse(fn, schema.problems(design, "design"))


def check_block(block: Any, *, fn: str, where: str = "block") -> None:
    """Raises unless `block` is a structurally valid block, with all blocks nested in it.

    Args:
      block: The candidate block dict.
      fn: Name of the calling function, for error messages.
      where: The block's path (or argument name), for error messages.

    Raises:
      TypeError: If every problem found is a value of the wrong type.
      ValueError: Otherwise, if anything is wrong (an unknown kind, a missing field, a
        `repeat` holding anything but a layer...): the message lists every problem.
    """
    _refuse(fn, schema.problems(block, "block", path=where))


def check_field(kind: str, field: str, value: Any, *, fn: str, where: str) -> None:
    """Raises unless `value` fits `field` of a `kind` block (nested blocks checked too).

    Raises:
      TypeError: If `value` has the wrong type for the field.
      ValueError: If `value` is out of range, or a `repeat`'s block is not a layer.
    """
    _refuse(fn, schema.problems(value, f"{kind}.{field}", path=where))


def check_literal(value: Any, *, fn: str, where: str) -> None:
    """Raises `TypeError` unless `value` is a JSON literal: None, bool, int, finite float, str,
    or lists and str-keyed dicts of those (a design holds values, never code)."""
    _refuse(fn, schema.problems(value, "literal", path=where))


def check_name(fn: str, where: str, value: Any) -> None:
    """Raises unless `value` is a str that is a Python identifier (an op, argument or net name)."""
    if not isinstance(value, str):
        raise TypeError(
            f"{fn}: `{where}` must be a str, got {short_repr(value)} ({type(value).__name__})."
        )
    if not value.isidentifier():
        raise ValueError(f"{fn}: `{where}` must be {_IDENTIFIER_HINT}, got {value!r}.")


def _refuse(fn: str, found: list[Problem]) -> None:
    """Raises one error listing every problem (TypeError when all are wrong types)."""
    if not found:
        return
    error = TypeError if all(p.kind == "type" for p in found) else ValueError
    if len(found) == 1:
        raise error(f"{fn}: {found[0].message}")
    lines = "".join(f"\n  - {p.message}" for p in found)
    raise error(f"{fn}: {len(found)} problems:{lines}")
