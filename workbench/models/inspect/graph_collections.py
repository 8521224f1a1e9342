"""Collections inspector: what each collection of a graph holds.

TF-Slim keeps a model's bookkeeping in graph collections: `GLOBAL_VARIABLES` (everything a
Saver saves), `MODEL_VARIABLES` (the model's parameters), `TRAINABLE_VARIABLES` (what an
optimizer updates), `LOCAL_VARIABLES` (metric counters), `LOSSES`, `REGULARIZATION_LOSSES`,
`UPDATE_OPS` (batch-norm moving averages) and `SUMMARIES`. This lists every one of them, and
any other collection the graph has, with its members described: a variable by name, shape,
dtype, device, whether it is trainable, regularized, a model variable, which op initializes
it and, given a checkpoint, whether the checkpoint holds it; a tensor or op by name, op type
and shape.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from typing import Any, ClassVar

import tensorflow as tf

import slimlib as slim
from workbench.models.inspect.checkpoint import Checkpoint, read_checkpoint
from workbench.models.inspect.formatting import Shape, format_shape

GraphKeys = tf.compat.v1.GraphKeys

#: The collections always listed, in this order, as `(key, label)`.
STANDARD_COLLECTIONS: tuple[tuple[str, str], ...] = (
    (GraphKeys.GLOBAL_VARIABLES, "GLOBAL_VARIABLES"),
    (GraphKeys.MODEL_VARIABLES, "MODEL_VARIABLES"),
    (GraphKeys.TRAINABLE_VARIABLES, "TRAINABLE_VARIABLES"),
    (GraphKeys.LOCAL_VARIABLES, "LOCAL_VARIABLES"),
    (GraphKeys.LOSSES, "LOSSES"),
    (GraphKeys.REGULARIZATION_LOSSES, "REGULARIZATION_LOSSES"),
    (GraphKeys.UPDATE_OPS, "UPDATE_OPS"),
    (GraphKeys.SUMMARIES, "SUMMARIES"),
)

# Op types that create a variable; an `assign_sub` result is a `tf.Variable` too in graph
# mode (batch norm puts those in UPDATE_OPS), but its op is the assignment.
_VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable", "AutoReloadVariable"})
_RANDOM_PREFIXES = ("Random", "Stateless", "TruncatedNormal", "ParameterizedTruncatedNormal")


@dataclasses.dataclass(frozen=True)
class VariableEntry:
    """A variable in a collection.

    Attributes:
      name: `var.op.name`, e.g. `"conv1/weights"`.
      shape: Static shape.
      dtype: Base dtype name, e.g. `"float32"`.
      device: Device it was placed on (`""`: unplaced).
      trainable: In the graph's `TRAINABLE_VARIABLES`.
      regularized: A tensor in `REGULARIZATION_LOSSES` reads it.
      initializer: Op type that makes its initial value: `TruncatedNormal`, `RandomUniform`,
        `Const` (zeros, ones, a constant), ...
      initializer_name: Name of that initial value under the variable's `Initializer` scope,
        e.g. `"zeros"`, `"truncated_normal"`; `""` when it has no such scope.
      model_variable: In `MODEL_VARIABLES`.
      in_checkpoint: Whether the checkpoint holds it under its save name; `None` when no
        checkpoint was given.
      checkpoint_shape: The checkpoint entry's shape, `None` when absent or not checked.
    """

    name: str
    shape: Shape
    dtype: str
    device: str
    trainable: bool
    regularized: bool
    initializer: str
    initializer_name: str
    model_variable: bool
    in_checkpoint: bool | None = None
    checkpoint_shape: tuple[int, ...] | None = None

    kind: ClassVar[str] = "variable"  # Like `TensorEntry.kind`, for uniform listings.


@dataclasses.dataclass(frozen=True)
class TensorEntry:
    """A tensor, op or other object in a collection.

    Attributes:
      name: Tensor name (`"loss:0"`), op name, or `repr` of another object.
      kind: `"tensor"`, `"op"` or `"object"`.
      type: Op type (`"AddV2"`) or, for another object, its class name.
      shape: Static shape of a tensor; `None` for an op, an object or an unknown rank.
      dtype: Dtype name of a tensor; `""` otherwise.
    """

    name: str
    kind: str
    type: str
    shape: Shape | None = None
    dtype: str = ""


@dataclasses.dataclass(frozen=True)
class CollectionListing:
    """One collection and its members, in collection order.

    Attributes:
      key: The collection key, e.g. `"trainable_variables"`.
      label: `GraphKeys` name for a standard collection (`"TRAINABLE_VARIABLES"`), else the key.
      members: One `VariableEntry` or `TensorEntry` per member.
    """

    key: str
    label: str
    members: tuple[VariableEntry | TensorEntry, ...]

    @property
    def count(self) -> int:
        return len(self.members)

    def names(self) -> list[str]:
        """Every member's name, in order."""
        return [m.name for m in self.members]

    def records(self) -> list[dict[str, Any]]:
        """Members as flat rows for a data frame: variables with `Name`, `Shape`, `Dtype`,
        `Device`, `Trainable`, `Regularized`, `Initializer`, `Model variable` and
        `In checkpoint`; other members with `Name`, `Kind`, `Type`, `Shape`, `Dtype`."""
        rows = []
        for m in self.members:
            if isinstance(m, VariableEntry):
                if m.in_checkpoint is None:
                    stored = ""
                elif not m.in_checkpoint:
                    stored = "no"
                elif tuple(m.checkpoint_shape or ()) == tuple(m.shape):
                    stored = "yes"
                else:
                    stored = f"yes, shape {format_shape(m.checkpoint_shape)}"
                rows.append(
                    {
                        "Name": m.name,
                        "Shape": format_shape(m.shape),
                        "Dtype": m.dtype,
                        "Device": m.device,
                        "Trainable": m.trainable,
                        "Regularized": m.regularized,
                        # "zeros" says more to a reader than the op that makes them (Fill).
                        "Initializer": m.initializer_name or m.initializer,
                        "Model variable": m.model_variable,
                        "In checkpoint": stored,
                    }
                )
            else:
                rows.append(
                    {
                        "Name": m.name,
                        "Kind": m.kind,
                        "Type": m.type,
                        "Shape": format_shape(m.shape),
                        "Dtype": m.dtype,
                    }
                )
        return rows


def is_variable(item: object) -> bool:
    """True for a variable itself (not the `tf.Variable`-typed result of an assignment)."""
    op = getattr(item, "op", None)
    return isinstance(item, tf.Variable) and getattr(op, "type", "") in _VARIABLE_OPS


def variables_read_by(tensors: Iterable[Any]) -> set[str]:
    """Names of the variables the given tensors (or ops) depend on, through any ops."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = [getattr(t, "op", t) for t in tensors]
    while stack:
        op = stack.pop()
        if not isinstance(op, tf.Operation) or op.name in seen:
            continue
        seen.add(op.name)
        if op.type in _VARIABLE_OPS:
            found.add(op.name)
            continue
        stack.extend(t.op for t in op.inputs)
    return found


def initializer_of(var: tf.Variable) -> tuple[str, str]:
    """`(op type, name)` of what makes `var`'s initial value, e.g. `("TruncatedNormal",
    "truncated_normal")`: a random op when one feeds it, else the initial value's own op."""
    try:
        with var.graph.as_default():  # The property refuses to work under eager execution.
            initial = var.initial_value
    except (AttributeError, RuntimeError, ValueError):
        return "", ""
    top = initial.op
    prefix = var.op.name + "/Initializer/"
    name = top.name[len(prefix) :].split("/")[0] if top.name.startswith(prefix) else ""
    # Breadth-first through the initializer's few ops (shape, min, max, the random op).
    queue, seen = [top], {top.name}
    while queue:
        op = queue.pop(0)
        if op.type.startswith(_RANDOM_PREFIXES):
            return op.type, name
        for t in op.inputs:
            if t.op.name not in seen and t.op.type not in _VARIABLE_OPS:
                seen.add(t.op.name)
                queue.append(t.op)
    return top.type, name


def _entry(
    item: object,
    *,
    trainable: set[int],
    model: set[int],
    regularized: set[str],
    checkpoint: Checkpoint | None,
) -> VariableEntry | TensorEntry:
    if is_variable(item):
        var: Any = item
        init_type, init_name = initializer_of(var)
        in_checkpoint = checkpoint_shape = None
        if checkpoint is not None:
            checkpoint_shape = checkpoint.shape(slim.get_variable_full_name(var))
            in_checkpoint = checkpoint_shape is not None
        return VariableEntry(
            name=var.op.name,
            shape=tuple(var.shape.as_list()),
            dtype=var.dtype.base_dtype.name,
            device=var.device or "",
            trainable=id(var) in trainable,
            regularized=var.op.name in regularized,
            initializer=init_type,
            initializer_name=init_name,
            model_variable=id(var) in model,
            in_checkpoint=in_checkpoint,
            checkpoint_shape=checkpoint_shape,
        )
    if isinstance(item, tf.Operation):
        return TensorEntry(item.name, "op", item.type)
    op = getattr(item, "op", None)
    if isinstance(op, tf.Operation) and hasattr(item, "dtype") and hasattr(item, "shape"):
        try:
            shape: Shape | None = tuple(item.shape.as_list())
        except ValueError:  # Unknown rank.
            shape = None
        name = getattr(item, "name", op.name)
        return TensorEntry(name, "tensor", op.type, shape, item.dtype.base_dtype.name)
    name = getattr(item, "name", None)
    return TensorEntry(name if isinstance(name, str) else repr(item), "object", type(item).__name__)


def inspect_collections(
    graph: tf.Graph, *, checkpoint: str | os.PathLike | Checkpoint | None = None
) -> tuple[CollectionListing, ...]:
    """Every collection of `graph` with its members described.

    The standard collections (`STANDARD_COLLECTIONS`) come first and are listed even when
    empty; then every other key of `graph.get_all_collection_keys()`, sorted.

    Args:
      graph: Any graph.
      checkpoint: Optional checkpoint prefix, directory or already read `Checkpoint`; each
        variable then says whether it is stored there (under `slim.get_variable_full_name`)
        and with which shape.

    Returns:
      A tuple of `CollectionListing`.

    Raises:
      TypeError: If `graph` is not a `tf.Graph`.
      ValueError: If `checkpoint` does not exist or cannot be read.

    Example:
      >>> import tensorflow as tf
      >>> with tf.Graph().as_default() as g:
      ...     _ = slim.fully_connected(tf.ones([1, 2]), 3, scope="fc")
      >>> listing = {c.label: c.names() for c in inspect_collections(g)}
      >>> listing["TRAINABLE_VARIABLES"], listing["LOSSES"]
      (['fc/weights', 'fc/biases'], [])
    """
    fn = "inspect_collections"
    if not isinstance(graph, tf.Graph):
        raise TypeError(f"{fn}: `graph` must be a tf.Graph, got {graph!r}.")
    if checkpoint is not None and not isinstance(checkpoint, Checkpoint):
        checkpoint = read_checkpoint(checkpoint, fn=fn)
    keys = [key for key, _ in STANDARD_COLLECTIONS]
    labels = dict(STANDARD_COLLECTIONS)
    keys += sorted(k for k in graph.get_all_collection_keys() if k not in labels)
    options = {
        "trainable": {id(v) for v in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)},
        "model": {id(v) for v in graph.get_collection(GraphKeys.MODEL_VARIABLES)},
        "regularized": variables_read_by(graph.get_collection(GraphKeys.REGULARIZATION_LOSSES)),
        "checkpoint": checkpoint,
    }
    return tuple(
        CollectionListing(
            key=key,
            label=labels.get(key, key),
            members=tuple(_entry(item, **options) for item in graph.get_collection(key)),
        )
        for key in keys
    )
