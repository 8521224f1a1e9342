"""`RunsTable`: every job of a workspace as a `RunRecord`, sorted and filtered, kept fresh.

Opening the table reads a handful of small files per job; reopening it reads only the jobs
whose files changed since (each row is cached under the size and modification time of the
files it was read from), so a workspace of hundreds of runs opens in a fraction of a second.
A row of a starting or running job is read again on every refresh: its process may have
died without a file changing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import param

from workbench.models.jobs.control import job_folders
from workbench.models.jobs.paths import (
    EVAL_FILE,
    EVAL_HISTORY_FILE,
    JOB_FILE,
    METRICS_FILE,
    STATUS_FILE,
)
from workbench.models.jobs.status_file import ACTIVE_STATES
from workbench.models.runs.design_versions import DesignVersions
from workbench.models.runs.query import filter_runs, parse_filter, sort_runs
from workbench.models.runs.record import RunRecord, read_run

__all__ = ["RunsTable", "best_run_of_sweep", "load_runs"]

_WATCHED = (JOB_FILE, STATUS_FILE, EVAL_FILE, EVAL_HISTORY_FILE, METRICS_FILE)
Signature = tuple[tuple[int, int], ...]


def _signature(logdir: str) -> Signature:
    """(mtime_ns, size) of each file a row is read from; (0, -1) for a missing one."""
    out = []
    for name in _WATCHED:
        try:
            info = os.stat(os.path.join(logdir, name))
            out.append((info.st_mtime_ns, info.st_size))
        except OSError:
            out.append((0, -1))
    return tuple(out)


class RunCache:
    """Rows of a workspace's jobs, read again only when their files change."""

    def __init__(self, workspace: str):
        self.workspace = os.path.realpath(workspace)
        self.designs = DesignVersions(self.workspace)
        self._rows: dict[str, tuple[Signature, RunRecord]] = {}
        self.reads = 0  # Rows read from disk (not from the cache) so far.

    def runs(self) -> list[RunRecord]:
        """Every job of the workspace, newest first."""
        if not os.path.isdir(self.workspace):
            return []
        folders = job_folders(self.workspace)
        self.designs.refresh()
        rows = []
        for logdir in folders:
            signature = _signature(logdir)
            cached = self._rows.get(logdir)
            if cached and cached[0] == signature and cached[1].status not in ACTIVE_STATES:
                rows.append(cached[1])
                continue
            row = read_run(logdir, self.workspace, self.designs)
            self.reads += 1
            self._rows[logdir] = (signature, row)
            rows.append(row)
        for gone in set(self._rows) - set(folders):
            del self._rows[gone]
        return sorted(rows, key=lambda r: (r.created_at, r.run), reverse=True)


def load_runs(
    workspace: str, *, sort: str | None = None, filters: Sequence[str] = ()
) -> list[RunRecord]:
    """The workspace's runs, filtered (see `workbench.models.runs.query`) and sorted.

    Args:
      workspace: The workspace root.
      sort: A field to sort by, `-field` for descending; default newest first.
      filters: Filters every run must pass, e.g. `["status=finished", "lr<0.01"]`.

    Raises:
      QueryError: For a sort key or filter that cannot be used (checked before reading).
    """
    parsed = [parse_filter(text) for text in filters]
    if sort:
        sort_runs([], sort)  # Checks the key before the workspace is read.
    runs = filter_runs(RunCache(workspace).runs(), parsed)
    return sort_runs(runs, sort) if sort else runs


def best_run_of_sweep(runs: Sequence[RunRecord], sweep: str) -> RunRecord | None:
    """The run of sweep `sweep` with the best final validation accuracy.

    Only finished runs count (a resumed run still holds its earlier `eval.json` while it
    trains again); of equal accuracies the lower validation loss wins, then the earlier run,
    as the sweep's own status judges (`workbench.models.sweeps`). None when no run of the
    sweep has finished with a validation accuracy yet.

    Example:
      >>> runs = [RunRecord("a", "/a", "a", "s1", "finished", val_accuracy=0.9),
      ...         RunRecord("b", "/b", "b", "s1", "finished", val_accuracy=0.95),
      ...         RunRecord("c", "/c", "c", "s2", "finished", val_accuracy=0.99)]
      >>> best_run_of_sweep(runs, "s1").run
      'b'
    """
    scored = [
        r
        for r in runs
        if r.sweep == str(sweep) and r.status == "finished" and r.val_accuracy is not None
    ]
    if not scored:
        return None
    inf = float("inf")
    return min(
        scored,
        key=lambda r: (
            -r.val_accuracy,
            r.val_loss if r.val_loss is not None else inf,
            r.created_at,
        ),
    )


class RunsTable(param.Parameterized):
    """The runs of a workspace as a table the views show: sorted, filtered, refreshable.

    `refresh()` rereads the workspace (cheaply: see `RunCache`) and updates `runs`; a bad
    sort key or filter leaves `runs` as it was and says why in `error`.
    """

    workspace = param.String(default="", doc="The workspace root.")
    sort = param.String(default="", doc="Field to sort by, '-field' descending; '' newest first.")
    filters = param.List(default=[], item_type=str, doc="Filters, e.g. 'lr<0.01' (all must pass).")
    runs = param.List(default=[], doc="The `RunRecord`s shown, after filters and sort.")
    all_runs = param.List(default=[], doc="Every `RunRecord` of the workspace, newest first.")
    error = param.String(default="", doc="Why the sort or a filter could not be used.")

    def __init__(self, **params):
        super().__init__(**params)
        self._cache = RunCache(self.workspace)
        self.refresh()

    @param.depends("sort", "filters", watch=True)
    def _query_changed(self) -> None:
        self._apply()

    def refresh(self) -> None:
        """Rereads the workspace's jobs (only those that changed) and applies the query."""
        if self._cache.workspace != os.path.realpath(self.workspace):
            self._cache = RunCache(self.workspace)
        self.all_runs = self._cache.runs()
        self._apply()

    def _apply(self) -> None:
        try:
            runs = filter_runs(self.all_runs, self.filters)
            runs = sort_runs(runs, self.sort) if self.sort else runs
        except ValueError as err:
            self.error = str(err)
            return
        self.error = ""
        self.runs = runs

    def best_of_sweep(self, sweep: str) -> RunRecord | None:
        """The best run of `sweep` among all the workspace's runs (see `best_run_of_sweep`)."""
        return best_run_of_sweep(self.all_runs, sweep)

    def best_runs(self) -> dict[str, str]:
        """`{sweep id: logdir of its best run}` for every sweep with a validated run."""
        sweeps = {r.sweep for r in self.all_runs if r.sweep is not None}
        best = {s: best_run_of_sweep(self.all_runs, s) for s in sweeps}
        return {s: r.logdir for s, r in best.items() if r is not None}

    def get(self, logdir: str) -> RunRecord | None:
        """The run whose log directory is `logdir`, if it is in the workspace."""
        return next((r for r in self.all_runs if r.logdir == logdir), None)
