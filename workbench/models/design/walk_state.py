"""What a walk through a design carries, and how it reports what it finds.

`Flow` is the tensor between blocks, `Frame`/`Ctx` the `arg_scope` defaults in effect and
the nesting depth, `BlockInfo` what a block turned out to be; `WalkBase` holds the
problems and block infos found so far and the state a build would have.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from workbench.models.design import names, shapes
from workbench.problems import Problem, problem, short_repr

#: Deepest nesting of blocks accepted (a guard against runaway recursion).
MAX_DEPTH = 32
#: Largest `count` of a repeat block.
MAX_REPEAT = 256
#: Largest input rank, batch left out (3-D convolutions take `[depth, height, width, c]`).
MAX_INPUT_RANK = 4

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


@dataclasses.dataclass(frozen=True)
class Frame:
    """An `arg_scope` in effect: the `arg_scope_op` keys it sets, and its defaults."""

    keys: frozenset[str]
    defaults: dict[str, tuple[Any, str]]


@dataclasses.dataclass(frozen=True)
class Ctx:
    frames: tuple[Frame, ...]
    depth: int


class WalkBase:
    """The state of one walk: problems found, block infos, scope names, variables."""

    def __init__(self, is_training: bool):
        self.is_training = is_training
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, str]] = set()
        self.infos: dict[str, BlockInfo] = {}
        self.namer = names.ScopeNamer()
        # Full variable name -> (shape, trainable, path of the block that creates it).
        self.variables: dict[str, tuple[tuple[int, ...], bool, str]] = {}
        self.training_ops: set[str] = set()

    def report(self, found: Problem) -> None:
        key = (found.path, found.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(found)

    def bad(
        self, path: str, expected: str, value: Any, *, kind: str = "value", hint: str = ""
    ) -> None:
        self.report(problem(path, expected, value, kind=kind, hint=hint))


def arg_keys(value: Any) -> set:
    """The keys of a dict, or none for anything else."""
    return set(value) if isinstance(value, dict) else set()


def input_problem(path: str, op: str, err: shapes.ShapeError, hint: str) -> Problem:
    """A block that cannot take its input: "`path` (op) must get EXPECTED, got SHAPE." """
    message = f"`{path}` ({op}) must get {err.expected}, got {short_repr(err.got)}."
    if hint:
        message += " " + hint
    return Problem(path=path, message=message, value=err.got, expected=err.expected, kind="shape")
