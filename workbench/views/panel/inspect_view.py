"""Inspect page: a model's diagram, its layer table with argument provenance, and collections.

A thin view over `workbench.models.inspect.InspectModel`: every widget is derived from the
model's parameters and is rebuilt when they change.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import param
from bokeh.models.widgets.tables import NumberFormatter

from workbench.models.inspect import InspectModel
from workbench.views.panel.diagram_viewer import DiagramViewer
from workbench.views.panel.safe_text import markdown_code, markdown_text

_COUNT = NumberFormatter(format="0,0")
_NUMBER_STYLE = {"font_size": "22pt", "title_size": "10pt", "format": "{value:,}"}


_ARGUMENTS = "Arguments set"
_ARGUMENTS_WIDTH = 480


def _table(records: list[dict], name: str, **options) -> pn.widgets.Tabulator:
    numeric = [c for c in ("Params", "FLOPs") if records and c in records[0]]
    options.setdefault("layout", "fit_data_table")
    formatters = {c: _COUNT for c in numeric} | options.pop("formatters", {})
    return pn.widgets.Tabulator(
        pd.DataFrame.from_records(records),
        show_index=False,
        disabled=True,
        sortable=False,
        formatters=formatters,
        text_align={c: "right" for c in numeric},
        label=name,
        **options,
    )


class InspectView(pn.viewable.Viewer):
    """Totals, diagram, layer table (select a row for its arguments) and collections."""

    model = param.ClassSelector(class_=InspectModel, doc="The model being inspected.")
    selected_layer = param.Integer(default=0, bounds=(0, None), doc="Row shown in the arguments.")

    def _totals(self) -> pn.viewable.Viewable:
        totals = self.model.totals
        if not totals:
            return pn.pane.Markdown("")
        return pn.Row(
            pn.indicators.Number(label="Total params", value=totals["params"], **_NUMBER_STYLE),
            pn.indicators.Number(
                label="Trainable params", value=totals["trainable_params"], **_NUMBER_STYLE
            ),
            pn.indicators.Number(label="FLOPs per example", value=totals["flops"], **_NUMBER_STYLE),
            pn.indicators.Number(label="Layer calls", value=totals["layers"], **_NUMBER_STYLE),
        )

    def _diagram(self) -> pn.viewable.Viewable:
        """The diagram viewer, made once so its zoom and position outlive a fold or rebuild;
        a warning instead when the SVG could not be drawn."""
        model = self.model
        # The SVG comes from Graphviz run on names the model created, never on raw user text.
        viewer = DiagramViewer(model, name="diagram", visible=bool(model.svg))
        model.param.watch(lambda e: setattr(viewer, "visible", bool(e.new)), "svg")
        return pn.Column(
            pn.pane.Alert(
                pn.bind(markdown_text, model.param.svg_error),
                alert_type="warning",
                visible=pn.bind(bool, model.param.svg_error),
            ),
            pn.pane.Markdown(
                "*No layers traced yet.*",
                visible=pn.bind(
                    lambda s, e: not s and not e, model.param.svg, model.param.svg_error
                ),
            ),
            viewer,
            sizing_mode="stretch_width",
        )

    def _arguments(self) -> pn.viewable.Viewable:
        table = self.model.table
        if table is None or not table.rows:
            return pn.pane.Markdown("")
        index = min(self.selected_layer, len(table.rows) - 1)
        row = table.rows[index]
        records = [r for r in table.argument_records(index) if r["Argument"] != "inputs"]
        return pn.Column(
            pn.pane.Markdown(
                f"#### Arguments of {markdown_code(row.scope)} ({markdown_text(row.op)})\n"
                "*call*: passed by the call; *arg_scope*: a default of the arg_scope named in "
                "*Set at* (a block of the design, or the file and line that opened it); "
                "*default*: the function's default."
            ),
            _table(records, "argument-table"),
        )

    def _layers(self) -> pn.viewable.Viewable:
        table = self.model.table
        if table is None:
            return pn.pane.Markdown("*No layers traced yet.*")
        # The table keeps to the page's width: the long "Arguments set" wraps in a column of
        # at most _ARGUMENTS_WIDTH, and what still does not fit scrolls inside the table.
        layers = _table(
            table.records(),
            "layer-table",
            selectable=1,
            selection=[self.selected_layer],
            sizing_mode="stretch_width",
            layout="fit_data_stretch",
            formatters={_ARGUMENTS: {"type": "textarea"}},
            configuration={
                "columns": [{"field": _ARGUMENTS, "minWidth": 160, "maxWidth": _ARGUMENTS_WIDTH}]
            },
        )

        def select(event) -> None:
            if event.new:
                self.selected_layer = event.new[0]

        layers.param.watch(select, "selection")
        return pn.Column(layers, self._arguments, sizing_mode="stretch_width")

    def _collections(self) -> pn.viewable.Viewable:
        tabs = [
            (f"{listing.label} ({listing.count})", _table(listing.records(), listing.key))
            if listing.count
            else (f"{listing.label} (0)", pn.pane.Markdown("*Empty.*"))
            for listing in self.model.collections
        ]
        return pn.Tabs(*tabs, dynamic=True, sizing_mode="stretch_width")

    def __panel__(self) -> pn.viewable.Viewable:
        model = self.model
        error = pn.pane.Alert(
            pn.bind(markdown_text, model.param.error),
            alert_type="danger",
            visible=pn.bind(bool, model.param.error),
        )
        watched = [model.param.table, model.param.svg, model.param.collections]
        return pn.Column(
            error,
            pn.bind(lambda *_: self._totals(), *watched),
            pn.Tabs(
                ("Diagram", self._diagram()),
                ("Layers", pn.bind(lambda *_: self._layers(), *watched, self.param.selected_layer)),
                ("Collections", pn.bind(lambda *_: self._collections(), *watched)),
                dynamic=True,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
