"""Layer calls: one call of a layer op with its effective arguments, and the `layer` block."""

from __future__ import annotations

from workbench.models.design import shapes
from workbench.models.design.analysis import arguments
from workbench.models.design.analysis.scopes import open_layer_scope, register, scope_of
from workbench.models.design.analysis.state import (
    TRAINING_OPS,
    UNKNOWN,
    Ctx,
    Flow,
    State,
    Variable,
    arg_keys,
    bad,
    input_problem,
    record,
    report,
)
from workbench.models.design.catalogue import OpSpec
from workbench.problems import join_path


def call_layer(
    state: State,
    op: OpSpec,
    eff: arguments.Values,
    flow: Flow,
    scope: str,
    block_path: str,
    ctx: Ctx,
    *,
    call: str = "",
) -> tuple[Flow, list[Variable]]:
    """One layer call: its output and its variables (full names).

    Args:
      eff: The call's arguments (see `arguments.effective`).
      flow: Its input.
      scope: The full scope the call opens.
      block_path: The block making the call, for problems about its input.
      call: Which call of several this is, added to shape problems ("(In call 2 of 3.)").
    """
    if op.name in TRAINING_OPS:
        state.training_ops.add(op.name)
    normalizer, ok = arguments.normalizer(state, eff, ctx)
    if not ok or not flow.known:
        return UNKNOWN, []
    values = {k: v for k, (v, _) in eff.items()}
    try:
        result = shapes.apply(
            op,
            values,
            flow.shape,
            flow.dtype,
            scope=scope,
            normalizer=normalizer,
            is_training=bool(values.get("is_training", state.is_training)),
        )
    except shapes.ShapeError as err:
        hint = " ".join(h for h in (err.hint, call) if h)
        if err.arg == "inputs":
            report(state, input_problem(block_path, op.name, err, hint))
        else:
            where = eff.get(err.arg, (None, ""))[1] or join_path(f"{block_path}.args", err.arg)
            bad(state, where, err.expected, err.got, kind="shape", hint=hint)
        return UNKNOWN, []
    variables = [
        (f"{scope}/{name}", shape, trainable) for name, shape, trainable in result.variables
    ]
    return Flow(result.shape, result.dtype), variables


def layer_block(state: State, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """A `layer` block: one call of its op."""
    op = arguments.op_of(state, block.get("op"), f"{path}.op") if "op" in block else None
    scope, scope_ok = scope_of(state, block, path)
    if op is None:
        return UNKNOWN
    explicit, ok = arguments.read_args(state, op, block.get("args", {}), f"{path}.args")
    eff = arguments.effective(state, op, explicit, ctx, path, given=arg_keys(block.get("args")))
    full = open_layer_scope(state, op, scope)
    out, variables = UNKNOWN, []
    if eff is not None:
        out, variables = call_layer(
            state, op, eff, flow if ok and scope_ok else UNKNOWN, full, path, ctx
        )
    register(state, variables, path, f"{path}.scope" if scope else path, scope or full)
    record(state, path, "layer", op.name, full, flow, out, variables)
    return out
