"""A sweep spec: which hyper-parameters to try on one job config, and how to pick them.

    {"name": "lr",
     "method": "grid",                        # or "random"
     "parameters": {"learning_rate": [0.001, 0.01, 0.1],
                    "batch_size": [16, 32],
                    "weight_decay": [0.0, 1e-4],
                    "optimizer": ["sgd", "adam"]},
     "num_runs": null,                        # random: how many runs to draw
     "seed": 0,                               # random: the draws' seed
     "max_concurrent": null,                  # null: 1 on a CPU, one per visible GPU
     "base": {"model": {"net": "lenet"}, "train": {"steps": 200}}}

A `grid` sweep runs every combination of the listed values (the last parameter in
`PARAMETERS` order changes fastest). A `random` sweep draws `num_runs` combinations with
Python's `random.Random(seed)`, so the same spec always gives the same runs; there
`learning_rate` and `weight_decay` may also be a range `{"min": 1e-4, "max": 0.1, "scale":
"log"}` (`"linear"` draws uniformly between the bounds). `base` is a job config
(`workbench.models.jobs.config`); each run is `base` with its values set in `train`.

`validate_spec` lists every problem (path, value and what was expected); `load_spec`
raises them together as a `SweepSpecError`; `expand` gives the runs' values.
"""

from __future__ import annotations

import itertools
import math
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.models.jobs.config import (
    MAX_BATCH_SIZE,
    MISSING,
    OPTIMIZERS,
    config_problem,
    validate_config,
)
from workbench.problems import Problem, ProblemsError, did_you_mean

__all__ = [
    "MAX_RUNS",
    "METHODS",
    "PARAMETERS",
    "SweepSpec",
    "SweepSpecError",
    "expand",
    "load_spec",
    "validate_spec",
]

#: The hyper-parameters a sweep can vary, in the order a grid nests them.
PARAMETERS = ("learning_rate", "batch_size", "weight_decay", "optimizer")
METHODS = ("grid", "random")
SCALES = ("log", "linear")
#: Most runs one sweep may hold: each run is a training job with its own folder.
MAX_RUNS = 500
_KEYS = ("name", "method", "parameters", "num_runs", "seed", "max_concurrent", "base")
_RANGE_KEYS = ("min", "max", "scale")
_RANGED = ("learning_rate", "weight_decay")
# Significant digits kept of a drawn number, so run names and tables read 0.003162.
_DIGITS = 4


class SweepSpecError(ProblemsError):
    """A sweep spec with problems; `problems` lists all of them."""

    what = "sweep spec"


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (see the module docstring); `to_json` gives it back as JSON."""

    name: str
    method: str
    parameters: dict[str, Any]
    num_runs: int | None
    seed: int
    max_concurrent: int | None
    base: dict

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "method": self.method,
            "parameters": self.parameters,
            "num_runs": self.num_runs,
            "seed": self.seed,
            "max_concurrent": self.max_concurrent,
            "base": self.base,
        }


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _value_problem(name: str, value: Any) -> str | None:
    """What `value` must be for parameter `name`, or None when it is fine."""
    if name == "learning_rate" and not (_is_number(value) and value > 0):
        return "a number > 0"
    if name == "weight_decay" and not (_is_number(value) and value >= 0):
        return "a number >= 0"
    if name == "batch_size" and not (_is_int(value) and 1 <= value <= MAX_BATCH_SIZE):
        return f"an integer from 1 to {MAX_BATCH_SIZE}"
    if name == "optimizer" and value not in OPTIMIZERS:
        return f"one of {list(OPTIMIZERS)}"
    return None


def _check_values(name: str, values: list, path: str, problems: list[Problem]) -> None:
    if not values:
        problems.append(config_problem(path, values, "a non-empty list of values"))
    for index, value in enumerate(values):
        expected = _value_problem(name, value)
        if expected:
            hint = did_you_mean(value, OPTIMIZERS).lstrip() if name == "optimizer" else ""
            problems.append(config_problem(f"{path}[{index}]", value, expected, hint))
    if len({repr(v) for v in values}) != len(values):
        problems.append(config_problem(path, values, "a list without repeated values"))


def _check_range(name: str, value: Mapping, path: str, problems: list[Problem]) -> None:
    for key in value:
        if key not in _RANGE_KEYS:
            hint = did_you_mean(key, _RANGE_KEYS).lstrip()
            problems.append(
                config_problem(f"{path}.{key}", key, "one of the keys min, max, scale", hint)
            )
    scale = value.get("scale", "log")
    if scale not in SCALES:
        problems.append(config_problem(f"{path}.scale", scale, f"one of {list(SCALES)}"))
    low, high = value.get("min", MISSING), value.get("max", MISSING)
    for key, bound in (("min", low), ("max", high)):
        expected = _value_problem(name, bound) if bound is not MISSING else "a number"
        if expected:
            problems.append(config_problem(f"{path}.{key}", bound, expected))
    if _is_number(low) and _is_number(high) and not low < high:
        problems.append(config_problem(f"{path}.max", high, f"a number > min ({low!r})"))
    if scale == "log" and _is_number(low) and low <= 0:
        problems.append(
            config_problem(f"{path}.min", low, "a number > 0 on a log scale", 'Or "linear".')
        )


def _check_parameters(raw: Any, method: str | None, problems: list[Problem]) -> None:
    if not isinstance(raw, Mapping) or not raw:
        expected = f"an object with one or more of {', '.join(PARAMETERS)}"
        problems.append(config_problem("parameters", raw, expected))
        return
    for name, value in raw.items():
        path = f"parameters.{name}"
        if name not in PARAMETERS:
            hint = did_you_mean(name, PARAMETERS).lstrip()
            problems.append(config_problem(path, name, f"one of {list(PARAMETERS)}", hint))
        elif isinstance(value, list):
            _check_values(name, value, path, problems)
        elif isinstance(value, Mapping) and name in _RANGED and method == "random":
            _check_range(name, value, path, problems)
        elif isinstance(value, Mapping) and name in _RANGED:
            problems.append(
                config_problem(
                    path,
                    value,
                    "a list of values in a grid sweep",
                    'Ranges are drawn from in a "random" sweep.',
                )
            )
        else:
            expected = "a list of values"
            if name in _RANGED:
                expected += ' or (random sweeps) {"min": ..., "max": ..., "scale": "log"}'
            problems.append(config_problem(path, value, expected))


def _grid_size(parameters: Mapping[str, Any]) -> int:
    return math.prod(len(values) for values in parameters.values() if isinstance(values, list))


def _check(raw: object, workspace: str | os.PathLike) -> tuple[list[Problem], SweepSpec | None]:
    problems: list[Problem] = []
    if not isinstance(raw, Mapping):
        return [config_problem("spec", raw, "an object (a JSON dict)")], None
    for key in raw:
        if key not in _KEYS:
            hint = did_you_mean(key, _KEYS).lstrip()
            problems.append(config_problem(key, key, f"one of the keys {', '.join(_KEYS)}", hint))
    name = raw.get("name", "sweep")
    if not isinstance(name, str) or not name.strip():
        problems.append(config_problem("name", name, "a non-empty str"))
    method = raw.get("method", "grid")
    if method not in METHODS:
        hint = did_you_mean(method, METHODS).lstrip()
        problems.append(config_problem("method", method, f"one of {list(METHODS)}", hint))
        method = None
    parameters = raw.get("parameters", MISSING)
    _check_parameters(parameters, method, problems)
    num_runs = raw.get("num_runs")
    if method == "random" and not (_is_int(num_runs) and 1 <= num_runs <= MAX_RUNS):
        problems.append(config_problem("num_runs", num_runs, f"an integer from 1 to {MAX_RUNS}"))
    if method == "grid" and num_runs is not None:
        problems.append(
            config_problem("num_runs", num_runs, "null in a grid sweep", "A grid runs them all.")
        )
    if method == "grid" and isinstance(parameters, Mapping):
        size = _grid_size(parameters)
        if size > MAX_RUNS:
            expected = f"at most {MAX_RUNS} combinations in a grid sweep"
            problems.append(config_problem("parameters", f"{size} combinations", expected))
    seed = raw.get("seed", 0)
    if not (_is_int(seed) and seed >= 0):
        problems.append(config_problem("seed", seed, "an integer >= 0"))
    concurrent = raw.get("max_concurrent")
    if concurrent is not None and not (_is_int(concurrent) and 1 <= concurrent <= 64):
        problems.append(
            config_problem("max_concurrent", concurrent, "null (automatic) or an integer 1 to 64")
        )
    base = raw.get("base", MISSING)
    if not isinstance(base, Mapping):
        problems.append(config_problem("base", base, "a job config (a JSON object)"))
    else:
        for problem in validate_config(base, workspace=workspace):
            path = f"base.{problem.path}" if problem.path else "base"
            problems.append(Problem(path, f"base.{problem.message}", problem.value,
                                    problem.expected, problem.kind))  # fmt: skip
    if problems:
        return problems, None
    spec = SweepSpec(
        name=name.strip(),
        method=method,
        parameters={k: parameters[k] for k in PARAMETERS if k in parameters},
        num_runs=num_runs,
        seed=seed,
        max_concurrent=concurrent,
        base=dict(base),
    )
    return [], spec


def validate_spec(spec: Mapping, *, workspace: str | os.PathLike) -> list[Problem]:
    """Lists every problem of a sweep spec (its base job config included); empty when valid.

    Args:
      spec: The spec as parsed JSON.
      workspace: The workspace root that the base config's paths must stay inside.

    Returns:
      The problems, each naming its path (`parameters.learning_rate[1]`), the value found and
      what was expected.

    Example:
      >>> spec = {"parameters": {"learning_rate": [0.1, -1]}, "base": {"model": {"net": "lenet"}}}
      >>> [str(p) for p in validate_spec(spec, workspace="/tmp")]
      ['parameters.learning_rate[1]: must be a number > 0, got -1.']
    """
    return _check(spec, workspace)[0]


def load_spec(spec: Mapping, *, workspace: str | os.PathLike) -> SweepSpec:
    """Validates a sweep spec and returns it with its defaults filled in.

    Raises:
      SweepSpecError: Listing every problem, if there is any.
    """
    problems, result = _check(spec, workspace)
    if problems:
        raise SweepSpecError(problems)
    assert result is not None
    return result


def _rounded(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")


def _draw(rng: random.Random, values: Any) -> Any:
    if isinstance(values, list):
        return rng.choice(values)
    low, high = values["min"], values["max"]
    if values.get("scale", "log") == "log":
        return _rounded(10 ** rng.uniform(math.log10(low), math.log10(high)))
    return _rounded(rng.uniform(low, high))


def expand(spec: SweepSpec) -> list[dict[str, Any]]:
    """The values of each run of the sweep, in run order: `[{"learning_rate": 0.1}, ...]`.

    Example:
      >>> spec = SweepSpec("s", "grid", {"learning_rate": [0.1, 0.01], "batch_size": [8, 16]},
      ...                  None, 0, None, {})
      >>> expand(spec)  # doctest: +NORMALIZE_WHITESPACE
      [{'learning_rate': 0.1, 'batch_size': 8}, {'learning_rate': 0.1, 'batch_size': 16},
       {'learning_rate': 0.01, 'batch_size': 8}, {'learning_rate': 0.01, 'batch_size': 16}]
    """
    names = [name for name in PARAMETERS if name in spec.parameters]
    if spec.method == "grid":
        lists = [spec.parameters[name] for name in names]
        return [dict(zip(names, values)) for values in itertools.product(*lists)]
    rng = random.Random(spec.seed)
    assert spec.num_runs is not None
    return [
        {name: _draw(rng, spec.parameters[name]) for name in names} for _ in range(spec.num_runs)
    ]
