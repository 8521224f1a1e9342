"""`slim-workbench runs`: the table, `--json`, `--sort`, `--filter` and bad queries (exit 2)."""

from __future__ import annotations

import json
import re

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.cli import EXIT_INVALID, main


@pytest.fixture
def workspace(tmp_path) -> str:
    root = str(tmp_path)
    make_run(root, "jobs/a", learning_rate=0.1, accuracy=0.8, sweep="s1", started=T0)
    make_run(root, "jobs/b", learning_rate=0.01, accuracy=0.9, sweep="s1", started=T0 + 10,
             optimizer="adam", weight_decay=4e-5, duration=125.0)  # fmt: skip
    make_run(root, "jobs/c", state="failed", accuracy=None, started=T0 + 20)
    (tmp_path / "jobs" / "damaged").mkdir()
    (tmp_path / "jobs" / "damaged" / "job.json").write_text("{oops")
    return root


def _lines(capsys) -> list[str]:
    return capsys.readouterr().out.rstrip("\n").splitlines()


def _cells(lines: list[str]) -> list[dict[str, str]]:
    """The table's rows as {title: cell}, cut where its rule's dashes run."""
    spans = [match.span() for match in re.finditer(r"-+", lines[1])]
    cut = lambda line: [line[a:b].strip() for a, b in spans]  # noqa: E731
    return [dict(zip(cut(lines[0]), cut(line))) for line in lines[2:]]


def test_the_table_lists_every_run_newest_first_and_stars_the_best(workspace, capsys):
    assert main(["--workspace", workspace, "runs"]) == 0
    lines = _lines(capsys)
    rows = _cells(lines)
    assert list(rows[0]) == ["best", "run", "sweep", "status", "lr", "val acc", "best val acc",
                             "optimizer", "batch", "weight decay", "steps", "schedule", "design",
                             "dataset", "fine-tune", "step", "duration (s)", "examples/s",
                             "problem"]  # fmt: skip
    # The damaged folder's job.json time is now: newest.
    assert [rows[0][k] for k in ("run", "sweep", "status")] == ["jobs/damaged", "-", "new"]
    assert rows[0]["problem"].startswith("job.json is not valid JSON")
    assert [rows[1][k] for k in ("best", "run", "status")] == ["", "jobs/c", "failed"]
    assert list(rows[2].values()) == ["*", "jobs/b", "s1", "finished", "0.01", "0.9000", "0.9000",
                                      "adam", "32", "4e-05", "100", "constant", "lenet", "digits",
                                      "-", "100", "125.0", "800", "-"]  # fmt: skip
    assert [rows[3][k] for k in ("best", "run", "sweep")] == ["", "jobs/a", "s1"]


def test_json_sort_and_filters(workspace, capsys):
    args = ["--workspace", workspace, "runs", "--json", "--sort=-lr",
            "--filter", "status=finished", "--filter", "lr < 0.5, acc>0.1"]  # fmt: skip
    assert main(args) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["run"] for r in runs] == ["jobs/a", "jobs/b"]
    assert [r["best_of_sweep"] for r in runs] == [False, True]
    assert runs[1]["learning_rate"] == 0.01 and runs[1]["val_accuracy"] == 0.9
    assert runs[1]["duration_s"] == 125.0 and runs[1]["examples_per_sec"] == 800.0


def test_the_best_of_a_sweep_is_judged_among_all_its_runs(workspace, capsys):
    assert main(["--workspace", workspace, "runs", "--json", "--filter", "lr>0.05"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [(r["run"], r["best_of_sweep"]) for r in runs] == [("jobs/a", False)]


def test_no_match_says_so(workspace, capsys):
    assert main(["--workspace", workspace, "runs", "--filter", "lr>5"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no runs matching the filters in" in captured.err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--filter", "lr<fast"], "slim-workbench runs: filter 'lr<fast': learning_rate is a "
                                  "number, so the value must be a number, got 'fast'."),
        (["--filter", "speed>1"], "slim-workbench runs: filter 'speed>1': field must be one of "),
        (["--filter", "status"], "slim-workbench runs: filter: must be FIELD OP VALUE with OP "
                                 "one of <= >= != = < > ~ (e.g. status=finished, lr<0.01), "
                                 "got 'status'."),
        (["--sort", "acuracy"], "slim-workbench runs: sort 'acuracy': field must be one of "),
    ],
)  # fmt: skip
def test_bad_queries_exit_2_saying_what_was_wrong(workspace, capsys, args, message):
    assert main(["--workspace", workspace, "runs", *args]) == EXIT_INVALID
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(message)
