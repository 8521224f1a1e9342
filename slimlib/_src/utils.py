"""Helpers for layer outputs and collections (TF-Slim's `slim.utils`)."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1


def append_tensor_alias(tensor, alias: str):
    """Remembers `alias` (trailing '/' dropped) as a name of `tensor`; returns `tensor`."""
    if alias.endswith("/"):
        alias = alias[:-1]
    aliases = getattr(tensor, "aliases", None)
    if aliases is None:
        try:
            tensor.aliases = [alias]
        except AttributeError:  # Some tensor types do not take new attributes.
            pass
    elif alias not in aliases:
        aliases.append(alias)
    return tensor


def collect_named_outputs(collections, alias: str, outputs):
    """Adds `outputs` (aliased `alias`) to each of `collections`; returns `outputs`."""
    if collections:
        append_tensor_alias(outputs, alias)
        v1.add_to_collections(collections, outputs)
    return outputs


def get_tensor_aliases(tensor) -> list[str]:
    """The aliases of `tensor`, or its op name when it has none."""
    aliases = getattr(tensor, "aliases", None)
    if aliases:
        return list(aliases)
    name = tensor.name
    return [name[:-2] if name.endswith(":0") else name]


def gather_tensors_aliases(tensors) -> list[str]:
    """The aliases of each of `tensors` (its op name where it has none), in order."""
    return [alias for tensor in tensors for alias in get_tensor_aliases(tensor)]


def convert_collection_to_dict(collection: str, clear_collection: bool = False) -> OrderedDict:
    """`{alias: tensor}` for every tensor in `collection` (how nets return end points)."""
    output = OrderedDict()
    for tensor in v1.get_collection(collection):
        for alias in get_tensor_aliases(tensor):
            output[alias] = tensor
    if clear_collection:
        v1.get_default_graph().clear_collection(collection)
    return output


def get_variable_collections(variables_collections, name: str):
    """The collections for variable `name`: from a dict keyed by name, or the list itself."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name, None)
    return variables_collections


def last_dimension(shape, min_rank: int = 1) -> int:
    """The static last dimension of `shape`.

    Raises:
      ValueError: If the rank is unknown or below `min_rank`, or the last dimension is unknown.
    """
    shape = tf.TensorShape(shape)
    if shape.rank is None:
        raise ValueError(f"last_dimension: `shape` must have a known rank, got {shape}.")
    if shape.rank < min_rank:
        raise ValueError(f"last_dimension: `shape` must have rank >= {min_rank}, got {shape}.")
    value = shape[-1]
    if value is None:
        raise ValueError(
            f"last_dimension: the last dimension of `shape` must be known, got {shape}."
        )
    return int(value)


def channel_dimension(shape, data_format: str, min_rank: int = 1) -> int:
    """The static channel dimension of `shape`: dimension 1 for `data_format`
    "channels_first" (or "NCHW"-style), the last one for "channels_last" (or "NHWC"-style).

    Raises:
      ValueError: If `data_format` is none of those, the rank is unknown or below
        `min_rank`, or the channel dimension is unknown.
    """
    text = data_format if isinstance(data_format, str) else ""
    if text == "channels_first" or re.fullmatch("NC[DHW]*", text):
        axis = 1
    elif text == "channels_last" or re.fullmatch("N[DHW]*C", text):
        axis = -1
    else:
        raise ValueError(
            "channel_dimension: `data_format` must be 'channels_first', 'channels_last' or a "
            f"format such as 'NCHW' or 'NHWC', got {data_format!r}."
        )
    shape = tf.TensorShape(shape)
    if shape.rank is None:
        raise ValueError(f"channel_dimension: `shape` must have a known rank, got {shape}.")
    required = max(min_rank, 2 if axis == 1 else 1)
    if shape.rank < required:
        raise ValueError(f"channel_dimension: `shape` must have rank >= {required}, got {shape}.")
    value = shape[axis]
    if value is None:
        raise ValueError(
            f"channel_dimension: the channel dimension ({axis}) of `shape` must be known, "
            f"got {shape}."
        )
    return int(value)


def two_element_tuple(int_or_tuple) -> tuple[int, int]:
    """`3` -> `(3, 3)`; `[2, 3]` or `TensorShape([2, 3])` -> `(2, 3)`.

    Raises:
      TypeError: If `int_or_tuple` is not an int, a sequence of ints or a TensorShape.
      ValueError: If it has another length than 2 or a value below 1.
    """
    if isinstance(int_or_tuple, tf.TensorShape) and int_or_tuple.rank is not None:
        int_or_tuple = int_or_tuple.as_list()
    return _checks.check_int_tuple("two_element_tuple", "int_or_tuple", int_or_tuple, 2)


def n_positive_integers(n: int, value) -> tuple[int, ...]:
    """`value` as a tuple of `n` positive ints (an int is repeated `n` times).

    Raises:
      TypeError: If `n` or `value` is not an int, or `value` is not a sequence of ints (an
        error that is also a ValueError, which TF-Slim raises there).
      ValueError: If `value` has another length than `n`, or a value below 1.
    """
    try:
        _checks.check_positive_int("n_positive_integers", "n", n)
        if isinstance(value, tf.TensorShape) and value.rank is not None:
            value = value.as_list()
        return _checks.check_int_tuple("n_positive_integers", "value", value, n)
    except TypeError as err:
        raise _checks.ArgumentError(str(err)) from None


def constant_value(value_or_tensor_or_var, dtype=None):
    """The Python value of a constant tensor or plain value (`is_training` flags).

    As in TF-Slim, a tensor whose value is only known at run time, and any variable,
    give None; a plain Python value is returned as it is.

    Raises:
      ValueError: If the value is None, or `dtype` differs from the tensor's dtype.
    """
    if value_or_tensor_or_var is None:
        raise ValueError("constant_value: `value_or_tensor_or_var` must not be None, got None.")
    if isinstance(value_or_tensor_or_var, (tf.Tensor, tf.Variable)):
        actual = value_or_tensor_or_var.dtype.base_dtype
        if dtype is not None and tf.as_dtype(dtype).base_dtype != actual:
            raise ValueError(
                f"constant_value: `dtype` must match the tensor's dtype {actual.name}, "
                f"got {tf.as_dtype(dtype).name}."
            )
        if isinstance(value_or_tensor_or_var, tf.Variable):
            return None  # A variable can change; its value is never static.
        return tf.get_static_value(value_or_tensor_or_var)
    return value_or_tensor_or_var


def static_cond(pred, fn1, fn2):
    """`fn1()` if `pred` is true in Python, else `fn2()`: `tf.cond`'s signature for a value
    known while building the graph (`smart_cond` also takes tensors).

    Raises:
      TypeError: If `fn1` or `fn2` is not callable.
    """
    for arg, func in (("fn1", fn1), ("fn2", fn2)):
        if not callable(func):
            raise TypeError(f"static_cond: `{arg}` must be callable, got {func!r}.")
    return fn1() if pred else fn2()


def smart_cond(pred, fn1, fn2, name=None):
    """`fn1()` or `fn2()` chosen in Python when `pred` is static, else with `tf.cond`.

    Raises:
      TypeError: If `fn1` or `fn2` is not callable, or `pred` is not a bool, 0, 1 or a
        tensor.
    """
    for arg, func in (("fn1", fn1), ("fn2", fn2)):
        if not callable(func):
            raise TypeError(f"smart_cond: `{arg}` must be callable, got {func!r}.")
    if isinstance(pred, (bool, np.bool_)):
        static = bool(pred)
    elif isinstance(pred, (tf.Tensor, tf.Variable)):
        static = None if isinstance(pred, tf.Variable) else tf.get_static_value(pred)
    elif isinstance(pred, int) and pred in (0, 1):
        static = bool(pred)
    else:
        raise TypeError(
            f"smart_cond: `pred` must be a bool, 0, 1 or a bool tensor, got {pred!r} "
            f"({type(pred).__name__})."
        )
    if static is not None:
        return fn1() if static else fn2()
    return tf.cond(pred, fn1, fn2, name=name)


def static_or_dynamic_map_fn(fn, elems, dtype=None, name=None):
    """`tf.map_fn` over the first axis of `elems`."""
    return tf.map_fn(fn, elems, fn_output_signature=dtype, name=name)


def scope_name_of(scope: str | v1.VariableScope) -> str:
    """The name of a scope given as a string or a `VariableScope`."""
    return scope.name if isinstance(scope, v1.VariableScope) else scope


__all__: Sequence[str] = [
    "append_tensor_alias",
    "channel_dimension",
    "collect_named_outputs",
    "constant_value",
    "convert_collection_to_dict",
    "gather_tensors_aliases",
    "get_tensor_aliases",
    "get_variable_collections",
    "last_dimension",
    "n_positive_integers",
    "scope_name_of",
    "smart_cond",
    "static_cond",
    "static_or_dynamic_map_fn",
    "two_element_tuple",
]
