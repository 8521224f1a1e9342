"""Checks of one argument value against its catalogue entry: type, range, choices.

Used by validation for layer arguments, `arg_scope` defaults, normalizer parameters and
net options alike. Each check returns the problems found (empty when the value is fine).
"""

from __future__ import annotations

import math
from typing import Any

from workbench.models.design import choices
from workbench.models.design.catalogue import ArgSpec
from workbench.problems import Problem, did_you_mean, join_path, problem

_MAP_KEYS = {
    "initializer_map": ("beta", "gamma", "moving_mean", "moving_variance"),
    "regularizer_map": ("beta", "gamma"),
}


def check_value(arg: ArgSpec, value: Any, path: str) -> list[Problem]:
    """Problems of `value` for the argument `arg` (its type, range and choices)."""
    kind = arg.type
    if kind in ("activation", "initializer", "regularizer", "normalizer"):
        return choices.check(kind, value, path)
    if kind in ("int", "optional_int"):
        if value is None and kind == "optional_int":
            return []
        if isinstance(value, bool) or not isinstance(value, int):
            return [problem(path, _int_expected(arg), value, kind="type")]
        return _bounds(arg, value, path, _int_expected(arg))
    if kind in ("float", "probability"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
            return [problem(path, _float_expected(arg), value, kind="type")]
        if kind == "probability" and not 0 < value <= 1:
            return [problem(path, "a probability in (0, 1]", value)]
        return _bounds(arg, value, path, _float_expected(arg))
    if kind in ("bool", "optional_bool"):
        if isinstance(value, bool) or (value is None and kind == "optional_bool"):
            return []
        return [
            problem(
                path,
                "true or false" + (", or null" if kind == "optional_bool" else ""),
                value,
                kind="type",
            )
        ]
    if kind == "int_or_list":
        return _int_or_list(arg, value, path)
    if kind == "int_list":
        if value is None:
            return []
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
        ):
            return [
                problem(path, "a list of ints >= 1 (batch axis first), or null", value, kind="type")
            ]
        return []
    if kind == "choice":
        return _choice(arg, value, path)
    if kind == "normalizer_params":
        if value is None:
            return []
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            return [
                problem(path, "a dict of the normalizer's arguments, or null", value, kind="type")
            ]
        return _literal(value, path)
    if kind in _MAP_KEYS:
        return _map(kind, value, path)
    if kind == "collections":
        if value is None or isinstance(value, str):
            return []
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return []
        return [problem(path, "a collection name, a list of them, or null", value, kind="type")]
    if kind == "variables_collections":
        if value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return []
        if isinstance(value, dict) and all(
            isinstance(k, str)
            and (v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v)))
            for k, v in value.items()
        ):
            return []
        return [
            problem(
                path,
                'a list of collection names, a dict such as {"weights": ["w"]}, or null',
                value,
                kind="type",
            )
        ]
    return [problem(path, "left out (not settable from a design)", value, kind="structure")]


def _int_expected(arg: ArgSpec) -> str:
    text = "an int"
    if arg.minimum is not None:
        low = arg.minimum + (1 if arg.exclusive_minimum else 0)
        text += f" >= {low:g}"
    if arg.maximum is not None:
        text += f" and <= {arg.maximum:g}"
    return text + (", or null" if arg.type == "optional_int" else "")


def _float_expected(arg: ArgSpec) -> str:
    text = "a number"
    if arg.minimum is not None:
        text += f" {'>' if arg.exclusive_minimum else '>='} {arg.minimum:g}"
    if arg.maximum is not None:
        text += f" and <= {arg.maximum:g}"
    return text


def _bounds(arg: ArgSpec, value: float, path: str, expected: str) -> list[Problem]:
    low, high = arg.minimum, arg.maximum
    if low is not None and (value < low or (arg.exclusive_minimum and value == low)):
        return [problem(path, expected, value)]
    if high is not None and value > high:
        return [problem(path, expected, value)]
    if isinstance(value, int) and abs(value) > 2**31:
        return [problem(path, "an int below 2**31", value)]
    return []


def _int_or_list(arg: ArgSpec, value: Any, path: str) -> list[Problem]:
    lengths = (arg.length,) if arg.length else (1, 2, 3)
    sizes = " or ".join(str(n) for n in lengths)
    expected = f"an int >= 1 or a list of {sizes} ints >= 1"
    good = lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 2**31  # noqa: E731
    if good(value):
        return []
    if isinstance(value, list) and len(value) in lengths and all(good(v) for v in value):
        return []
    return [
        problem(
            path, expected, value, kind="type" if not isinstance(value, (int, list)) else "value"
        )
    ]


def _choice(arg: ArgSpec, value: Any, path: str) -> list[Problem]:
    if value is None and None in arg.choices:
        return []
    named = [c for c in arg.choices if c is not None]
    shown = [*named, *(["null"] if None in arg.choices else [])]
    upper = all(c.isupper() for c in named)
    candidate = value.upper() if isinstance(value, str) and upper else value
    if isinstance(value, str) and candidate in named:
        return []
    hint = did_you_mean(str(candidate), named)
    return [problem(path, f"one of {', '.join(map(str, shown))}", value, hint=hint)]


def _map(kind: str, value: Any, path: str) -> list[Problem]:
    if value is None:
        return []
    keys = _MAP_KEYS[kind]
    family = "initializer" if kind == "initializer_map" else "regularizer"
    if not isinstance(value, dict):
        return [
            problem(
                path, f"a dict from {', '.join(keys)} to {family}s, or null", value, kind="type"
            )
        ]
    found: list[Problem] = []
    for key, item in value.items():
        if key not in keys:
            found.append(
                problem(
                    join_path(path, str(key)),
                    f"one of {', '.join(keys)}",
                    key,
                    kind="unknown",
                    hint=did_you_mean(str(key), keys),
                )
            )
        else:
            found += choices.check(family, item, join_path(path, key))
    return found


def _literal(value: Any, path: str, depth: int = 0) -> list[Problem]:
    """Problems of a value that must be plain JSON data."""
    if depth > 16:
        return [problem(path, "JSON nested at most 16 deep", "deeper data", kind="type")]
    if value is None or isinstance(value, (bool, int, str)):
        return []
    if isinstance(value, float):
        return [] if _finite(value) else [problem(path, "a finite number", value)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _literal(v, f"{path}[{i}]", depth + 1)]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if not isinstance(k, str):
                out.append(problem(path, "a dict with string keys", k, kind="type"))
            else:
                out += _literal(v, join_path(path, k), depth + 1)
        return out
    return [problem(path, "JSON data (dict, list, str, number, bool, null)", value, kind="type")]


def _finite(value: int | float) -> bool:
    """Whether a number is finite and small enough to become a float (|x| < 2**53 for ints)."""
    if isinstance(value, int):
        return abs(value) < 2**53
    return math.isfinite(value)
