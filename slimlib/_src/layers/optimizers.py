"""`optimize_loss`: one call from a loss to a train op (`slim.layers.optimizers`).

It picks the optimizer (a name, a class, an instance or a factory of the learning
rate), makes the learning rate a variable, runs the pending `UPDATE_OPS` before the
loss, optionally adds noise to, multiplies or clips the gradients, writes the asked
summaries and applies the gradients. `adaptive_clipping_fn` clips by a norm learned
from the recent gradient norms (https://arxiv.org/abs/1412.1602, section 3.2.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1

__all__ = ["OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES", "adaptive_clipping_fn", "optimize_loss"]


def _momentum(learning_rate: Any) -> v1.train.Optimizer:
    return v1.train.MomentumOptimizer(learning_rate, momentum=0.9)


#: Optimizers `optimize_loss` knows by name; each is called with `learning_rate=`.
OPTIMIZER_CLS_NAMES: dict[str, Callable[..., v1.train.Optimizer]] = {
    "Adagrad": v1.train.AdagradOptimizer,
    "Adam": v1.train.AdamOptimizer,
    "Ftrl": v1.train.FtrlOptimizer,
    "Momentum": _momentum,
    "RMSProp": v1.train.RMSPropOptimizer,
    "SGD": v1.train.GradientDescentOptimizer,
}

#: The summaries `optimize_loss` can write.
OPTIMIZER_SUMMARIES = [
    "learning_rate",
    "loss",
    "gradients",
    "gradient_norm",
    "global_gradient_norm",
]

_DEFAULT_SUMMARIES = ("loss", "learning_rate", "global_gradient_norm")


def _learning_rate(fn: str, learning_rate: Any) -> tf.Tensor | None:
    """A scalar tensor as given, or a `learning_rate` variable holding a float."""
    if learning_rate is None:
        return None
    if isinstance(learning_rate, (tf.Tensor, tf.Variable)) and learning_rate.shape.rank == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(
                f"{fn}: `learning_rate` must be >= 0, got {learning_rate!r} "
                f"(Invalid learning_rate {learning_rate})."
            )
        return v1.get_variable(
            "learning_rate",
            [],
            trainable=False,
            initializer=tf.constant_initializer(learning_rate),
        )
    raise ValueError(
        f"{fn}: `learning_rate` must be a float or a scalar tensor (Learning rate should be "
        f"0d Tensor or float), got {learning_rate!r} of type {type(learning_rate).__name__}."
    )


def _make_optimizer(fn: str, optimizer: Any, lr: tf.Tensor | None) -> v1.train.Optimizer:
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError(f"{fn}: a `learning_rate` is needed with optimizer {optimizer!r}.")
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError(
                f"{fn}: `optimizer` name must be one of {list(OPTIMIZER_CLS_NAMES)}, got "
                f"{optimizer!r}." + _checks.did_you_mean(optimizer, OPTIMIZER_CLS_NAMES)
            )
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, v1.train.Optimizer):
        if lr is None:
            raise ValueError(f"{fn}: a `learning_rate` is needed with optimizer {optimizer!r}.")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, v1.train.Optimizer):
        return optimizer
    if callable(optimizer):
        made = optimizer() if lr is None else optimizer(lr)
        if not isinstance(made, v1.train.Optimizer):
            raise ValueError(
                f"{fn}: `optimizer` called with the learning rate must return a "
                f"tf.compat.v1.train.Optimizer, got {made!r}."
            )
        return made
    raise ValueError(
        f"{fn}: `optimizer` must be a name in {list(OPTIMIZER_CLS_NAMES)}, an Optimizer "
        f"class or instance, or a function of the learning rate; got {optimizer!r}."
    )


def _noisy(grads_and_vars: list, scale: float) -> list:
    """Adds `scale * truncated_normal` noise to each gradient."""
    out = []
    for grad, var in grads_and_vars:
        if grad is not None:
            shape = grad.dense_shape if isinstance(grad, tf.IndexedSlices) else grad.shape
            grad = grad + tf.random.truncated_normal(shape) * scale
        out.append((grad, var))
    return out


def _multiplied(grads_and_vars: list, multipliers: dict) -> list:
    """Multiplies the gradient of each variable given (by object or by name) in `multipliers`."""
    out = []
    for grad, var in grads_and_vars:
        key = var if var in multipliers else var.name if var.name in multipliers else None
        if grad is not None and key is not None:
            factor = multipliers[key]
            if isinstance(grad, tf.IndexedSlices):
                grad = tf.IndexedSlices(grad.values * factor, grad.indices, grad.dense_shape)
            else:
                grad = grad * tf.cast(factor, grad.dtype)
        out.append((grad, var))
    return out


def _scale(grad: Any, factor: tf.Tensor) -> Any:
    if grad is None:
        return None
    if isinstance(grad, tf.IndexedSlices):
        return tf.IndexedSlices(grad.values * factor, grad.indices, grad.dense_shape)
    return grad * factor


def _moving_average(name: str, value: tf.Tensor, decay: Any) -> tf.Tensor:
    """A zero-initialised variable moved towards `value`: `v -= (v - value) * (1 - decay)`."""
    variable = v1.get_variable(
        name, value.shape, value.dtype, tf.zeros_initializer(), trainable=False
    )
    return v1.assign_sub(variable, (variable - value) * (1.0 - decay))


def adaptive_clipping_fn(
    std_factor: float = 2.0,
    decay: float = 0.95,
    static_max_norm: float | None = None,
    global_step: tf.Tensor | None = None,
    report_summary: bool = False,
    epsilon: float = 1e-8,
    name: str | None = None,
) -> Callable[[list], list]:
    """A `clip_gradients` function that clips by a norm learned from past gradient norms.

    Moving averages (variables `mean` and `sq_mean` under `name`, default
    `"AdaptiveMaxNorm"`) track the mean and variance of `log(norm)`; when the global
    norm exceeds `exp(mean + std_factor * std)` every gradient is rescaled to the
    norm `exp(mean)`.

    Args:
      std_factor: How many standard deviations above the mean a norm may go; default 2.
      decay: Decay of the moving averages; default 0.95.
      static_max_norm: Optional fixed upper bound of the norm as well.
      global_step: Optional step tensor; with it the decay is `min(decay, n / (n + 1))`
        so the first steps adapt faster.
      report_summary: Also write the scalar summary `global_norm/adaptive_max_gradient_norm`.
      epsilon: Keeps the variance and the log away from zero; default 1e-8.
      name: Variable scope of the averages; default `"AdaptiveMaxNorm"`.

    Returns:
      `fn(grads_and_vars) -> grads_and_vars`.
    """

    def clip(grads_and_vars: list) -> list:
        grads, variables = zip(*grads_and_vars)
        norm = tf.linalg.global_norm(grads)
        with v1.variable_scope(name, "AdaptiveMaxNorm", [norm]):
            log_norm = tf.math.log(norm + epsilon)
            rate = decay
            if global_step is not None:
                n = tf.cast(global_step, tf.float32)
                rate = tf.minimum(decay, n / (n + 1.0))
            mean = _moving_average("mean", log_norm, rate)
            sq_mean = _moving_average("sq_mean", tf.square(log_norm), rate)
            std = tf.sqrt(tf.maximum(epsilon, sq_mean - tf.square(mean)))
            max_norm = tf.exp(mean + std_factor * std)
        if report_summary:
            v1.summary.scalar("global_norm/adaptive_max_gradient_norm", max_norm)
        factor = tf.where(norm < max_norm, tf.ones_like(norm), tf.exp(mean) / norm)
        if static_max_norm is not None:
            factor = tf.minimum(static_max_norm / norm, factor)
        return [(_scale(grad, factor), var) for grad, var in zip(grads, variables)]

    return clip


def optimize_loss(
    loss: tf.Tensor,
    global_step: tf.Variable | None,
    learning_rate: float | tf.Tensor | None,
    optimizer: Any,
    gradient_noise_scale: float | None = None,
    gradient_multipliers: dict | None = None,
    clip_gradients: float | Callable | None = None,
    learning_rate_decay_fn: Callable | None = None,
    update_ops: Sequence[tf.Operation] | None = None,
    variables: Sequence[tf.Variable] | None = None,
    name: str | None = None,
    summaries: Sequence[str] | None = None,
    colocate_gradients_with_ops: bool = False,
    increment_global_step: bool = True,
) -> tf.Tensor:
    """A train op for `loss`: running it takes one optimizer step and gives that step's loss.

    Args:
      loss: Scalar loss tensor.
      global_step: The step variable; None uses the graph's global step (if any).
      learning_rate: A float (held in a `learning_rate` variable), a scalar tensor, or
        None when `optimizer` needs none.
      optimizer: A name in `OPTIMIZER_CLS_NAMES` (`"SGD"`, `"Adam"`, ...), an Optimizer
        class (called with `learning_rate=`), an Optimizer instance, or a function of
        the learning rate (or of nothing when it is None) returning one.
      gradient_noise_scale: Adds `truncated_normal * scale` noise to the gradients.
      gradient_multipliers: `{variable or variable name: factor}` for some gradients.
      clip_gradients: A float (clip by global norm) or `fn(grads_and_vars)`.
      learning_rate_decay_fn: `fn(learning_rate, global_step) -> learning_rate`.
      update_ops: Ops run before the loss; default the `UPDATE_OPS` collection.
      variables: Variables to train; default every trainable variable.
      name: Variable scope; default `"OptimizeLoss"`.
      summaries: Among `OPTIMIZER_SUMMARIES`; default loss, learning_rate and
        global_gradient_norm.
      colocate_gradients_with_ops: Passed to `compute_gradients`.
      increment_global_step: Add 1 to `global_step` at each step; default True.

    Returns:
      The loss tensor, which waits for the gradients to be applied.

    Raises:
      ValueError: If `loss` is not a scalar, `learning_rate` is negative or of a wrong
        type, a summary or optimizer name is unknown, no learning rate is given where
        one is needed, `learning_rate_decay_fn` is given without a global step, the
        optimizer factory returns no Optimizer, or no gradient is left.
      TypeError: If `global_step` is not an integer scalar variable.
    """
    fn = "optimize_loss"
    _checks.require_graph(fn)
    loss = tf.convert_to_tensor(loss)
    if loss.shape.rank != 0:
        raise ValueError(f"{fn}: `loss` must be a scalar, got shape {loss.shape}.")
    if global_step is None:
        global_step = v1.train.get_global_step()
    else:
        v1.train.assert_global_step(global_step)
    if summaries is None:
        summaries = list(_DEFAULT_SUMMARIES)
    else:
        for entry in summaries:
            if entry not in OPTIMIZER_SUMMARIES:
                raise ValueError(
                    f"{fn}: `summaries` must be among {OPTIMIZER_SUMMARIES}, got {entry!r}."
                    + _checks.did_you_mean(str(entry), OPTIMIZER_SUMMARIES)
                )
    with v1.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = set(v1.get_collection(v1.GraphKeys.UPDATE_OPS))
        if update_ops:
            with tf.control_dependencies(list(update_ops)):
                loss = tf.identity(loss)
        lr = _learning_rate(fn, learning_rate)
        if lr is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError(
                    f"{fn}: global_step is required for learning_rate_decay_fn; pass one or "
                    "create the graph's global step first."
                )
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                v1.summary.scalar("learning_rate", lr)
        opt = _make_optimizer(fn, optimizer, lr)
        if variables is None:
            variables = v1.trainable_variables()
        gradients = opt.compute_gradients(
            loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops
        )
        if gradient_noise_scale is not None:
            gradients = _noisy(gradients, gradient_noise_scale)
        if gradient_multipliers is not None:
            gradients = _multiplied(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError(
                    f"{fn}: no (gradient, variable) pair is left after `gradient_multipliers`."
                )
        if "global_gradient_norm" in summaries or "gradient_norm" in summaries:
            v1.summary.scalar(
                "global_norm/gradient_norm", tf.linalg.global_norm([g for g, _ in gradients])
            )
        if isinstance(clip_gradients, float):
            grads, variables_ = zip(*gradients)
            clipped, _ = tf.clip_by_global_norm(grads, clip_gradients)
            gradients = list(zip(clipped, variables_))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(
                f"{fn}: `clip_gradients` must be a float or a function, got "
                f"{clip_gradients!r} (Unknown type {type(clip_gradients).__name__})."
            )
        if "loss" in summaries:
            v1.summary.scalar("loss", loss)
        for grad, var in gradients:
            values = grad.values if isinstance(grad, tf.IndexedSlices) else grad
            if values is None:
                continue
            var_name = var.name.replace(":", "_")
            if "gradients" in summaries:
                v1.summary.histogram(f"gradients/{var_name}", values)
            if "gradient_norm" in summaries:
                v1.summary.scalar(f"gradient_norm/{var_name}", tf.linalg.global_norm([values]))
        if clip_gradients is not None and (
            "global_gradient_norm" in summaries or "gradient_norm" in summaries
        ):
            v1.summary.scalar(
                "global_norm/clipped_gradient_norm",
                tf.linalg.global_norm([g for g, _ in gradients]),
            )
        step = global_step if increment_global_step else None
        train = opt.apply_gradients(gradients, global_step=step, name="train")
        with tf.control_dependencies([train]):
            return tf.identity(loss)
