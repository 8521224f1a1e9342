"""The runs table and Compare together, as the Train page shows them below its job."""

from __future__ import annotations

import panel as pn
import param

from workbench.models.runs import RunsTable
from workbench.views.panel.compare_view import CompareView
from workbench.views.panel.runs_view import RunsView

__all__ = ["ExperimentsView"]

#: Polls between two rereads of the runs table (reading the compared curves is every poll).
TABLE_EVERY_N_POLLS = 5


class ExperimentsView(pn.viewable.Viewer):
    """Every run of the workspace; the ticked ones compared.

    Args:
      workspace: The workspace root.
    """

    workspace = param.String(default="", doc="The workspace root.")

    def __init__(self, **params):
        super().__init__(**params)
        self.table = RunsTable(workspace=self.workspace)
        self.runs = RunsView(table=self.table)
        self.compare = CompareView(table=self.table)
        self.runs.param.watch(lambda e: self.compare.compare(e.new), "selected")
        self._polls = 0

    def poll(self, force: bool = False) -> None:
        """Follows the compared runs; rereads the table every few polls (or when forced)."""
        self._polls += 1
        if force or self._polls % TABLE_EVERY_N_POLLS == 0:
            self.runs.refresh()
        self.compare.poll()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.runs, self.compare, sizing_mode="stretch_width")
