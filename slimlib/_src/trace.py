"""Layer trace: a record of every slimlib layer call made while tracing is on.

Each call of a function decorated with `add_arg_scope` becomes a `LayerRecord`
(op, scope, shapes, variables created, parameter count, FLOPs, effective
arguments with their provenance). Calls made inside another call (a layer in
`repeat`, a `batch_norm` used as `normalizer_fn`) become its children, so a
trace is a tree that the workbench can tabulate and draw without guessing from
TensorFlow op names.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import tensorflow as tf

_GLOBAL = tf.compat.v1.GraphKeys.GLOBAL_VARIABLES
_LOCAL = tf.compat.v1.GraphKeys.LOCAL_VARIABLES


@dataclasses.dataclass(frozen=True)
class ScopeOrigin:
    """Where an `arg_scope` that set a default was opened."""

    filename: str
    lineno: int
    ops: tuple[str, ...]
    depth: int

    def describe(self) -> str:
        ops = ", ".join(self.ops)
        return f"arg_scope([{ops}]) at {self.filename}:{self.lineno}"


@dataclasses.dataclass(frozen=True)
class Argument:
    """One effective argument of a call and where its value came from.

    `source` is "call" (passed by the caller), "arg_scope" (set by the scope in
    `origin`) or "default" (the function's own default).
    """

    value: Any
    source: str
    origin: ScopeOrigin | None = None

    def describe(self) -> str:
        if self.source == "arg_scope" and self.origin is not None:
            return f"{self.origin.describe()} (depth {self.origin.depth})"
        return self.source


@dataclasses.dataclass(frozen=True)
class VariableInfo:
    """A variable created by a traced call."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str
    trainable: bool
    collections: tuple[str, ...]

    @property
    def size(self) -> int:
        return int(np.prod([d or 0 for d in self.shape])) if self.shape else 1


@dataclasses.dataclass
class LayerRecord:
    """What one layer call did.

    `scope` is the variable scope of the call; `name_scope` the name scope its ops were
    created in. They differ for a call that reuses variables: the second
    `conv2d(x, 4, 3, scope="conv1", reuse=True)` has scope `conv1` and name scope `conv1_1`.
    """

    op: str
    scope: str = ""
    name_scope: str = ""
    input_shape: tuple[int | None, ...] | None = None
    output_shape: tuple[int | None, ...] | None = None
    variables: list[VariableInfo] = dataclasses.field(default_factory=list)
    flops: int = 0
    arguments: dict[str, Argument] = dataclasses.field(default_factory=dict)
    children: list[LayerRecord] = dataclasses.field(default_factory=list)

    @property
    def params(self) -> int:
        """Number of scalars in every variable the call created (children included)."""
        return sum(v.size for v in self.variables)

    @property
    def trainable_params(self) -> int:
        return sum(v.size for v in self.variables if v.trainable)

    @property
    def total_flops(self) -> int:
        """FLOPs of this call, or of its children when it only delegates (repeat, stack)."""
        return self.flops + sum(child.total_flops for child in self.children)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `json.dumps`: lists, not tuples; argument values that are not plain
        numbers, strings or lists of them are shown by name (functions) or `repr`."""
        return {
            "op": self.op,
            "scope": self.scope,
            "name_scope": self.name_scope,
            "input_shape": _list_or_none(self.input_shape),
            "output_shape": _list_or_none(self.output_shape),
            "params": self.params,
            "trainable_params": self.trainable_params,
            "flops": self.total_flops,
            "variables": [
                {
                    **dataclasses.asdict(v),
                    "shape": list(v.shape),
                    "collections": list(v.collections),
                }
                for v in self.variables
            ],
            "arguments": {
                name: {
                    "value": _describe_value(arg.value),
                    "source": arg.source,
                    "origin": (
                        {**dataclasses.asdict(arg.origin), "ops": list(arg.origin.ops)}
                        if arg.origin
                        else None
                    ),
                }
                for name, arg in self.arguments.items()
            },
            "children": [child.to_dict() for child in self.children],
        }


@dataclasses.dataclass
class LayerTrace:
    """The records of one `trace_layers()` block, top-level calls first."""

    records: list[LayerRecord] = dataclasses.field(default_factory=list)

    def walk(self) -> Iterator[tuple[LayerRecord, int]]:
        """Yields `(record, depth)` depth-first, parents before their children."""

        def visit(record: LayerRecord, depth: int) -> Iterator[tuple[LayerRecord, int]]:
            yield record, depth
            for child in record.children:
                yield from visit(child, depth + 1)

        for record in self.records:
            yield from visit(record, 0)

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.records)

    @property
    def trainable_params(self) -> int:
        return sum(r.trainable_params for r in self.records)

    @property
    def total_flops(self) -> int:
        return sum(r.total_flops for r in self.records)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.records]

    def summary(self) -> str:
        """A text table like a Keras model summary: one row per call, children indented."""
        header = ("Layer (op)", "Output shape", "Param #", "FLOPs")
        rows = []
        for record, depth in self.walk():
            label = "  " * depth + f"{record.scope or '-'} ({record.op})"
            shape = str(_list_or_none(record.output_shape))
            rows.append((label, shape, f"{record.params:,}", f"{record.total_flops:,}"))
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
        line = "  ".join("{:<%d}" % w for w in widths)
        rule = "=" * (sum(widths) + 6)
        out = [rule, line.format(*header), rule]
        out += [line.format(*row) for row in rows]
        out += [
            rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
            f"Total FLOPs: {self.total_flops:,}",
        ]
        return "\n".join(out)


@dataclasses.dataclass
class _Active:
    trace: LayerTrace
    open_records: list[LayerRecord]


_ACTIVE: contextvars.ContextVar[_Active | None] = contextvars.ContextVar(
    "slimlib_layer_trace", default=None
)


@contextlib.contextmanager
def trace_layers() -> Iterator[LayerTrace]:
    """Records every slimlib layer call made inside the block.

    Yields:
      A `LayerTrace`, filled in as layers are called.

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default(), slim.trace_layers() as trace:
      ...     _ = slim.fully_connected(tf.ones([2, 3]), 4, scope="fc")
      >>> [(r.scope, r.params) for r in trace.records]
      [('fc', 16)]
    """
    active = _Active(LayerTrace(), [])
    token = _ACTIVE.set(active)
    try:
        yield active.trace
    finally:
        _ACTIVE.reset(token)


def is_tracing() -> bool:
    """True inside a `trace_layers()` block."""
    return _ACTIVE.get() is not None


def annotate(*, scope: str | None = None, flops: int | None = None) -> None:
    """Lets the innermost traced call report its variable scope and FLOPs (no-op if untraced).

    Called inside the layer's scope, it also takes the graph's current name scope.
    """
    active = _ACTIVE.get()
    if active is None or not active.open_records:
        return
    record = active.open_records[-1]
    if scope is not None:
        record.scope = scope
        if not tf.executing_eagerly():
            # Called inside the layer's scope: this is the name scope its ops get.
            record.name_scope = tf.compat.v1.get_default_graph().get_name_scope()
    if flops is not None:
        record.flops = int(flops)


def run_traced(
    op: str, func: Callable[..., Any], args: tuple, kwargs: dict, arguments: dict[str, Argument]
) -> Any:
    """Calls `func(*args, **kwargs)` and records it in the active trace."""
    active = _ACTIVE.get()
    assert active is not None, "run_traced needs an active trace"
    record = LayerRecord(op=op, arguments=arguments)
    record.input_shape = _shape_of(args[0] if args else kwargs.get("inputs"))
    parent = active.open_records[-1] if active.open_records else None
    (parent.children if parent else active.trace.records).append(record)
    graph = None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()
    before = _variable_ids(graph)
    active.open_records.append(record)
    try:
        result = func(*args, **kwargs)
    except BaseException:
        # A failed call stays in the trace (with no output) and still lists what it created.
        record.variables = _new_variables(graph, before)
        record.scope = record.scope or _guess_scope(record, None)
        record.name_scope = record.name_scope or record.scope
        raise
    finally:
        active.open_records.pop()
    record.output_shape = _shape_of(result[0] if isinstance(result, tuple) else result)
    record.variables = _new_variables(graph, before)
    if not record.scope:
        record.scope = _guess_scope(record, result)
    if not record.name_scope:
        record.name_scope = _name_scope(record.scope, result)
    return result


def _variable_ids(graph: tf.Graph | None) -> set[int]:
    if graph is None:
        return set()
    return {id(v) for key in (_GLOBAL, _LOCAL) for v in graph.get_collection(key)}


def _new_variables(graph: tf.Graph | None, before: set[int]) -> list[VariableInfo]:
    if graph is None:
        return []
    seen = set(before)
    membership: dict[int, list[str]] = {}
    for key in graph.get_all_collection_keys():
        for item in graph.get_collection(key):
            membership.setdefault(id(item), []).append(key)
    created = []
    for key in (_GLOBAL, _LOCAL):
        for var in graph.get_collection(key):
            if id(var) in seen:
                continue
            seen.add(id(var))
            created.append(
                VariableInfo(
                    name=var.op.name,
                    shape=tuple(var.shape.as_list()),
                    dtype=var.dtype.base_dtype.name,
                    trainable=var.trainable,
                    collections=tuple(sorted(membership.get(id(var), []))),
                )
            )
    return created


def _guess_scope(record: LayerRecord, result: Any) -> str:
    """Scope of an un-annotated call: its variables' common prefix, else its output's."""
    if record.variables:
        parts = [v.name.split("/")[:-1] for v in record.variables]
        common = []
        for pieces in zip(*parts):
            if len(set(pieces)) != 1:
                break
            common.append(pieces[0])
        return "/".join(common)
    tensor = result[0] if isinstance(result, tuple) else result
    name = getattr(getattr(tensor, "op", None), "name", "")
    return name.rsplit("/", 1)[0] if "/" in name else ""


def _name_scope(scope: str, result: Any) -> str:
    """The name scope of a call that did not annotate one: its output op's name cut to
    the depth of `scope`. TensorFlow makes each name scope unique (`conv1`, then `conv1_1`)
    while a reused variable scope keeps its name, so the output op tells calls apart."""
    tensor = result[0] if isinstance(result, tuple) else result
    name = getattr(getattr(tensor, "op", None), "name", "")
    depth = len(scope.split("/")) if scope else 0
    parts = name.split("/")
    if not depth or len(parts) <= depth:
        return scope
    return "/".join(parts[:depth])


def _shape_of(value: Any) -> tuple[int | None, ...] | None:
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(tf.TensorShape(shape).as_list())
    except (TypeError, ValueError):
        return None


def _list_or_none(shape: tuple | None) -> list | None:
    return None if shape is None else list(shape)


def _describe_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float, str)) for v in value):
        return list(value)
    name = getattr(value, "__name__", None)
    return name if name else repr(value)
