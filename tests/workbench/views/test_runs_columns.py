"""The runs table's columns are one list: `slim-workbench runs`, the notebook widget and the
Train page show the same columns, in the same order, with the same values."""

from __future__ import annotations

import html
import re

import pytest

from tests.workbench.models.runs.run_folders import T0, make_run
from workbench.cli.runs import runs_table
from workbench.models.runs import FIELDS, RunsTable
from workbench.models.runs.columns import BEST, COLUMNS
from workbench.views.jupyter.runs_table import RunsTableWidget, run_rows
from workbench.views.panel.runs_view import RunsView, runs_frame

TITLES = [column.title for column in COLUMNS]
#: What each surface shows of the sweep's best run `jobs/b` (the CLI marks it `*`).
GOLDEN_B = {
    "best": "★", "run": "jobs/b", "sweep": "s1", "status": "finished", "lr": "0.01",
    "val acc": "0.9000", "best val acc": "0.9500", "optimizer": "adam", "batch": "64",
    "weight decay": "4e-05", "steps": "1000", "schedule": "exponential(decay 0.5 every 500)",
    "design": "lenet", "dataset": "digits", "fine-tune": "", "step": "1000",
    "duration (s)": "1,234.5", "examples/s": "800", "problem": "",
}  # fmt: skip


@pytest.fixture
def workspace(tmp_path) -> str:
    root = str(tmp_path)
    make_run(root, "jobs/a", learning_rate=0.1, accuracy=0.8, sweep="s1", started=T0)
    make_run(root, "jobs/b", learning_rate=0.01, accuracy=0.9, history=(0.95,), sweep="s1",
             started=T0 + 10, optimizer="adam", weight_decay=4e-5, batch_size=64, steps=1000,
             schedule={"kind": "exponential", "decay_steps": 500, "decay_rate": 0.5},
             duration=1234.5)  # fmt: skip
    return root


def test_every_column_shows_a_field_of_a_run_once():
    assert all(column.field in FIELDS or column.field == BEST for column in COLUMNS)
    assert len(set(TITLES)) == len(TITLES) and len({c.field for c in COLUMNS}) == len(COLUMNS)


def _cli_cells(text: str) -> list[dict[str, str]]:
    """The plain-text table's rows as {title: cell}, cut where its rule's dashes run."""
    lines = text.splitlines()
    spans = [match.span() for match in re.finditer(r"-+", lines[1])]
    cut = lambda line: [line[a:b].strip() for a, b in spans]  # noqa: E731
    return [dict(zip(cut(lines[0]), cut(line))) for line in lines[2:]]


def _notebook_cells(widget: RunsTableWidget) -> tuple[list[str], list[dict[str, str]]]:
    page = widget.grid.value
    heads = [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page)]
    body = page.split("</tr>")[1:-1]
    rows = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in body]
    return heads, [dict(zip(heads, row)) for row in rows]


def test_the_cli_the_notebook_and_the_train_page_show_the_same_columns(workspace):
    table = RunsTable(workspace=workspace)
    best = set(table.best_runs().values())
    cli = _cli_cells(runs_table(table.runs, best))
    heads, notebook = _notebook_cells(RunsTableWidget(workspace))
    page = RunsView(table=table)
    frame = page.grid.value
    assert list(cli[0]) == TITLES
    assert heads == TITLES
    assert list(frame.columns) == TITLES
    assert list(runs_frame(table.runs, best).columns) == TITLES

    # Newest first: jobs/b, then jobs/a; every surface shows the same text.
    assert notebook[0] == GOLDEN_B
    assert cli[0] == {**GOLDEN_B, "best": "*", "fine-tune": "-", "problem": "-"}
    assert run_rows(table.runs, best)[0] == GOLDEN_B
    row = frame.iloc[0].to_dict()
    assert row["duration (s)"] == 1234.5 and row["val acc"] == 0.9 and row["best"] == "★"
    assert (row["run"], row["lr"], row["design"], row["fine-tune"]) == (
        "jobs/b",
        0.01,
        "lenet",
        None,
    )
    # The Train page rounds the measured numbers as the text tables do.
    formatters = page.grid.formatters
    assert {t: f["precision"] for t, f in formatters.items()} == {
        "val acc": 4, "best val acc": 4, "duration (s)": 1, "examples/s": 0,
    }  # fmt: skip
    assert notebook[1]["best"] == "" and cli[1]["best"] == "" and notebook[1]["run"] == "jobs/a"


def test_a_saved_design_shows_its_version_in_every_table(workspace, tmp_path):
    table = RunsTable(workspace=workspace)
    run = table.runs[0]
    run.design, run.design_version = "mynet", 3
    assert run_rows([run], set())[0]["design"] == "mynet v3"
    assert _cli_cells(runs_table([run], set()))[0]["design"] == "mynet v3"
    assert runs_frame([run], set()).iloc[0]["design"] == "mynet v3"
