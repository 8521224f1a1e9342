"""TF-Slim's oldest dense layer: `legacy_fully_connected` and its `legacy_relu` / `legacy_linear`.

It predates `fully_connected` and keeps its own vocabulary (`x`, `num_output_units`,
`weight_init`, `bias_init`, `name`, collection lists) and variable names (`weights`
and `bias`, in the `WEIGHTS` / `BIASES` collections rather than `MODEL_VARIABLES`),
so old TF-Slim code and checkpoints keep working.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks, trace
from slimlib._src.initializers import xavier_initializer
from slimlib._src.layers._common import _Default

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = ["legacy_fully_connected", "legacy_linear", "legacy_relu"]

# Defaults resolved per call (no initializer objects made at import time).
_XAVIER = _Default()
_ZEROS = _Default()


def _with_global(collections: Sequence[str] | None) -> list[str]:
    """`collections` plus GLOBAL_VARIABLES, each once, in the order given."""
    names = list(collections or [])
    if GraphKeys.GLOBAL_VARIABLES not in names:
        names.append(GraphKeys.GLOBAL_VARIABLES)
    return list(dict.fromkeys(names))


def legacy_fully_connected(
    x: tf.Tensor,
    num_output_units: int,
    activation_fn: Callable | None = None,
    weight_init: Any = _XAVIER,
    bias_init: Any = _ZEROS,
    name: str | None = None,
    weight_collections: Sequence[str] | None = (GraphKeys.WEIGHTS,),
    bias_collections: Sequence[str] | None = (GraphKeys.BIASES,),
    output_collections: Sequence[str] | None = (GraphKeys.ACTIVATIONS,),
    trainable: bool = True,
    weight_regularizer: Callable | None = None,
    bias_regularizer: Callable | None = None,
) -> tf.Tensor:
    """A dense layer `activation_fn(x @ weights + bias)` in TF-Slim's legacy form.

    Inputs of rank > 2 are multiplied along their last axis (every leading axis is
    kept). Variables `weights` `[depth, num_output_units]` and `bias`
    `[num_output_units]` are made with `tf.compat.v1.get_variable`, so they are
    shared through `variable_scope(reuse=True)` or `make_template`.

    Args:
      x: Tensor `[..., depth]` of rank >= 2 with a static `depth`.
      num_output_units: Size of the output's last axis, int >= 1.
      activation_fn: Applied last; default None (linear).
      weight_init: Initializer of `weights`; default Glorot uniform (`xavier_initializer()`).
      bias_init: Initializer of `bias`; default zeros. None creates no bias.
      name: Variable scope; default `"fully_connected"`.
      weight_collections: Collections of `weights` besides GLOBAL_VARIABLES; default
        `[WEIGHTS]`.
      bias_collections: Collections of `bias` besides GLOBAL_VARIABLES; default `[BIASES]`.
      output_collections: Collections the output is added to; default `[ACTIVATIONS]`.
      trainable: Also add the variables to TRAINABLE_VARIABLES; default True.
      weight_regularizer: `fn(weights) -> loss`, added to REGULARIZATION_LOSSES once.
      bias_regularizer: `fn(bias) -> loss`, added to REGULARIZATION_LOSSES once.

    Returns:
      Tensor `[..., num_output_units]` with the dtype of `x`.

    Raises:
      TypeError: If `num_output_units` is not an int.
      ValueError: If `num_output_units < 1`, the rank of `x` is unknown or < 2, or its
        last axis is unknown.
      RuntimeError: When called eagerly.
    """
    fn = "legacy_fully_connected"
    _checks.check_positive_int(fn, "num_output_units", num_output_units)
    _checks.require_graph(fn)
    with v1.variable_scope(name, "fully_connected", [x]) as sc:
        x = _checks.to_tensor(fn, "x", x)
        rank = x.shape.rank
        # The clauses in parentheses are TF-Slim's wording, which its users may match on.
        if rank is None:
            raise ValueError(
                f"{fn}: `x` must have a known rank >= 2, got shape {x.shape} "
                "(dims of x must be known but is None)."
            )
        if rank < 2:
            raise ValueError(
                f"{fn}: `x` must have rank >= 2, got shape {x.shape} "
                f"(rank of x must be at least 2 not: {rank})."
            )
        depth = x.shape[-1]
        if depth is None:
            raise ValueError(
                f"{fn}: `x` must have a known last axis, got shape {x.shape} "
                "(last dimension of x must be known but is None)."
            )
        dtype = x.dtype.base_dtype
        weights = v1.get_variable(
            "weights",
            shape=[depth, num_output_units],
            dtype=dtype,
            initializer=xavier_initializer() if weight_init is _XAVIER else weight_init,
            collections=_with_global(weight_collections),
            regularizer=weight_regularizer,
            trainable=trainable,
        )
        flat = x if rank == 2 else tf.reshape(x, [-1, depth])
        y = tf.matmul(flat, weights)
        if bias_init is not None:
            bias = v1.get_variable(
                "bias",
                shape=[num_output_units],
                dtype=dtype,
                initializer=tf.zeros_initializer() if bias_init is _ZEROS else bias_init,
                collections=_with_global(bias_collections),
                regularizer=bias_regularizer,
                trainable=trainable,
            )
            y = tf.nn.bias_add(y, bias)
        if rank > 2:
            out_shape = tf.concat([tf.shape(x)[:-1], [num_output_units]], 0)
            y = tf.reshape(y, out_shape)
            y.set_shape(x.shape[:-1].concatenate([num_output_units]))
        if activation_fn is not None:
            y = activation_fn(y)
        if output_collections:
            v1.add_to_collections(list(output_collections), y)
        trace.annotate(scope=sc.name)
        return y


def _partial(activation_fn: Callable | None, name: str, what: str) -> functools.partial:
    layer = functools.partial(legacy_fully_connected, activation_fn=activation_fn)
    layer.__doc__ = (
        f"`legacy_fully_connected` with `activation_fn={what}` (TF-Slim's `{name}`).\n\n"
        "Takes every other argument of `legacy_fully_connected`; see its documentation."
    )
    return layer


legacy_linear = _partial(None, "legacy_linear", "None")
legacy_relu = _partial(tf.nn.relu, "legacy_relu", "tf.nn.relu")
