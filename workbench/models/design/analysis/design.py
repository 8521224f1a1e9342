"""The design itself: its envelope (`format`, `version`, `name`), its input, then its blocks."""

from __future__ import annotations

from typing import Any

from workbench.models.design import kinds
from workbench.models.design.analysis.blocks import walk_list
from workbench.models.design.analysis.fields import check_fields
from workbench.models.design.analysis.state import (
    MAX_INPUT_RANK,
    TRAINING_OPS,
    UNKNOWN,
    Ctx,
    Flow,
    Frame,
    State,
    bad,
)
from workbench.models.design.catalogue import catalogue
from workbench.problems import did_you_mean


def walk_design(state: State, design: Any) -> Flow:
    """Analyses a whole design into `state`; returns the design's output."""
    if not isinstance(design, dict):
        bad(state, "", "a design dict (a JSON object)", design, kind="type")
        return UNKNOWN
    required, optional = kinds.DESIGN_FIELDS
    check_fields(state, design, "", required, optional, "the design")
    if "format" in design and design["format"] != kinds.FORMAT:
        bad(state, "format", repr(kinds.FORMAT), design["format"])
    version = design.get("version")
    if "version" in design and version != kinds.VERSION:
        older = isinstance(version, int) and not isinstance(version, bool)
        hint = (
            "Load it with `spec.loads` or `spec.migrate` to upgrade it."
            if older and version < kinds.VERSION
            else ""
        )
        bad(state, "version", str(kinds.VERSION), version, hint=hint)
    if "name" in design and (not isinstance(design["name"], str) or not design["name"].strip()):
        bad(state, "name", "a non-empty str", design["name"], kind="type")
    if "description" in design and not isinstance(design["description"], str):
        bad(state, "description", "a str", design["description"], kind="type")
    flow = input_flow(state, design.get("input")) if "input" in design else UNKNOWN
    # The build wraps the design in `arg_scope([batch_norm, dropout], is_training=...)`.
    frame = Frame(
        frozenset(catalogue()[op].layer_name for op in TRAINING_OPS),
        {"is_training": (state.is_training, "")},
    )
    if "blocks" in design:
        flow = walk_list(state, design["blocks"], "blocks", flow, Ctx((frame,), 0))
    return flow


def input_flow(state: State, value: Any) -> Flow:
    """The design's input as a flow with a batch axis of unknown size."""
    path = "input"
    if not isinstance(value, dict):
        bad(
            state,
            path,
            'a dict such as {"shape": [28, 28, 1], "dtype": "float32"}',
            value,
            kind="type",
        )
        return UNKNOWN
    check_fields(state, value, path, ("shape",), ("dtype",), "`input`")
    shape = value.get("shape")
    dtype = value.get("dtype", "float32")
    ok = True
    if not isinstance(shape, list) or not 1 <= len(shape) <= MAX_INPUT_RANK:
        bad(
            state,
            f"{path}.shape",
            f"a list of 1 to {MAX_INPUT_RANK} sizes without the batch, such as [28, 28, 1]",
            shape,
            kind="type",
        )
        ok = False
    else:
        for index, size in enumerate(shape):
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 2**31:
                bad(state, f"{path}.shape[{index}]", "an int >= 1", size)
                ok = False
    if dtype not in kinds.DTYPES:
        bad(
            state,
            f"{path}.dtype",
            f"one of {list(kinds.DTYPES)}",
            dtype,
            hint=did_you_mean(str(dtype), kinds.DTYPES),
        )
        ok = False
    return Flow((None, *shape), dtype) if ok else UNKNOWN
