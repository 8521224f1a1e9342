"""Where and how `slim.learning.train` computes: GPU memory, XLA and mixed precision.

`train` uses a GPU whenever TensorFlow sees one. Its default session config
(`session_config()`) lets the GPU memory grow as needed instead of reserving all of it,
and places an op that was pinned to a missing device (a clone on `/device:GPU:1` of a
machine with one GPU, or none) on a device that exists.

Two speed-ups are opt-in, both for the session config of `train`:

* XLA: `session_config(xla=True)` turns on TensorFlow's auto-clustering
  (`global_jit_level = ON_1`), which compiles clusters of ops with XLA. TensorFlow applies
  it to GPU ops; on a CPU it runs the graph as before unless the process was started with
  `TF_XLA_FLAGS=--tf_xla_cpu_global_jit`.
* Mixed precision: `session_config(mixed_precision=True)` turns on the grappler rewrite
  that computes the numerically safe ops (matmul, convolution, ...) in float16 on GPUs
  with Tensor Cores (compute capability 7.0 or newer), and `mixed_precision_optimizer`
  wraps the optimizer with loss scaling so small float16 gradients do not underflow. Use
  both together. This is the per-session form of
  `tf.compat.v1.mixed_precision.enable_mixed_precision_graph_rewrite`, which does the same
  for every session of the process; on CPUs the rewrite changes nothing.
"""

from __future__ import annotations

import numbers

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.train_op import _remember_learning_rate

v1 = tf.compat.v1

__all__ = ["mixed_precision_optimizer", "session_config", "set_gpu_memory_growth"]


def _toggle(config, on: bool) -> int:
    """The `RewriterConfig.Toggle` value ON or OFF, read from the proto class itself."""
    rewrite_options = type(config.graph_options.rewrite_options)
    return rewrite_options.ON if on else rewrite_options.OFF


def session_config(
    base=None,
    *,
    allow_growth: bool = True,
    soft_placement: bool = True,
    xla: bool = False,
    mixed_precision: bool = False,
):
    """A `tf.compat.v1.ConfigProto` for `slim.learning.train` (its default when None).

    Args:
      base: A `ConfigProto` to start from; it is copied, never changed. Default an empty one.
      allow_growth: Let GPU memory grow as needed instead of taking all of it at start
        (`gpu_options.allow_growth`). Default True.
      soft_placement: Put an op pinned to a device that does not exist (or has no kernel
        for it) on one that does (`allow_soft_placement`). Default True.
      xla: Compile clusters of ops with XLA (`global_jit_level = ON_1`). Default False.
      mixed_precision: Compute safe ops in float16 on GPUs with Tensor Cores (the
        `auto_mixed_precision` graph rewrite); pair it with `mixed_precision_optimizer`.
        Default False.

    Returns:
      A new `ConfigProto`. Only the fields named above are set; `False` leaves a field of
      `base` as it was.

    Raises:
      TypeError: If `base` is not a `ConfigProto` or a flag is not a bool.

    Example:
      >>> import slimlib as slim
      >>> config = slim.learning.session_config(xla=True)
      >>> config.gpu_options.allow_growth, config.allow_soft_placement
      (True, True)
      >>> config.graph_options.optimizer_options.global_jit_level  # OptimizerOptions.ON_1
      1
    """
    fn = "session_config"
    if base is not None and not isinstance(base, v1.ConfigProto):
        raise TypeError(
            f"{fn}: `base` must be a tf.compat.v1.ConfigProto or None, got {type(base).__name__}."
        )
    flags = {
        "allow_growth": allow_growth,
        "soft_placement": soft_placement,
        "xla": xla,
        "mixed_precision": mixed_precision,
    }
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise TypeError(f"{fn}: `{name}` must be a bool, got {value!r}.")
    config = v1.ConfigProto()
    if base is not None:
        config.CopyFrom(base)
    if allow_growth:
        config.gpu_options.allow_growth = True
    if soft_placement:
        config.allow_soft_placement = True
    if xla:
        config.graph_options.optimizer_options.global_jit_level = v1.OptimizerOptions.ON_1
    if mixed_precision:
        config.graph_options.rewrite_options.auto_mixed_precision = _toggle(config, True)
    return config


def set_gpu_memory_growth(enabled: bool = True) -> list[str]:
    """Lets TensorFlow's GPU memory grow as needed, for every GPU it sees, process-wide.

    Eager code and sessions share one GPU allocator per process, made when TensorFlow
    first touches a GPU; this must run before that (`train` calls it when it builds its
    default session config). Later calls change nothing and log a warning.

    Args:
      enabled: True to grow memory as needed, False to reserve it all at start.

    Returns:
      The names of the GPUs whose setting was applied (`[]` without GPUs, or when the
      GPUs were already initialised).

    Raises:
      TypeError: If `enabled` is not a bool.

    Example:
      >>> import slimlib as slim
      >>> isinstance(slim.learning.set_gpu_memory_growth(), list)
      True
    """
    if not isinstance(enabled, bool):
        raise TypeError(f"set_gpu_memory_growth: `enabled` must be a bool, got {enabled!r}.")
    return _apply_memory_growth(enabled, v1.logging.warning)


def grow_gpu_memory_if_possible() -> list[str]:
    """`set_gpu_memory_growth()` that logs at INFO level only: `train` calls it every time."""
    return _apply_memory_growth(True, v1.logging.info)


def _apply_memory_growth(enabled: bool, log) -> list[str]:
    applied = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, enabled)
        except (RuntimeError, ValueError) as err:
            # RuntimeError: the GPUs are initialised already; ValueError: virtual devices
            # were configured for this GPU, which rules out memory growth.
            log("set_gpu_memory_growth: %s left as it was: %s", gpu.name, err)
            continue
        applied.append(gpu.name)
    return applied


def mixed_precision_optimizer(optimizer, loss_scale: str | float = "dynamic"):
    """Wraps a graph optimizer with loss scaling, for float16 (mixed precision) training.

    The wrapper multiplies the loss by the loss scale before computing gradients and
    divides the gradients by it afterwards, so gradients too small for float16 survive.
    With the dynamic scale (start 2**15, halved when a step's gradients are not finite,
    doubled after 2000 finite steps, as TensorFlow's `DynamicLossScale` does) a step with
    inf or NaN gradients changes no variable and does not increment the global step. Pass
    the result to `create_train_op` like any optimizer, and run `train` with
    `session_config(mixed_precision=True)` so that the graph is computed in float16.

    Args:
      optimizer: A `tf.compat.v1.train.Optimizer`.
      loss_scale: `"dynamic"` (default), a fixed number > 0, or a
        `tf.compat.v1.mixed_precision.LossScale`.

    Returns:
      A `tf.compat.v1.mixed_precision.MixedPrecisionLossScaleOptimizer` around `optimizer`.
      Its learning rate still reaches `train`'s metrics stream.

    Raises:
      TypeError: If `optimizer` is not a `tf.compat.v1.train.Optimizer` or `loss_scale`
        is neither `"dynamic"`, a number nor a `LossScale`.
      ValueError: If `optimizer` already scales its loss, or a fixed `loss_scale` <= 0.

    Example:
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [], initializer=tf.ones_initializer())
      ...     opt = slim.learning.mixed_precision_optimizer(tf.train.GradientDescentOptimizer(0.25))
      ...     train_op = slim.learning.create_train_op(tf.square(w), opt)
      ...     with tf.Session() as sess:
      ...         sess.run(tf.global_variables_initializer())
      ...         float(sess.run(train_op)), float(sess.run(w))
      (1.0, 0.5)
    """
    fn = "mixed_precision_optimizer"
    wrapper = v1.mixed_precision.MixedPrecisionLossScaleOptimizer
    if isinstance(optimizer, wrapper):
        raise ValueError(f"{fn}: `optimizer` already scales its loss, got {optimizer!r}.")
    if not isinstance(optimizer, v1.train.Optimizer):
        raise TypeError(
            f"{fn}: `optimizer` must be a tf.compat.v1.train.Optimizer, "
            f"got {type(optimizer).__name__}."
        )
    if isinstance(loss_scale, str):
        _checks.check_choice(fn, "loss_scale", loss_scale, ["dynamic"])
    elif isinstance(loss_scale, numbers.Real) and not isinstance(loss_scale, bool):
        if not loss_scale > 0:
            raise ValueError(f"{fn}: `loss_scale` must be > 0, got {loss_scale!r}.")
        loss_scale = float(loss_scale)
    elif not isinstance(loss_scale, v1.mixed_precision.LossScale):
        raise TypeError(
            f"{fn}: `loss_scale` must be 'dynamic', a number or a "
            f"tf.compat.v1.mixed_precision.LossScale, got {loss_scale!r}."
        )
    if not tf.executing_eagerly():
        # The wrapper hides the inner optimizer's rate from `create_train_op`; record it now.
        _remember_learning_rate(optimizer)
    return wrapper(optimizer, loss_scale)
