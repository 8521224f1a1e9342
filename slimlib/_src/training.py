"""TF-Slim's hook-based training (`slim.training`): `create_train_op` and `train`.

This is the newer of TF-Slim's two training APIs. `slim.learning` runs its own loop with
`number_of_steps`, `init_fn` and a built-in saver; `slim.training.train` hands everything to
`tf.compat.v1.train.MonitoredTrainingSession`: when to stop, what to save and what to
restore come from session-run hooks (`tf.compat.v1.train.StopAtStepHook`,
`CheckpointSaverHook`, ...) and a `tf.compat.v1.train.Scaffold`. The train op is the same
kind of tensor as in `slim.learning` (the loss, run after the update ops and the step);
gradients are changed by one `transform_grads_fn` instead of named options.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.train_op import _USE_GLOBAL_STEP, build_train_op
from slimlib._src.train_op import add_gradients_summaries as add_gradients_summaries
from slimlib._src.train_op import clip_gradient_norms as clip_gradient_norms
from slimlib._src.train_op import clip_gradient_norms_fn as clip_gradient_norms_fn
from slimlib._src.train_op import multiply_gradients as multiply_gradients

v1 = tf.compat.v1

__all__ = [
    "add_gradients_summaries",
    "clip_gradient_norms",
    "clip_gradient_norms_fn",
    "create_train_op",
    "multiply_gradients",
    "train",
]


def create_train_op(
    total_loss: tf.Tensor,
    optimizer: v1.train.Optimizer,
    global_step=_USE_GLOBAL_STEP,
    update_ops: Sequence | None = None,
    variables_to_train: Sequence | None = None,
    transform_grads_fn: Callable[[list], list] | None = None,
    summarize_gradients: bool = False,
    gate_gradients: int = v1.train.Optimizer.GATE_OP,
    aggregation_method=None,
    colocate_gradients_with_ops: bool = False,
    check_numerics: bool = True,
) -> tf.Tensor:
    """Creates the train op: a tensor that runs one training step and returns the loss.

    Fetching the returned tensor runs `update_ops`, computes the gradients, passes them
    through `transform_grads_fn`, applies them (incrementing `global_step`) and returns
    `total_loss` as computed in that step. The tensor is added to the `TRAIN_OP` collection.

    Args:
      total_loss: Scalar loss tensor.
      optimizer: A `tf.compat.v1.train.Optimizer`.
      global_step: Variable incremented by each step. By default the graph's global step,
        created when missing; `None` increments nothing.
      update_ops: Ops to run before each step; `None` (default) means the `UPDATE_OPS`
        collection (batch-norm moving averages), `[]` runs none.
      variables_to_train: Variables to update; default every trainable variable.
      transform_grads_fn: Function from the `(gradient, variable)` list to a new list, e.g.
        `slim.training.clip_gradient_norms_fn(1.0)`; None leaves the gradients alone.
      summarize_gradients: Add a histogram and a norm summary per gradient.
      gate_gradients: How to gate gradient computation (`Optimizer.GATE_OP` default).
      aggregation_method: How gradient terms are combined (`tf.AggregationMethod`).
      colocate_gradients_with_ops: Place gradients with their forward ops.
      check_numerics: Fail the step when the loss is inf or NaN.

    Returns:
      The train op, a scalar tensor with the value of `total_loss`.

    Raises:
      TypeError: If `optimizer` is not a graph optimizer or `transform_grads_fn` is not
        callable.
      ValueError: If there are no variables to train or one of them is not trainable.
      RuntimeError: When called eagerly, outside a graph.

    Example:
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [], initializer=tf.ones_initializer())
      ...     train_op = slim.training.create_train_op(
      ...         tf.square(w), tf.train.GradientDescentOptimizer(0.25),
      ...         transform_grads_fn=slim.training.clip_gradient_norms_fn(1.0))
      ...     with tf.Session() as sess:
      ...         sess.run(tf.global_variables_initializer())
      ...         float(sess.run(train_op)), float(sess.run(w))  # gradient 2 clipped to 1
      (1.0, 0.75)
    """
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


def _check_logdir(logdir, is_chief: bool, save_checkpoint_secs, save_summaries_steps) -> None:
    """A chief with no `logdir` has nowhere to write the default checkpoints or summaries."""
    if logdir is not None or not is_chief:
        return
    for name, value in (
        ("save_summaries_steps", save_summaries_steps),
        ("save_checkpoint_secs", save_checkpoint_secs),
    ):
        if value:
            # The message keeps TF-Slim's wording ("logdir cannot be None when ...").
            raise ValueError(
                f"train: logdir cannot be None when {name} is not None (got {name}={value!r}): "
                f"pass a directory, or {name}=None to write nothing."
            )


def train(
    train_op: tf.Tensor,
    logdir: str | None,
    master: str = "",
    is_chief: bool = True,
    scaffold: v1.train.Scaffold | None = None,
    hooks: Sequence | None = None,
    chief_only_hooks: Sequence | None = None,
    save_checkpoint_secs: float | None = 600,
    save_summaries_steps: int | None = 100,
    config: v1.ConfigProto | None = None,
    max_wait_secs: float = 7200,
    run_metadata=None,
):
    """Runs `train_op` in a `MonitoredTrainingSession` until a hook asks to stop.

    Nothing stops the loop by itself: pass e.g.
    `hooks=[tf.compat.v1.train.StopAtStepHook(num_steps=1000)]`. The session restores the
    latest checkpoint of `logdir` when there is one, else initialises the variables (and
    runs `scaffold.init_fn`, e.g. to load pre-trained weights).

    Args:
      train_op: The train op, e.g. from `create_train_op`; its graph is used.
      logdir: Directory for checkpoints and summaries; None writes nothing (then both
        `save_checkpoint_secs` and `save_summaries_steps` must be None on the chief).
      master: TensorFlow server address; '' is in-process.
      is_chief: Whether this worker initialises, restores and saves.
      scaffold: A `tf.compat.v1.train.Scaffold` (init op, `init_fn`, saver, ...).
      hooks: `tf.compat.v1.train.SessionRunHook`s run by every worker.
      chief_only_hooks: Hooks run by the chief only.
      save_checkpoint_secs: Seconds between checkpoints of the default saver; None saves
        none.
      save_summaries_steps: Steps between summaries of the default summary saver; None
        writes none.
      config: `tf.compat.v1.ConfigProto` for the session.
      max_wait_secs: Most seconds a non-chief waits for the chief's session.
      run_metadata: A `tf.compat.v1.RunMetadata` filled by each step.

    Returns:
      The loss of the last step run, or None when no step ran.

    Raises:
      ValueError: If `logdir` is None on the chief while `save_checkpoint_secs` or
        `save_summaries_steps` is set.
      TypeError: If `train_op` is not a graph tensor or op.

    Example:
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [], initializer=tf.ones_initializer())
      ...     train_op = slim.training.create_train_op(
      ...         tf.square(w), tf.train.GradientDescentOptimizer(0.25))
      ...     loss = slim.training.train(
      ...         train_op, None, hooks=[tf.train.StopAtStepHook(num_steps=2)],
      ...         save_checkpoint_secs=None, save_summaries_steps=None)
      >>> float(loss)  # w = 1 then 0.5: the second step's loss is 0.25
      0.25
    """
    fn = "train"
    graph = getattr(train_op, "graph", None)
    if not isinstance(graph, tf.Graph):
        raise TypeError(
            f"{fn}: `train_op` must be a tensor or op of a graph (from create_train_op), "
            f"got {train_op!r} ({type(train_op).__name__})."
        )
    _check_logdir(logdir, is_chief, save_checkpoint_secs, save_summaries_steps)
    with graph.as_default():
        _checks.require_graph(fn)
        with v1.train.MonitoredTrainingSession(
            master=master,
            is_chief=is_chief,
            checkpoint_dir=logdir,
            scaffold=scaffold,
            hooks=hooks,
            chief_only_hooks=chief_only_hooks,
            save_checkpoint_secs=save_checkpoint_secs,
            save_summaries_steps=save_summaries_steps,
            config=config,
            max_wait_secs=max_wait_secs,
        ) as session:
            loss = None
            while not session.should_stop():
                loss = session.run(train_op, run_metadata=run_metadata)
    return loss
