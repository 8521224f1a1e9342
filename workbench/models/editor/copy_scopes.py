"""New scope names for a copied block, so a duplicate does not share its original's variables.

Two layers given the same explicit `scope` in one variable scope would ask for the same
variables (TensorFlow refuses the second, or shares it under `reuse`). A copy therefore gets
the next free name on its outermost scoped blocks: `conv1` becomes `conv1_2`, then `conv1_3`;
the scopes inside a renamed block are already apart, nested under the new name. Blocks left
to their op's default name need nothing: TensorFlow numbers those itself.
"""

from __future__ import annotations

import re

from workbench.models.design import kinds

_NUMBERED = re.compile(r"^(?P<base>.+)_(?P<number>\d+)$")


def used_scopes(design: dict) -> set[str]:
    """Every explicit scope of `design`'s blocks, lower-cased (TensorFlow's name scopes
    ignore case)."""
    return {
        block["scope"].lower()
        for _, block in kinds.iter_blocks(design)
        if isinstance(block.get("scope"), str)
    }


def next_free_scope(scope: str, used: set[str]) -> str:
    """`scope` with the first suffix `_2`, `_3`, ... that `used` (lower-cased) lacks; a
    scope already numbered counts on from its number.

    Example:
      >>> next_free_scope("conv1", {"conv1"})
      'conv1_2'
      >>> next_free_scope("conv1", {"conv1", "conv1_2"})
      'conv1_3'
      >>> next_free_scope("block_2", {"block_2"})
      'block_3'
    """
    numbered = _NUMBERED.match(scope)
    base, number = (numbered["base"], int(numbered["number"]) + 1) if numbered else (scope, 2)
    while f"{base}_{number}".lower() in used:
        number += 1
    return f"{base}_{number}"


def rename_copy(block: dict, used: set[str]) -> None:
    """Gives the outermost scoped blocks of `block` (a fresh copy, changed in place) the
    next free scope names, adding them to `used`."""
    scope = block.get("scope")
    if isinstance(scope, str):
        block["scope"] = next_free_scope(scope, used)
        used.add(block["scope"].lower())
        return
    record = kinds.KIND_TABLE[block["kind"]]
    for field in record.fields:
        value = block.get(field.name)
        if field.type == "layer":
            rename_copy(value, used)
        elif field.type == "blocks":
            for child in value:
                rename_copy(child, used)
        elif field.type == "block_lists":
            for branch in value:
                for child in branch:
                    rename_copy(child, used)
