"""Every teaching notebook runs top to bottom on CPU, offline, and hides its exercise solutions.

The notebooks check their own results with `assert` cells, so running them is a test of what
they teach, not only of their syntax.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300

pytestmark = pytest.mark.notebook


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_there_is_a_notebook_per_concept():
    numbers = [path.name.split("_")[0] for path in NOTEBOOKS]
    assert numbers == sorted(set(numbers)), f"duplicate or unordered numbers: {numbers}"
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_a_hidden_solution_after_its_exercise(path):
    cells = _read(path).cells
    exercise = [
        i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercise" in c.source
    ]
    solutions = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert exercise, f"{path.name} has no '## Exercise' section"
    assert solutions and solutions[0] > exercise[0], f"{path.name}: no solution after the exercise"
    for i in solutions:
        assert cells[i].metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{path.name}: solution cell {i} is not collapsed"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    notebook = _read(path)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        # Run in a scratch folder so nothing a notebook writes lands in the repository.
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name} failed:\n{error}")
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
