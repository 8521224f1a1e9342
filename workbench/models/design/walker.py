"""The walk through a design that validation and shape inference share.

`Walker` visits the blocks in build order, keeping what a build would have at each
point: the static shape and dtype flowing between blocks, the `arg_scope` defaults in
effect, the scope names given so far (`names.ScopeNamer`) and the variables created so
far. For each block it records a `BlockInfo`; for each mistake, a `Problem`. Arguments
(walk_args.py), repeated calls (walk_repeats.py) and blocks holding blocks
(walk_structure.py) are walked by the mixins it is made of.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.models.design import shapes, spec
from workbench.models.design.catalogue import OpSpec, catalogue
from workbench.models.design.walk_args import ArgumentsWalk
from workbench.models.design.walk_repeats import RepeatsWalk
from workbench.models.design.walk_state import (
    MAX_DEPTH,
    MAX_INPUT_RANK,
    TRAINING_OPS,
    BlockInfo,
    Ctx,
    Flow,
    Frame,
    Variable,
    arg_keys,
    input_problem,
)
from workbench.models.design.walk_structure import StructureWalk
from workbench.problems import did_you_mean, join_path

__all__ = ["TRAINING_OPS", "BlockInfo", "Flow", "Walker"]

# TensorFlow's rule for scope names (ops.py, _VALID_SCOPE_NAME_REGEX), without "/": a
# design's scopes are single path components.
_SCOPE_RE = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.\-]*")


class Walker(ArgumentsWalk, RepeatsWalk, StructureWalk):
    """One walk through one design; `design()` starts it and returns the final `Flow`.

    Afterwards `problems`, `infos` (a `BlockInfo` per block path), `variables` and
    `training_ops` hold what was found.
    """

    # -- the design ------------------------------------------------------------------

    def design(self, design: Any) -> Flow:
        if not isinstance(design, dict):
            self.bad("", "a design dict (a JSON object)", design, kind="type")
            return Flow(None, None)
        required, optional = spec.DESIGN_FIELDS
        self._fields(design, "", required, optional, "the design")
        if "format" in design and design["format"] != spec.FORMAT:
            self.bad("format", repr(spec.FORMAT), design["format"])
        version = design.get("version")
        if "version" in design and version != spec.VERSION:
            hint = (
                "Load it with `spec.loads` or `spec.migrate` to upgrade it."
                if (
                    isinstance(version, int)
                    and not isinstance(version, bool)
                    and version < spec.VERSION
                )
                else ""
            )
            self.bad("version", str(spec.VERSION), version, hint=hint)
        if "name" in design and (not isinstance(design["name"], str) or not design["name"].strip()):
            self.bad("name", "a non-empty str", design["name"], kind="type")
        if "description" in design and not isinstance(design["description"], str):
            self.bad("description", "a str", design["description"], kind="type")
        flow = self._input(design.get("input")) if "input" in design else Flow(None, None)
        frame = Frame(
            frozenset(catalogue()[op].layer_name for op in TRAINING_OPS),
            {"is_training": (self.is_training, "")},
        )
        ctx = Ctx((frame,), 0)
        if "blocks" in design:
            flow = self._list(design["blocks"], "blocks", flow, ctx)
        return flow

    def _input(self, value: Any) -> Flow:
        path = "input"
        if not isinstance(value, dict):
            self.bad(
                path,
                'a dict such as {"shape": [28, 28, 1], "dtype": "float32"}',
                value,
                kind="type",
            )
            return Flow(None, None)
        self._fields(value, path, ("shape",), ("dtype",), "`input`")
        shape = value.get("shape")
        dtype = value.get("dtype", "float32")
        ok = True
        if not isinstance(shape, list) or not 1 <= len(shape) <= MAX_INPUT_RANK:
            self.bad(
                f"{path}.shape",
                f"a list of 1 to {MAX_INPUT_RANK} sizes without the batch, such as [28, 28, 1]",
                shape,
                kind="type",
            )
            ok = False
        else:
            for index, size in enumerate(shape):
                if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 2**31:
                    self.bad(f"{path}.shape[{index}]", "an int >= 1", size)
                    ok = False
        if dtype not in spec.DTYPES:
            self.bad(
                f"{path}.dtype",
                f"one of {list(spec.DTYPES)}",
                dtype,
                hint=did_you_mean(str(dtype), spec.DTYPES),
            )
            ok = False
        return Flow((None, *shape), dtype) if ok else Flow(None, None)

    def _fields(
        self, obj: dict, path: str, required: tuple[str, ...], optional: tuple[str, ...], what: str
    ) -> bool:
        ok = True
        allowed = required + optional
        for field in required:
            if field not in obj:
                self.bad(
                    join_path(path, field),
                    f"given ({what} needs {', '.join(map(repr, required))})",
                    None,
                    kind="structure",
                )
                ok = False
        for key in obj:
            if key not in allowed and key != "kind":
                self.bad(
                    join_path(path, key) if isinstance(key, str) else path,
                    f"one of the fields of {what} ({', '.join(allowed)})",
                    key,
                    kind="unknown",
                    hint=did_you_mean(str(key), allowed),
                )
                ok = False
        return ok

    # -- blocks ----------------------------------------------------------------------

    def _list(self, blocks: Any, path: str, flow: Flow, ctx: Ctx) -> Flow:
        if not isinstance(blocks, list):
            self.bad(path, "a list of blocks", blocks, kind="type")
            return Flow(None, None)
        for index, block in enumerate(blocks):
            flow = self._block(block, f"{path}[{index}]", flow, ctx)
        return flow

    def _block(self, block: Any, path: str, flow: Flow, ctx: Ctx) -> Flow:
        if ctx.depth > MAX_DEPTH:
            self.bad(
                path, f"nested at most {MAX_DEPTH} blocks deep", "a deeper block", kind="structure"
            )
            return Flow(None, None)
        if not isinstance(block, dict):
            self.bad(
                path,
                'a block dict such as {"kind": "layer", "op": "conv2d", "args": {}}',
                block,
                kind="type",
            )
            return Flow(None, None)
        kind = block.get("kind")
        if kind not in spec.KINDS:
            self.bad(
                f"{path}.kind",
                f"one of {', '.join(spec.KINDS)}",
                kind,
                kind="unknown",
                hint=did_you_mean(str(kind), spec.KINDS),
            )
            return Flow(None, None)
        required, optional = spec.KIND_FIELDS[kind]
        self._fields(block, path, required, optional, f"a {kind!r} block")
        inner = Ctx(ctx.frames, ctx.depth + 1)
        handler = {
            "layer": self._layer_block,
            "repeat": self._repeat,
            "stack": self._stack,
            "arg_scope": self._arg_scope,
            "residual": self._residual,
            "branches": self._branches,
            "net": self._net,
        }[kind]
        return handler(block, path, flow, inner)

    def _scope(self, block: dict, path: str) -> tuple[str | None, bool]:
        scope = block.get("scope")
        if scope is None:
            return None, True
        if not isinstance(scope, str) or len(scope) > 200 or not _SCOPE_RE.fullmatch(scope):
            self.bad(
                f"{path}.scope",
                "a scope name of letters, digits and '_', '.', '-' (no '/'), or null",
                scope,
                kind="name",
            )
            return None, False
        return scope, True

    # -- layers ----------------------------------------------------------------------

    def _call(
        self,
        op: OpSpec,
        eff: dict[str, tuple[Any, str]],
        flow: Flow,
        scope: str,
        block_path: str,
        ctx: Ctx,
        *,
        call: str = "",
    ) -> tuple[Flow, list[Variable]]:
        """One layer call: its output and its variables (full names)."""
        if op.name in TRAINING_OPS:
            self.training_ops.add(op.name)
        normalizer, ok = self._normalizer(eff, ctx)
        if not ok or not flow.known:
            return Flow(None, None), []
        values = {k: v for k, (v, _) in eff.items()}
        try:
            result = shapes.apply(
                op,
                values,
                flow.shape,
                flow.dtype,
                scope=scope,
                normalizer=normalizer,
                is_training=bool(values.get("is_training", self.is_training)),
            )
        except shapes.ShapeError as err:
            hint = " ".join(h for h in (err.hint, call) if h)
            if err.arg == "inputs":
                self.report(input_problem(block_path, op.name, err, hint))
            else:
                where = eff.get(err.arg, (None, ""))[1] or join_path(f"{block_path}.args", err.arg)
                self.bad(where, err.expected, err.got, kind="shape", hint=hint)
            return Flow(None, None), []
        variables = [
            (f"{scope}/{name}", shape, trainable) for name, shape, trainable in result.variables
        ]
        return Flow(result.shape, result.dtype), variables

    def _open_layer_scope(self, op: OpSpec, scope: str | None) -> str:
        if op.scope_kind == "name":
            return self.namer.name_scope(scope, op.default_scope)
        return self.namer.variable_scope(scope, op.default_scope)

    def _register(
        self,
        variables: list[Variable],
        path: str,
        scope_path: str,
        scope: str | None,
    ) -> None:
        for name, _, _ in variables:
            if name in self.variables:
                first = self.variables[name][2]
                self.bad(
                    scope_path,
                    f"a scope no earlier layer with variables uses ({first} already "
                    f"creates {name!r})",
                    scope,
                    kind="name",
                    hint="TensorFlow refuses to create a variable twice.",
                )
                return
        for name, shape, trainable in variables:
            self.variables[name] = (shape, trainable, path)

    def _record(
        self,
        path: str,
        kind: str,
        op: str | None,
        scope: str | None,
        flow_in: Flow,
        flow_out: Flow,
        variables: list[Variable],
    ) -> None:
        self.infos[path] = BlockInfo(
            path=path,
            kind=kind,
            op=op,
            scope=scope,
            input_shape=None if flow_in.shape is None else tuple(flow_in.shape[1:]),
            output_shape=None if flow_out.shape is None else tuple(flow_out.shape[1:]),
            dtype=flow_out.dtype if flow_out.shape is not None else None,
            variables=tuple(variables),
        )

    def _layer_block(self, block: dict, path: str, flow: Flow, ctx: Ctx) -> Flow:
        op = self._op(block.get("op"), f"{path}.op") if "op" in block else None
        scope, scope_ok = self._scope(block, path)
        if op is None:
            return Flow(None, None)
        explicit, ok = self._args(op, block.get("args", {}), f"{path}.args")
        eff = self._effective(op, explicit, ctx, path, given=arg_keys(block.get("args")))
        full = self._open_layer_scope(op, scope)
        out, variables = Flow(None, None), []
        if eff is not None:
            out, variables = self._call(
                op, eff, flow if ok and scope_ok else Flow(None, None), full, path, ctx
            )
        self._register(variables, path, f"{path}.scope" if scope else path, scope or full)
        self._record(path, "layer", op.name, full, flow, out, variables)
        return out
