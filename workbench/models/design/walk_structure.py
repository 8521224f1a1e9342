"""The blocks that hold other blocks: `arg_scope`, `residual`, `branches`, and whole nets."""

from __future__ import annotations

from typing import Any

from workbench.models.design import choices, shapes
from workbench.models.design.argcheck import join_path
from workbench.models.design.catalogue import OpSpec, catalogue, nets
from workbench.models.design.walk_state import Ctx, Flow, Frame, Variable, WalkBase, input_problem
from workbench.problems import Problem, did_you_mean


class StructureWalk(WalkBase):
    """Blocks around other blocks, and `net` blocks."""

    def _arg_scope(self, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
        ops = block.get("ops")
        specs: list[OpSpec] = []
        if "ops" in block and (not isinstance(ops, list) or not ops):
            self.bad(f"{path}.ops", "a non-empty list of layer op names", ops, kind="type")
        elif isinstance(ops, list):
            for index, name in enumerate(ops):
                found = self._op(name, f"{path}.ops[{index}]")
                if found is None:
                    continue
                if found.fixed:
                    self.bad(
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
        scoped: dict[str, tuple[Any, str]] = {}
        if not isinstance(defaults, dict):
            self.bad(f"{path}.defaults", "a dict of default arguments", defaults, kind="type")
        else:
            for key, value in defaults.items():
                key_path = join_path(f"{path}.defaults", key)
                good = True
                for found in specs:
                    arg = found.arg(key) if isinstance(key, str) else None
                    if arg is None:
                        self.bad(
                            key_path,
                            f"an argument of every op listed ({found.name} has no {key!r})",
                            value,
                            kind="unknown",
                            hint=did_you_mean(str(key), found.settable),
                        )
                        good = False
                    elif not self._settable(found, arg, key_path, value) or not self._value(
                        found, arg, value, key_path
                    ):
                        good = False
                if good and specs:
                    scoped[key] = (value, key_path)
        frame = Frame(frozenset(s.arg_scope_op for s in specs if s.arg_scope_op), scoped)
        inner = Ctx((*ctx.frames, frame), ctx.depth)
        out = (
            self._list(block.get("blocks", []), f"{path}.blocks", flow, inner)
            if "blocks" in block
            else Flow(None, None)
        )
        self._record(path, "arg_scope", None, None, flow, out, self._variables_under(path))
        return out

    def _variables_under(self, path: str) -> list[Variable]:
        return [
            (name, shape, trainable)
            for name, (shape, trainable, owner) in self.variables.items()
            if owner == path or owner.startswith(path + ".")
        ]

    def _residual(self, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
        scope, scope_ok = self._scope(block, path)
        activation = block.get("activation")
        activation_ok = True
        for found in choices.check("activation", activation, f"{path}.activation"):
            self.report(found)
            activation_ok = False
        start = flow if scope_ok else Flow(None, None)
        with self.namer.open_variable_scope(scope, "Residual") as full:
            shortcut = block.get("shortcut", [])
            if shortcut == []:
                short = start
            else:
                short = self._list(shortcut, f"{path}.shortcut", start, ctx)
            main = (
                self._list(block.get("blocks", []), f"{path}.blocks", start, ctx)
                if "blocks" in block
                else Flow(None, None)
            )
        out = Flow(None, None)
        if main.known and short.known:
            if main.shape != short.shape or main.dtype != short.dtype:
                got = {
                    "main path": [*main.shape[1:], main.dtype],
                    "shortcut": [*short.shape[1:], short.dtype],
                }
                self.report(
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
                    )
                )
            elif activation_ok:
                out = main
        self._record(path, "residual", None, full, flow, out, self._variables_under(path))
        return out

    def _branches(self, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
        scope, scope_ok = self._scope(block, path)
        axis = block.get("axis", 3)
        axis_ok = isinstance(axis, int) and not isinstance(axis, bool)
        if not axis_ok:
            self.bad(
                f"{path}.axis",
                "an int (3: channels of a `[batch, h, w, c]` tensor)",
                axis,
                kind="type",
            )
        branch_lists = block.get("branches")
        outs: list[Flow] = []
        start = flow if scope_ok else Flow(None, None)
        with self.namer.open_variable_scope(scope, "Branches") as full:
            if "branches" in block and (not isinstance(branch_lists, list) or not branch_lists):
                self.bad(
                    f"{path}.branches",
                    "a non-empty list of lists of blocks",
                    branch_lists,
                    kind="type",
                )
            elif isinstance(branch_lists, list):
                for index, branch in enumerate(branch_lists):
                    branch_path = f"{path}.branches[{index}]"
                    if branch == []:
                        outs.append(start)
                        continue
                    with self.namer.open_variable_scope(f"Branch_{index}", "Branch"):
                        outs.append(self._list(branch, branch_path, start, ctx))
        out = Flow(None, None)
        if outs and axis_ok and all(o.known for o in outs):
            out = self._concat(outs, axis, path)
        self._record(path, "branches", None, full, flow, out, self._variables_under(path))
        return out

    def _concat(self, outs: list[Flow], axis: int, path: str) -> Flow:
        ranks = {len(o.shape) for o in outs}
        shown = [list(o.shape[1:]) for o in outs]
        if len(ranks) != 1:
            self.bad(path, "branches whose outputs have the same rank", shown, kind="shape")
            return Flow(None, None)
        rank = ranks.pop()
        if not -rank <= axis < rank or axis % rank == 0:
            self.bad(
                f"{path}.axis",
                f"an axis in [1, {rank}) or [{-rank + 1}, -1] (not the batch axis)",
                axis,
                kind="shape",
            )
            return Flow(None, None)
        axis %= rank
        others = {tuple(d for i, d in enumerate(o.shape) if i != axis) for o in outs}
        if len(others) != 1:
            self.bad(
                path,
                f"branches whose outputs match on every axis but axis {axis}",
                shown,
                kind="shape",
                hint="Use padding 'SAME' and the same strides in every branch.",
            )
            return Flow(None, None)
        dtypes = {o.dtype for o in outs}
        if len(dtypes) != 1:
            self.bad(path, "branches with outputs of one dtype", sorted(dtypes), kind="shape")
            return Flow(None, None)
        sizes = [o.shape[axis] for o in outs]
        total = None if any(s is None for s in sizes) else sum(sizes)
        shape = list(outs[0].shape)
        shape[axis] = total
        return Flow(tuple(shape), outs[0].dtype)

    def _net(self, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
        scope, scope_ok = self._scope(block, path)
        name = block.get("name")
        known = nets()
        if "name" in block and (not isinstance(name, str) or name not in known):
            hint = did_you_mean(str(name), known)
            if isinstance(name, str) and name in catalogue():
                hint = f"{name!r} is a layer: use a 'layer' block."
            self.bad(
                f"{path}.name", "a slimlib net such as 'vgg_16'", name, kind="unknown", hint=hint
            )
            return Flow(None, None)
        if name is None:
            return Flow(None, None)
        op = known[name]
        options, ok = self._args(op, block.get("options", {}), f"{path}.options")
        top = scope or op.default_scope
        with self.namer.open_variable_scope(top, top) as full:
            pass
        out, variables = Flow(None, None), []
        if ok and scope_ok and flow.known:
            values = {k: v for k, (v, _) in options.items()}
            if scope is not None:
                values["scope"] = scope
            try:
                result, _ = shapes.net_output(
                    name, values, flow.shape, flow.dtype, is_training=self.is_training
                )
            except shapes.ShapeError as err:
                self.report(input_problem(path, name, err, err.hint))
            else:
                prefix = full[: -len(top)]
                out = Flow(result.shape, result.dtype)
                variables = [(prefix + n, s, t) for n, s, t in result.variables]
        self._register(variables, path, f"{path}.scope" if scope else path, top)
        self._record(path, "net", name, full, flow, out, variables)
        return out
