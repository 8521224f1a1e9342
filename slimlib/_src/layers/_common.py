"""Pieces every variable-holding layer shares: weights, biases or normalizer, activation.

The order matches TF-Slim: `outputs = op(inputs, weights)`, then either
`normalizer_fn(outputs, **normalizer_params)` or `bias_add(outputs, biases)`, then
`activation_fn`, and finally the output is added to `outputs_collections` under the
layer's scope name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from slimlib._src import _checks, utils, variables

v1 = tf.compat.v1


class _Default:
    """Marks an argument left at its default, where None has a meaning of its own."""

    def __repr__(self) -> str:
        return "DEFAULT"


def make_variable(
    name: str,
    shape: list[int],
    dtype: tf.DType,
    initializer: Any,
    regularizer: Callable | None,
    trainable: bool,
    variables_collections: Any,
    loss_name: str | None = None,
) -> tf.Variable:
    """A model variable of a layer, in the collections `variables_collections` gives `name`.

    `loss_name` names the regularization loss's scope (`<scope>/<loss_name>/Regularizer/`)
    when it differs from the variable's name: TF-Slim's Keras-backed layers save
    `weights` but name its loss after the Keras weight (`kernel`, `bias`).
    """
    collections = utils.get_variable_collections(variables_collections, name)
    return variables.model_variable(
        name,
        shape=shape,
        dtype=dtype.base_dtype,
        initializer=initializer,
        regularizer=_regularizer_named(regularizer, name, loss_name),
        collections=collections,
        trainable=trainable,
    )


def _regularizer_named(
    regularizer: Callable | None, name: str, loss_name: str | None
) -> Callable | None:
    """`regularizer`, run under the scope `<variable scope>/<loss_name>/Regularizer/`."""
    if regularizer is None or loss_name is None or loss_name == name:
        return regularizer

    def regularize(variable: tf.Variable) -> Any:
        prefix, _, last = variable.op.name.rpartition("/")
        # Only the call get_variable makes under `<variable>/Regularizer/` builds the
        # kept loss (it also calls once outside it to test for None); a slice of a
        # partitioned variable keeps its own name.
        current = v1.get_default_graph().get_name_scope()
        if last != name or current != f"{variable.op.name}/Regularizer":
            return regularizer(variable)
        # A name scope ending in "/" is absolute: it replaces the one get_variable opened.
        loss_scope = f"{prefix}/{loss_name}" if prefix else loss_name
        with tf.name_scope(f"{loss_scope}/Regularizer/"):
            return regularizer(variable)

    return regularize


def bias_or_normalize(
    outputs: tf.Tensor,
    num_outputs: int,
    *,
    normalizer_fn: Callable | None,
    normalizer_params: dict | None,
    biases_initializer: Any,
    biases_regularizer: Callable | None,
    variables_collections: Any,
    trainable: bool,
    data_format: str | None = None,
    loss_name: str | None = None,
) -> tf.Tensor:
    """Applies the normalizer when given, else adds biases (none when the initializer is None).

    `loss_name` is the biases' regularization-loss name, as in `make_variable`.
    """
    if normalizer_fn is not None:
        return normalizer_fn(outputs, **(normalizer_params or {}))
    if biases_initializer is None:
        return outputs
    biases = make_variable(
        "biases",
        [num_outputs],
        outputs.dtype,
        biases_initializer,
        biases_regularizer,
        trainable,
        variables_collections,
        loss_name,
    )
    return tf.nn.bias_add(outputs, biases, data_format=data_format)


def activate(outputs: tf.Tensor, activation_fn: Callable | None) -> tf.Tensor:
    """`activation_fn(outputs)`, or `outputs` when it is None."""
    if activation_fn is None:
        return outputs
    check_activation_fn(v1.get_default_graph().get_name_scope() or "layer", activation_fn)
    return activation_fn(outputs)


def check_activation_fn(fn: str, activation_fn: Any) -> None:
    """Raises unless `activation_fn` is None or a callable (a name such as 'relu' is not)."""
    if activation_fn is None or callable(activation_fn):
        return
    hint = ""
    if isinstance(activation_fn, str):
        hint = f" Pass the function itself, e.g. tf.nn.{activation_fn}, not its name."
    raise TypeError(
        f"{fn}: `activation_fn` must be a callable such as tf.nn.relu, or None, got "
        f"{activation_fn!r} ({type(activation_fn).__name__}).{hint}"
    )


def check_float_inputs(fn: str, inputs: tf.Tensor) -> tf.Tensor:
    """Returns `inputs` when its dtype is floating; raises naming `inputs` otherwise.

    The layer's weights take the dtype of `inputs`; with an int or string input the failure
    would come from the weights' initializer and blame its `dtype`. "non-floating point
    type" is TF-Slim's wording, which code written for it may match on.
    """
    if inputs.dtype.is_floating:
        return inputs
    raise TypeError(
        f"{fn}: `inputs` must be a float tensor (float16, bfloat16, float32 or float64), got "
        f"dtype {inputs.dtype.name}, a non-floating point type; cast it first, e.g. "
        "tf.cast(inputs, tf.float32)."
    )


def collect(outputs_collections: Any, scope_name: str, outputs: tf.Tensor) -> tf.Tensor:
    """Adds `outputs` to `outputs_collections` aliased by the layer's scope name."""
    return utils.collect_named_outputs(outputs_collections, scope_name, outputs)


def to_tensor_input(fn: str, inputs: Any) -> tf.Tensor:
    """`inputs` as a float graph tensor; raises a message that names the layer otherwise."""
    _checks.require_graph(fn)
    return check_float_inputs(fn, _checks.to_tensor(fn, "inputs", inputs))


# TF-Slim's data-format names (module constants of its layers module).
DATA_FORMAT_NCHW = "NCHW"
DATA_FORMAT_NHWC = "NHWC"
DATA_FORMAT_NCDHW = "NCDHW"
DATA_FORMAT_NDHWC = "NDHWC"


def check_min_rank(fn: str, name: str, tensor: tf.Tensor, min_rank: int) -> int:
    """Returns the static rank of `tensor` when it is known and >= `min_rank`."""
    rank = tensor.shape.rank
    if rank is None:
        # "undefined rank" is TF-Slim's wording, which code written for it may match on.
        raise ValueError(
            f"{fn}: `{name}` has undefined rank; it must have a known rank >= {min_rank}, "
            f"got shape {tensor.shape}."
        )
    if rank < min_rank:
        raise ValueError(
            f"{fn}: `{name}` must have a known rank >= {min_rank}, got shape {tensor.shape} "
            f"(rank {rank})."
        )
    return rank


def per_example_size(shape: tf.TensorShape) -> int | None:
    """Number of elements in one example (all axes but the first), or None if unknown."""
    dims = tf.TensorShape(shape)[1:]
    if not dims.is_fully_defined():
        return None
    return int(dims.num_elements())
