"""Paths into a design: parse, format, read, write, and find what a path points at.

A path names a place in a design dict the way Python would index it, with dots between
fields: `blocks[2]` is the third top-level block, `blocks[2].blocks[0]` the first block inside
it (an `arg_scope` or `residual`), `blocks[1].branches[0][2]` the third block of the first
branch of a `branches` block, `blocks[3].block` the layer a `repeat` repeats and
`blocks[0].shortcut[1]` the second block on a residual's shortcut.

Two sorts of place matter to the editor:

- a *block*: a dict with a `kind` (`blocks[2]`, `blocks[3].block`);
- a *container*: a list of blocks (`blocks`, `blocks[2].blocks`, `blocks[1].branches[0]`,
  `blocks[0].shortcut`), into which blocks are inserted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from workbench.models.design import kinds

Step = str | int
Place = Literal["design", "block", "blocks", "branches"]

#: The lists of blocks (and the single `block` of a `repeat`) that each block kind holds,
#: from the kind table (`design.kinds`).
CHILD_FIELDS: dict[str, tuple[str, ...]] = kinds.CHILD_FIELDS
# What a field that holds blocks leads to, by its type in the kind table.
_TYPE_PLACE: dict[str, Place] = {"blocks": "blocks", "block_lists": "branches", "layer": "block"}

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = re.compile(rf"{_NAME}(\[\d+\])*(\.{_NAME}(\[\d+\])*)*")
_TOKEN = re.compile(rf"({_NAME})|\[(\d+)\]")
_EXAMPLES = "`blocks[0]`, `blocks[2].blocks[1]`, `blocks[1].branches[0][2]`"


def parse_path(path: str) -> tuple[Step, ...]:
    """Splits a path into its field names and list indices.

    Args:
      path: A path such as `"blocks[1].branches[0][2]"`; `""` is the design itself.

    Returns:
      The steps, e.g. `("blocks", 1, "branches", 0, 2)`.

    Raises:
      TypeError: If `path` is not a str.
      ValueError: If `path` is not made of `name`, `[index]` and `.` as above.

    Example:
      >>> parse_path("blocks[1].branches[0][2]")
      ('blocks', 1, 'branches', 0, 2)
    """
    if not isinstance(path, str):
        raise TypeError(f"parse_path: `path` must be a str, got {path!r} ({type(path).__name__}).")
    if path == "":
        return ()
    if not _PATH.fullmatch(path):
        raise ValueError(
            f"parse_path: `path` must be field names and [index]es joined by dots, such as "
            f"{_EXAMPLES}, got {path!r}."
        )
    return tuple(name or int(index) for name, index in _TOKEN.findall(path))


def format_path(steps: Sequence[Step]) -> str:
    """Writes steps as a path, the inverse of `parse_path`.

    Args:
      steps: Field names (str) and list indices (int >= 0).

    Returns:
      The path, e.g. `"blocks[1].branches[0][2]"`; `""` for no steps.

    Raises:
      ValueError: If a step is neither a field name nor an int >= 0.

    Example:
      >>> format_path(["blocks", 0, "shortcut", 1])
      'blocks[0].shortcut[1]'
    """
    text = ""
    for step in steps:
        if isinstance(step, int) and not isinstance(step, bool) and step >= 0:
            text += f"[{step}]"
        elif isinstance(step, str) and re.fullmatch(_NAME, step):
            text += f".{step}" if text else step
        else:
            raise ValueError(
                f"format_path: each step must be a field name or an int >= 0, got {step!r}."
            )
    return text


def get_at(root: Any, path: str | Sequence[Step]) -> Any:
    """The value at `path` inside nested dicts and lists.

    Args:
      root: Nested dicts and lists, e.g. a design.
      path: A path string or its steps.

    Returns:
      The value found there (not a copy).

    Raises:
      ValueError: If a step names a missing field or an index out of range.

    Example:
      >>> get_at({"blocks": [{"kind": "layer"}]}, "blocks[0].kind")
      'layer'
    """
    steps = parse_path(path) if isinstance(path, str) else tuple(path)
    value = root
    for depth, step in enumerate(steps):
        value = _step_into(value, step, steps[: depth + 1], "get_at")
    return value


def set_at(root: Any, path: str | Sequence[Step], value: Any) -> None:
    """Stores `value` at `path`, changing `root` in place.

    The last step may name a new field of a dict or the index just past the end of a list
    (which appends); every earlier step must exist.

    Args:
      root: Nested dicts and lists, e.g. a copy of a design.
      path: A path string or its steps; must not be empty.
      value: What to store.

    Raises:
      ValueError: If the path is empty, or a step does not exist.

    Example:
      >>> design = {"blocks": [{"kind": "layer", "args": {}}]}
      >>> set_at(design, "blocks[0].args", {"num_outputs": 8})
      >>> design["blocks"][0]["args"]
      {'num_outputs': 8}
    """
    steps = parse_path(path) if isinstance(path, str) else tuple(path)
    if not steps:
        raise ValueError("set_at: `path` must name a place inside `root`, got ''.")
    parent = get_at(root, steps[:-1])
    last = steps[-1]
    if isinstance(last, int):
        if not isinstance(parent, list) or last > len(parent):
            size = len(parent) if isinstance(parent, list) else "no"
            raise ValueError(
                f"set_at: {format_path(steps)!r} is not in `root`: {format_path(steps[:-1])!r} "
                f"holds {size} list items."
            )
        if last == len(parent):
            parent.append(value)
        else:
            parent[last] = value
    else:
        if not isinstance(parent, dict):
            raise ValueError(
                f"set_at: {format_path(steps)!r} is not in `root`: "
                f"{format_path(steps[:-1])!r} is not a dict."
            )
        parent[last] = value


def _step_into(value: Any, step: Step, done: Sequence[Step], fn: str) -> Any:
    if isinstance(step, int):
        if isinstance(value, list) and step < len(value):
            return value[step]
    elif isinstance(value, dict) and step in value:
        return value[step]
    raise ValueError(f"{fn}: {format_path(done)!r} does not exist.")


def locate(
    design: dict, path: str, *, fn: str, name: str = "path", create: bool = False
) -> tuple[Place, Any]:
    """Follows `path` through a design, checking each step against the block kinds.

    Args:
      design: A structurally valid design.
      path: Where to go.
      fn: Name of the calling function, for error messages.
      name: Name of the caller's argument holding `path`, for error messages.
      create: Whether a list of blocks a block leaves out (a residual's optional `shortcut`)
        is added to the block, so that what is inserted into it stays in the design;
        otherwise a fresh empty list stands in for it.

    Returns:
      `(place, value)`: `"design"` (the design itself), `"block"` (a block dict), `"blocks"`
      (a list of blocks) or `"branches"` (the list of branches of a `branches` block).

    Raises:
      TypeError: If `path` is not a str.
      ValueError: If a step does not exist in this design; the message says what does.
    """
    if not isinstance(path, str):
        raise TypeError(f"{fn}: `{name}` must be a str, got {path!r} ({type(path).__name__}).")
    try:
        steps = parse_path(path)
    except ValueError:
        raise ValueError(
            f"{fn}: `{name}` must be field names and [index]es joined by dots, such as "
            f"{_EXAMPLES}, got {path!r}."
        ) from None
    place: Place = "design"
    value: Any = design
    for depth, step in enumerate(steps):
        here = format_path(steps[:depth])
        if place in ("blocks", "branches"):
            noun = "blocks" if place == "blocks" else "branches"
            if not isinstance(step, int):
                raise ValueError(
                    f"{fn}: `{name}` {path!r} does not exist: {here!r} is a list of {noun}, "
                    f"so an index like `{here}[0]` must follow it, not `.{step}`."
                )
            if step >= len(value):
                raise ValueError(
                    f"{fn}: `{name}` {path!r} does not exist: index {step} is out of range, "
                    f"{here!r} holds {len(value)} {noun}."
                )
            value = value[step]
            place = "block" if place == "blocks" else "blocks"
            continue
        record = None
        if place == "design":
            fields: tuple[str, ...] = ("blocks",)
            owner = "the design"
        else:
            record = kinds.KIND_TABLE.get(value.get("kind"))
            fields = record.children if record is not None else ()
            owner = f"{here!r} (a {value.get('kind')!r} block)"
        if isinstance(step, int) or step not in fields:
            step_text = f"[{step}]" if isinstance(step, int) else f"`{step}`"
            holds = ", ".join(f"`{f}`" for f in fields) if fields else "no other blocks"
            raise ValueError(
                f"{fn}: `{name}` {path!r} does not exist: {owner} has no {step_text}; "
                f"it holds {holds}."
            )
        field = record.field(step) if record is not None else None
        if step not in value and field is not None:  # An optional field, left out.
            default = kinds.value_of(value, step)
            value = value.setdefault(step, default) if create else default
        else:
            value = value[step]
        place = _TYPE_PLACE[field.type] if field is not None else "blocks"
    return place, value


def is_within(path: str, ancestor: str) -> bool:
    """Whether `path` is `ancestor` itself or lies inside it.

    Example:
      >>> is_within("blocks[2].blocks[0]", "blocks[2]"), is_within("blocks[20]", "blocks[2]")
      (True, False)
    """
    return path == ancestor or path.startswith((ancestor + ".", ancestor + "["))
