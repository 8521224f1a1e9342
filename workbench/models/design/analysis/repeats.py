"""The blocks that call one op several times: `repeat` and `stack`, each call named as
slimlib names it (`conv3/conv3_1`, `Stack/fc_2`...)."""

from __future__ import annotations

from typing import Any

from workbench.models.design.analysis import arguments
from workbench.models.design.analysis.layers import call_layer
from workbench.models.design.analysis.scopes import open_layer_scope, register, scope_of
from workbench.models.design.analysis.state import (
    MAX_REPEAT,
    UNKNOWN,
    Ctx,
    Flow,
    State,
    Variable,
    arg_keys,
    bad,
    record,
)
from workbench.models.design.catalogue import OpSpec


def repeat_block(state: State, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """A `repeat` block: its layer called `count` times (`slim.repeat`)."""
    scope, scope_ok = scope_of(state, block, path)
    count = block.get("count")
    count_ok = isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= MAX_REPEAT
    inner_path = f"{path}.block"
    op, explicit, args_ok = repeated_layer(state, block.get("block"), inner_path, "block" in block)
    if op is None:
        with state.namer.open_variable_scope(scope, "Repeat"):
            pass
        return UNKNOWN
    given = arg_keys(block["block"].get("args"))
    eff = arguments.effective(state, op, explicit, ctx, inner_path, given=given)
    calls = count if count_ok else 1
    current = flow if args_ok and scope_ok and count_ok else UNKNOWN
    all_variables: list[Variable] = []
    with state.namer.open_variable_scope(scope, "Repeat") as outer:
        base = scope or op.layer_name
        for index in range(1, calls + 1):
            full = open_layer_scope(state, op, f"{base}_{index}")
            before = current
            variables: list = []
            if eff is not None:
                current, variables = call_layer(
                    state,
                    op,
                    eff,
                    current,
                    full,
                    inner_path,
                    ctx,
                    call=f"(In call {index} of {calls}.)",
                )
            all_variables += variables
            if index == 1:
                record(state, inner_path, "layer", op.name, full, before, current, variables)
    register(state, all_variables, path, f"{path}.scope" if scope else path, scope or outer)
    record(state, path, "repeat", op.name, outer, flow, current, all_variables)
    return current


def repeated_layer(
    state: State, inner: Any, path: str, present: bool
) -> tuple[OpSpec | None, arguments.Values, bool]:
    """The op and arguments of a repeat's layer, and whether they are good.

    The schema reports a repeated block that is not a layer, or a layer with a scope.
    """
    if not present or not isinstance(inner, dict) or inner.get("kind") != "layer":
        return None, {}, False
    op = arguments.op_of(state, inner.get("op"), f"{path}.op") if "op" in inner else None
    if op is None:
        return None, {}, False
    explicit, ok = arguments.read_args(state, op, inner.get("args", {}), f"{path}.args")
    return op, explicit, ok and "scope" not in inner


def stack_block(state: State, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
    """A `stack` block: its op called once per `per_layer` entry (`slim.stack`)."""
    scope, scope_ok = scope_of(state, block, path)
    op = arguments.op_of(state, block.get("op"), f"{path}.op") if "op" in block else None
    if op is None:
        with state.namer.open_variable_scope(scope, "Stack"):
            pass
        return UNKNOWN
    common, ok = arguments.read_args(state, op, block.get("args", {}), f"{path}.args")
    per_layer = block.get("per_layer")
    entries: list[arguments.Values | None] = []
    if not isinstance(per_layer, list) or not per_layer:
        ok = False  # The schema says what is wrong.
    else:
        for index, entry in enumerate(per_layer):
            entries.append(stack_entry(state, op, entry, f"{path}.per_layer[{index}]", common))
    ok = ok and all(e is not None for e in entries) and bool(entries)
    current = flow if ok and scope_ok else UNKNOWN
    all_variables: list[Variable] = []
    with state.namer.open_variable_scope(scope, "Stack") as outer:
        base = scope or op.layer_name
        for index, entry in enumerate(entries, start=1):
            full = open_layer_scope(state, op, f"{base}_{index}")
            entry_path = f"{path}.per_layer[{index - 1}]"
            eff = arguments.effective(
                state,
                op,
                {**common, **(entry or {})},
                ctx,
                path,
                call=f"(In call {index}, `{entry_path}`.)",
                given=arg_keys(block.get("args")) | arg_keys(per_layer[index - 1]),
            )
            variables: list = []
            if eff is not None:
                current, variables = call_layer(
                    state,
                    op,
                    eff,
                    current,
                    full,
                    path,
                    ctx,
                    call=f"(In call {index} of {len(entries)}.)",
                )
            else:
                current = UNKNOWN
            all_variables += variables
    register(state, all_variables, path, f"{path}.scope" if scope else path, scope or outer)
    record(state, path, "stack", op.name, outer, flow, current, all_variables)
    return current


def stack_entry(
    state: State, op: OpSpec, entry: Any, path: str, common: arguments.Values
) -> arguments.Values | None:
    """The arguments of one `per_layer` entry; None (reported) when it cannot be used."""
    if not isinstance(entry, dict):
        return None
    args, ok = arguments.read_args(state, op, entry, path)
    if not ok:
        return None
    keys = list(entry)
    leading = op.positional[: len(keys)]
    if set(keys) != set(leading):
        shown = ", ".join(op.positional[:4])
        bad(
            state,
            path,
            f"a leading run of {op.name}'s positional arguments ({shown}, ...)",
            keys,
            kind="structure",
            hint="slim.stack passes each entry by position; put other arguments in the "
            "block's `args`, which every call gets.",
        )
        return None
    clash = [k for k in keys if k in common]
    if clash:
        bad(
            state,
            path,
            "free of arguments the block's `args` already gives",
            clash,
            kind="structure",
            hint=f"{op.name} would get {clash[0]!r} twice.",
        )
        return None
    return args
