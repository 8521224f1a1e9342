"""Core layers: `fully_connected` (and its `linear`/`relu`/`relu6` forms), `bias_add`,
`dropout`, `flatten`, `one_hot_encoding` and `softmax`.

Each keeps TF-Slim's signature, default scope name and variable names, and is built
from `tf.nn` / `tf.compat.v1` ops directly (Keras 3 no longer offers the
`tf.compat.v1.layers` classes TF-Slim delegated to).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from slimlib._src import _checks, initializers, trace, utils
from slimlib._src.arg_scope import add_arg_scope
from slimlib._src.layers import _common
from slimlib._src.layers._common import DATA_FORMAT_NCHW, DATA_FORMAT_NHWC

v1 = tf.compat.v1

__all__ = [
    "bias_add",
    "dropout",
    "elu",
    "flatten",
    "fully_connected",
    "linear",
    "one_hot_encoding",
    "relu",
    "relu6",
    "softmax",
]

Activation = Callable[[tf.Tensor], tf.Tensor]

# TF-Slim's default initializers. Both are stateless; one shared instance each is
# the default value, so `inspect.signature` shows the same defaults as TF-Slim.
_ZEROS = tf.zeros_initializer()
_XAVIER = initializers.xavier_initializer()


@add_arg_scope
def bias_add(
    inputs: tf.Tensor,
    activation_fn: Activation | None = None,
    initializer: Any = _ZEROS,
    regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: list[str] | dict | None = None,
    outputs_collections: list[str] | str | None = None,
    trainable: bool = True,
    data_format: str = DATA_FORMAT_NHWC,
    scope: str | None = None,
) -> tf.Tensor:
    """Adds a learned bias per channel: `activation_fn(inputs + biases)`.

    Also usable as the `normalizer_fn` of `conv2d` or `fully_connected`.

    Args:
      inputs: Tensor of rank >= 2 whose channel axis (last for `"NHWC"`, axis 1 for
        `"NCHW"`) has a static size.
      activation_fn: Applied last; default None (linear).
      initializer: Initializer of `biases`; default zeros.
      regularizer: `fn(biases) -> loss`, added to `REGULARIZATION_LOSSES`.
      reuse: Reuse the variables of `scope`.
      variables_collections: Extra collections for `biases` (a list, or a dict keyed
        by `"biases"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add `biases` to `TRAINABLE_VARIABLES`.
      data_format: `"NHWC"` (channels last, default) or `"NCHW"` (rank 4 only).
      scope: Variable scope; default `"BiasAdd"`.

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      TypeError: If `data_format` is not a string.
      ValueError: If `data_format` is unknown, the rank is unknown or < 2, `"NCHW"`
        is used with a rank other than 4, or the channel size is unknown.
      RuntimeError: When called eagerly.
    """
    fn = "bias_add"
    data_format = _checks.check_data_format(fn, data_format, DATA_FORMAT_NHWC, DATA_FORMAT_NCHW)
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        if data_format == DATA_FORMAT_NCHW:
            _checks.check_rank(fn, "inputs", inputs, 4)
            axis = 1
        else:
            _common.check_min_rank(fn, "inputs", inputs, 2)
            axis = -1
        num_features = _checks.check_known_dim(fn, "inputs", inputs, axis)
        biases = _common.make_variable(
            "biases",
            [num_features],
            inputs.dtype,
            initializer,
            regularizer,
            trainable,
            variables_collections,
        )
        outputs = tf.nn.bias_add(inputs, biases, data_format=data_format)
        outputs = _common.activate(outputs, activation_fn)
        # One addition per output element.
        trace.annotate(scope=sc.name, flops=_common.per_example_size(outputs.shape))
        return _common.collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def fully_connected(
    inputs: tf.Tensor,
    num_outputs: int,
    activation_fn: Activation | None = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: dict | None = None,
    weights_initializer: Any = _XAVIER,
    weights_regularizer: Callable | None = None,
    biases_initializer: Any = _ZEROS,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: list[str] | dict | None = None,
    outputs_collections: list[str] | str | None = None,
    trainable: bool = True,
    scope: str | None = None,
) -> tf.Tensor:
    """Adds a dense layer: `activation_fn(inputs @ weights + biases)`.

    Creates `weights` of shape `[depth, num_outputs]`; then either applies
    `normalizer_fn` (and creates no biases) or adds `biases` (none when
    `biases_initializer` is None); then `activation_fn`. Inputs of rank > 2 are
    multiplied on their last axis: `[N, h, w, depth]` gives `[N, h, w, num_outputs]`.

    Args:
      inputs: Tensor `[batch, ..., depth]` of rank >= 2; `depth` must be static.
      num_outputs: Size of the last output dimension, an int >= 1.
      activation_fn: Applied last; `None` keeps the layer linear. Default ReLU.
      normalizer_fn: Used instead of biases, e.g. `batch_norm`; default None.
      normalizer_params: Keyword arguments of `normalizer_fn`.
      weights_initializer: Default Glorot uniform (`xavier_initializer()`).
      weights_regularizer: `fn(weights) -> loss`, added to `REGULARIZATION_LOSSES`.
      biases_initializer: Default zeros; `None` creates no biases.
      biases_regularizer: `fn(biases) -> loss`.
      reuse: Reuse the variables of `scope`.
      variables_collections: Extra collections for every variable (a list), or per
        variable name (a dict keyed by `"weights"` / `"biases"`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      trainable: Also add the variables to `TRAINABLE_VARIABLES`.
      scope: Variable scope; default `"fully_connected"`.

    Returns:
      Tensor `[batch, ..., num_outputs]` with the dtype of `inputs`.

    Raises:
      TypeError: If `num_outputs` is not an int (an `ArgumentError`, also a ValueError as
        in TF-Slim).
      ValueError: If `num_outputs < 1`, the rank of `inputs` is unknown or < 2, or
        `depth` is unknown.
      RuntimeError: When called eagerly.

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.fully_connected(tf.ones([2, 4]), 3, scope="fc")
      ...     [v.op.name for v in slim.get_model_variables()]
      ['fc/weights', 'fc/biases']
    """
    fn = "fully_connected"
    try:
        _checks.check_positive_int(fn, "num_outputs", num_outputs)
    except TypeError as error:
        # TF-Slim raises ValueError for a non-int here; ArgumentError is both.
        raise _checks.ArgumentError(str(error)) from None
    _common.check_activation_fn(fn, activation_fn)
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse) as sc:
        inputs = _common.check_float_inputs(fn, _checks.to_tensor(fn, "inputs", inputs))
        rank = _common.check_min_rank(fn, "inputs", inputs, 2)
        depth = _checks.check_known_dim(fn, "inputs", inputs, -1)
        weights = _common.make_variable(
            "weights",
            [depth, num_outputs],
            inputs.dtype,
            weights_initializer,
            weights_regularizer,
            trainable,
            variables_collections,
            loss_name="kernel",  # TF-Slim's fully_connected is a Keras layer.
        )
        if rank == 2:
            outputs = tf.matmul(inputs, weights)
        else:
            outputs = tf.tensordot(inputs, weights, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape[:-1].concatenate([num_outputs]))
        outputs = _common.bias_or_normalize(
            outputs,
            num_outputs,
            normalizer_fn=normalizer_fn,
            normalizer_params=normalizer_params,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer,
            variables_collections=variables_collections,
            trainable=trainable,
            loss_name="bias",
        )
        outputs = _common.activate(outputs, activation_fn)
        # Per example: a multiply and an add per weight for each of the `rows` vectors
        # (rows = product of the axes between batch and depth), plus one add per bias.
        rows = _common.per_example_size(inputs.shape[:-1])
        flops = None
        if rows is not None:
            with_biases = normalizer_fn is None and biases_initializer is not None
            flops = rows * (2 * depth * num_outputs + (num_outputs if with_biases else 0))
        trace.annotate(scope=sc.name, flops=flops)
        return _common.collect(outputs_collections, sc.name, outputs)


def _partial(activation_fn: Activation | None, name: str, what: str) -> functools.partial:
    layer = functools.partial(fully_connected, activation_fn=activation_fn)
    layer.__doc__ = (
        f"`fully_connected` with `activation_fn={what}` (TF-Slim's `{name}`).\n\n"
        "Takes every other argument of `fully_connected`; see its documentation."
    )
    return layer


elu = _partial(tf.nn.elu, "elu", "tf.nn.elu")
linear = _partial(None, "linear", "None")
relu = _partial(tf.nn.relu, "relu", "tf.nn.relu")
relu6 = _partial(tf.nn.relu6, "relu6", "tf.nn.relu6")


@add_arg_scope
def dropout(
    inputs: tf.Tensor,
    keep_prob: float | tf.Tensor = 0.5,
    noise_shape: Any = None,
    is_training: bool | tf.Tensor = True,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
    seed: int | None = None,
) -> tf.Tensor:
    """Keeps each element with probability `keep_prob`, scaled by `1 / keep_prob`, else 0.

    The scaling keeps the expected value of each element unchanged. When
    `is_training` is False the inputs pass through unchanged.

    Args:
      inputs: Floating point tensor.
      keep_prob: Probability of keeping an element, in (0, 1]; a Python number or
        a scalar tensor. Default 0.5.
      noise_shape: Shape of the random keep/drop mask (broadcast over `inputs`), e.g.
        `[batch, 1, 1, channels]` to drop whole channels; default the input shape.
      is_training: Python bool or scalar bool tensor; dropout only applies when
        True (a tensor chooses at run time with `tf.cond`). Default True.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Variable scope; default `"Dropout"`.
      seed: Op-level random seed (see `tf.compat.v1.set_random_seed`).

    Returns:
      Tensor with the shape and dtype of `inputs`.

    Raises:
      TypeError: If `keep_prob` is neither a number nor a tensor.
      ValueError: If `keep_prob` is not in (0, 1].
      RuntimeError: When called eagerly.
    """
    fn = "dropout"
    _checks.check_probability(fn, "keep_prob", keep_prob)
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)

        def dropped() -> tf.Tensor:
            rate = 1.0 - keep_prob
            return tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed)

        outputs = utils.smart_cond(is_training, dropped, lambda: tf.identity(inputs))
        trace.annotate(scope=sc.name)
        return _common.collect(outputs_collections, sc.name, outputs)


@add_arg_scope
def flatten(
    inputs: tf.Tensor,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Reshapes `[batch, d1, ..., dn]` to `[batch, d1 * ... * dn]`.

    The inner size is static when `d1 ... dn` are known; otherwise it is computed at
    run time. A `[batch]` vector becomes `[batch, 1]`, as in TF-Slim.

    Args:
      inputs: Tensor of known rank >= 1 whose first axis is the batch.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"Flatten"`.

    Returns:
      Tensor `[batch, k]`.

    Raises:
      ValueError: If the rank of `inputs` is unknown or 0.
      RuntimeError: When called eagerly.
    """
    fn = "flatten"
    _checks.require_graph(fn)
    with v1.name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        _common.check_min_rank(fn, "inputs", inputs, 1)
        batch = inputs.shape[0]
        inner = _common.per_example_size(inputs.shape)
        if inner is not None and (inner > 0 or batch is not None):
            outputs = tf.reshape(inputs, [-1 if batch is None else batch, inner])
        elif batch is not None:
            outputs = tf.reshape(inputs, [batch, -1])
        else:
            outputs = tf.reshape(inputs, tf.stack([tf.shape(inputs)[0], -1]))
        outputs.set_shape([batch, inner])
        trace.annotate(scope=sc.rstrip("/"))
        return _common.collect(outputs_collections, sc, outputs)


@add_arg_scope
def one_hot_encoding(
    labels: tf.Tensor,
    num_classes: int | tf.Tensor,
    on_value: float = 1.0,
    off_value: float = 0.0,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Turns integer class ids into one-hot vectors (`tf.one_hot`).

    Args:
      labels: Integer tensor of class ids, e.g. `[batch]`.
      num_classes: Number of classes, an int >= 1 (or a scalar int tensor).
      on_value: Value at the label's position; default 1.0.
      off_value: Value everywhere else; default 0.0.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"OneHotEncoding"`.

    Returns:
      Tensor `labels.shape + [num_classes]` with the dtype of `on_value`.

    Raises:
      TypeError: If `num_classes` is neither an int nor a tensor, or `labels` is
        not an integer tensor.
      ValueError: If `num_classes < 1`.
      RuntimeError: When called eagerly.
    """
    fn = "one_hot_encoding"
    if not isinstance(num_classes, (tf.Tensor, tf.Variable)):
        _checks.check_positive_int(fn, "num_classes", num_classes)
    _checks.require_graph(fn)
    with v1.name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        labels = _checks.to_tensor(fn, "labels", labels)
        if not labels.dtype.is_integer:
            raise TypeError(
                f"{fn}: `labels` must be an integer tensor of class ids, got dtype "
                f"{labels.dtype.name} (shape {labels.shape})."
            )
        if labels.dtype == tf.int32:
            labels = tf.cast(labels, tf.int64)
        outputs = tf.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        trace.annotate(scope=sc.rstrip("/"))
        return _common.collect(outputs_collections, sc, outputs)


@add_arg_scope
def softmax(logits: tf.Tensor, scope: str | None = None) -> tf.Tensor:
    """Softmax over the last axis of logits of any rank >= 2.

    Args:
      logits: Tensor `[batch, ..., num_classes]`; `num_classes` must be static.
      scope: Variable scope; default `"softmax"`.

    Returns:
      Tensor with the shape and dtype of `logits`; each last-axis slice sums to 1.

    Raises:
      ValueError: If the rank is unknown or < 2, or the last dimension is unknown.
      RuntimeError: When called eagerly.
    """
    fn = "softmax"
    _checks.require_graph(fn)
    with v1.variable_scope(scope, "softmax", [logits]) as sc:
        logits = _checks.to_tensor(fn, "logits", logits)
        _common.check_min_rank(fn, "logits", logits, 2)
        _checks.check_known_dim(fn, "logits", logits, -1)
        predictions = tf.nn.softmax(logits, axis=-1)
        predictions.set_shape(logits.shape)
        # Per element: an exponential, an add to the sum and a division.
        size = _common.per_example_size(logits.shape)
        trace.annotate(scope=sc.name, flops=None if size is None else 3 * size)
        return predictions
