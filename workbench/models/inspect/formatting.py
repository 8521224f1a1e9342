"""Plain-text forms of shapes and argument values, shared by the inspect tables.

Argument values recorded by the layer trace are arbitrary Python objects (functions,
initializer objects, dicts); the tables show them as short, stable text that a person can
read and that `json.dumps` accepts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from workbench.models.design.choices import INITIALIZERS, REGULARIZERS, captured_values, describe
from workbench.models.design.choices import text as choice_text

Shape = tuple[int | None, ...]


def format_shape(shape: Sequence[int | None] | None) -> str:
    """`[1, 28, 28, ?]` for a shape with an unknown dimension, `-` for no shape.

    Example:
      >>> format_shape((None, 28, 28, 1)), format_shape(None), format_shape(())
      ('[?, 28, 28, 1]', '-', '[]')
    """
    if shape is None:
        return "-"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def plain_value(value: Any) -> Any:
    """`value` as JSON-ready data: numbers, strings, lists and dicts stay, the rest is named.

    Functions are shown by name (`relu`), partial functions as `name(arg=value)`, objects with
    a `get_config()` (TensorFlow initializers) as `Class(key=value, ...)`, anything else by its
    class name.

    Example:
      >>> import tensorflow as tf
      >>> plain_value({"is_training": True, "fn": tf.nn.relu, "k": (3, 3)})
      {'is_training': True, 'fn': 'relu', 'k': [3, 3]}
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    initializer = _initializer_text(value)
    if initializer is not None:
        return initializer
    if isinstance(value, functools.partial):
        inner = getattr(value.func, "__name__", type(value.func).__name__)
        kwargs = ", ".join(f"{k}={plain_value(v)!r}" for k, v in value.keywords.items())
        return f"{inner}({kwargs})"
    name = getattr(value, "__name__", None)
    if isinstance(name, str):
        return _regularizer_text(value) or name
    config = getattr(value, "get_config", None)
    if callable(config):
        try:
            items = config()
        except Exception:  # A broken get_config() must not break the table; name the class.
            items = None
        if isinstance(items, Mapping):
            args = ", ".join(f"{k}={plain_value(v)!r}" for k, v in items.items())
            return f"{type(value).__name__}({args})"
    if hasattr(value, "dtype") and hasattr(value, "shape"):  # A tensor or an array.
        shape = getattr(value.shape, "as_list", lambda: list(value.shape))()
        # TensorFlow's graph tensors are `SymbolicTensor`s; "Tensor" is what users write.
        kind = "Tensor" if "Tensor" in type(value).__name__ else type(value).__name__
        return f"{kind}{format_shape(shape)}"
    return type(value).__name__


def _initializer_text(value: Any) -> str | None:
    """`truncated_normal_initializer(stddev=0.1)`, `xavier_initializer()`: an initializer
    named as the design, the property sheet and the generated code name it; None for a
    value that is no initializer a design can name."""
    known, design_value = describe(value)
    name = design_value.get("name") if isinstance(design_value, dict) else design_value
    if not known or name not in INITIALIZERS:
        return None
    return choice_text("initializer", design_value)


def _regularizer_text(fn: Any) -> str | None:
    """`l2_regularizer(0.0005)` for the function `slim.l2_regularizer(0.0005)` returns (its
    own name, `l2`, hides the scale), `l1_l2_regularizer(scale_l1=..., scale_l2=...)` for
    the pair, `no loss (zero scale)`: named as the design and the generated code name it."""
    module = getattr(fn, "__module__", None) or ""
    if not (module.startswith("slimlib.") and module.endswith(".regularizers")):
        return None
    if fn.__name__ == "<lambda>":  # What a zero scale gives: a function returning None.
        return "no loss (zero scale)"
    captured = captured_values(fn)
    parts = captured.get("regularizers")
    if isinstance(parts, list):
        names = [getattr(part, "__name__", "") for part in parts]
        if names == ["l1", "l2"]:
            scale_l1, scale_l2 = (captured_values(part).get("scale") for part in parts)
            pair = {"name": "l1_l2_regularizer", "scale_l1": scale_l1, "scale_l2": scale_l2}
            return choice_text("regularizer", pair)
        return " + ".join(_regularizer_text(part) or plain_value(part) for part in parts)
    scale = captured.get("scale")
    name = f"{fn.__name__}_regularizer"
    if name in REGULARIZERS and isinstance(scale, (int, float)):
        return choice_text("regularizer", {"name": name, "scale": scale})
    return None


def value_text(value: Any) -> str:
    """`plain_value(value)` as one line of text: strings unquoted, the rest as Python repr.

    Example:
      >>> value_text("SAME"), value_text([3, 3]), value_text(None)
      ('SAME', '[3, 3]', 'None')
    """
    plain = plain_value(value)
    return plain if isinstance(plain, str) else repr(plain)


def compact_count(value: int) -> str:
    """A count in a few characters: `9,216`, `27.2M`, `11.5G`.

    Example:
      >>> compact_count(9216), compact_count(27_179_376), compact_count(11_489_728_392)
      ('9,216', '27.2M', '11.5G')
    """
    # Below ten thousand every digit fits; from there on, three significant ones (999,999
    # rounds to 1.00M, not to 1e+03K).
    units = ((10**9, "G", 999_500_000), (10**6, "M", 999_500), (10**3, "K", 10**4))
    for unit, suffix, start in units:
        if value >= start:
            return f"{value / unit:.3g}{suffix}"
    return f"{value:,}"
