"""The runs of a workspace: every training job as a comparable row, and their curves.

- `record`: `RunRecord` and `read_run` (one job folder to one row, damage included).
- `table`: `RunsTable` (cached, sorted, filtered), `load_runs` and `best_run_of_sweep`.
- `query`: `sort_runs`, `filter_runs`, `parse_filter` and their `QueryError`.
- `curves`: `RunCurves` and `CompareModel`: several runs' metric curves, live and smoothed.
- `config_diff`: the differences between two runs' configs and designs.
- `columns`: the columns of the runs table, shared by the Train page, the notebook and the CLI.

Nothing here imports TensorFlow.
"""

from workbench.models.runs.query import QueryError, filter_runs, parse_filter, sort_runs
from workbench.models.runs.record import FIELDS, RunRecord, read_run
from workbench.models.runs.table import RunsTable, best_run_of_sweep, load_runs

__all__ = [
    "FIELDS",
    "QueryError",
    "RunRecord",
    "RunsTable",
    "best_run_of_sweep",
    "filter_runs",
    "load_runs",
    "parse_filter",
    "read_run",
    "sort_runs",
]
