"""Caps on what a design may ask for: blocks, values per tensor, parameters.

A design is data anyone can type or upload; one that asks for a `[1e9, 1e9, 3]` input, a
`[100000, 100000]` kernel or 400,000 blocks would pass the other checks and then exhaust
the memory (or the patience) of whatever builds, draws or validates it. The caps are far
above any net of the catalogue (VGG-16: 138 million parameters, at most 3.2 million values
per tensor, about 40 blocks) and each problem gives the numbers.
"""

from __future__ import annotations

import math
from typing import Any

from workbench.models.design.analysis.state import State, report
from workbench.problems import Problem

__all__ = [
    "MAX_BLOCKS",
    "MAX_ELEMENTS",
    "MAX_LAYER_CALLS",
    "MAX_PARAMS",
    "check_counts",
    "check_elements",
    "check_params",
]

#: Blocks in a design, all nesting levels together.
MAX_BLOCKS = 5000
#: Layer calls a design makes, repeat counts and stacked layers included. Building one takes
#: tens of milliseconds on a busy 2-core machine (5,120 calls: 3 minutes), on the thread that
#: serves the page; the largest nets of the catalogue make about 500.
MAX_LAYER_CALLS = 2000
#: Values in one tensor of one example (an activation, or one variable): 1 GB of float32.
MAX_ELEMENTS = 2**28
#: Parameters of the whole design: 4 GB of float32.
MAX_PARAMS = 10**9


def _count(design: Any) -> int:
    """The blocks of `design` at every nesting level, without recursion; stops past the cap.

    (Nesting itself is checked by the walk, which reports the path too deep.)
    """
    blocks = 0
    stack = [design.get("blocks")] if isinstance(design, dict) else []
    while stack and blocks <= MAX_BLOCKS:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            blocks += 1
            stack.extend(value[key] for key in _CHILDREN if key in value)
    return blocks


# The fields of a block that hold blocks (lists of them, or one: a repeat's `block`).
_CHILDREN = ("blocks", "shortcut", "branches", "block")


def _calls(design: Any) -> int:
    """The layer calls `design` makes (a repeat's count times its layer, a stack's layers,
    a net as one), without recursion; stops past the cap."""
    calls = 0
    stack = [(design.get("blocks"), 1)] if isinstance(design, dict) else []
    while stack and calls <= MAX_LAYER_CALLS:
        value, times = stack.pop()
        if isinstance(value, list):
            stack.extend((item, times) for item in value)
        elif isinstance(value, dict):
            kind = value.get("kind")
            if kind == "repeat":
                count = value.get("count")
                valid = isinstance(count, int) and not isinstance(count, bool) and count >= 1
                stack.append((value.get("block"), times * (count if valid else 1)))
            elif kind == "stack":
                per_layer = value.get("per_layer")
                calls += times * (len(per_layer) if isinstance(per_layer, list) else 1)
            elif kind in ("layer", "net"):
                calls += times
            else:
                stack.extend((value[key], times) for key in _CHILDREN if key in value)
    return calls


def check_counts(state: State, design: Any) -> bool:
    """Reports a design with too many blocks or layer calls; True when it has.

    Nothing else is checked then: the checks take time in proportion to the blocks.
    """
    blocks = _count(design)
    if blocks > MAX_BLOCKS:
        report(
            state,
            Problem(
                path="blocks",
                message=f"The design has more than {MAX_BLOCKS:,} blocks; at most "
                f"{MAX_BLOCKS:,} can be checked and built. Use repeat blocks for long runs "
                "of the same layer.",
                value=blocks,
                expected=f"at most {MAX_BLOCKS:,} blocks",
                kind="value",
            ),
        )
        return True
    if _calls(design) > MAX_LAYER_CALLS:
        report(
            state,
            Problem(
                path="blocks",
                message=f"The design makes more than {MAX_LAYER_CALLS:,} layer calls (repeat "
                f"counts and stacked layers included); at most {MAX_LAYER_CALLS:,} can be "
                "built in good time. Slim nets (a net block) count as one.",
                value=_calls(design),
                expected=f"at most {MAX_LAYER_CALLS:,} layer calls",
                kind="value",
            ),
        )
        return True
    return False


def check_elements(state: State, path: str, what: str, shape: Any) -> None:
    """Reports `shape` (without the batch axis) when it holds more than `MAX_ELEMENTS`."""
    if shape is None or any(not isinstance(size, int) for size in shape):
        return
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        report(
            state,
            Problem(
                path=path,
                message=f"`{path}` makes {what} {list(shape)} of {count:,} values; at most "
                f"{MAX_ELEMENTS:,} (2**28) values fit one tensor here.",
                value=list(shape),
                expected=f"a shape of at most {MAX_ELEMENTS:,} values",
                kind="shape",
            ),
        )


def check_params(state: State) -> None:
    """Reports a design whose variables hold more than `MAX_PARAMS` values in all."""
    total = sum(math.prod(shape) for shape, _, _ in state.variables.values())
    if total > MAX_PARAMS:
        report(
            state,
            Problem(
                path="",
                message=f"The design has {total:,} parameters; at most {MAX_PARAMS:,} are "
                "accepted (4 GB of float32).",
                value=total,
                expected=f"at most {MAX_PARAMS:,} parameters",
                kind="shape",
            ),
        )
