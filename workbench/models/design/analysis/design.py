"""The design itself: its structure checked against the schema, its input, then its blocks."""

from __future__ import annotations

from typing import Any

from workbench.models.design import kinds, schema
from workbench.models.design.analysis import limits
from workbench.models.design.analysis.blocks import walk_list
from workbench.models.design.analysis.state import (
    TRAINING_OPS,
    UNKNOWN,
    Ctx,
    Flow,
    Frame,
    State,
    report,
)
from workbench.models.design.catalogue import catalogue


def walk_design(state: State, design: Any) -> Flow:
    """Analyses a whole design into `state`; returns the design's output.

    What a JSON Schema can say (fields, their types, kinds, counts) is reported first, from
    the design format's schema (`design.schema`, strict); the walk then skips what is
    malformed without reporting it again, and finds what only it can: ops and arguments,
    shapes, scope names and variables.
    """
    if limits.check_counts(state, design):
        return UNKNOWN  # Checking 400,000 blocks would take minutes.
    for found in schema.problems(design, "design", strict=True):
        report(state, found)
    if not isinstance(design, dict):
        return UNKNOWN
    flow = input_flow(design.get("input"))
    if flow.shape is not None:
        limits.check_elements(state, "input.shape", "an input of shape", flow.shape[1:])
    # The build wraps the design in `arg_scope([batch_norm, dropout], is_training=...)`.
    frame = Frame(
        frozenset(catalogue()[op].layer_name for op in TRAINING_OPS),
        {"is_training": (state.is_training, "")},
    )
    if "blocks" in design:
        flow = walk_list(state, design["blocks"], "blocks", flow, Ctx((frame,), 0))
    for info in state.infos.values():
        limits.check_elements(state, info.path, "an output of shape", info.output_shape)
    for name, (shape, _, path) in state.variables.items():
        limits.check_elements(state, path, f"a variable {name!r} of shape", shape)
    limits.check_params(state)
    return flow


def input_flow(value: Any) -> Flow:
    """The design's input as a flow with a batch axis of unknown size; unknown when the
    input is malformed (the schema says how)."""
    if not isinstance(value, dict):
        return UNKNOWN
    shape = value.get("shape")
    dtype = value.get("dtype", "float32")
    if not isinstance(shape, list) or not 1 <= len(shape) <= kinds.MAX_INPUT_RANK:
        return UNKNOWN
    for size in shape:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 2**31:
            return UNKNOWN
    if dtype not in kinds.DTYPES:
        return UNKNOWN
    return Flow((None, *shape), dtype)
