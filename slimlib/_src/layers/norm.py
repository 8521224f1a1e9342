"""Normalization layers: `batch_norm`, `layer_norm` and `unit_norm`.

`batch_norm` follows TF-Slim: variables `beta`, `gamma`, `moving_mean` and
`moving_variance` under the `BatchNorm` scope, two moving-average update ops per
training call in `UPDATE_OPS` (or applied in place with `updates_collections=None`),
and a fused kernel (`tf.compat.v1.nn.fused_batch_norm`) for 2-D and 4-D inputs.
The fused and the plain (`tf.nn.moments` + `tf.nn.batch_normalization`) paths give
the same outputs; as in TF-Slim, the fused path moves `moving_variance` towards the
unbiased batch variance (`n / (n - 1)` times the biased one), the plain path towards
the biased one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from slimlib._src import _checks, trace, utils, variables
from slimlib._src.arg_scope import add_arg_scope
from slimlib._src.layers import _common
from slimlib._src.layers._common import DATA_FORMAT_NCHW, DATA_FORMAT_NHWC

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = ["batch_norm", "layer_norm", "unit_norm"]

_PARAM_NAMES = ("beta", "gamma", "moving_mean", "moving_variance")
# `fused_batch_norm` raises any smaller epsilon to this value (see its documentation,
# https://www.tensorflow.org/api_docs/python/tf/compat/v1/nn/fused_batch_norm); below
# it the plain path is used so that `epsilon` means the same on both paths.
_FUSED_MIN_EPSILON = 1.001e-5
_HALF_TYPES = (tf.float16, tf.bfloat16)


def _check_param_dict(fn: str, name: str, value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(
            f"{fn}: `{name}` must be a dict keyed by {list(_PARAM_NAMES)}, got {value!r}."
        )
    for key in value:
        if key not in _PARAM_NAMES:
            raise ValueError(
                f"{fn}: `{name}` keys must be among {list(_PARAM_NAMES)}, got {key!r}."
                + _checks.did_you_mean(str(key), _PARAM_NAMES)
            )
    return dict(value)


def _check_number(
    fn: str, name: str, value: object, low: float, high: float | None, low_included: bool = False
) -> None:
    """Accepts a tensor, or a Python number in [low, high] (or above `low` when high is None)."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return
    above = f">= {low}" if low_included else f"> {low}"
    rng = f"in [{low}, {high}]" if high is not None else above
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{fn}: `{name}` must be a number {rng}, got {value!r}.")
    if high is not None:
        ok = low <= value <= high
    else:
        ok = value >= low if low_included else value > low
    if not ok:
        raise ValueError(f"{fn}: `{name}` must be {rng}, got {value!r}.")


def _static_training(fn: str, is_training: object) -> bool | None:
    """True/False when `is_training` is known while building, None for a run-time tensor."""
    if isinstance(is_training, (bool, np.bool_)):
        return bool(is_training)
    if isinstance(is_training, int) and is_training in (0, 1):
        return bool(is_training)
    if isinstance(is_training, (tf.Tensor, tf.Variable)):
        if is_training.dtype.base_dtype != tf.bool:
            raise TypeError(
                f"{fn}: `is_training` must be a bool or a scalar bool tensor, got a "
                f"{is_training.dtype.name} tensor."
            )
        value = tf.get_static_value(is_training)
        return None if value is None else bool(value)
    raise TypeError(
        f"{fn}: `is_training` must be a bool or a scalar bool tensor, got {is_training!r}."
    )


def _assign_moving_average(
    variable: tf.Variable, value: tf.Tensor, decay: Any, debias: tuple | None
) -> tf.Tensor:
    """`variable = variable * decay + value * (1 - decay)`, optionally zero-debiased.

    `debias` is `(biased, local_step)`: the plain average is kept in `biased` and
    `variable` gets `biased / (1 - decay ** step)`, which removes the pull towards
    the zero initial value (Kingma & Ba, https://arxiv.org/abs/1412.6980, sec. 3).
    """
    with tf.name_scope("AssignMovingAvg"):
        dtype = variable.dtype.base_dtype
        if isinstance(decay, (tf.Tensor, tf.Variable)):
            one_minus_decay = 1.0 - tf.cast(decay, dtype)
        else:
            one_minus_decay = tf.constant(1.0 - decay, dtype)
        value = tf.cast(value, dtype)
        if debias is None:
            return v1.assign_sub(variable, (variable - value) * one_minus_decay)
        biased, local_step = debias
        new_biased = v1.assign_sub(biased, (biased - value) * one_minus_decay)
        step = v1.assign_add(local_step, tf.ones([], dtype))
        bias_factor = 1.0 - tf.pow(1.0 - one_minus_decay, step)
        return v1.assign(variable, new_biased / bias_factor)


def _debias_variables(
    moving_mean: tf.Variable, as_model_variables: bool
) -> tuple[tf.Variable, tf.Variable]:
    """The helper variables of a zero-debiased average, named as TensorFlow names them.

    `assign_moving_average(..., zero_debias=True)` opens a scope named after the
    variable inside the current one, hence `BatchNorm/BatchNorm/moving_mean/biased`
    for a layer at the top level; checkpoints written by TF-Slim use these names.
    TF-Slim's plain path makes every variable in its scope a model variable (so these
    are saved with the model); its fused path leaves them plain global variables.
    """
    make = variables.model_variable if as_model_variables else v1.get_variable
    with v1.variable_scope(moving_mean.op.name):
        biased = make(
            "biased",
            shape=moving_mean.shape,
            dtype=moving_mean.dtype.base_dtype,
            initializer=tf.zeros_initializer(),
            trainable=False,
        )
        local_step = make(
            "local_step",
            shape=[],
            dtype=moving_mean.dtype.base_dtype,
            initializer=tf.zeros_initializer(),
            trainable=False,
        )
    return biased, local_step


def _make_params(
    channels: int,
    dtype: tf.DType,
    *,
    center: bool,
    scale: bool,
    keras_order: bool,
    initializers: dict,
    regularizers: dict,
    trainable: bool,
    variables_collections: Any,
) -> dict[str, tf.Variable | None]:
    """Creates beta, gamma and the moving statistics in TF-Slim's creation order."""

    def make(name: str, default_init: Any, train: bool) -> tf.Variable:
        return _common.make_variable(
            name,
            [channels],
            dtype,
            initializers.get(name, default_init),
            regularizers.get(name) if train else None,
            train,
            variables_collections,
        )

    params: dict[str, tf.Variable | None] = {"beta": None, "gamma": None}
    # TF-Slim's default path (a Keras layer) creates gamma first; its other paths
    # create beta first. The order shows in variable lists and saved checkpoints.
    order = ("gamma", "beta") if keras_order else ("beta", "gamma")
    for name in order:
        if name == "beta" and center:
            params["beta"] = make("beta", tf.zeros_initializer(), trainable)
        if name == "gamma" and scale:
            params["gamma"] = make("gamma", tf.ones_initializer(), trainable)
    # The moving statistics are never partitioned, whatever the enclosing scope's
    # partitioner (TF-Slim clears it for them): they are small and updated whole.
    scope = v1.get_variable_scope()
    partitioner = scope.partitioner
    scope.set_partitioner(None)
    try:
        params["moving_mean"] = make("moving_mean", tf.zeros_initializer(), False)
        params["moving_variance"] = make("moving_variance", tf.ones_initializer(), False)
    finally:
        scope.set_partitioner(partitioner)
    return params


@add_arg_scope
def batch_norm(
    inputs: tf.Tensor,
    decay: float = 0.999,
    center: bool = True,
    scale: bool = False,
    epsilon: float = 0.001,
    activation_fn: Callable | None = None,
    param_initializers: dict | None = None,
    param_regularizers: dict | None = None,
    updates_collections: list[str] | str | None = GraphKeys.UPDATE_OPS,
    is_training: bool | tf.Tensor = True,
    reuse: bool | None = None,
    variables_collections: list[str] | dict | None = None,
    outputs_collections: list[str] | str | None = None,
    trainable: bool = True,
    batch_weights: tf.Tensor | None = None,
    fused: bool | None = None,
    data_format: str = DATA_FORMAT_NHWC,
    zero_debias_moving_mean: bool = False,
    scope: str | None = None,
    renorm: bool = False,
    renorm_clipping: dict | None = None,
    renorm_decay: float = 0.99,
    adjustment: Callable | None = None,
) -> tf.Tensor:
    """Batch normalization (Ioffe & Szegedy, https://arxiv.org/abs/1502.03167).

    `outputs = gamma * (inputs - mean) / sqrt(variance + epsilon) + beta`, per channel.
    In training the mean and variance are those of the batch (over every axis but
    the channel axis) and two update ops move `moving_mean` and `moving_variance`
    towards them: `moving = moving * decay + batch_stat * (1 - decay)`. Otherwise the
    moving statistics are used and nothing is updated. Usable as `normalizer_fn`.

    The update ops go to `updates_collections`; run them with the train op:

        update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = optimizer.minimize(loss)

    Args:
      inputs: Tensor of rank >= 2 with `batch` first and a static channel size.
      decay: Moving-average decay in [0, 1]; default 0.999.
      center: Add a learned offset `beta`; default True.
      scale: Multiply by a learned `gamma`; default False (the next layer can scale).
      epsilon: Added to the variance, >= 0; default 0.001.
      activation_fn: Applied last; default None.
      param_initializers: Initializers keyed by `"beta"`, `"gamma"`, `"moving_mean"`,
        `"moving_variance"` (defaults: zeros, ones, zeros, ones).
      param_regularizers: Regularizers keyed the same way; used for `beta` and `gamma`
        (the moving statistics are not trained, so theirs are ignored).
      updates_collections: Collections for the two update ops (default
        `UPDATE_OPS`); None applies the updates in place, before the output.
      is_training: Python bool or scalar bool tensor (chosen at run time with
        `tf.cond`); default True.
      reuse: Reuse the variables of `scope`.
      variables_collections: Extra collections for every variable (a list), or per
        variable name (a dict keyed like `param_initializers`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add `beta` and `gamma` to `TRAINABLE_VARIABLES`.
      batch_weights: Optional `[batch]` tensor of per-example frequency weights for
        weighted batch moments.
      fused: None or True use the fused kernel where it applies (2-D or 4-D float32
        or half inputs, no `batch_weights` or `adjustment`); False never does.
      data_format: `"NHWC"` (channels last, default) or `"NCHW"` (channels on axis 1).
      zero_debias_moving_mean: Zero-debias the moving mean; creates
        `moving_mean/biased` and `moving_mean/local_step` variables (model variables
        unless the fused kernel could be used, as in TF-Slim).
      scope: Variable scope; default `"BatchNorm"`.
      renorm: Batch renormalization is not supported; must be False.
      renorm_clipping: Unused (only meaningful with `renorm`).
      renorm_decay: Unused (only meaningful with `renorm`).
      adjustment: `fn(tf.shape(inputs)) -> (scale, bias)` applied to the normalized
        values before `gamma` and `beta`, in training only.

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      TypeError: If an argument has the wrong type (`is_training`, `decay`,
        `epsilon`, a param dict, non-floating `inputs`).
      ValueError: If `data_format` is unknown, the rank is unknown or < 2, the
        channel size is unknown, a param dict has an unknown key, `decay` or
        `epsilon` is out of range, `batch_weights` does not match the batch, or
        `renorm` is True.
      RuntimeError: When called eagerly.

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.batch_norm(tf.ones([2, 3]), scale=True, scope="bn")
      ...     [v.op.name for v in slim.get_model_variables()]
      ['bn/beta', 'bn/gamma', 'bn/moving_mean', 'bn/moving_variance']
    """
    del renorm_clipping, renorm_decay  # Only meaningful with renorm, which is refused.
    fn = "batch_norm"
    data_format = _checks.check_data_format(fn, data_format, DATA_FORMAT_NHWC, DATA_FORMAT_NCHW)
    if renorm:
        raise ValueError(
            f"{fn}: `renorm` must be False, got {renorm!r}; batch renormalization "
            "(https://arxiv.org/abs/1702.03275) is not supported by slimlib."
        )
    initializers = _check_param_dict(fn, "param_initializers", param_initializers)
    regularizers = _check_param_dict(fn, "param_regularizers", param_regularizers)
    _check_number(fn, "decay", decay, 0.0, 1.0)
    _check_number(fn, "epsilon", epsilon, 0.0, None, low_included=True)
    training = _static_training(fn, is_training)
    if training is not None:
        is_training = training  # A plain bool from here on (it may have been 1 or a constant).
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        if not inputs.dtype.is_floating:
            raise TypeError(
                f"{fn}: `inputs` must be a floating point tensor, got dtype {inputs.dtype.name}."
            )
        rank = _common.check_min_rank(fn, "inputs", inputs, 2)
        channel_axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
        channels = _checks.check_known_dim(fn, "inputs", inputs, channel_axis, what="channel")
        # Half-precision inputs keep float32 statistics, as TF-Slim's fused path does.
        dtype = tf.float32 if inputs.dtype.base_dtype in _HALF_TYPES else inputs.dtype
        dtype = dtype.base_dtype
        if batch_weights is not None:
            batch_weights = _check_batch_weights(fn, inputs, batch_weights)
        want_fused = True if fused is None else bool(fused)
        use_fused = (
            want_fused
            and rank in (2, 4)
            and batch_weights is None
            and adjustment is None
            and dtype == tf.float32
            and not isinstance(epsilon, (tf.Tensor, tf.Variable))
            and epsilon >= _FUSED_MIN_EPSILON
        )
        keras_order = (
            batch_weights is None
            and updates_collections == GraphKeys.UPDATE_OPS
            and not zero_debias_moving_mean
            and not (want_fused and rank == 2 and adjustment is None)
        )
        params = _make_params(
            channels,
            dtype,
            center=center,
            scale=scale,
            keras_order=keras_order,
            initializers=initializers,
            regularizers=regularizers,
            trainable=trainable,
            variables_collections=variables_collections,
        )
        need_updates = training is not False
        debias = None
        if need_updates and zero_debias_moving_mean:
            # TF-Slim takes its own fused path for any fusable zero-debiased call.
            tf_slim_fused = want_fused and rank in (2, 4) and adjustment is None
            tf_slim_fused = tf_slim_fused and batch_weights is None
            debias = _debias_variables(params["moving_mean"], not tf_slim_fused)
        norm = _Normalizer(
            inputs,
            params,
            is_training=is_training,
            training=training,
            epsilon=epsilon,
            channel_axis=channel_axis,
            dtype=dtype,
            data_format=data_format,
        )
        if use_fused:
            outputs, mean, variance = norm.fused()
        else:
            mean, variance = norm.batch_moments(batch_weights) if need_updates else (None, None)
        if need_updates:
            moving = (params["moving_mean"], params["moving_variance"])

            def updates() -> tuple[tf.Tensor, tf.Tensor]:
                return (
                    _assign_moving_average(moving[0], mean, decay, debias),
                    _assign_moving_average(moving[1], variance, decay, None),
                )

            if updates_collections is None:
                # In place: the output waits for both updates.
                def forced() -> tuple[tf.Tensor, tf.Tensor]:
                    with tf.control_dependencies(updates()):
                        return tf.identity(mean), tf.identity(variance)

                mean, variance = utils.smart_cond(
                    is_training, forced, lambda: (tf.identity(mean), tf.identity(variance))
                )
                if use_fused:
                    with tf.control_dependencies([mean, variance]):
                        outputs = tf.identity(outputs)
            else:
                update_mean, update_variance = utils.smart_cond(
                    is_training, updates, lambda: (tf.identity(moving[0]), tf.identity(moving[1]))
                )
                v1.add_to_collections(updates_collections, update_mean)
                v1.add_to_collections(updates_collections, update_variance)
        if not use_fused:
            outputs = norm.plain(mean, variance, adjustment)
        outputs.set_shape(inputs.shape)
        outputs = _common.activate(outputs, activation_fn)
        # Per element: subtract the mean and multiply by 1/stddev, then one multiply
        # for gamma and one add for beta when they exist.
        size = _common.per_example_size(inputs.shape)
        flops = None if size is None else size * (2 + int(bool(scale)) + int(bool(center)))
        trace.annotate(scope=sc.name, flops=flops)
        return _common.collect(outputs_collections, sc.name, outputs)


def _check_batch_weights(fn: str, inputs: tf.Tensor, batch_weights: Any) -> tf.Tensor:
    weights = _checks.to_tensor(fn, "batch_weights", batch_weights)
    if weights.shape.rank != 1 or not inputs.shape[:1].is_compatible_with(weights.shape):
        raise ValueError(
            f"{fn}: `batch_weights` must have shape [batch] = {inputs.shape[:1]}, "
            f"got shape {weights.shape}."
        )
    return weights


class _Normalizer:
    """The arithmetic of one batch_norm call: fused kernel, or moments and formula."""

    def __init__(
        self,
        inputs: tf.Tensor,
        params: dict,
        *,
        is_training: Any,
        training: bool | None,
        epsilon: Any,
        channel_axis: int,
        dtype: tf.DType,
        data_format: str,
    ):
        self.inputs = inputs
        self.params = params
        self.is_training = is_training
        self.training = training
        self.epsilon = epsilon
        self.channel_axis = channel_axis
        self.dtype = dtype
        self.data_format = data_format
        rank = inputs.shape.rank
        self.reduce_axes = [axis for axis in range(rank) if axis != channel_axis]
        # Per-channel tensors broadcast against `inputs` in this shape.
        self.broadcast = [1] * rank
        self.broadcast[channel_axis] = inputs.shape[channel_axis]

    def _gamma_beta(self) -> tuple[tf.Tensor, tf.Tensor]:
        channels = self.inputs.shape[self.channel_axis]
        gamma = self.params["gamma"]
        beta = self.params["beta"]
        gamma = tf.ones([channels], self.dtype) if gamma is None else tf.convert_to_tensor(gamma)
        beta = tf.zeros([channels], self.dtype) if beta is None else tf.convert_to_tensor(beta)
        return gamma, beta

    def fused(self) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """Output and the statistics used: the batch's in training, else the moving ones."""
        inputs = self.inputs
        rank = inputs.shape.rank
        if rank == 2:  # The kernel wants 4-D: treat `[N, C]` as `N` images of 1x1 pixels.
            channels = inputs.shape[1]
            shape = (
                [-1, channels, 1, 1]
                if self.data_format == DATA_FORMAT_NCHW
                else [-1, 1, 1, channels]
            )
            inputs = tf.reshape(inputs, shape)
        gamma, beta = self._gamma_beta()
        moving_mean = self.params["moving_mean"]
        moving_variance = self.params["moving_variance"]

        def train() -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
            out, mean, variance = v1.nn.fused_batch_norm(
                inputs,
                gamma,
                beta,
                epsilon=self.epsilon,
                data_format=self.data_format,
                is_training=True,
            )
            # The kernel normalizes with the biased batch variance but returns the
            # unbiased one (Bessel's correction, n / (n - 1)); the moving variance
            # averages that one, as on every fused path of TF-Slim.
            return out, mean, variance

        def infer() -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
            out, _, _ = v1.nn.fused_batch_norm(
                inputs,
                gamma,
                beta,
                mean=moving_mean,
                variance=moving_variance,
                epsilon=self.epsilon,
                data_format=self.data_format,
                is_training=False,
            )
            return out, tf.identity(moving_mean), tf.identity(moving_variance)

        outputs, mean, variance = utils.smart_cond(self.is_training, train, infer)
        if rank == 2:
            outputs = tf.reshape(outputs, tf.shape(self.inputs))
        return outputs, mean, variance

    def _compute_inputs(self) -> tf.Tensor:
        inputs = self.inputs
        return inputs if inputs.dtype.base_dtype == self.dtype else tf.cast(inputs, self.dtype)

    def batch_moments(self, batch_weights: tf.Tensor | None) -> tuple[tf.Tensor, tf.Tensor]:
        """Per-channel mean and (biased) variance of the batch, weighted if asked."""
        inputs = self._compute_inputs()
        if batch_weights is None:
            return tf.nn.moments(inputs, self.reduce_axes)
        weights = tf.reshape(
            tf.cast(batch_weights, self.dtype), [-1] + [1] * (inputs.shape.rank - 1)
        )
        return tf.nn.weighted_moments(inputs, self.reduce_axes, weights)

    def plain(
        self, mean: tf.Tensor | None, variance: tf.Tensor | None, adjustment: Callable | None
    ) -> tf.Tensor:
        """Normalizes with the batch statistics (training) or the moving ones."""
        moving = (self.params["moving_mean"], self.params["moving_variance"])
        if self.training is False:
            mean, variance = moving
        elif self.training is None:
            batch = (mean, variance)
            mean, variance = utils.smart_cond(
                self.is_training,
                lambda: (tf.identity(batch[0]), tf.identity(batch[1])),
                lambda: (tf.identity(moving[0]), tf.identity(moving[1])),
            )
        gamma, beta = self._gamma_beta()
        shape = self.broadcast
        mean, variance = tf.reshape(mean, shape), tf.reshape(variance, shape)
        gamma, beta = tf.reshape(gamma, shape), tf.reshape(beta, shape)
        inputs = self._compute_inputs()
        if adjustment is None or self.training is False:
            outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, self.epsilon)
        else:
            adj_scale, adj_bias = adjustment(tf.shape(self.inputs))
            if self.training is None:
                adj_scale = utils.smart_cond(
                    self.is_training, lambda: adj_scale, lambda: tf.ones_like(adj_scale)
                )
                adj_bias = utils.smart_cond(
                    self.is_training, lambda: adj_bias, lambda: tf.zeros_like(adj_bias)
                )
            normalized = (inputs - mean) * tf.math.rsqrt(variance + self.epsilon)
            outputs = (normalized * adj_scale + adj_bias) * gamma + beta
        return tf.cast(outputs, self.inputs.dtype)


@add_arg_scope
def layer_norm(
    inputs: tf.Tensor,
    center: bool = True,
    scale: bool = True,
    activation_fn: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: list[str] | dict | None = None,
    outputs_collections: list[str] | str | None = None,
    trainable: bool = True,
    begin_norm_axis: int = 1,
    begin_params_axis: int = -1,
    scope: str | None = None,
) -> tf.Tensor:
    """Layer normalization (Ba, Kiros & Hinton, https://arxiv.org/abs/1607.06450).

    Each example is normalized by the mean and variance over axes
    `begin_norm_axis ... rank - 1`; then `gamma` and `beta` of shape
    `inputs.shape[begin_params_axis:]` scale and shift it. The default normalizes
    over all but the batch axis with per-channel parameters. Epsilon is 1e-12
    (1e-3 for float16), as in TF-Slim.

    Args:
      inputs: Tensor of known rank; `inputs.shape[begin_params_axis:]` must be static.
      center: Add a learned offset `beta`; default True.
      scale: Multiply by a learned `gamma`; default True.
      activation_fn: Applied last; default None.
      reuse: Reuse the variables of `scope`.
      variables_collections: Extra collections (a list, or a dict keyed by `"beta"` /
        `"gamma"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add the variables to `TRAINABLE_VARIABLES`.
      begin_norm_axis: First normalized axis (negative counts from the end); default 1.
      begin_params_axis: First parameter axis (negative counts from the end); default -1.
      scope: Variable scope; default `"LayerNorm"`.

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      TypeError: If an axis is not an int.
      ValueError: If the rank is unknown, an axis is out of range, or the parameter
        shape is not static.
      RuntimeError: When called eagerly.
    """
    fn = "layer_norm"
    for name, value in (
        ("begin_norm_axis", begin_norm_axis),
        ("begin_params_axis", begin_params_axis),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{fn}: `{name}` must be an int, got {value!r}.")
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        rank = inputs.shape.rank
        if rank is None:
            raise ValueError(
                f"{fn}: `inputs` has undefined rank; it must have a known rank, got shape "
                f"{inputs.shape}."
            )
        for name, value in (
            ("begin_norm_axis", begin_norm_axis),
            ("begin_params_axis", begin_params_axis),
        ):
            if not -rank <= value < rank:
                raise ValueError(
                    f"{fn}: `{name}` must be < rank(inputs) and >= -rank(inputs), i.e. in "
                    f"[{-rank}, {rank}) for inputs of rank {rank}, got {value} "
                    f"(shape {inputs.shape})."
                )
        norm_axis = begin_norm_axis % rank
        params_shape = inputs.shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(
                f"{fn}: `inputs.shape[{begin_params_axis}:]` is not fully defined; the "
                f"parameter axes must be static, got shape {inputs.shape}."
            )
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = _common.make_variable(
                "beta",
                params_shape.as_list(),
                dtype,
                tf.zeros_initializer(),
                None,
                trainable,
                variables_collections,
            )
        if scale:
            gamma = _common.make_variable(
                "gamma",
                params_shape.as_list(),
                dtype,
                tf.ones_initializer(),
                None,
                trainable,
                variables_collections,
            )
        mean, variance = tf.nn.moments(inputs, list(range(norm_axis, rank)), keepdims=True)
        # float16 cannot represent 1e-12; TF-Slim uses 1e-3 there.
        variance_epsilon = 1e-3 if dtype == tf.float16 else 1e-12
        outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, variance_epsilon)
        outputs.set_shape(inputs.shape)
        outputs = _common.activate(outputs, activation_fn)
        # Per element: 1 add for the mean, 3 (subtract, square, add) for the variance,
        # 2 to normalize, and one each for gamma and beta.
        size = _common.per_example_size(inputs.shape)
        flops = None if size is None else size * (6 + int(bool(scale)) + int(bool(center)))
        trace.annotate(scope=sc.name, flops=flops)
        return _common.collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def unit_norm(
    inputs: tf.Tensor, dim: int, epsilon: float = 1e-7, scope: str | None = None
) -> tf.Tensor:
    """Scales each slice along `dim` to unit L2 length: `x / sqrt(epsilon + sum(x**2))`.

    Args:
      inputs: Tensor of known rank.
      dim: Axis to normalize along, `0 <= dim < rank`.
      epsilon: Added under the square root to avoid dividing by zero; default 1e-7.
      scope: Variable scope; default `"UnitNorm"`.

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      TypeError: If `dim` is not an int.
      ValueError: If the rank is unknown or `dim` is out of range.
      RuntimeError: When called eagerly.
    """
    fn = "unit_norm"
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{fn}: `dim` must be an int, got {dim!r}.")
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "UnitNorm", [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        rank = inputs.shape.rank
        if rank is None:
            raise ValueError(f"{fn}: `inputs` must have a known rank, got shape {inputs.shape}.")
        if not 0 <= dim < rank:
            raise ValueError(
                f"{fn}: `dim` must be in [0, {rank}) for inputs of shape {inputs.shape}, got {dim}."
            )
        lengths = tf.sqrt(epsilon + tf.reduce_sum(tf.square(inputs), dim, keepdims=True))
        outputs = tf.math.divide(inputs, lengths)
        # Per element: square, add to the sum, divide.
        size = _common.per_example_size(inputs.shape)
        trace.annotate(scope=sc.name, flops=None if size is None else 3 * size)
        return outputs
