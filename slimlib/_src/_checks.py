"""Argument checks shared by slimlib's public functions.

Every message has the form ``fn: `arg` must be EXPECTED, got VALUE.`` so a user
sees which call, which argument, what was received and what is accepted.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import tensorflow as tf


class ArgumentError(TypeError, ValueError):
    """An argument of the wrong kind or name where TF-Slim and slimlib raised different errors.

    A TypeError (what Python raises for an unexpected keyword, and what TF-Slim raises in
    these places, or a ValueError where TF-Slim does) that is also the other one, so code
    written against either library catches it.
    """


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Returns ' Did you mean 'x'?' for the closest choice, or '' when none is close.

    Case is ignored when comparing (`'AVG'` suggests `'avg'`), and kept in the suggestion.
    """
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
    return f" Did you mean {by_lower[close[0]]!r}?" if close else ""


def check_positive_int(fn: str, name: str, value: object) -> int:
    """Returns `value` when it is an int >= 1; raises TypeError or ValueError otherwise."""
    # numbers.Integral admits NumPy integers, which shapes computed with NumPy produce.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = type(value).__name__
        raise TypeError(f"{fn}: `{name}` must be an int, got {value!r} ({kind}).")
    if value < 1:
        raise ValueError(f"{fn}: `{name}` must be >= 1, got {value}.")
    return int(value)


def check_optional_positive_int(fn: str, name: str, value: object) -> int | None:
    """Like `check_positive_int`, but `None` is accepted and returned."""
    return None if value is None else check_positive_int(fn, name, value)


def check_int_tuple(fn: str, name: str, value: object, length: int) -> tuple[int, ...]:
    """Expands an int or a sequence of `length` positive ints into a tuple of `length` ints.

    TF-Slim accepts `3` as shorthand for `[3, 3]` for kernels and strides.
    """
    expected = f"an int >= 1 or a sequence of {length} ints >= 1"
    if isinstance(value, tf.TensorShape) and value.rank is not None:
        # `inputs.shape[1:3]` as a kernel is TF-Slim's global-pooling idiom.
        value = tuple(value.as_list())
    if isinstance(value, bool):
        raise TypeError(f"{fn}: `{name}` must be {expected}, got {value!r}.")
    if isinstance(value, numbers.Integral):  # NumPy ints too (TF-Slim calls int() on them).
        items: Sequence[object] = [value] * length
    elif isinstance(value, (list, tuple)):
        items = list(value)
        if len(items) != length:
            raise ValueError(
                f"{fn}: `{name}` must be {expected}, got {value!r} (length {len(items)})."
            )
    else:
        raise TypeError(f"{fn}: `{name}` must be {expected}, got {value!r}.")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{fn}: `{name}` must be {expected}, got {value!r}.")
        if item < 1:
            raise ValueError(f"{fn}: `{name}` must be {expected}, got {value!r}.")
        out.append(int(item))
    return tuple(out)


def check_choice(fn: str, name: str, value: object, choices: Sequence[str]) -> str:
    """Returns `value` (upper-cased when all choices are upper case) if it is one of `choices`."""
    if not isinstance(value, str):
        raise TypeError(f"{fn}: `{name}` must be one of {list(choices)}, got {value!r}.")
    candidate = value.upper() if all(c.isupper() for c in choices) else value
    if candidate not in choices:
        raise ValueError(
            f"{fn}: `{name}` must be one of {list(choices)}, got {value!r}."
            + did_you_mean(candidate, choices)
        )
    return candidate


def check_padding(fn: str, value: object) -> str:
    """Returns 'SAME' or 'VALID' (case-insensitive input), else raises."""
    return check_choice(fn, "padding", value, ("SAME", "VALID"))


def check_rank(fn: str, name: str, tensor: tf.Tensor, expected: int | Sequence[int]) -> int:
    """Returns the static rank of `tensor` if it is one of `expected`; raises ValueError if not."""
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)
    rank = tensor.shape.rank
    if rank is None or rank not in allowed:
        want = " or ".join(str(r) for r in allowed)
        raise ValueError(
            f"{fn}: `{name}` must have rank {want}, got shape {tensor.shape} (rank {rank})."
        )
    return rank


def check_known_dim(
    fn: str, name: str, tensor: tf.Tensor, axis: int, what: str | None = None
) -> int:
    """Returns the static size of `tensor` along `axis`; raises ValueError when it is unknown.

    `what` names the axis in the message (`"channel"` gives "undefined channel size",
    TF-Slim's wording).
    """
    size = tensor.shape[axis]
    if size is None:
        undefined = f" (undefined {what} size)" if what else ""
        raise ValueError(
            f"{fn}: `{name}` must have a known size on axis {axis}{undefined}, got shape "
            f"{tensor.shape}."
        )
    return int(size)


def check_probability(fn: str, name: str, value: object) -> object:
    """Accepts a Python number in (0, 1] (or a tensor, checked at run time by TensorFlow)."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fn}: `{name}` must be a number in (0, 1], got {value!r}.")
    if not 0 < value <= 1:
        raise ValueError(f"{fn}: `{name}` must be in (0, 1], got {value!r}.")
    return value


def require_graph(fn: str) -> None:
    """Raises RuntimeError when called eagerly: slimlib builds TF-Slim style graphs."""
    if tf.executing_eagerly():
        raise RuntimeError(
            f"{fn}: slimlib builds graphs and cannot run eagerly. Build inside a graph: "
            "`with tf.Graph().as_default(): ...` (or in a tf.function)."
        )


def to_tensor(fn: str, name: str, value: object) -> tf.Tensor:
    """Converts `value` to a tensor, naming the argument when that fails."""
    try:
        return tf.convert_to_tensor(value)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{fn}: `{name}` must be a tensor or convertible to one, got {value!r}."
        ) from err


def check_data_format(fn: str, value: object, channels_last: str, channels_first: str) -> str:
    """Returns `value` (upper-cased) when it is one of the two layouts; raises otherwise.

    The message keeps TF-Slim's wording ("data_format has to be either NCHW or NHWC"),
    which code written for TF-Slim may match on.
    """
    choices = [channels_last, channels_first]
    message = (
        f"{fn}: `data_format` must be one of {choices}, got {value!r} (data_format has to "
        f"be either {channels_first} or {channels_last})."
    )
    if not isinstance(value, str):
        raise TypeError(message)
    candidate = value.upper()
    if candidate not in choices:
        raise ValueError(message + did_you_mean(candidate, choices))
    return candidate
