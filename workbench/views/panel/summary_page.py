"""Layer summary page: a table of a model's slimlib layer calls, its totals and the text table."""

from __future__ import annotations

import pandas as pd
import panel as pn
import param
from bokeh.models.widgets.tables import NumberFormatter

from workbench.models.layer_summary import LayerSummary

TITLE = "Slim Workbench"
ACCENT = "#2f6f9f"

COLUMNS = ["Layer", "Op", "Input shape", "Output shape", "Params", "FLOPs"]


def _shape_text(shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return "-"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def layer_frame(summary: LayerSummary) -> pd.DataFrame:
    """The summary's rows as a table: nested calls indented, shapes as text.

    Args:
      summary: Result of `workbench.models.layer_summary.summarize`.

    Returns:
      A DataFrame with the columns in `COLUMNS`, one row per layer call.
    """
    records = [
        {
            "Layer": "\u2003" * row["depth"] + (row["scope"] or "-"),
            "Op": row["op"],
            "Input shape": _shape_text(row["input_shape"]),
            "Output shape": _shape_text(row["output_shape"]),
            "Params": row["params"],
            "FLOPs": row["flops"],
        }
        for row in summary.rows
    ]
    return pd.DataFrame.from_records(records, columns=COLUMNS)


class SummaryView(pn.viewable.Viewer):
    """Shows one `LayerSummary`: totals, a layer table and the plain-text summary."""

    summary = param.ClassSelector(class_=LayerSummary, doc="Summary shown by this view.")
    heading = param.String("Layer summary", doc="Heading above the totals.")
    description = param.String("", doc="Markdown shown under the heading.")

    def __panel__(self) -> pn.viewable.Viewable:
        summary = self.summary
        number = {"font_size": "26pt", "title_size": "11pt", "format": "{value:,}"}
        totals = pn.Row(
            pn.indicators.Number(name="Total params", value=summary.total_params, **number),
            pn.indicators.Number(name="Trainable params", value=summary.trainable_params, **number),
            pn.indicators.Number(name="FLOPs (forward)", value=summary.total_flops, **number),
            pn.indicators.Number(name="Layer calls", value=len(summary.rows), **number),
        )
        count = NumberFormatter(format="0,0")
        table = pn.widgets.Tabulator(
            layer_frame(summary),
            show_index=False,
            disabled=True,
            selectable=False,
            sortable=False,
            layout="fit_data_table",
            formatters={"Params": count, "FLOPs": count},
            text_align={"Params": "right", "FLOPs": "right"},
            header_align={"Params": "right", "FLOPs": "right"},
            name="layer-table",
        )
        text = pn.Column(
            pn.pane.Markdown("### Text summary (`trace.summary()`)", margin=(0, 10)),
            pn.pane.Str(summary.text, styles={"font-family": "monospace", "font-size": "12px"}),
        )
        return pn.Column(
            f"## {self.heading}",
            pn.pane.Markdown(self.description),
            totals,
            # Side by side on a laptop screen, stacked when the window is narrower.
            pn.FlexBox(table, text, gap="16px"),
            sizing_mode="stretch_width",
        )


def summary_page(summary: LayerSummary, *, description: str = "") -> pn.template.BaseTemplate:
    """The whole web page for one summary, in the app's template.

    Args:
      summary: What to show.
      description: Markdown shown under the heading, e.g. which model and input this is.

    Returns:
      A `BootstrapTemplate` titled "Slim Workbench"; call `.servable()` on it.
    """
    # Bootstrap rather than Fast: the Fast design pulls its font from fonts.googleapis.com, and
    # the app must work offline and never make a browser contact a third party.
    return pn.template.BootstrapTemplate(
        title=TITLE,
        main=[SummaryView(summary=summary, description=description)],
        header_background=ACCENT,
    )
