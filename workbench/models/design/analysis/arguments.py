"""A block's op and arguments, and the values a layer call gets.

`op_of` finds a layer op in the catalogue, `read_args` checks a dict of arguments against
it, `effective` merges function defaults, `arg_scope` defaults and explicit values, and
`normalizer` reads the normalizer a layer call applies. Values are `(value, path)` pairs,
so a problem found later (by shape inference) names the place the value came from.
"""

from __future__ import annotations

from typing import Any

from workbench.models.design import shapes
from workbench.models.design.analysis.state import TRAINING_OPS, Ctx, State, arg_keys, bad, report
from workbench.models.design.argcheck import check_value
from workbench.models.design.catalogue import (
    ALIASES,
    NET_UNSUPPORTED,
    UNSUPPORTED,
    ArgSpec,
    OpSpec,
    catalogue,
    nets,
)
from workbench.problems import did_you_mean, join_path

#: Arguments as read: name -> (value, path of the value in the design).
Values = dict[str, tuple[Any, str]]


def op_of(state: State, name: Any, path: str) -> OpSpec | None:
    """The catalogue entry of the layer op `name`; None (reported) when there is none."""
    ops = catalogue()
    if not isinstance(name, str):
        return None  # The schema says what is wrong.
    if name in ops:
        return ops[name]
    if name in ALIASES:
        bad(
            state,
            path,
            "a layer op of the catalogue",
            name,
            kind="unknown",
            hint=f"{name!r} is another name of {ALIASES[name]!r}; use that.",
        )
        return None
    hint = did_you_mean(name, ops)
    if name in nets():
        hint = f"{name!r} is a net: use a 'net' block."
    bad(
        state,
        path,
        "a layer op such as 'conv2d' (see the catalogue)",
        name,
        kind="unknown",
        hint=hint,
    )
    return None


def read_args(state: State, op: OpSpec, args: Any, path: str) -> tuple[Values, bool]:
    """The arguments of `args` that `op` takes, and whether all of them were good."""
    if args is None:
        return {}, True
    if not isinstance(args, dict):
        return {}, False  # The schema says what is wrong.
    out: Values = {}
    ok = True
    for key, value in args.items():
        arg_path = join_path(path, key)
        arg = op.arg(key) if isinstance(key, str) else None
        if arg is None or not settable(state, op, arg, arg_path, value):
            if arg is None:
                bad(
                    state,
                    arg_path,
                    f"an argument of {op.name}",
                    key,
                    kind="unknown",
                    hint=did_you_mean(str(key), op.settable),
                )
            ok = False
            continue
        if not value_ok(state, arg, value, arg_path):
            ok = False
            continue
        out[key] = (value, arg_path)
    return out, ok


def settable(state: State, op: OpSpec, arg: ArgSpec, path: str, value: Any) -> bool:
    """Whether a design may set `arg` (not the input, the scope, or what slimlib refuses)."""
    if arg.role == "input":
        bad(
            state,
            path,
            "left out: the input comes from the previous block",
            value,
            kind="structure",
        )
        return False
    if arg.role == "scope":
        bad(
            state,
            path,
            "left out: set the block's `scope` field instead",
            value,
            kind="structure",
        )
        return False
    if arg.role == "unsupported":
        reason = UNSUPPORTED.get(arg.name) or NET_UNSUPPORTED.get(arg.name)
        bad(
            state,
            path,
            "left out",
            value,
            kind="structure",
            hint=f"{op.name}: {reason or 'not settable from a design'}.",
        )
        return False
    return True


def value_ok(state: State, arg: ArgSpec, value: Any, path: str) -> bool:
    """Whether `value` fits `arg` (type, range, choices); what does not fit is reported."""
    found = check_value(arg, value, path)
    for item in found:
        report(state, item)
    return not found


def effective(
    state: State,
    op: OpSpec,
    explicit: Values,
    ctx: Ctx,
    path: str,
    *,
    call: str = "",
    given: Any = (),
) -> Values | None:
    """Function defaults, then `arg_scope` defaults (outer to inner), then `explicit`.

    None when a required argument is missing; it is reported unless it is among
    `given` (present but invalid, and reported as such already).
    """
    eff: Values = {
        a.name: (a.default, join_path(f"{path}.args", a.name))
        for a in op.args
        if a.role != "input" and not a.required
    }
    if op.arg_scope_op is not None:
        for frame in ctx.frames:
            if op.arg_scope_op in frame.keys:
                for key, item in frame.defaults.items():
                    if key not in op.fixed:
                        eff[key] = item
    eff.update(explicit)
    missing = [name for name in op.required if name not in eff]
    if missing and all(name in given for name in missing):
        return None
    if missing:
        bad(
            state,
            f"{path}.args",
            f"a dict giving {', '.join(map(repr, missing))} ({op.name} needs "
            f"{', '.join(op.required)})",
            {k: v for k, (v, _) in explicit.items()},
            kind="structure",
            hint=call,
        )
        return None
    return eff


def normalizer(state: State, eff: Values, ctx: Ctx) -> tuple[shapes.Normalizer | None, bool]:
    """The normalizer a call with arguments `eff` applies (None for none), and whether its
    parameters are good."""
    name = eff.get("normalizer_fn", (None, ""))[0]
    if name is None:
        return None, True
    norm = catalogue()[name]
    params, params_path = eff.get("normalizer_params", (None, ""))
    explicit: Values = {}
    ok = True
    if isinstance(params, dict):
        for key, value in params.items():
            key_path = join_path(params_path, key)
            arg = norm.arg(key) if isinstance(key, str) else None
            if arg is None:
                bad(
                    state,
                    key_path,
                    f"an argument of the normalizer {name}",
                    key,
                    kind="unknown",
                    hint=did_you_mean(str(key), norm.settable),
                )
                ok = False
            elif not settable(state, norm, arg, key_path, value) or not value_ok(
                state, arg, value, key_path
            ):
                ok = False
            else:
                explicit[key] = (value, key_path)
    norm_eff = effective(
        state, norm, explicit, ctx, params_path or "normalizer", given=arg_keys(params)
    )
    if name in TRAINING_OPS:
        state.training_ops.add(name)
    if norm_eff is None or not ok:
        return None, False
    return shapes.Normalizer(norm, {k: v for k, (v, _) in norm_eff.items()}), True
