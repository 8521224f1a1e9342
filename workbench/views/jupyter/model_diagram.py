"""The model diagram (Graphviz SVG) next to the layer table and totals."""

from __future__ import annotations

import html

import ipywidgets as widgets

from workbench.models.inspect import InspectModel
from workbench.views.jupyter.html_table import html_table


class ModelDiagram(widgets.VBox):
    """Totals, the layer table and the diagram of an `InspectModel`, kept in sync with it."""

    def __init__(self, model: InspectModel):
        self.model = model
        self.totals = widgets.HTML()
        # ipywidgets' Layout has no flexbox `gap`: a right margin keeps table and diagram apart.
        self.table = widgets.HTML(layout=widgets.Layout(margin="0 16px 0 0"))
        self.diagram = widgets.HTML(layout=widgets.Layout(overflow="auto", max_height="600px"))
        super().__init__([self.totals, widgets.HBox([self.table, self.diagram])])
        model.param.watch(lambda *_: self._load(), ["table", "svg", "svg_error", "error"])
        self._load()

    def _load(self) -> None:
        model = self.model
        if model.error:
            self.totals.value = f"<b style='color:#b3261e'>{html.escape(model.error)}</b>"
        elif model.totals:
            t = model.totals
            self.totals.value = (
                f"<b>{t['params']:,}</b> parameters ({t['trainable_params']:,} trainable), "
                f"<b>{t['flops']:,}</b> FLOPs per example, {t['layers']} layer calls"
            )
        else:
            self.totals.value = ""
        records = model.table.records() if model.table is not None else []
        columns = ["Layer", "Op", "Output shape", "Params", "FLOPs"]
        self.table.value = html_table(records, columns) if records else "<i>No layers.</i>"
        self.diagram.value = model.svg or (
            f"<i>{html.escape(model.svg_error)}</i>" if model.svg_error else ""
        )
