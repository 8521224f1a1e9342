"""The sweep form: typed values to a spec, bad fields named, a sweep defined and followed."""

from __future__ import annotations

import doctest

import pytest

from workbench.models.design import template
from workbench.models.jobs import ConfigError
from workbench.models.session import WorkbenchSession
from workbench.models.sweeps import Sweep, SweepSpecError, form
from workbench.models.sweeps.form import SweepForm, base_config, parse_values

BASE = {"model": {"design": template("lenet")}, "dataset": {"kind": "digits", "resize": [28, 28]}}


@pytest.fixture(autouse=True)
def no_scheduler(monkeypatch):
    """Nothing is launched here: the scheduler thread is not started."""
    monkeypatch.setattr(form, "ensure_scheduler", lambda workspace: None)


def test_a_grid_of_the_typed_values(tmp_path):
    sweep_form = SweepForm(tmp_path, batch_sizes="16 32", optimizers=["sgd", "adam"])
    spec = sweep_form.spec(BASE)
    assert spec["parameters"] == {
        "learning_rate": [0.001, 0.01, 0.1],
        "batch_size": [16, 32],
        "optimizer": ["sgd", "adam"],
    }
    assert (spec["method"], spec["num_runs"], spec["max_concurrent"]) == ("grid", None, None)


def test_a_random_sweep_takes_ranges(tmp_path):
    sweep_form = SweepForm(tmp_path, method="random", learning_rates="1e-4..1e-1", num_runs=3)
    spec = sweep_form.spec(BASE)
    assert spec["parameters"] == {"learning_rate": {"min": 1e-4, "max": 0.1, "scale": "log"}}
    assert spec["num_runs"] == 3


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"learning_rates": "0.1, fast"},
            "parameters.learning_rate: must be a number, got 'fast'.",
        ),
        ({"batch_sizes": "16, 8.5"}, "parameters.batch_size: must be an integer, got '8.5'."),
        ({"learning_rates": "0.1, -2"}, "parameters.learning_rate[1]: must be a number > 0"),
        ({"learning_rates": "1e-4..1e-1"}, "parameters.learning_rate: must be a number, got"),
        ({"learning_rates": ""}, "parameters: must be an object with one or more of"),
    ],
    ids=["word", "fraction", "negative", "range-in-grid", "nothing"],
)
def test_bad_fields_are_refused_with_what_was_typed(tmp_path, fields, message):
    sweep_form = SweepForm(tmp_path, **fields)
    assert sweep_form.start(BASE) is None
    assert message in sweep_form.message
    assert sweep_form.sweep_id == "" and not (tmp_path / "sweeps").exists()


def test_start_defines_and_follows_the_sweep(tmp_path):
    sweep_form = SweepForm(tmp_path, learning_rates="0.1 0.01")
    sweep = sweep_form.start({**BASE, "name": "lenet-digits"})
    assert isinstance(sweep, Sweep) and sweep.id.startswith("lenet-digits-")
    assert sweep_form.sweep_id == sweep.id and sweep_form.message == ""
    assert sweep_form.status["state"] == "running"
    assert [run["state"] for run in sweep_form.status["runs"]] == ["pending", "pending"]
    sweep_form.stop()
    assert sweep_form.status["state"] == "stopped"


def test_the_base_is_what_start_would_train_and_a_misfit_is_refused(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path))
    session.settings.steps = 7
    config = base_config(session)
    assert config["train"]["steps"] == 7 and config["model"]["design"]["name"] == "lenet"
    session.editor.replace(template("cifarnet"))  # 3-channel input, 1-channel digits.
    with pytest.raises(ConfigError, match="3 channels"):
        base_config(session)


def test_parse_values_says_which_value():
    assert parse_values("  ") is None
    with pytest.raises(ValueError, match=r"must be a number, got 'x'"):
        parse_values("0.1 x")
    with pytest.raises(SweepSpecError):
        SweepForm("/tmp", weight_decays="none").parameters()


def test_doctests():
    assert doctest.testmod(form).failed == 0


def test_a_full_disk_while_defining_leaves_no_half_sweep(tmp_path, monkeypatch):
    import os

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    sweep_form = SweepForm(tmp_path, learning_rates="0.1 0.01")
    monkeypatch.setattr(os, "replace", disk_full)  # The plan is claimed; its runs fail.
    assert sweep_form.start({**BASE, "name": "lenet-digits"}) is None
    assert sweep_form.message == "Cannot define the sweep: No space left on device."
    assert sweep_form.sweep_id == ""
    assert list((tmp_path / "sweeps").iterdir()) == []  # No damaged sweep left to list.
