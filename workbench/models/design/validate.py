"""Validation and static shape inference of designs, before anything is built.

`analyze(design)` walks the design once, the way `build_design` would build it, and
collects every problem at once: structure (missing or unknown fields), unknown ops,
arguments and choices (with "Did you mean ...?"), argument types and ranges, argument
combinations slimlib refuses, and shape problems found by the static rules of `shapes`
(a 11x11 'VALID' kernel on an 8x8 map, a convolution after `flatten`, branches that do
not concatenate, a residual whose paths differ). Along the way it predicts each block's
scope name (`names`), output shape and variables, so the app can show them per block.
The structure is checked against the design format's JSON Schema (`schema.py`); the walk
itself is the `analysis` package (one handler per block kind).

It never raises, whatever it is given: every finding is a `Problem`. Shapes after a
block whose arguments are wrong are unknown (None), so one mistake does not cause a
cascade of misleading shape problems further down.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any

from workbench.models.design import spec
from workbench.models.design.analysis import (
    TRAINING_OPS,
    BlockInfo,
    Flow,
    State,
    report,
    walk_design,
)
from workbench.models.design.places import in_words
from workbench.problems import Problem

__all__ = [
    "TRAINING_OPS",
    "Analysis",
    "BlockInfo",
    "analyze",
    "block_status",
    "infer_shapes",
    "iter_problems",
    "owning_block",
    "validate",
]


@dataclasses.dataclass(frozen=True)
class Analysis:
    """Everything `analyze` found.

    Attributes:
      problems: Every problem, in design order.
      blocks: A `BlockInfo` per block path that could be read, in design order.
      output_shape: The design's output shape without the batch axis (None if unknown).
      dtype: The output dtype (None if unknown).
      variables: Every variable the design creates, `(full name, shape, trainable)`.
      training_ops: The ops among `TRAINING_OPS` the design calls (as layers or as
        normalizers), which the build gives the `is_training` flag.
    """

    problems: tuple[Problem, ...]
    blocks: dict[str, BlockInfo]
    output_shape: tuple[int | None, ...] | None
    dtype: str | None
    variables: tuple[tuple[str, tuple[int, ...], bool], ...]
    training_ops: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_params(self) -> int:
        return sum(math.prod(shape) for _, shape, _ in self.variables)

    @property
    def trainable_params(self) -> int:
        return sum(math.prod(shape) for _, shape, trainable in self.variables if trainable)


def analyze(design: Any, *, is_training: bool = True) -> Analysis:
    """Validates `design` and infers every block's scope, shape and variables.

    Args:
      design: Anything; a design dict to be useful.
      is_training: The `is_training` the design would be built with (it decides whether
        zero-debiased batch norm creates its extra variables). Default True.

    Returns:
      An `Analysis`. Never raises.

    Example:
      >>> from workbench.models.design.spec import layer, new_design
      >>> design = new_design("m", [8, 8, 3], [layer("conv2d", "c", num_outputs=4,
      ...     kernel_size=11, padding="VALID")])
      >>> print(analyze(design).problems[0])
      `blocks[0].args.kernel_size` must be a window that fits the 8x8 input with padding 'VALID', got [11, 11]. Use a smaller kernel, padding 'SAME', or less downsampling before.
    """
    state = State(is_training)
    try:
        flow = walk_design(state, design)
    except Exception as err:  # noqa: BLE001 - validation reports, it never raises
        report(
            state,
            Problem(
                path="",
                message=f"The design could not be checked: {type(err).__name__}: {err}.",
                value=None,
                expected="a design the checks can read",
                kind="internal",
            ),
        )
        flow = Flow(None, None)
    return Analysis(
        problems=tuple(state.problems),
        blocks=dict(state.infos),
        output_shape=None if flow.shape is None else tuple(flow.shape[1:]),
        dtype=flow.dtype,
        variables=tuple((n, s, t) for n, (s, t, _) in state.variables.items()),
        training_ops=tuple(op for op in TRAINING_OPS if op in state.training_ops),
    )


def validate(design: Any) -> list[Problem]:
    """Every problem of `design` (empty when it is valid); never raises.

    Example:
      >>> from workbench.models.design.spec import layer, new_design
      >>> [p.path for p in validate(new_design("m", [4], [layer("fully_conected")]))]
      ['blocks[0].op']
    """
    return list(analyze(design).problems)


def infer_shapes(design: Any) -> dict[str, BlockInfo]:
    """A `BlockInfo` (scope, input and output shape, variables) per block path; never raises.

    Example:
      >>> from workbench.models.design.spec import layer, new_design
      >>> design = new_design("m", [28, 28, 1], [layer("conv2d", num_outputs=8, kernel_size=5,
      ...     padding="VALID"), layer("max_pool2d", kernel_size=2)])
      >>> [(i.scope, i.output_shape, i.params) for i in infer_shapes(design).values()]
      [('Conv', (24, 24, 8), 208), ('MaxPool2D', (12, 12, 8), 0)]
    """
    return analyze(design).blocks


def block_status(design: Any) -> dict[str, dict[str, Any]]:
    """Per block path: `{"shape", "scope", "params", "error"}`, as the design canvas shows it.

    `shape` leaves out the batch axis; `error` is the first problem found in the block
    itself (not in blocks nested in it), None when there is none, its place said in words
    (`conv2d 'conv1' in arg_scope 1: kernel_size must be ...`). The entry `""` holds the
    design's output shape and its own problems (input, format).
    """
    analysis = analyze(design)
    paths = [path for path, _ in spec.iter_blocks(design)]
    status: dict[str, dict[str, Any]] = {
        "": {
            "shape": None if analysis.output_shape is None else list(analysis.output_shape),
            "scope": None,
            "params": analysis.total_params,
            "error": None,
        }
    }
    for path in paths:
        info = analysis.blocks.get(path)
        status[path] = {
            "shape": None if info is None or info.output_shape is None else list(info.output_shape),
            "scope": None if info is None else info.scope,
            "params": 0 if info is None else info.params,
            "error": None,
        }
    for found in analysis.problems:
        owner = owning_block(found.path, paths)
        if status[owner]["error"] is None:
            status[owner]["error"] = (
                in_words(design, owner, found.message) if owner else found.message
            )
    return status


def owning_block(path: str, block_paths: list[str]) -> str:
    """The deepest of `block_paths` that `path` lies in (`""` for the design itself)."""
    best = ""
    for candidate in block_paths:
        if path == candidate or (path.startswith(candidate) and path[len(candidate)] in ".["):
            if len(candidate) > len(best):
                best = candidate
    return best


def iter_problems(design: Any) -> Iterator[Problem]:
    """The problems of `design`, one by one (same as `validate`)."""
    yield from analyze(design).problems
