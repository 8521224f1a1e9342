"""The walk through a design that validation and shape inference share.

`Walker` visits the blocks in build order, keeping what a build would have at each
point: the static shape and dtype flowing between blocks, the `arg_scope` defaults in
effect, the scope names given so far (`names.ScopeNamer`) and the variables created so
far. For each block it records a `BlockInfo`; for each mistake, a `Problem`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from workbench.models.design import choices, names, shapes, spec
from workbench.models.design.argcheck import check_value, join_path
from workbench.models.design.catalogue import (
    ALIASES,
    NET_UNSUPPORTED,
    UNSUPPORTED,
    ArgSpec,
    OpSpec,
    catalogue,
    nets,
)
from workbench.models.design.problems import Problem, problem, short_repr

#: Deepest nesting of blocks accepted (a guard against runaway recursion).
MAX_DEPTH = 32
#: Largest `count` of a repeat block.
MAX_REPEAT = 256
#: Largest input rank, batch left out (3-D convolutions take `[depth, height, width, c]`).
MAX_INPUT_RANK = 4

# TensorFlow's rule for scope names (ops.py, _VALID_SCOPE_NAME_REGEX), without "/": a
# design's scopes are single path components.
_SCOPE_RE = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.\-]*")

#: Ops whose `is_training` the build sets: `arg_scope([batch_norm, dropout], is_training=...)`.
TRAINING_OPS = ("batch_norm", "dropout")

Variable = tuple[str, tuple[int, ...], bool]


@dataclasses.dataclass(frozen=True)
class BlockInfo:
    """What static inference found out about one block.

    Attributes:
      path: The block's path, e.g. `"blocks[2].blocks[0]"`.
      kind: The block kind.
      op: The layer op or net name (None for structure blocks).
      scope: The full scope name slimlib gives it (`"conv3"`, `"Residual/Conv_1"`); None
        for `arg_scope` blocks and blocks that could not be read.
      input_shape: Input shape without the batch axis, None when unknown.
      output_shape: Output shape without the batch axis, None when unknown.
      dtype: Output dtype name, None when unknown.
      variables: `(full name, shape, trainable)` of every variable the block creates,
        including those of blocks inside it.
    """

    path: str
    kind: str
    op: str | None
    scope: str | None
    input_shape: tuple[int | None, ...] | None
    output_shape: tuple[int | None, ...] | None
    dtype: str | None
    variables: tuple[Variable, ...] = ()

    @property
    def params(self) -> int:
        """Scalars in every variable the block creates (trainable or not)."""
        return sum(math.prod(shape) for _, shape, _ in self.variables)

    @property
    def trainable_params(self) -> int:
        return sum(math.prod(shape) for _, shape, trainable in self.variables if trainable)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "op": self.op,
            "scope": self.scope,
            "input_shape": None if self.input_shape is None else list(self.input_shape),
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "dtype": self.dtype,
            "params": self.params,
            "trainable_params": self.trainable_params,
        }


@dataclasses.dataclass(frozen=True)
class Flow:
    """The tensor between blocks: static shape with the batch axis first, and dtype."""

    shape: tuple[int | None, ...] | None
    dtype: str | None

    @property
    def known(self) -> bool:
        return self.shape is not None and self.dtype is not None


@dataclasses.dataclass(frozen=True)
class _Frame:
    """An `arg_scope` in effect: the `arg_scope_op` keys it sets, and its defaults."""

    keys: frozenset[str]
    defaults: dict[str, tuple[Any, str]]


@dataclasses.dataclass(frozen=True)
class _Ctx:
    frames: tuple[_Frame, ...]
    depth: int


class Walker:
    """One walk through one design; `design()` starts it and returns the final `Flow`.

    Afterwards `problems`, `infos` (a `BlockInfo` per block path), `variables` and
    `training_ops` hold what was found.
    """

    def __init__(self, is_training: bool):
        self.is_training = is_training
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, str]] = set()
        self.infos: dict[str, BlockInfo] = {}
        self.namer = names.ScopeNamer()
        # Full variable name -> (shape, trainable, path of the block that creates it).
        self.variables: dict[str, tuple[tuple[int, ...], bool, str]] = {}
        self.training_ops: set[str] = set()

    # -- reporting -------------------------------------------------------------------

    def report(self, found: Problem) -> None:
        key = (found.path, found.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(found)

    def bad(
        self, path: str, expected: str, value: Any, *, kind: str = "value", hint: str = ""
    ) -> None:
        self.report(problem(path, expected, value, kind=kind, hint=hint))

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
        frame = _Frame(
            frozenset(catalogue()[op].layer_name for op in TRAINING_OPS),
            {"is_training": (self.is_training, "")},
        )
        ctx = _Ctx((frame,), 0)
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
                hint=choices.did_you_mean(str(dtype), spec.DTYPES),
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
                    hint=choices.did_you_mean(str(key), allowed),
                )
                ok = False
        return ok

    # -- blocks ----------------------------------------------------------------------

    def _list(self, blocks: Any, path: str, flow: Flow, ctx: _Ctx) -> Flow:
        if not isinstance(blocks, list):
            self.bad(path, "a list of blocks", blocks, kind="type")
            return Flow(None, None)
        for index, block in enumerate(blocks):
            flow = self._block(block, f"{path}[{index}]", flow, ctx)
        return flow

    def _block(self, block: Any, path: str, flow: Flow, ctx: _Ctx) -> Flow:
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
                hint=choices.did_you_mean(str(kind), spec.KINDS),
            )
            return Flow(None, None)
        required, optional = spec.KIND_FIELDS[kind]
        self._fields(block, path, required, optional, f"a {kind!r} block")
        inner = _Ctx(ctx.frames, ctx.depth + 1)
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
        hint = choices.did_you_mean(str(name), ops)
        if isinstance(name, str) and name in nets():
            hint = f"{name!r} is a net: use a 'net' block."
        self.bad(
            path, "a layer op such as 'conv2d' (see the catalogue)", name, kind="unknown", hint=hint
        )
        return None

    # -- arguments -------------------------------------------------------------------

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
                        hint=choices.did_you_mean(str(key), op.settable),
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
        ctx: _Ctx,
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
        self, eff: dict[str, tuple[Any, str]], ctx: _Ctx
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
                        hint=choices.did_you_mean(str(key), norm.settable),
                    )
                    ok = False
                elif not self._settable(norm, arg, key_path, value) or not self._value(
                    norm, arg, value, key_path
                ):
                    ok = False
                else:
                    explicit[key] = (value, key_path)
        norm_eff = self._effective(
            norm, explicit, ctx, params_path or "normalizer", given=_keys(params)
        )
        if name in TRAINING_OPS:
            self.training_ops.add(name)
        if norm_eff is None or not ok:
            return None, False
        return shapes.Normalizer(norm, {k: v for k, (v, _) in norm_eff.items()}), True

    # -- layers ----------------------------------------------------------------------

    def _call(
        self,
        op: OpSpec,
        eff: dict[str, tuple[Any, str]],
        flow: Flow,
        scope: str,
        block_path: str,
        ctx: _Ctx,
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
                self.report(_input_problem(block_path, op.name, err, hint))
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

    def _layer_block(self, block: dict, path: str, flow: Flow, ctx: _Ctx) -> Flow:
        op = self._op(block.get("op"), f"{path}.op") if "op" in block else None
        scope, scope_ok = self._scope(block, path)
        if op is None:
            return Flow(None, None)
        explicit, ok = self._args(op, block.get("args", {}), f"{path}.args")
        eff = self._effective(op, explicit, ctx, path, given=_keys(block.get("args")))
        full = self._open_layer_scope(op, scope)
        out, variables = Flow(None, None), []
        if eff is not None:
            out, variables = self._call(
                op, eff, flow if ok and scope_ok else Flow(None, None), full, path, ctx
            )
        self._register(variables, path, f"{path}.scope" if scope else path, scope or full)
        self._record(path, "layer", op.name, full, flow, out, variables)
        return out

    def _repeat(self, block: dict, path: str, flow: Flow, ctx: _Ctx) -> Flow:
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
        given = _keys(block["block"].get("args"))
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

    def _stack(self, block: dict, path: str, flow: Flow, ctx: _Ctx) -> Flow:
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
                    given=_keys(block.get("args")) | _keys(per_layer[index - 1]),
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

    # -- structure -------------------------------------------------------------------

    def _arg_scope(self, block: dict, path: str, flow: Flow, ctx: _Ctx) -> Flow:
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
                            hint=choices.did_you_mean(str(key), found.settable),
                        )
                        good = False
                    elif not self._settable(found, arg, key_path, value) or not self._value(
                        found, arg, value, key_path
                    ):
                        good = False
                if good and specs:
                    scoped[key] = (value, key_path)
        frame = _Frame(frozenset(s.arg_scope_op for s in specs if s.arg_scope_op), scoped)
        inner = _Ctx((*ctx.frames, frame), ctx.depth)
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

    def _residual(self, block: dict, path: str, flow: Flow, ctx: _Ctx) -> Flow:
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

    def _branches(self, block: dict, path: str, flow: Flow, ctx: _Ctx) -> Flow:
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

    def _net(self, block: dict, path: str, flow: Flow, ctx: _Ctx) -> Flow:
        scope, scope_ok = self._scope(block, path)
        name = block.get("name")
        known = nets()
        if "name" in block and (not isinstance(name, str) or name not in known):
            hint = choices.did_you_mean(str(name), known)
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
                self.report(_input_problem(path, name, err, err.hint))
            else:
                prefix = full[: -len(top)]
                out = Flow(result.shape, result.dtype)
                variables = [(prefix + n, s, t) for n, s, t in result.variables]
        self._register(variables, path, f"{path}.scope" if scope else path, top)
        self._record(path, "net", name, full, flow, out, variables)
        return out


def _keys(value: Any) -> set:
    """The keys of a dict, or none for anything else."""
    return set(value) if isinstance(value, dict) else set()


def _input_problem(path: str, op: str, err: shapes.ShapeError, hint: str) -> Problem:
    """A block that cannot take its input: "`path` (op) must get EXPECTED, got SHAPE." """
    message = f"`{path}` ({op}) must get {err.expected}, got {short_repr(err.got)}."
    if hint:
        message += " " + hint
    return Problem(path=path, message=message, value=err.got, expected=err.expected, kind="shape")
