"""A job's model and optimizer: the net or design, the learning-rate schedule, the optimizer.

Nets come from `slimlib.nets.nets_factory` (inside their own arg_scope, with
`train.weight_decay`; `frozen_norms.build_net` keeps frozen batch norms in inference mode). Designs come from `workbench.models.design.build_design`,
imported only when a job uses one; `train.weight_decay` then reaches them as the default
`weights_regularizer` of the weighted slimlib layers (a layer of the design that sets its
own regularizer keeps it).
"""

from __future__ import annotations

import tensorflow as tf

import slimlib as slim
from workbench.models.frozen_norms import build_net
from workbench.models.jobs.config import JobConfig, TrainSpec

v1 = tf.compat.v1

__all__ = [
    "build_logits",
    "gradient_multipliers",
    "learning_rate",
    "optimizer",
    "restore_fn",
    "update_ops",
    "variables_to_train",
]

# RMSProp's decay of the squared-gradient average, TF-Slim train_image_classifier.py's
# `--rmsprop_decay` default (https://github.com/tensorflow/models/blob/master/research/slim/
# train_image_classifier.py).
_RMSPROP_DECAY = 0.9


def _in_scope(name: str, scope: str) -> bool:
    """Whether variable `name` lies in `scope` (a whole path component, not a prefix)."""
    return name == scope or name.startswith(scope + "/")


def build_logits(
    config: JobConfig, images: tf.Tensor, num_classes: int, *, is_training: bool
) -> tuple[tf.Tensor, dict]:
    """Builds the job's model on `images` in the current graph.

    Args:
      config: The job config (its `model` and `train.weight_decay`).
      images: float32 `[batch, height, width, channels]`, values in [0, 1].
      num_classes: Number of classes of the dataset.
      is_training: Whether dropout and batch norm run in training mode.

    Returns:
      `(logits, end_points)`: logits `[batch, num_classes]` and the model's end points.

    Raises:
      ValueError: If the model's logits do not have shape `[batch, num_classes]`.
    """
    weight_decay = config.train.weight_decay
    # Frozen batch norms of a fine-tuning job normalise with the checkpoint's statistics.
    frozen = () if config.restore is None else config.restore.frozen_batch_norms
    if config.model.net is not None:
        logits, end_points = build_net(
            config.model.net,
            num_classes,
            images,
            is_training=is_training,
            weight_decay=weight_decay,
            frozen_batch_norms=frozen,
        )
        what = f"net {config.model.net!r}"
    else:
        from workbench.models.design import build_design  # Optional until designs exist.

        weighted = [
            slim.conv2d,
            slim.fully_connected,
            slim.separable_conv2d,
            slim.conv2d_transpose,
        ]
        with slim.arg_scope(weighted, weights_regularizer=slim.l2_regularizer(weight_decay)):
            logits, end_points = build_design(
                config.model.design, images, is_training, inference_batch_norms=frozen
            )
        what = "the design"
    if logits.shape.rank == 4 and logits.shape[1] == 1 and logits.shape[2] == 1:
        logits = tf.squeeze(logits, [1, 2], name="SpatialSqueeze")
    if logits.shape.rank != 2 or logits.shape[-1] != num_classes:
        raise ValueError(
            f"build_logits: the logits of {what} must have shape [batch, {num_classes}] "
            f"(the dataset has {num_classes} classes), got shape {logits.shape.as_list()}."
        )
    return logits, end_points


def learning_rate(train: TrainSpec, global_step: tf.Tensor) -> tf.Tensor:
    """The learning rate at `global_step`: constant, exponentially decayed or piecewise.

    A piecewise schedule takes its rates from `schedule.values` (the first one until the
    first boundary); `train.learning_rate` is not used then.
    """
    schedule = train.schedule
    if schedule.kind == "exponential":
        return v1.train.exponential_decay(
            train.learning_rate,
            global_step,
            schedule.decay_steps,
            schedule.decay_rate,
            staircase=schedule.staircase,
            name="learning_rate",
        )
    if schedule.kind == "piecewise":
        return v1.train.piecewise_constant(
            global_step,
            [tf.constant(b, tf.int64) for b in schedule.boundaries],
            [tf.constant(v, tf.float32) for v in schedule.values],
            name="learning_rate",
        )
    return tf.constant(train.learning_rate, tf.float32, name="learning_rate")


def optimizer(train: TrainSpec, rate: tf.Tensor) -> v1.train.Optimizer:
    """The graph optimizer named by `train.optimizer`."""
    kind, epsilon = train.optimizer, train.epsilon
    if kind == "sgd":
        return v1.train.GradientDescentOptimizer(rate)
    if kind == "momentum":
        return v1.train.MomentumOptimizer(rate, train.momentum)
    if kind == "adam":
        return v1.train.AdamOptimizer(rate, epsilon=1e-8 if epsilon is None else epsilon)
    return v1.train.RMSPropOptimizer(
        rate,
        decay=_RMSPROP_DECAY,
        momentum=train.momentum,
        epsilon=1e-10 if epsilon is None else epsilon,
    )


def variables_to_train(config: JobConfig) -> list | None:
    """The variables of `restore.trainable_scopes`; None (all) without such scopes.

    Raises:
      ValueError: If a scope holds no trainable variable.
    """
    if config.restore is None or not config.restore.trainable_scopes:
        return None
    trainable = slim.get_trainable_variables()
    chosen, seen = [], set()
    for scope in config.restore.trainable_scopes:
        found = [var for var in trainable if _in_scope(var.op.name, scope)]
        if not found:
            scopes = sorted({var.op.name.rsplit("/", 1)[0] for var in trainable})
            raise ValueError(
                f"variables_to_train: restore.trainable_scopes entry {scope!r} must name a "
                f"scope with trainable variables, got none; scopes of the model: {scopes}."
            )
        for var in found:
            if id(var) not in seen:
                seen.add(id(var))
                chosen.append(var)
    return chosen


def gradient_multipliers(config: JobConfig, trained: list | None) -> dict | None:
    """`{variable: factor}` for `create_train_op` from `restore.gradient_multipliers`: each
    trained variable under a listed scope takes its nearest (longest) scope's factor.

    Args:
      config: The job config.
      trained: The variables being trained (None: every trainable variable).

    Returns:
      The dict, or None when the config lists no multiplier.

    Raises:
      ValueError: If a listed scope holds no trained variable (a typo, or a frozen scope).
    """
    factors = {} if config.restore is None else config.restore.gradient_multipliers
    if not factors:
        return None
    trained = slim.get_trainable_variables() if trained is None else trained
    for scope in factors:
        if not any(_in_scope(var.op.name, scope) for var in trained):
            scopes = sorted({var.op.name.rsplit("/", 1)[0] for var in trained})
            raise ValueError(
                f"gradient_multipliers: restore.gradient_multipliers key {scope!r} must name a "
                f"scope with trained variables, got none (frozen or not in the model); "
                f"trained scopes: {scopes}."
            )
    chosen = {}
    for var in trained:
        scopes = [scope for scope in factors if _in_scope(var.op.name, scope)]
        if scopes:
            chosen[var] = factors[max(scopes, key=len)]
    return chosen


def update_ops(config: JobConfig) -> list | None:
    """The members of UPDATE_OPS the train op runs: all (None) unless `restore.frozen_batch_norms`
    names batch norms whose moving statistics must stay the checkpoint's.

    `build_logits` builds those in inference mode, in a design or a `slimlib.nets` net: they
    have no update op. Any update op writing their statistics is left out all the same.

    Raises:
      ValueError: If a listed scope holds no batch norm of the model.
    """
    frozen = () if config.restore is None else config.restore.frozen_batch_norms
    if not frozen:
        return None
    norms = sorted(
        {
            var.op.name.rsplit("/", 1)[0]
            for var in slim.get_model_variables()
            if var.op.name.endswith("/moving_mean")
        }
    )
    for scope in frozen:
        if not any(_in_scope(norm, scope) for norm in norms):
            raise ValueError(
                f"update_ops: restore.frozen_batch_norms entry {scope!r} must be the scope of "
                f"a batch norm of the model, got none there; batch norms: {norms}."
            )
    ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
    # Each update by the variable it writes: a net may name its ops under another name
    # scope than its variables (Inception v3 opens its variable scope twice).
    written = [_written_variable(getattr(op, "op", op)) for op in ops]
    return [
        op for op, name in zip(ops, written) if not any(_in_scope(name, scope) for scope in frozen)
    ]


def _written_variable(op: tf.Operation) -> str:
    """Name of the variable an update op writes (its first input, through identities);
    the op's own name for an op that writes through no input (a conditional)."""
    if not op.inputs:
        return op.name
    source = op.inputs[0].op
    while source.type == "Identity" and source.inputs:
        source = source.inputs[0].op
    return source.name


def restore_fn(config: JobConfig):
    """`init_fn(session)` restoring the model variables outside `restore.exclude`, or None.

    Only the model variables are restored (not the global step or optimizer slots), as in
    TF-Slim's train_image_classifier.py; `slim.learning.train` calls it only when the
    job's own log directory has no checkpoint yet.
    """
    plan = config.restore
    if plan is None:
        return None
    variables = [
        var
        for var in slim.get_model_variables()
        if not any(_in_scope(var.op.name, scope) for scope in plan.exclude)
    ]
    if not variables:
        raise ValueError(
            f"restore_fn: restore.exclude {list(plan.exclude)} leaves no model variable to "
            "restore; remove the restore plan or exclude less."
        )
    # check_first: a checkpoint that does not fit fails the job before training starts.
    return slim.assign_from_checkpoint_fn(
        plan.checkpoint, variables, ignore_missing_vars=plan.ignore_missing_vars, check_first=True
    )
