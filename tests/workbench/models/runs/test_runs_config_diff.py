"""`run_diff`: two runs' configs key by key, and their designs as a unified diff."""

from __future__ import annotations

import os

from tests.workbench.models.runs.run_folders import make_run
from workbench.models.runs.config_diff import MISSING, flatten, run_diff


def _design(num_outputs: int) -> dict:
    return {"format": "slim-workbench-design", "version": 1, "name": "tiny",
            "blocks": [{"kind": "layer", "op": "fully_connected", "scope": "fc",
                        "args": {"num_outputs": num_outputs}}]}  # fmt: skip


def test_the_differing_keys_of_two_configs(tmp_path):
    a = make_run(str(tmp_path), "jobs/a", learning_rate=0.1, batch_size=32, sweep="s")
    schedule = {"kind": "exponential", "decay_steps": 10, "decay_rate": 0.5}
    b = make_run(str(tmp_path), "jobs/b", learning_rate=0.01, batch_size=32, schedule=schedule)
    diff = run_diff(a, b)
    assert diff.config == [
        ("name", "a", "b"),
        ("train.learning_rate", 0.1, 0.01),
        ("train.schedule.kind", "constant", "exponential"),
        ("sweep", "s", MISSING),
        ("train.schedule.decay_steps", MISSING, 10),
        ("train.schedule.decay_rate", MISSING, 0.5),
    ]
    assert diff.design == "" and diff.models == ("net 'lenet'", "net 'lenet'")


def test_designs_are_diffed_as_text_not_key_by_key(tmp_path):
    a = make_run(str(tmp_path), "jobs/a", design=_design(10))
    b = make_run(str(tmp_path), "jobs/b", design=_design(12))
    diff = run_diff(a, b)
    assert ("name", "a", "b") in diff.config and len(diff.config) == 1
    assert diff.design.startswith("--- a\n+++ b\n")
    assert '-        "num_outputs": 10\n+        "num_outputs": 12\n' in diff.design
    assert diff.models == ("design 'tiny'", "design 'tiny'")


def test_a_damaged_config_compares_as_empty(tmp_path):
    a = make_run(str(tmp_path), "jobs/a")
    b = tmp_path / "jobs" / "b"
    b.mkdir()
    (b / "job.json").write_text("{oops")
    diff = run_diff(a, str(b))
    assert ("train.learning_rate", 0.01, MISSING) in diff.config
    assert diff.models == ("net 'lenet'", "no model")
    assert os.path.basename(diff.b) == "b"


def test_flatten_keeps_empty_containers_and_indexes_lists():
    assert flatten({"a": {"b": [1, {"c": 2}]}, "d": {}, "e": None}) == {
        "a.b[0]": 1, "a.b[1].c": 2, "d": {}, "e": None
    }  # fmt: skip
