"""Generalized divisive normalization: `gdn` and the `GDN` layer object.

Ballé, Laparra & Simoncelli, "Density Modeling of Images using a Generalized
Normalization Transformation", https://arxiv.org/abs/1511.06281, and "End-to-end
Optimized Image Compression", https://arxiv.org/abs/1611.01704:

    y[i] = x[i] / sqrt(beta[i] + sum_j gamma[j, i] * x[j] ** 2)

over the channels of each position (`inverse=True` multiplies instead: one fixed-point
step of the inverse, IGDN). `beta` and `gamma` are stored as their square roots
(`reparam_beta`, `reparam_gamma`) plus a small pedestal, with a lower bound whose
gradient still lets values climb back above it.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from slimlib._src import _checks, trace

v1 = tf.compat.v1

__all__ = ["GDN", "gdn"]

_CHANNEL_AXIS = {"channels_first": 1, "channels_last": -1}


@tf.custom_gradient
def _lower_bound(inputs: tf.Tensor, bound: tf.Tensor):
    """`max(inputs, bound)`, passing gradients that push `inputs` up even at the bound."""

    def grad(dy: tf.Tensor):
        passes = tf.logical_or(inputs >= bound, dy < 0)
        return tf.cast(passes, dy.dtype) * dy, tf.zeros_like(bound)

    return tf.maximum(inputs, bound), grad


class GDN:
    """A GDN (or IGDN) layer: builds its variables on the first call, reuses them after.

    Args:
      inverse: False (default) divides (GDN); True multiplies (IGDN).
      beta_min: Lower bound of `beta`, > 0; default 1e-6.
      gamma_init: `gamma` starts as `gamma_init * identity`; default 0.1.
      reparam_offset: Pedestal of the square-root parametrisation; default 2**-18.
      data_format: `"channels_last"` (default) or `"channels_first"`.
      activity_regularizer: Optional `fn(outputs) -> loss`, added to
        REGULARIZATION_LOSSES.
      trainable: Also add the variables to TRAINABLE_VARIABLES; default True.
      name: Variable scope; default `"gdn"`.
      dtype: Variable dtype; default that of the first input.
      reuse: Reuse the variables of `name`.

    Raises:
      ValueError: If `data_format` is unknown.
    """

    def __init__(
        self,
        inverse: bool = False,
        beta_min: float = 1e-6,
        gamma_init: float = 0.1,
        reparam_offset: float = 2**-18,
        data_format: str = "channels_last",
        activity_regularizer: Callable | None = None,
        trainable: bool = True,
        name: str | None = None,
        dtype: tf.DType | None = None,
        reuse: bool | None = None,
    ):
        if data_format not in _CHANNEL_AXIS:
            raise ValueError(
                f"GDN: `data_format` must be one of {list(_CHANNEL_AXIS)}, got {data_format!r} "
                "(Unsupported `data_format` for GDN layer)."
                + _checks.did_you_mean(str(data_format), _CHANNEL_AXIS)
            )
        self.inverse = bool(inverse)
        self.data_format = data_format
        self.trainable = trainable
        self.name = name
        self.dtype = dtype
        self._beta_min = beta_min
        self._gamma_init = gamma_init
        self._reparam_offset = reparam_offset
        self._activity_regularizer = activity_regularizer
        self._reuse = reuse
        self._scope: v1.VariableScope | None = None
        self.beta: tf.Tensor | None = None
        self.gamma: tf.Tensor | None = None

    def _build(self, channels: int, dtype: tf.DType) -> None:
        offset = self._reparam_offset
        pedestal = tf.constant(offset**2, dtype)
        beta_bound = tf.constant((self._beta_min + offset**2) ** 0.5, dtype)
        gamma_bound = tf.constant(offset, dtype)
        gamma_init = self._gamma_init

        def beta_initializer(shape, dtype=None, partition_info=None):
            del partition_info
            return tf.sqrt(tf.ones(shape, dtype) + offset**2)

        def gamma_initializer(shape, dtype=None, partition_info=None):
            del partition_info
            return tf.sqrt(gamma_init * tf.eye(shape[0], dtype=dtype) + offset**2)

        reparam_beta = v1.get_variable(
            "reparam_beta", [channels], dtype, beta_initializer, trainable=self.trainable
        )
        reparam_gamma = v1.get_variable(
            "reparam_gamma",
            [channels, channels],
            dtype,
            gamma_initializer,
            trainable=self.trainable,
        )
        self.beta = tf.square(_lower_bound(reparam_beta, beta_bound)) - pedestal
        self.gamma = tf.square(_lower_bound(reparam_gamma, gamma_bound)) - pedestal

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        """Normalizes `inputs` of rank 3 to 5 with a static channel size."""
        fn = "gdn"
        _checks.require_graph(fn)
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        if self.dtype is not None:
            inputs = tf.cast(inputs, self.dtype)
        rank = inputs.shape.rank
        if rank is None or not 3 <= rank <= 5:
            raise ValueError(
                f"{fn}: `inputs` must have rank 3, 4 or 5, got shape {inputs.shape} (rank {rank})."
            )
        axis = _CHANNEL_AXIS[self.data_format] % rank
        channels = _checks.check_known_dim(fn, "inputs", inputs, axis, what="channel")
        dtype = inputs.dtype.base_dtype
        scope = self.name if self._scope is None else self._scope
        reuse = self._reuse if self._scope is None else True
        with v1.variable_scope(scope, "gdn", [inputs], reuse=reuse) as sc:
            self._scope = sc
            self._build(channels, dtype)
            # sum_j gamma[j, i] * x[j]**2 is a 1x1 convolution with kernel gamma.
            squares = tf.square(inputs)
            if self.data_format == "channels_first":
                squares = tf.transpose(squares, [0, *range(2, rank), 1])
            kernel = tf.reshape(self.gamma, [1] * (rank - 2) + [channels, channels])
            pool = tf.nn.convolution(squares, kernel, padding="VALID")
            pool = tf.sqrt(tf.nn.bias_add(pool, self.beta))
            if self.data_format == "channels_first":
                pool = tf.transpose(pool, [0, rank - 1, *range(1, rank - 1)])
            outputs = inputs * pool if self.inverse else inputs / pool
            outputs.set_shape(inputs.shape)
            if self._activity_regularizer is not None:
                loss = self._activity_regularizer(outputs)
                if loss is not None:
                    v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)
            trace.annotate(scope=sc.name)
            return outputs

    def apply(self, inputs: tf.Tensor) -> tf.Tensor:
        """The same as calling the layer (the name TF-Slim's layer objects use)."""
        return self(inputs)


def gdn(
    inputs: tf.Tensor,
    inverse: bool = False,
    beta_min: float = 1e-6,
    gamma_init: float = 0.1,
    reparam_offset: float = 2**-18,
    data_format: str = "channels_last",
    activity_regularizer: Callable | None = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: bool | None = None,
) -> tf.Tensor:
    """GDN (or IGDN, `inverse=True`) of `inputs` over its channels; see `GDN`.

    Creates `reparam_beta` `[C]` and `reparam_gamma` `[C, C]` under the scope `name`
    (default `"gdn"`); at initialisation the layer computes `x / sqrt(1 + 0.1 * x**2)`.

    Args:
      inputs: Tensor of rank 3 to 5 with a static channel size.
      inverse: False (default) divides (GDN); True multiplies (IGDN).
      beta_min: Lower bound of `beta`; default 1e-6.
      gamma_init: `gamma` starts as `gamma_init * identity`; default 0.1.
      reparam_offset: Pedestal of the square-root parametrisation; default 2**-18.
      data_format: `"channels_last"` (default) or `"channels_first"`.
      activity_regularizer: Optional `fn(outputs) -> loss`.
      trainable: Also add the variables to TRAINABLE_VARIABLES; default True.
      name: Variable scope; default `"gdn"`.
      reuse: Reuse the variables of `name`.

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      ValueError: If `data_format` is unknown, the rank is not 3 to 5, or the channel
        size is unknown.
      RuntimeError: When called eagerly.
    """
    layer = GDN(
        inverse=inverse,
        beta_min=beta_min,
        gamma_init=gamma_init,
        reparam_offset=reparam_offset,
        data_format=data_format,
        activity_regularizer=activity_regularizer,
        trainable=trainable,
        name=name,
        reuse=reuse,
    )
    return layer(inputs)
