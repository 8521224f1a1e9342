"""Where a problem is, in words: `conv2d 'conv1' in arg_scope 1` for `blocks[0].blocks[0]`.

A problem's path (`blocks[0].blocks[0].args.kernel_size`) says exactly where it is for a
program; a person reads the block by its op and scope, or its place in its list, and the
blocks around it. `in_words` rewrites a problem message that starts with its path so.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.models.design import kinds

# The step from a parent block to a child: `.blocks[2]`, `.shortcut[0]`, `.branches[1][0]`
# or `.block` (a repeat's layer); a top-level block's path is `blocks[2]`.
_STEP = re.compile(
    r"^\.(?P<field>blocks|shortcut)\[\d+\]$|^\.branches\[(?P<branch>\d+)\]\[\d+\]$|^\.block$"
)
_LAST_INDEX = re.compile(r"\[(?P<index>\d+)\]$")
# The fields of a block holding arguments, left out of the words ("kernel_size", not
# "args.kernel_size").
_ARGUMENT_PREFIXES = tuple(f".{field}." for field in ("args", "options", "defaults"))


def block_words(block: dict, position: int | None) -> str:
    """A block named the way a person reads it: `conv2d 'conv1'`, `arg_scope 1`.

    Args:
      block: The block dict.
      position: Its place in its list, from 1; None where it has none (a repeat's layer).
    """
    kind = block.get("kind")
    label = block.get("op") if kind in ("layer", "stack") else None
    label = block.get("name") if kind == "net" else label
    label = label if isinstance(label, str) else str(kind)
    if kind == "stack":
        label = f"stack of {label}"
    scope = block.get("scope")
    if isinstance(scope, str):
        return f"{label} {scope!r}"
    if kind == "net":  # A design seldom holds one net twice: its name says which.
        return f"net {label}"
    return label if position is None else f"{label} {position}"


def place_words(design: Any, path: str) -> str | None:
    """The block at `path` and the blocks around it in words, or None when `path` is not
    a block path of `design`.

    Example:
      >>> conv = {"kind": "layer", "op": "conv2d", "scope": "conv1", "args": {}}
      >>> scope = {"kind": "arg_scope", "ops": ["conv2d"], "blocks": [conv]}
      >>> place_words({"blocks": [scope]}, "blocks[0].blocks[0]")
      "conv2d 'conv1' in arg_scope 1"
    """
    blocks = dict(kinds.iter_blocks(design))
    if path not in blocks:
        return None
    words = _one(blocks, path)
    current = path
    while (parent := _parent(current, blocks)) is not None:
        step = _STEP.match(current[len(parent) :])
        if step is None:
            return None
        if step["field"] == "shortcut":
            words += " in the shortcut of "
        elif step["branch"] is not None:
            words += f" in branch {int(step['branch']) + 1} of "
        else:
            words += " in "
        words += _one(blocks, parent)
        current = parent
    return words


def in_words(design: Any, block_path: str, message: str) -> str:
    """`message` with its leading `` `path` `` said in words, when the path lies in the
    block at `block_path`; otherwise `message` as it is.

    Example:
      >>> conv = {"kind": "layer", "op": "conv2d", "scope": "conv1", "args": {}}
      >>> scope = {"kind": "arg_scope", "ops": ["conv2d"], "blocks": [conv]}
      >>> in_words({"blocks": [scope]}, "blocks[0].blocks[0]",
      ...          "`blocks[0].blocks[0].args.kernel_size` must be an int >= 1, got 0.")
      "conv2d 'conv1' in arg_scope 1: kernel_size must be an int >= 1, got 0."
    """
    found = re.match(r"^`(?P<path>[^`]+)` ", message)
    if found is None or not found["path"].startswith(block_path):
        return message
    rest = found["path"][len(block_path) :]
    if rest and rest[0] not in ".[":
        return message
    place = place_words(design, block_path)
    if place is None:
        return message
    tail = message[found.end() :]
    if not rest:
        # "`blocks[0]` (flatten) must ..." names the op, which the words already do.
        tail = re.sub(r"^\([^)]*\) ", "", tail)
        return f"{place} {tail}"
    for prefix in _ARGUMENT_PREFIXES:
        if rest.startswith(prefix):
            rest = "." + rest[len(prefix) :]
            break
    return f"{place}: {rest.lstrip('.')} {tail}"


def _parent(path: str, blocks: dict[str, dict]) -> str | None:
    """The block holding the one at `path` (the longest block path before it)."""
    candidates = [p for p in blocks if p != path and path.startswith(p) and path[len(p)] == "."]
    return max(candidates, key=len, default=None)


def _one(blocks: dict[str, dict], path: str) -> str:
    last = _LAST_INDEX.search(path)
    return block_words(blocks[path], int(last["index"]) + 1 if last else None)
