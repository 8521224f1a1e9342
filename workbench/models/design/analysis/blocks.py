"""The walk over blocks: one handler per block kind, and the kinds that hold other blocks.

`HANDLERS` maps every kind of the kind table (`design.kinds`) to the function that
analyses a block of that kind: `handler(state, block, path, flow, ctx) -> Flow`, the output
of the block given its input `flow`. `walk_list` and `walk_block` visit blocks in build
order; `arg_scope`, `residual` and `branches` blocks, which hold lists of blocks, are here
too since they walk their children. Layers are in `layers.py`, repeated calls in
`repeats.py`, whole nets in `nets.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.models.design import choices, shapes
from workbench.models.design.analysis import arguments
from workbench.models.design.analysis.layers import layer_block
from workbench.models.design.analysis.nets import net_block
from workbench.models.design.analysis.repeats import repeat_block, stack_block
from workbench.models.design.analysis.scopes import scope_of
from workbench.models.design.analysis.state import (
    MAX_DEPTH,
    UNKNOWN,
    Ctx,
    Flow,
    Frame,
    State,
    bad,
    record,
    report,
    variables_under,
)
from workbench.models.design.catalogue import OpSpec
from workbench.problems import Problem, did_you_mean, join_path

Handler = Callable[[State, dict, str, Flow, Ctx], Flow]


def walk_list(state: State, blocks: Any, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """The output of a list of blocks applied one after the other to `flow`.

    Malformed blocks (not a dict, an unknown kind) give an unknown output; the schema has
    reported them.
    """
    if not isinstance(blocks, list):
        return UNKNOWN
    for index, block in enumerate(blocks):
        flow = walk_block(state, block, f"{path}[{index}]", flow, ctx)
    return flow


def walk_block(state: State, block: Any, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """The output of one block: its kind's handler's."""
    if ctx.depth > MAX_DEPTH:
        bad(
            state,
            path,
            f"nested at most {MAX_DEPTH} blocks deep",
            "a deeper block",
            kind="structure",
        )
        return UNKNOWN
    if not isinstance(block, dict):
        return UNKNOWN
    kind = block.get("kind")
    if not isinstance(kind, str) or kind not in HANDLERS:
        return UNKNOWN
    return HANDLERS[kind](state, block, path, flow, Ctx(ctx.frames, ctx.depth + 1))


def arg_scope_block(state: State, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """An `arg_scope` block: its blocks, with its defaults for the ops it lists."""
    ops = block.get("ops")
    specs: list[OpSpec] = []
    if isinstance(ops, list):
        for index, name in enumerate(ops):
            found = arguments.op_of(state, name, f"{path}.ops[{index}]")
            if found is None:
                continue
            if found.fixed:
                bad(
                    state,
                    f"{path}.ops[{index}]",
                    "an op that arg_scope can set",
                    name,
                    kind="structure",
                    hint=f"{name} is {found.arg_scope_op} with "
                    f"{', '.join(found.fixed)} fixed; list {found.arg_scope_op!r}.",
                )
                continue
            specs.append(found)
    defaults = block.get("defaults", {})
    scoped: arguments.Values = {}
    if isinstance(defaults, dict):
        for key, value in defaults.items():
            key_path = join_path(f"{path}.defaults", key)
            good = True
            for found in specs:
                arg = found.arg(key) if isinstance(key, str) else None
                if arg is None:
                    bad(
                        state,
                        key_path,
                        f"an argument of every op listed ({found.name} has no {key!r})",
                        value,
                        kind="unknown",
                        hint=did_you_mean(str(key), found.settable),
                    )
                    good = False
                elif not arguments.settable(
                    state, found, arg, key_path, value
                ) or not arguments.value_ok(state, arg, value, key_path):
                    good = False
            if good and specs:
                scoped[key] = (value, key_path)
    frame = Frame(frozenset(s.arg_scope_op for s in specs if s.arg_scope_op), scoped)
    inner = Ctx((*ctx.frames, frame), ctx.depth)
    out = (
        walk_list(state, block.get("blocks", []), f"{path}.blocks", flow, inner)
        if "blocks" in block
        else UNKNOWN
    )
    record(state, path, "arg_scope", None, None, flow, out, variables_under(state, path))
    return out


def residual_block(state: State, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """A `residual` block: main path plus shortcut (identity when empty), then activation."""
    scope, scope_ok = scope_of(state, block, path)
    activation = block.get("activation")
    activation_ok = activation is None or isinstance(activation, str)
    if activation_ok:
        for found in choices.check("activation", activation, f"{path}.activation"):
            report(state, found)
            activation_ok = False
    start = flow if scope_ok else UNKNOWN
    with state.namer.open_variable_scope(scope, "Residual") as full:
        shortcut = block.get("shortcut", [])
        if shortcut == []:
            short = start
        else:
            short = walk_list(state, shortcut, f"{path}.shortcut", start, ctx)
        main = (
            walk_list(state, block.get("blocks", []), f"{path}.blocks", start, ctx)
            if "blocks" in block
            else UNKNOWN
        )
    out = UNKNOWN
    if main.known and short.known:
        if main.shape != short.shape or main.dtype != short.dtype:
            got = {
                "main path": [*main.shape[1:], main.dtype],
                "shortcut": [*short.shape[1:], short.dtype],
            }
            report(
                state,
                Problem(
                    path=path,
                    message=f"`{path}` (residual) must add a main path and a shortcut of "
                    f"the same shape and dtype, got main path "
                    f"{shapes.describe(main.shape)} {main.dtype} and shortcut "
                    f"{shapes.describe(short.shape)} {short.dtype}. Add a shortcut layer "
                    "that matches them, e.g. a 1x1 conv2d with the main path's stride "
                    "and channels.",
                    value=got,
                    expected="equal shapes and dtypes on both paths",
                    kind="shape",
                ),
            )
        elif activation_ok:
            out = main
    record(state, path, "residual", None, full, flow, out, variables_under(state, path))
    return out


def branches_block(state: State, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """A `branches` block: every branch applied to the input, outputs concatenated."""
    scope, scope_ok = scope_of(state, block, path)
    axis = block.get("axis", 3)
    axis_ok = isinstance(axis, int) and not isinstance(axis, bool)
    branch_lists = block.get("branches")
    outs: list[Flow] = []
    start = flow if scope_ok else UNKNOWN
    with state.namer.open_variable_scope(scope, "Branches") as full:
        if isinstance(branch_lists, list):
            for index, branch in enumerate(branch_lists):
                branch_path = f"{path}.branches[{index}]"
                if branch == []:
                    outs.append(start)
                    continue
                with state.namer.open_variable_scope(f"Branch_{index}", "Branch"):
                    outs.append(walk_list(state, branch, branch_path, start, ctx))
    out = UNKNOWN
    if outs and axis_ok and all(o.known for o in outs):
        out = concat(state, outs, axis, path)
    record(state, path, "branches", None, full, flow, out, variables_under(state, path))
    return out


def concat(state: State, outs: list[Flow], axis: int, path: str) -> Flow:
    """The branches' outputs joined on `axis`; UNKNOWN (reported) when they do not fit."""
    ranks = {len(o.shape) for o in outs}
    shown = [list(o.shape[1:]) for o in outs]
    if len(ranks) != 1:
        bad(state, path, "branches whose outputs have the same rank", shown, kind="shape")
        return UNKNOWN
    rank = ranks.pop()
    if not -rank <= axis < rank or axis % rank == 0:
        bad(
            state,
            f"{path}.axis",
            f"an axis in [1, {rank}) or [{-rank + 1}, -1] (not the batch axis)",
            axis,
            kind="shape",
        )
        return UNKNOWN
    axis %= rank
    others = {tuple(d for i, d in enumerate(o.shape) if i != axis) for o in outs}
    if len(others) != 1:
        bad(
            state,
            path,
            f"branches whose outputs match on every axis but axis {axis}",
            shown,
            kind="shape",
            hint="Use padding 'SAME' and the same strides in every branch.",
        )
        return UNKNOWN
    dtypes = {o.dtype for o in outs}
    if len(dtypes) != 1:
        bad(state, path, "branches with outputs of one dtype", sorted(dtypes), kind="shape")
        return UNKNOWN
    sizes = [o.shape[axis] for o in outs]
    total = None if any(s is None for s in sizes) else sum(sizes)
    shape = list(outs[0].shape)
    shape[axis] = total
    return Flow(tuple(shape), outs[0].dtype)


#: The handler of each block kind; every kind of the kind table has one.
HANDLERS: dict[str, Handler] = {
    "layer": layer_block,
    "repeat": repeat_block,
    "stack": stack_block,
    "arg_scope": arg_scope_block,
    "residual": residual_block,
    "branches": branches_block,
    "net": net_block,
}
