"""Reading a block's op and arguments, and the values a layer call gets."""

from __future__ import annotations

from typing import Any

from workbench.models.design import shapes
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
from workbench.models.design.walk_state import TRAINING_OPS, Ctx, WalkBase, arg_keys
from workbench.problems import did_you_mean, join_path


class ArgumentsWalk(WalkBase):
    """Ops and arguments: explicit values, `arg_scope` defaults, normalizers."""

    def _op(self, name: Any, path: str) -> OpSpec | None:
        ops = catalogue()
        if isinstance(name, str) and name in ops:
            return ops[name]
        if isinstance(name, str) and name in ALIASES:
            self.bad(
                path,
                "a layer op of the catalogue",
                name,
                kind="unknown",
                hint=f"{name!r} is another name of {ALIASES[name]!r}; use that.",
            )
            return None
        hint = did_you_mean(str(name), ops)
        if isinstance(name, str) and name in nets():
            hint = f"{name!r} is a net: use a 'net' block."
        self.bad(
            path, "a layer op such as 'conv2d' (see the catalogue)", name, kind="unknown", hint=hint
        )
        return None

    def _args(self, op: OpSpec, args: Any, path: str) -> tuple[dict[str, tuple[Any, str]], bool]:
        if args is None:
            return {}, True
        if not isinstance(args, dict):
            self.bad(path, f"a dict of {op.name} arguments", args, kind="type")
            return {}, False
        out: dict[str, tuple[Any, str]] = {}
        ok = True
        for key, value in args.items():
            arg_path = join_path(path, key)
            arg = op.arg(key) if isinstance(key, str) else None
            if arg is None or not self._settable(op, arg, arg_path, value):
                if arg is None:
                    self.bad(
                        arg_path,
                        f"an argument of {op.name}",
                        key,
                        kind="unknown",
                        hint=did_you_mean(str(key), op.settable),
                    )
                ok = False
                continue
            if not self._value(op, arg, value, arg_path):
                ok = False
                continue
            out[key] = (value, arg_path)
        return out, ok

    def _settable(self, op: OpSpec, arg: ArgSpec, path: str, value: Any) -> bool:
        if arg.role == "input":
            self.bad(
                path,
                "left out: the input comes from the previous block",
                value,
                kind="structure",
            )
            return False
        if arg.role == "scope":
            self.bad(
                path, "left out: set the block's `scope` field instead", value, kind="structure"
            )
            return False
        if arg.role == "unsupported":
            reason = UNSUPPORTED.get(arg.name) or NET_UNSUPPORTED.get(arg.name)
            self.bad(
                path,
                "left out",
                value,
                kind="structure",
                hint=f"{op.name}: {reason or 'not settable from a design'}.",
            )
            return False
        return True

    def _value(self, op: OpSpec, arg: ArgSpec, value: Any, path: str) -> bool:
        found = check_value(arg, value, path)
        for item in found:
            self.report(item)
        return not found

    def _effective(
        self,
        op: OpSpec,
        explicit: dict[str, tuple[Any, str]],
        ctx: Ctx,
        path: str,
        *,
        call: str = "",
        given: Any = (),
    ) -> dict[str, tuple[Any, str]] | None:
        """Function defaults, then `arg_scope` defaults (outer to inner), then `explicit`.

        None when a required argument is missing; it is reported unless it is among
        `given` (present but invalid, and reported as such already).
        """
        eff: dict[str, tuple[Any, str]] = {
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
            self.bad(
                f"{path}.args",
                f"a dict giving {', '.join(map(repr, missing))} ({op.name} needs "
                f"{', '.join(op.required)})",
                {k: v for k, (v, _) in explicit.items()},
                kind="structure",
                hint=call,
            )
            return None
        return eff

    def _normalizer(
        self, eff: dict[str, tuple[Any, str]], ctx: Ctx
    ) -> tuple[shapes.Normalizer | None, bool]:
        name = eff.get("normalizer_fn", (None, ""))[0]
        if name is None:
            return None, True
        norm = catalogue()[name]
        params, params_path = eff.get("normalizer_params", (None, ""))
        explicit: dict[str, tuple[Any, str]] = {}
        ok = True
        if isinstance(params, dict):
            for key, value in params.items():
                key_path = join_path(params_path, key)
                arg = norm.arg(key) if isinstance(key, str) else None
                if arg is None:
                    self.bad(
                        key_path,
                        f"an argument of the normalizer {name}",
                        key,
                        kind="unknown",
                        hint=did_you_mean(str(key), norm.settable),
                    )
                    ok = False
                elif not self._settable(norm, arg, key_path, value) or not self._value(
                    norm, arg, value, key_path
                ):
                    ok = False
                else:
                    explicit[key] = (value, key_path)
        norm_eff = self._effective(
            norm, explicit, ctx, params_path or "normalizer", given=arg_keys(params)
        )
        if name in TRAINING_OPS:
            self.training_ops.add(name)
        if norm_eff is None or not ok:
            return None, False
        return shapes.Normalizer(norm, {k: v for k, (v, _) in norm_eff.items()}), True
