"""Sweep specs: grid and random expansion (golden), and every problem named with its value."""

from __future__ import annotations

import doctest
import random

import pytest

from workbench.models.design import template
from workbench.models.sweeps import SweepSpec, SweepSpecError, expand, load_spec, spec
from workbench.models.sweeps.spec import validate_spec

BASE = {"model": {"design": template("lenet")}, "dataset": {"kind": "digits", "resize": [28, 28]}}


def _spec(**fields) -> dict:
    return {"parameters": {"learning_rate": [0.1]}, "base": BASE, **fields}


def test_a_grid_runs_every_combination_the_last_parameter_fastest(tmp_path):
    checked = load_spec(
        _spec(
            parameters={
                "optimizer": ["sgd", "adam"],
                "learning_rate": [0.1, 0.01],
                "batch_size": [8],
            }
        ),
        workspace=tmp_path,
    )
    # Nested in PARAMETERS order (learning_rate, batch_size, weight_decay, optimizer),
    # whatever order the spec lists them in.
    assert expand(checked) == [
        {"learning_rate": 0.1, "batch_size": 8, "optimizer": "sgd"},
        {"learning_rate": 0.1, "batch_size": 8, "optimizer": "adam"},
        {"learning_rate": 0.01, "batch_size": 8, "optimizer": "sgd"},
        {"learning_rate": 0.01, "batch_size": 8, "optimizer": "adam"},
    ]
    assert checked.method == "grid" and checked.seed == 0 and checked.max_concurrent is None


def test_a_random_sweep_draws_the_same_runs_from_the_same_seed(tmp_path):
    parameters = {
        "learning_rate": {"min": 1e-4, "max": 1e-1, "scale": "log"},
        "batch_size": [16, 32, 64],
        "weight_decay": {"min": 0, "max": 0.001, "scale": "linear"},
        "optimizer": ["sgd", "adam"],
    }
    checked = load_spec(
        _spec(method="random", parameters=parameters, num_runs=3, seed=0), workspace=tmp_path
    )
    runs = expand(checked)
    assert runs == [
        {"learning_rate": 0.03414, "batch_size": 32, "weight_decay": 4.048e-05, "optimizer": "adam"},
        {"learning_rate": 0.00164, "batch_size": 32, "weight_decay": 0.0009678, "optimizer": "adam"},
        {"learning_rate": 0.005625, "batch_size": 16, "weight_decay": 0.0005047, "optimizer": "adam"},
    ]  # fmt: skip
    # The first draw by hand: 10 ** uniform(log10(1e-4), log10(1e-1)), kept to 4 digits.
    first = random.Random(0).random()
    assert runs[0]["learning_rate"] == float(f"{10 ** (-4 + 3 * first):.4g}")
    assert expand(checked) == runs
    other = load_spec(
        _spec(method="random", parameters=parameters, num_runs=3, seed=1), workspace=tmp_path
    )
    assert expand(other) != runs


def test_random_values_stay_within_their_range(tmp_path):
    checked = load_spec(
        _spec(
            method="random",
            parameters={"learning_rate": {"min": 0.001, "max": 0.002, "scale": "linear"}},
            num_runs=50,
            seed=3,
        ),
        workspace=tmp_path,
    )
    rates = [run["learning_rate"] for run in expand(checked)]
    assert all(0.001 <= rate <= 0.002 for rate in rates) and len(set(rates)) > 10


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"method": "grd"}, "method: must be one of ['grid', 'random'], got 'grd'. Did you mean"),
        ({"parameters": {}}, "parameters: must be an object with one or more of learning_rate"),
        (
            {"parameters": {"learnig_rate": [0.1]}},
            "parameters.learnig_rate: must be one of ['learning_rate', 'batch_size', "
            "'weight_decay', 'optimizer'], got 'learnig_rate'. Did you mean 'learning_rate'?",
        ),
        (
            {"parameters": {"learning_rate": [0.1, -1]}},
            "parameters.learning_rate[1]: must be a number > 0, got -1.",
        ),
        (
            {"parameters": {"batch_size": [16, 0]}},
            "parameters.batch_size[1]: must be an integer from 1 to 8192, got 0.",
        ),
        (
            {"parameters": {"weight_decay": [-0.1]}},
            "parameters.weight_decay[0]: must be a number >= 0, got -0.1.",
        ),
        (
            {"parameters": {"optimizer": ["adamw"]}},
            "parameters.optimizer[0]: must be one of ['sgd', 'momentum', 'adam', 'rmsprop'], "
            "got 'adamw'. Did you mean 'adam'?",
        ),
        ({"parameters": {"learning_rate": []}}, "parameters.learning_rate: must be a non-empty"),
        (
            {"parameters": {"learning_rate": [0.1, 0.1]}},
            "parameters.learning_rate: must be a list without repeated values, got [0.1, 0.1].",
        ),
        (
            {"parameters": {"learning_rate": 0.1}},
            "parameters.learning_rate: must be a list of values or (random sweeps)",
        ),
        (
            {"parameters": {"learning_rate": {"min": 0.1, "max": 1}}},
            "parameters.learning_rate: must be a list of values in a grid sweep, got {'min'",
        ),
        ({"method": "random"}, "num_runs: must be an integer from 1 to 500, got None."),
        ({"num_runs": 3}, "num_runs: must be null in a grid sweep, got 3. A grid runs them all."),
        (
            {
                "method": "random",
                "num_runs": 2,
                "parameters": {"learning_rate": {"min": 0.1, "max": 0.01}},
            },
            "parameters.learning_rate.max: must be a number > min (0.1), got 0.01.",
        ),
        (
            {
                "method": "random",
                "num_runs": 2,
                "parameters": {"weight_decay": {"min": 0, "max": 0.1}},
            },
            "parameters.weight_decay.min: must be a number > 0 on a log scale, got 0. Or",
        ),
        (
            {
                "method": "random",
                "num_runs": 2,
                "parameters": {"learning_rate": {"min": 0.1, "max": 1, "scale": "log2"}},
            },
            "parameters.learning_rate.scale: must be one of ['log', 'linear'], got 'log2'.",
        ),
        (
            {
                "parameters": {
                    "batch_size": list(range(1, 30)),
                    "learning_rate": [0.1 * i for i in range(1, 30)],
                }
            },
            "parameters: must be at most 500 combinations in a grid sweep, got '841 combinations'",
        ),
        ({"seed": -1}, "seed: must be an integer >= 0, got -1."),
        ({"max_concurrent": 0}, "max_concurrent: must be null (automatic) or an integer 1 to 64"),
        ({"base": None}, "base: must be a job config (a JSON object), got None."),
        (
            {"base": {**BASE, "train": {"steps": 0}}},
            "base.train.steps: must be an integer >= 1, got 0.",
        ),
        ({"runs": 4}, "runs: must be one of the keys name, method, parameters"),
        ({"name": " "}, "name: must be a non-empty str, got ' '."),
    ],
    ids=lambda value: None if isinstance(value, dict) else value[:24],
)
def test_each_problem_names_path_value_and_expectation(tmp_path, fields, message):
    with pytest.raises(SweepSpecError, match="sweep spec has") as caught:
        load_spec(_spec(**fields), workspace=tmp_path)
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems


def test_every_problem_is_listed_at_once(tmp_path):
    problems = validate_spec(
        {"method": "grid", "parameters": {"learning_rate": [0], "optimizer": ["x"]}, "seed": 1.5},
        workspace=tmp_path,
    )
    assert [p.path for p in problems] == [
        "parameters.learning_rate[0]",
        "parameters.optimizer[0]",
        "seed",
        "base",
    ]
    assert validate_spec("grid", workspace=tmp_path)[0].message == (
        "spec: must be an object (a JSON dict), got 'grid'."
    )


def test_the_spec_is_given_back_as_json(tmp_path):
    checked = load_spec(_spec(name=" lr "), workspace=tmp_path)
    assert checked.to_json()["name"] == "lr"
    assert SweepSpec(**checked.to_json()) == checked


def test_doctests():
    assert doctest.testmod(spec).failed == 0
