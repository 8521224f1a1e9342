"""The runs table of the Train page: every job of the workspace, sortable, filterable, with a
tick box per run to compare it.

A thin view of `workbench.models.runs.RunsTable`: the table's columns sort in the browser
(click a header), the filter box takes the same filters as `slim-workbench runs --filter`,
and the ticked runs are `selected` (log directories), which the Compare view follows. The
best run of each sweep is starred.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import param

from workbench.models.runs import RunRecord, RunsTable
from workbench.models.runs.columns import COLUMNS, value
from workbench.models.runs.query import split_filters
from workbench.views.panel.safe_text import markdown_message

__all__ = ["RunsView", "runs_frame"]


def runs_frame(runs: list[RunRecord], best: set[str]) -> pd.DataFrame:
    """The runs as the table's data frame, in the runs table's columns
    (`workbench.models.runs.columns`); `best` holds the log directories to star."""
    rows = [[value(c, run, best=run.logdir in best) for c in COLUMNS] for run in runs]
    frame = pd.DataFrame(rows, columns=[column.title for column in COLUMNS])
    return frame.astype(object).where(frame.notna(), None)


class RunsView(pn.viewable.Viewer):
    """The runs table with a filter box; tick runs to compare them."""

    table = param.ClassSelector(class_=RunsTable, doc="The runs shown.")
    selected = param.List(default=[], item_type=str, doc="Log directories of the ticked runs.")

    def __init__(self, **params):
        super().__init__(**params)
        self._logdirs: list[str] = []
        self.filter_box = pn.widgets.TextInput(
            label="Filter runs",
            placeholder="e.g. status=finished lr<0.01 design~lenet",
            sizing_mode="stretch_width",
        )
        self.filter_box.param.watch(self._filter_typed, "value")
        self.problem = pn.pane.Alert("", alert_type="warning", visible=False, margin=(0, 5))
        self.count = pn.pane.Markdown("", margin=(0, 5))
        self.grid = pn.widgets.Tabulator(
            runs_frame([], set()),
            selectable="checkbox",
            show_index=False,
            disabled=True,
            pagination=None,
            height=280,
            sizing_mode="stretch_width",
            formatters={
                c.title: {"type": "money", "precision": c.decimals, "thousand": ","}
                for c in COLUMNS
                if c.decimals is not None
            },
            css_classes=["runs-table"],
        )
        self.grid.param.watch(self._ticked, "selection")
        self.show()

    def _filter_typed(self, event) -> None:
        self.table.filters = split_filters(event.new)
        self.show()

    def refresh(self) -> None:
        """Rereads the workspace's runs (cheap: unchanged ones come from the cache)."""
        self.table.refresh()
        self.show()

    def show(self) -> None:
        """Puts the table's runs on screen, keeping the ticks on the same runs."""
        self.problem.object = markdown_message(self.table.error)
        self.problem.visible = bool(self.table.error)
        runs = self.table.runs
        frame = runs_frame(runs, set(self.table.best_runs().values()))
        logdirs = [run.logdir for run in runs]
        total = len(self.table.all_runs)
        noun = "run" if total == 1 else "runs"
        shown = f"{len(runs)} of {total} {noun}" if len(runs) != total else f"{total} {noun}"
        self.count.object = f"{shown}; tick runs to compare them."
        if logdirs == self._logdirs and frame.equals(self.grid.value):
            return
        self._logdirs = logdirs
        self.grid.value = frame
        self.grid.selection = [logdirs.index(d) for d in self.selected if d in logdirs]

    def tick(self, logdirs: list[str]) -> None:
        """Ticks exactly the runs in `logdirs` (rereading the workspace first, so that runs
        started since are found); the Compare view then overlays them. Runs hidden by the
        filter are ticked too and show when the filter lets them."""
        self.refresh()
        self.selected = list(logdirs)
        self.grid.selection = [self._logdirs.index(d) for d in logdirs if d in self._logdirs]

    def _ticked(self, event) -> None:
        ticked = [self._logdirs[i] for i in event.new if i < len(self._logdirs)]
        # Runs ticked but hidden by a filter stay ticked.
        hidden = [d for d in self.selected if d not in self._logdirs]
        self.selected = hidden + [d for d in ticked if d not in hidden]

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            "### Runs",
            self.filter_box,
            self.problem,
            self.count,
            self.grid,
            sizing_mode="stretch_width",
        )
