"""Meta layers: `repeat` (one layer, same arguments, n times) and `stack` (one layer,
different arguments per call), with TF-Slim's unrolled scope names.

`repeat(x, 3, conv2d, 64, [3, 3], scope="conv1")` calls `conv2d` under
`conv1/conv1_1`, `conv1/conv1_2`, `conv1/conv1_3`; `stack` names its calls the same
way. Neither takes `arg_scope` defaults (as in TF-Slim), but both appear in a layer
trace, with the calls they make as children.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks, trace

v1 = tf.compat.v1

__all__ = ["repeat", "stack"]


def _check_layer(fn: str, layer: object) -> None:
    if not callable(layer):
        raise TypeError(
            f"{fn}: `layer` must be a callable layer such as slim.conv2d, got {layer!r} "
            f"({type(layer).__name__})."
        )


def _layer_name(layer: Callable[..., Any], fallback: str) -> str:
    """TF-Slim's inner scope base when no scope is given: the layer function's name."""
    name = getattr(layer, "__name__", None)
    if name is None:
        # A functools.partial (slim.linear, slim.relu) is named after the function it wraps.
        name = getattr(getattr(layer, "func", None), "__name__", None)
    return name or fallback


def _base_name(scope: str | v1.VariableScope | None, layer: Callable, fallback: str) -> str:
    if scope is None:
        return _layer_name(layer, fallback)
    if isinstance(scope, v1.VariableScope):
        return scope.name.split("/")[-1]
    return scope


def _traced(op: str, body: Callable, args: tuple, kwargs: dict, arguments: dict) -> tf.Tensor:
    if not trace.is_tracing():
        return body(*args, **kwargs)
    recorded = {name: trace.Argument(value, "call") for name, value in arguments.items()}
    return trace.run_traced(op, body, args, kwargs, recorded)


def repeat(
    inputs: tf.Tensor, repetitions: int, layer: Callable[..., tf.Tensor], *args: Any, **kwargs: Any
) -> tf.Tensor:
    """Applies `layer` `repetitions` times with the same arguments, each in its own scope.

    The calls run inside `tf.compat.v1.variable_scope(scope, "Repeat")`, the i-th
    with `scope=f"{name}_{i}"` (i from 1), where `name` is `scope`, or the layer
    function's own name when no scope is given: `Repeat/fully_connected_1`.

    Args:
      inputs: Tensor given to the first call; each call gets the previous output.
      repetitions: Number of calls, an int >= 1.
      layer: A layer `fn(inputs, *args, **kwargs)`, e.g. `slim.conv2d`.
      *args: Further positional arguments of every call.
      **kwargs: Keyword arguments of every call; `scope` names the outer scope
        (default `"Repeat"`).

    Returns:
      The output of the last call.

    Raises:
      TypeError: If `repetitions` is not an int or `layer` is not callable.
      ValueError: If `repetitions < 1`.
      RuntimeError: When called eagerly.

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.repeat(tf.ones([2, 4]), 2, slim.fully_connected, 4, scope="fc")
      ...     [v.op.name for v in slim.get_variables_by_name("weights")]
      ['fc/fc_1/weights', 'fc/fc_2/weights']
    """
    fn = "repeat"
    _checks.check_positive_int(fn, "repetitions", repetitions)
    _check_layer(fn, layer)
    _checks.require_graph(fn)
    arguments = {
        "repetitions": repetitions,
        "layer": _layer_name(layer, repr(layer)),
        **({"args": list(args)} if args else {}),
        **kwargs,
    }
    return _traced(fn, _repeat, (inputs, repetitions, layer, *args), dict(kwargs), arguments)


def _repeat(inputs: Any, repetitions: int, layer: Callable, *args: Any, **kwargs: Any):
    scope = kwargs.pop("scope", None)
    with v1.variable_scope(scope, "Repeat", [inputs]) as sc:
        trace.annotate(scope=sc.name)
        outputs = _checks.to_tensor("repeat", "inputs", inputs)
        base = _base_name(scope, layer, "repeat")
        for i in range(repetitions):
            outputs = layer(outputs, *args, **kwargs, scope=f"{base}_{i + 1}")
        return outputs


def stack(
    inputs: tf.Tensor,
    layer: Callable[..., tf.Tensor],
    stack_args: Sequence[Any],
    **kwargs: Any,
) -> tf.Tensor:
    """Applies `layer` once per element of `stack_args`, each call in its own scope.

    Element i is the call's positional arguments after the input: a tuple or list
    is spread (`(32, [3, 3])` means `layer(x, 32, [3, 3])`), any other value is the
    single argument (`64` means `layer(x, 64)`). The calls run inside
    `tf.compat.v1.variable_scope(scope, "Stack")` with `scope=f"{name}_{i}"` (i from
    1), `name` being `scope` or the layer function's own name.

    Args:
      inputs: Tensor given to the first call; each call gets the previous output.
      layer: A layer `fn(inputs, *args, **kwargs)`, e.g. `slim.fully_connected`.
      stack_args: Non-empty list or tuple with one entry per call.
      **kwargs: Keyword arguments of every call; `scope` names the outer scope
        (default `"Stack"`).

    Returns:
      The output of the last call.

    Raises:
      TypeError: If `layer` is not callable or `stack_args` is not a list or tuple.
      ValueError: If `stack_args` is empty.
      RuntimeError: When called eagerly.

    Example:
      >>> import tensorflow as tf, slimlib as slim
      >>> with tf.Graph().as_default():
      ...     net = slim.stack(tf.ones([2, 4]), slim.fully_connected, [8, 3], scope="fc")
      ...     net.shape.as_list()
      [2, 3]
    """
    fn = "stack"
    _check_layer(fn, layer)
    if not isinstance(stack_args, (list, tuple)):
        raise TypeError(
            f"{fn}: `stack_args` must be a list or tuple with one entry per layer call, "
            f"got {stack_args!r} ({type(stack_args).__name__})."
        )
    if not stack_args:
        raise ValueError(f"{fn}: `stack_args` must have at least one entry, got {stack_args!r}.")
    _checks.require_graph(fn)
    arguments = {"layer": _layer_name(layer, repr(layer)), "stack_args": list(stack_args), **kwargs}
    return _traced(fn, _stack, (inputs, layer, stack_args), dict(kwargs), arguments)


def _stack(inputs: Any, layer: Callable, stack_args: Sequence[Any], **kwargs: Any):
    scope = kwargs.pop("scope", None)
    with v1.variable_scope(scope, "Stack", [inputs]) as sc:
        trace.annotate(scope=sc.name)
        outputs = _checks.to_tensor("stack", "inputs", inputs)
        base = _base_name(scope, layer, "stack")
        for i, layer_args in enumerate(stack_args):
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs, scope=f"{base}_{i + 1}")
        return outputs
