"""Batch-norm moving statistics of a graph and the ops that update them.

`slim.batch_norm(is_training=True)` updates `moving_mean` and `moving_variance` with ops
that it puts in `UPDATE_OPS` (run by `slim.learning.create_train_op` before each step) or,
with `updates_collections=None`, in place with every forward pass. Built with
`is_training=False`, nothing updates them. Freezing a scope's weights does not freeze its
statistics: only leaving its update ops out of `update_ops` (or building it with
`is_training=False`) does, and in-place updates cannot be left out at all.
"""

from __future__ import annotations

import dataclasses

import tensorflow as tf

GraphKeys = tf.compat.v1.GraphKeys

#: Last name components of batch-norm moving statistics in TF-Slim's naming.
STATISTIC_NAMES: tuple[str, ...] = ("moving_mean", "moving_variance")

# Op types that write a variable; a moving average is `var -= (var - value) * (1 - decay)`.
_WRITERS = frozenset(
    {"AssignSubVariableOp", "AssignAddVariableOp", "AssignVariableOp", "AssignSub", "AssignAdd"}
)
# With a tensor `is_training` the updates run inside a conditional's branch function.
_CONDITIONALS = frozenset({"If", "StatelessIf", "Case", "StatelessCase"})


@dataclasses.dataclass(frozen=True)
class BatchNormUpdates:
    """The moving statistics of one batch-norm scope and what updates them.

    Attributes:
      scope: The batch norm's scope, e.g. `"conv1/BatchNorm"`.
      variables: Its moving statistics, e.g. `("conv1/BatchNorm/moving_mean", ...)`.
      update_ops: Names of the ops of its members of `UPDATE_OPS` (what the train op runs).
      in_place: Names of ops that update the statistics outside `UPDATE_OPS`, with every
        forward pass (`updates_collections=None`); leaving them out of `update_ops` does not
        stop them.
    """

    scope: str
    variables: tuple[str, ...]
    update_ops: tuple[str, ...]
    in_place: tuple[str, ...]

    @property
    def updating(self) -> bool:
        """Whether anything updates the statistics (False when built with
        `is_training=False`)."""
        return bool(self.update_ops or self.in_place)


def _op_of(item: object) -> tf.Operation | None:
    op = item if isinstance(item, tf.Operation) else getattr(item, "op", None)
    return op if isinstance(op, tf.Operation) else None


def _writing_functions(graph: tf.Graph) -> set[str]:
    """Names of the graph's functions (conditional branches) that write a variable."""
    return {
        function.signature.name
        for function in graph.as_graph_def().library.function
        if any(node.op in _WRITERS for node in function.node_def)
    }


def _written(op: tf.Operation) -> str:
    """Name of the variable an assignment writes (its first input, through identities)."""
    source = op.inputs[0].op
    while source.type == "Identity" and source.inputs:
        source = source.inputs[0].op
    return source.name


def _branches(op: tf.Operation) -> list[str]:
    names = []
    for attr in ("then_branch", "else_branch", "branches"):
        try:
            value = op.get_attr(attr)
        except ValueError:
            continue
        names += [f.name for f in (value if isinstance(value, list) else [value])]
    return names


def batch_norm_updates(graph: tf.Graph) -> tuple[BatchNormUpdates, ...]:
    """Every batch-norm scope among the graph's model variables, with what updates it.

    A scope is the parent of a model variable named `moving_mean` or `moving_variance`. Its
    update ops are the members of `UPDATE_OPS` under the scope or writing its statistics; its in-place updates are the
    assignments (or conditionals whose branch assigns) under the scope that no member of
    `UPDATE_OPS` depends on, variable initializers left out.

    Example:
      >>> import slimlib as slim
      >>> with tf.Graph().as_default() as g:
      ...     _ = slim.batch_norm(tf.ones([2, 3]), is_training=True, scope="bn")
      >>> [(u.scope, len(u.update_ops), u.in_place) for u in batch_norm_updates(g)]
      [('bn', 2, ())]
    """
    scopes: dict[str, list[str]] = {}
    for var in graph.get_collection(GraphKeys.MODEL_VARIABLES):
        name = var.op.name
        if "/" in name and name.rsplit("/", 1)[1] in STATISTIC_NAMES:
            scopes.setdefault(name.rsplit("/", 1)[0], []).append(name)
    if not scopes:
        return ()
    update_ops = [op for op in map(_op_of, graph.get_collection(GraphKeys.UPDATE_OPS)) if op]
    writing = None  # Read the function library only when a conditional needs it.
    out = []
    for scope, variables in scopes.items():
        prefix = scope + "/"
        # By the variable written: a net that opens its variable scope twice (Inception v3)
        # names its ops under another name scope than its variables.
        mine = [
            op
            for op in update_ops
            if op.name.startswith(prefix) or (op.inputs and _written(op) in variables)
        ]
        # Everything the scope's update ops depend on (within the scope) runs with them.
        reached: set[str] = set()
        stack = list(mine)
        while stack:
            op = stack.pop()
            if op.name in reached or not op.name.startswith(prefix):
                continue
            reached.add(op.name)
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
        in_place = []
        for op in graph.get_operations():
            if not op.name.startswith(prefix) or op.name in reached:
                continue
            if op.type in _WRITERS:
                if _written(op) in variables and not op.name.startswith(_written(op) + "/"):
                    in_place.append(op.name)  # Not the variable's own initializer.
            elif op.type in _CONDITIONALS:
                writing = _writing_functions(graph) if writing is None else writing
                if any(name in writing for name in _branches(op)):
                    in_place.append(op.name)
        out.append(
            BatchNormUpdates(
                scope=scope,
                variables=tuple(variables),
                update_ops=tuple(dict.fromkeys(op.name for op in mine)),
                in_place=tuple(in_place),
            )
        )
    return tuple(out)
