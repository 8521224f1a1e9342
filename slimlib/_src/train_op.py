"""The train op (`slim.learning.create_train_op`) and the gradient helpers around it.

A TF-Slim train op is the *loss tensor* with control dependencies: fetching it
runs the update ops (batch-norm moving averages and the rest of `UPDATE_OPS`),
then the gradient step and the global-step increment, and returns the loss.
Gradients can be scaled per variable (`multiply_gradients`), clipped by norm
(`clip_gradient_norms`) and summarised (`add_gradients_summaries`), in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

# TF-Slim's sentinel for "use (or create) the graph's global step".
_USE_GLOBAL_STEP = 0

# Collection that holds the learning rate `create_train_op` found on its optimizer, so that
# `train` can report it in the metrics stream without being told.
LEARNING_RATE_COLLECTION = "learning_rate"

__all__ = [
    "LEARNING_RATE_COLLECTION",
    "add_gradients_summaries",
    "build_train_op",
    "clip_gradient_norms",
    "clip_gradient_norms_fn",
    "create_train_op",
    "multiply_gradients",
]


def _is_sentinel(value: object, sentinel: int) -> bool:
    """True for TF-Slim's int sentinels; never compares a tensor with `==`."""
    return type(value) is int and value == sentinel


def _map_values(grad, fn):
    """Applies `fn` to a dense gradient or to the values of an `IndexedSlices` one."""
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(fn(grad.values), grad.indices, grad.dense_shape)
    return fn(grad)


def clip_gradient_norms(gradients_to_variables: list, max_norm) -> list:
    """Clips each gradient to an L2 norm of at most `max_norm` (per tensor, not global).

    Args:
      gradients_to_variables: List of `(gradient, variable)` pairs; `None` gradients pass
        through unchanged.
      max_norm: Largest allowed norm, a number or scalar tensor > 0.

    Returns:
      A new list of `(clipped gradient, variable)` pairs.
    """
    clipped = []
    for grad, var in gradients_to_variables:
        if grad is not None:
            grad = _map_values(grad, lambda g: tf.clip_by_norm(g, max_norm))
        clipped.append((grad, var))
    return clipped


def clip_gradient_norms_fn(max_norm) -> Callable[[list], list]:
    """A `transform_grads_fn` that clips each gradient to an L2 norm of at most `max_norm`.

    Args:
      max_norm: Largest allowed norm, a number or scalar tensor > 0.

    Returns:
      A function of a `(gradient, variable)` list, as `clip_gradient_norms` with `max_norm`.
    """

    def clip_norms(gradients_to_variables: list) -> list:
        return clip_gradient_norms(gradients_to_variables, max_norm)

    return clip_norms


def _multiplier_for(var, gradient_multipliers: Mapping) -> tuple[bool, Any]:
    """Finds `var` in `gradient_multipliers` by identity first, then by `var.op.name`."""
    for key, value in gradient_multipliers.items():
        if key is var:
            return True, value
    name = var.op.name
    for key, value in gradient_multipliers.items():
        if isinstance(key, str) and key == name:
            return True, value
    return False, None


def _check_multiplier_keys(gradient_multipliers: Mapping, variables: list) -> None:
    """Warns about keys that name no variable being trained (a typo is the usual cause)."""
    names = [var.op.name for var in variables]
    for key in gradient_multipliers:
        if isinstance(key, str):
            if key not in names:
                v1.logging.warning(
                    "multiply_gradients: no trained variable is named %r; its multiplier is "
                    "ignored.%s",
                    key,
                    _checks.did_you_mean(key, names),
                )
        elif not any(key is var for var in variables):
            if not isinstance(key, tf.Variable):
                raise TypeError(
                    "multiply_gradients: keys of `gradient_multipliers` must be variables or "
                    f"variable names, got {key!r} ({type(key).__name__})."
                )
            v1.logging.warning(
                "multiply_gradients: variable %r is not trained; its multiplier is ignored.",
                key.op.name,
            )


def multiply_gradients(grads_and_vars: list, gradient_multipliers: dict) -> list:
    """Scales the gradients of some variables, e.g. a smaller step for pre-trained layers.

    Args:
      grads_and_vars: List of `(gradient, variable)` pairs (as `compute_gradients` returns).
      gradient_multipliers: Dict from a variable, or a variable's op name such as
        `"conv1/weights"`, to a number or scalar tensor that multiplies its gradient.
        Variables that are not listed keep their gradient; `0` freezes a variable.

    Returns:
      A new list of `(gradient, variable)` pairs.

    Raises:
      ValueError: If `grads_and_vars` is not a list, if `gradient_multipliers` is empty or
        not a dict (TF-Slim raises ValueError for both), or if a listed variable has no
        gradient.
      TypeError: If a key is neither a variable nor a name, or a multiplier is not a number.
    """
    fn = "multiply_gradients"
    if not isinstance(grads_and_vars, list):
        raise ValueError(
            f"{fn}: `grads_and_vars` must be a list of (gradient, variable) pairs, "
            f"got {type(grads_and_vars).__name__}."
        )
    if not isinstance(gradient_multipliers, dict):
        raise ValueError(
            f"{fn}: `gradient_multipliers` must be a dict of variable (or name) -> number, "
            f"got {gradient_multipliers!r}."
        )
    if not gradient_multipliers:
        raise ValueError(f"{fn}: `gradient_multipliers` must not be empty, got {{}}.")
    _check_multiplier_keys(gradient_multipliers, [var for _, var in grads_and_vars])
    multiplied = []
    for grad, var in grads_and_vars:
        found, multiplier = _multiplier_for(var, gradient_multipliers)
        if found:
            if grad is None:
                raise ValueError(
                    f"{fn}: variable {var.op.name!r} has a multiplier but no gradient "
                    "(the loss does not depend on it)."
                )
            scale = _multiplier_tensor(fn, var, multiplier, grad.dtype)
            grad = _map_values(grad, lambda g, s=scale: g * s)
        multiplied.append((grad, var))
    return multiplied


def _multiplier_tensor(fn: str, var, multiplier, dtype) -> tf.Tensor:
    if isinstance(multiplier, (tf.Tensor, tf.Variable)):
        return tf.cast(multiplier, dtype)
    if isinstance(multiplier, bool) or not isinstance(multiplier, (int, float)):
        raise TypeError(
            f"{fn}: the multiplier of {var.op.name!r} must be a number or a tensor, "
            f"got {multiplier!r} ({type(multiplier).__name__})."
        )
    return tf.constant(multiplier, dtype=dtype)


def add_gradients_summaries(grads_and_vars: list) -> list:
    """Adds a histogram `<var>/gradient` and a scalar `<var>/gradient_norm` per gradient.

    Args:
      grads_and_vars: List of `(gradient, variable)` pairs; pairs with no gradient are
        logged and skipped.

    Returns:
      The summary tensors (two per gradient), also in the `SUMMARIES` collection.
    """
    summaries = []
    for grad, var in grads_and_vars:
        if grad is None:
            v1.logging.info("Variable %s has no gradient.", var.op.name)
            continue
        values = grad.values if isinstance(grad, tf.IndexedSlices) else grad
        summaries.append(v1.summary.histogram(var.op.name + "/gradient", values))
        summaries.append(
            v1.summary.scalar(var.op.name + "/gradient_norm", tf.linalg.global_norm([values]))
        )
    return summaries


def _remember_learning_rate(optimizer) -> None:
    """Adds the optimizer's learning rate to `LEARNING_RATE_COLLECTION` if it is empty.

    `tf.compat.v1.train` optimizers keep their rate in `_learning_rate` (Adam: `_lr`); there
    is no public getter. This is best effort: an optimizer without either attribute, or
    with a callable rate, is skipped and `train` simply reports no learning rate.
    """
    if v1.get_collection(LEARNING_RATE_COLLECTION):
        return
    inner = getattr(optimizer, "_opt", optimizer)  # SyncReplicasOptimizer wraps another one.
    rate = getattr(inner, "_learning_rate", getattr(inner, "_lr", None))
    if isinstance(rate, bool) or rate is None or callable(rate):
        return
    if isinstance(rate, (int, float)):
        rate = tf.constant(float(rate), name="learning_rate")
    if isinstance(rate, (tf.Tensor, tf.Variable)) and rate.graph is v1.get_default_graph():
        v1.add_to_collection(LEARNING_RATE_COLLECTION, rate)


def _update_barrier(fn: str, total_loss, update_ops):
    """An op that runs `update_ops` (None: the collection), and `total_loss` gated by it.

    Returns `(total_loss, barrier)`; `barrier` is None when there is nothing to run.
    """
    collected = v1.get_collection(GraphKeys.UPDATE_OPS)
    update_ops = collected if update_ops is None else list(update_ops)
    if any(not any(op is mine for mine in update_ops) for op in collected):
        v1.logging.warning("%s: `update_ops` leaves out some of the UPDATE_OPS collection.", fn)
    if not update_ops:
        return total_loss, None
    with tf.control_dependencies(update_ops):
        barrier = tf.no_op(name="update_barrier")
    with tf.control_dependencies([barrier]):
        return tf.identity(total_loss), barrier


def _check_variables_to_train(fn: str, variables_to_train) -> list:
    trainable = v1.trainable_variables()
    if variables_to_train is None:
        variables_to_train = trainable
    else:
        variables_to_train = list(variables_to_train)
        for var in variables_to_train:
            if not getattr(var, "trainable", False) and not any(var is t for t in trainable):
                raise ValueError(
                    f"{fn}: `variables_to_train` must hold trainable variables, "
                    f"got {var.op.name!r} which is not trainable."
                )
    if not variables_to_train:
        raise ValueError(
            f"{fn}: there are no variables to train: `variables_to_train` is empty "
            "and the graph has no trainable variables."
        )
    return variables_to_train


def create_train_op(
    total_loss: tf.Tensor,
    optimizer: v1.train.Optimizer,
    global_step=_USE_GLOBAL_STEP,
    update_ops: Sequence | None = None,
    variables_to_train: Sequence | None = None,
    clip_gradient_norm: float = 0,
    summarize_gradients: bool = False,
    gate_gradients: int = v1.train.Optimizer.GATE_OP,
    aggregation_method=None,
    colocate_gradients_with_ops: bool = False,
    gradient_multipliers: dict | None = None,
    check_numerics: bool = True,
) -> tf.Tensor:
    """Creates the train op: a tensor that runs one training step and returns the loss.

    Fetching the returned tensor runs, in order: `update_ops`, the gradient computation,
    the multipliers and clipping, the optimizer step (which increments `global_step`), and
    returns `total_loss` as computed in that step. The tensor is added to the `TRAIN_OP`
    collection.

    Args:
      total_loss: Scalar loss tensor, e.g. `slim.losses.get_total_loss()`.
      optimizer: A `tf.compat.v1.train.Optimizer` (Keras optimizers are not graph
        optimizers and are rejected).
      global_step: Variable incremented by each step. By default the graph's global step,
        created (int64, zero) when missing; `None` increments nothing.
      update_ops: Ops to run before each step. `None` (default) means the `UPDATE_OPS`
        collection (batch-norm moving averages); `[]` runs none.
      variables_to_train: Variables to update; default every trainable variable.
      clip_gradient_norm: If > 0, each gradient is clipped to this L2 norm.
      summarize_gradients: Add a histogram and a norm summary per gradient.
      gate_gradients: How to gate gradient computation (`Optimizer.GATE_OP` default).
      aggregation_method: How gradient terms are combined (`tf.AggregationMethod`).
      colocate_gradients_with_ops: Place gradients with their forward ops.
      gradient_multipliers: Dict from variable (or variable name) to a gradient multiplier;
        see `multiply_gradients`.
      check_numerics: Fail the step when the loss is inf or NaN.

    Returns:
      The train op, a scalar tensor with the value of `total_loss`.

    Raises:
      TypeError: If `optimizer` is not a graph (`tf.compat.v1.train`) optimizer.
      ValueError: If there are no variables to train or one of them is not trainable.
      RuntimeError: When called eagerly, outside a graph.

    Example:
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [], initializer=tf.ones_initializer())
      ...     train_op = slim.learning.create_train_op(
      ...         tf.square(w), tf.train.GradientDescentOptimizer(0.25))
      ...     with tf.Session() as sess:
      ...         sess.run(tf.global_variables_initializer())
      ...         float(sess.run(train_op)), float(sess.run(w))
      (1.0, 0.5)
    """
    transforms = []
    if gradient_multipliers:
        transforms.append(("multiply_grads", lambda g: multiply_gradients(g, gradient_multipliers)))
    if clip_gradient_norm > 0:
        transforms.append(("clip_grads", clip_gradient_norms_fn(clip_gradient_norm)))

    def transform_grads_fn(grads):
        for scope, transform in transforms:
            with tf.name_scope(scope):
                grads = transform(grads)
        return grads

    return build_train_op(
        "create_train_op",
        total_loss,
        optimizer,
        global_step=global_step,
        update_ops=update_ops,
        variables_to_train=variables_to_train,
        transform_grads_fn=transform_grads_fn,
        summarize_gradients=summarize_gradients,
        gate_gradients=gate_gradients,
        aggregation_method=aggregation_method,
        colocate_gradients_with_ops=colocate_gradients_with_ops,
        check_numerics=check_numerics,
    )


def build_train_op(
    fn: str,
    total_loss: tf.Tensor,
    optimizer,
    *,
    global_step,
    update_ops,
    variables_to_train,
    transform_grads_fn,
    summarize_gradients: bool,
    gate_gradients: int,
    aggregation_method,
    colocate_gradients_with_ops: bool,
    check_numerics: bool,
) -> tf.Tensor:
    """The train op of both `slim.learning.create_train_op` and `slim.training.create_train_op`.

    `transform_grads_fn` (or None) maps the `(gradient, variable)` list before the step;
    `fn` names the public caller in error messages.
    """
    _checks.require_graph(fn)
    if not (hasattr(optimizer, "compute_gradients") and hasattr(optimizer, "apply_gradients")):
        raise TypeError(
            f"{fn}: `optimizer` must be a tf.compat.v1.train.Optimizer (e.g. "
            f"tf.compat.v1.train.GradientDescentOptimizer), got {type(optimizer).__name__}."
        )
    if transform_grads_fn is not None and not callable(transform_grads_fn):
        raise TypeError(
            f"{fn}: `transform_grads_fn` must be a function of the (gradient, variable) list, "
            f"got {transform_grads_fn!r}."
        )
    if _is_sentinel(global_step, _USE_GLOBAL_STEP):
        global_step = v1.train.get_or_create_global_step()
    _remember_learning_rate(optimizer)

    total_loss, barrier = _update_barrier(fn, total_loss, update_ops)
    variables_to_train = _check_variables_to_train(fn, variables_to_train)
    grads = optimizer.compute_gradients(
        total_loss,
        variables_to_train,
        gate_gradients=gate_gradients,
        aggregation_method=aggregation_method,
        colocate_gradients_with_ops=colocate_gradients_with_ops,
    )
    if transform_grads_fn is not None:
        grads = transform_grads_fn(grads)
    if summarize_gradients:
        with tf.name_scope("summarize_grads"):
            add_gradients_summaries(grads)
    # The gradients alone need not wait for the update ops (the gradient of the gated
    # identity does not read it), so the optimizer step itself is gated too.
    with tf.control_dependencies([barrier] if barrier is not None else []):
        grad_updates = optimizer.apply_gradients(grads, global_step=global_step)

    with tf.name_scope("train_op"):
        if check_numerics:
            total_loss = tf.debugging.check_numerics(total_loss, "LossTensor is inf or nan")
        with tf.control_dependencies([grad_updates]):
            train_op = tf.identity(total_loss)

    train_ops = v1.get_collection_ref(GraphKeys.TRAIN_OP)
    if not any(op is train_op for op in train_ops):
        train_ops.append(train_op)
    return train_op
