"""What the analysis carries through a design, and how it reports what it finds.

`State` is the analysis's one mutable object, passed to every function of the package: the
problems found so far, a `BlockInfo` per block, the scope names given so far
(`names.ScopeNamer`) and the variables created so far. `Flow` is the tensor between blocks,
`Frame`/`Ctx` the `arg_scope` defaults in effect and the nesting depth. `report` and `bad`
add a problem; `record` a block's `BlockInfo`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from workbench.models.design import kinds, names, shapes
from workbench.problems import Problem, problem, short_repr

#: Deepest nesting of blocks accepted (a guard against runaway recursion).
MAX_DEPTH = 32
#: Largest `count` of a repeat block, and largest input rank (batch left out).
MAX_REPEAT = kinds.MAX_REPEAT
MAX_INPUT_RANK = kinds.MAX_INPUT_RANK

#: Ops whose `is_training` the build sets: `arg_scope([batch_norm, dropout], is_training=...)`.
TRAINING_OPS = ("batch_norm", "dropout")

#: `(full name, shape, trainable)` of one variable.
Variable = shapes.Variable


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


#: The flow after a block that could not be read: shape and dtype unknown.
UNKNOWN = Flow(None, None)


@dataclasses.dataclass(frozen=True)
class Frame:
    """An `arg_scope` in effect: the `arg_scope_op` keys it sets, and its defaults."""

    keys: frozenset[str]
    defaults: dict[str, tuple[Any, str]]


@dataclasses.dataclass(frozen=True)
class Ctx:
    """Where a block sits: the `arg_scope` frames around it and its nesting depth."""

    frames: tuple[Frame, ...]
    depth: int


@dataclasses.dataclass
class State:
    """One analysis of one design, filled in as the blocks are visited in build order.

    Attributes:
      is_training: The `is_training` the design would be built with.
      problems: Every problem found, in the order found.
      seen: `(path, message)` of each problem, so that none is reported twice.
      infos: A `BlockInfo` per block path.
      namer: The scope names given so far.
      variables: Full variable name -> (shape, trainable, path of the block creating it).
      training_ops: The ops among `TRAINING_OPS` called so far.
    """

    is_training: bool
    problems: list[Problem] = dataclasses.field(default_factory=list)
    seen: set[tuple[str, str]] = dataclasses.field(default_factory=set)
    infos: dict[str, BlockInfo] = dataclasses.field(default_factory=dict)
    namer: names.ScopeNamer = dataclasses.field(default_factory=names.ScopeNamer)
    variables: dict[str, tuple[tuple[int, ...], bool, str]] = dataclasses.field(
        default_factory=dict
    )
    training_ops: set[str] = dataclasses.field(default_factory=set)


def report(state: State, found: Problem) -> None:
    """Adds `found` to the problems, unless the same one is there already."""
    key = (found.path, found.message)
    if key not in state.seen:
        state.seen.add(key)
        state.problems.append(found)


def bad(
    state: State, path: str, expected: str, value: Any, *, kind: str = "value", hint: str = ""
) -> None:
    """Reports "`path` must be EXPECTED, got VALUE." (see `problems.problem`)."""
    report(state, problem(path, expected, value, kind=kind, hint=hint))


def record(
    state: State,
    path: str,
    kind: str,
    op: str | None,
    scope: str | None,
    flow_in: Flow,
    flow_out: Flow,
    variables: list[Variable],
) -> None:
    """Keeps what the block at `path` turned out to be."""
    state.infos[path] = BlockInfo(
        path=path,
        kind=kind,
        op=op,
        scope=scope,
        input_shape=None if flow_in.shape is None else tuple(flow_in.shape[1:]),
        output_shape=None if flow_out.shape is None else tuple(flow_out.shape[1:]),
        dtype=flow_out.dtype if flow_out.shape is not None else None,
        variables=tuple(variables),
    )


def variables_under(state: State, path: str) -> list[Variable]:
    """The variables created by the block at `path` and the blocks inside it."""
    return [
        (name, shape, trainable)
        for name, (shape, trainable, owner) in state.variables.items()
        if owner == path or owner.startswith(path + ".")
    ]


def arg_keys(value: Any) -> set:
    """The keys of a dict, or none for anything else."""
    return set(value) if isinstance(value, dict) else set()


def input_problem(path: str, op: str, err: shapes.ShapeError, hint: str) -> Problem:
    """A block that cannot take its input: "`path` (op) must get EXPECTED, got SHAPE." """
    message = f"`{path}` ({op}) must get {err.expected}, got {short_repr(err.got)}."
    if hint:
        message += " " + hint
    return Problem(path=path, message=message, value=err.got, expected=err.expected, kind="shape")
