"""`net` blocks: a whole slimlib net, its output and variables from building it once."""

from __future__ import annotations

from workbench.models.design import shapes
from workbench.models.design.analysis import arguments
from workbench.models.design.analysis.scopes import register, scope_of
from workbench.models.design.analysis.state import (
    UNKNOWN,
    Ctx,
    Flow,
    State,
    bad,
    input_problem,
    record,
    report,
)
from workbench.models.design.catalogue import catalogue, nets
from workbench.problems import did_you_mean


def net_block(state: State, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """A `net` block: the net `name` built with its `options`."""
    scope, scope_ok = scope_of(state, block, path)
    name = block.get("name")
    known = nets()
    if not isinstance(name, str):
        return UNKNOWN  # The schema says what is wrong.
    if name not in known:
        hint = did_you_mean(name, known)
        if name in catalogue():
            hint = f"{name!r} is a layer: use a 'layer' block."
        bad(
            state,
            f"{path}.name",
            "a slimlib net such as 'vgg_16'",
            name,
            kind="unknown",
            hint=hint,
        )
        return UNKNOWN
    op = known[name]
    options, ok = arguments.read_args(state, op, block.get("options", {}), f"{path}.options")
    top = scope or op.default_scope
    with state.namer.open_variable_scope(top, top) as full:
        pass
    out, variables = UNKNOWN, []
    if ok and scope_ok and flow.known:
        values = {k: v for k, (v, _) in options.items()}
        if scope is not None:
            values["scope"] = scope
        try:
            result, _ = shapes.net_output(
                name, values, flow.shape, flow.dtype, is_training=state.is_training
            )
        except shapes.ShapeError as err:
            report(state, input_problem(path, name, err, err.hint))
        else:
            prefix = full[: -len(top)]
            out = Flow(result.shape, result.dtype)
            variables = [(prefix + n, s, t) for n, s, t in result.variables]
    register(state, variables, path, f"{path}.scope" if scope else path, top)
    record(state, path, "net", name, full, flow, out, variables)
    return out
