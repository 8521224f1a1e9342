"""The blocks that call one op several times: `repeat` and `stack`."""

from __future__ import annotations

from typing import Any

from workbench.models.design.catalogue import OpSpec
from workbench.models.design.walk_state import MAX_REPEAT, Ctx, Flow, Variable, WalkBase, arg_keys


class RepeatsWalk(WalkBase):
    """`slim.repeat` and `slim.stack` blocks, each call named as slimlib names it."""

    def _repeat(self, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
        scope, scope_ok = self._scope(block, path)
        count = block.get("count")
        count_ok = (
            isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= MAX_REPEAT
        )
        if "count" in block and not count_ok:
            self.bad(f"{path}.count", f"an int from 1 to {MAX_REPEAT}", count)
        inner_path = f"{path}.block"
        op, explicit, args_ok = self._inner_layer(block.get("block"), inner_path, "block" in block)
        if op is None:
            with self.namer.open_variable_scope(scope, "Repeat"):
                pass
            return Flow(None, None)
        given = arg_keys(block["block"].get("args"))
        eff = self._effective(op, explicit, ctx, inner_path, given=given)
        calls = count if count_ok else 1
        current = flow if args_ok and scope_ok and count_ok else Flow(None, None)
        all_variables: list[Variable] = []
        with self.namer.open_variable_scope(scope, "Repeat") as outer:
            base = scope or op.layer_name
            for index in range(1, calls + 1):
                full = self._open_layer_scope(op, f"{base}_{index}")
                before = current
                variables: list = []
                if eff is not None:
                    current, variables = self._call(
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
                    self._record(inner_path, "layer", op.name, full, before, current, variables)
        self._register(all_variables, path, f"{path}.scope" if scope else path, scope or outer)
        self._record(path, "repeat", op.name, outer, flow, current, all_variables)
        return current

    def _inner_layer(
        self, inner: Any, path: str, present: bool
    ) -> tuple[OpSpec | None, dict, bool]:
        if not present:
            return None, {}, False
        if not isinstance(inner, dict) or inner.get("kind") != "layer":
            self.bad(
                path,
                'a layer block such as {"kind": "layer", "op": "conv2d", "args": {...}}',
                inner.get("kind") if isinstance(inner, dict) else inner,
                kind="structure",
            )
            return None, {}, False
        self._fields(inner, path, ("op",), ("args", "scope"), "the repeated layer")
        if "scope" in inner:
            self.bad(
                f"{path}.scope",
                "left out: repeat names its calls (set the repeat block's `scope`)",
                inner["scope"],
                kind="structure",
            )
        op = self._op(inner.get("op"), f"{path}.op") if "op" in inner else None
        if op is None:
            return None, {}, False
        explicit, ok = self._args(op, inner.get("args", {}), f"{path}.args")
        return op, explicit, ok and "scope" not in inner

    def _stack(self, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
        scope, scope_ok = self._scope(block, path)
        op = self._op(block.get("op"), f"{path}.op") if "op" in block else None
        if op is None:
            with self.namer.open_variable_scope(scope, "Stack"):
                pass
            return Flow(None, None)
        common, ok = self._args(op, block.get("args", {}), f"{path}.args")
        per_layer = block.get("per_layer")
        entries: list[dict[str, tuple[Any, str]] | None] = []
        if "per_layer" in block and (not isinstance(per_layer, list) or not per_layer):
            self.bad(
                f"{path}.per_layer",
                "a non-empty list of argument dicts, one per call",
                per_layer,
                kind="type",
            )
            ok = False
        elif isinstance(per_layer, list):
            for index, entry in enumerate(per_layer):
                entries.append(self._stack_entry(op, entry, f"{path}.per_layer[{index}]", common))
        ok = ok and all(e is not None for e in entries) and bool(entries)
        current = flow if ok and scope_ok else Flow(None, None)
        all_variables: list[Variable] = []
        with self.namer.open_variable_scope(scope, "Stack") as outer:
            base = scope or op.layer_name
            for index, entry in enumerate(entries, start=1):
                full = self._open_layer_scope(op, f"{base}_{index}")
                entry_path = f"{path}.per_layer[{index - 1}]"
                eff = self._effective(
                    op,
                    {**common, **(entry or {})},
                    ctx,
                    path,
                    call=f"(In call {index}, `{entry_path}`.)",
                    given=arg_keys(block.get("args")) | arg_keys(per_layer[index - 1]),
                )
                variables: list = []
                if eff is not None:
                    current, variables = self._call(
                        op,
                        eff,
                        current,
                        full,
                        path,
                        ctx,
                        call=f"(In call {index} of {len(entries)}.)",
                    )
                else:
                    current = Flow(None, None)
                all_variables += variables
        self._register(all_variables, path, f"{path}.scope" if scope else path, scope or outer)
        self._record(path, "stack", op.name, outer, flow, current, all_variables)
        return current

    def _stack_entry(
        self, op: OpSpec, entry: Any, path: str, common: dict[str, tuple[Any, str]]
    ) -> dict[str, tuple[Any, str]] | None:
        if not isinstance(entry, dict):
            self.bad(path, f"a dict of {op.name} arguments for one call", entry, kind="type")
            return None
        args, ok = self._args(op, entry, path)
        if not ok:
            return None
        keys = list(entry)
        leading = op.positional[: len(keys)]
        if set(keys) != set(leading):
            shown = ", ".join(op.positional[:4])
            self.bad(
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
            self.bad(
                path,
                "free of arguments the block's `args` already gives",
                clash,
                kind="structure",
                hint=f"{op.name} would get {clash[0]!r} twice.",
            )
            return None
        return args
