"""The arg_scope explorer: pick a layer, see each effective argument and where it came from."""

from __future__ import annotations

import html

import ipywidgets as widgets

from workbench.models.inspect import InspectModel
from workbench.views.jupyter.html_table import html_table, source_style

LEGEND = (
    "<span style='color:#1f5f99'><b>call</b></span>: passed by the call &nbsp; "
    "<span style='color:#1b7f3b'><b>arg_scope</b></span>: set by the scope opened at the line "
    "shown &nbsp; <span style='color:#777'><b>default</b></span>: the function's default"
)


class ArgScopeExplorer(widgets.VBox):
    """A layer picker and the chosen layer's arguments, coloured by their source.

    Follows `model`: rebuilding it (new `model_fn` or `input_shape`) refreshes the layers.
    `show_defaults` hides or shows the arguments left at their defaults.
    """

    def __init__(self, model: InspectModel, show_defaults: bool = True):
        self.model = model
        self.layer = widgets.Dropdown(description="Layer", layout=widgets.Layout(width="420px"))
        self.show_defaults = widgets.Checkbox(value=show_defaults, description="Show defaults")
        self.arguments = widgets.HTML()
        self.error = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.layer, self.show_defaults]),
                widgets.HTML(LEGEND),
                self.arguments,
                self.error,
            ]
        )
        self.layer.observe(lambda _: self._show(), "value")
        self.show_defaults.observe(lambda _: self._show(), "value")
        model.param.watch(lambda *_: self._load(), ["table", "error"])
        self._load()

    def _load(self) -> None:
        table = self.model.table
        rows = table.rows if table is not None else []
        self.layer.options = [
            ("\u2003" * row.depth + f"{row.scope} ({row.op})", index)
            for index, row in enumerate(rows)
        ]
        self.layer.value = 0 if rows else None
        self.error.value = (
            f"<b style='color:#b3261e'>{html.escape(self.model.error)}</b>"
            if self.model.error
            else ""
        )
        self._show()

    def _show(self) -> None:
        if self.layer.value is None or self.model.table is None:
            self.arguments.value = "<i>No layers traced.</i>"
            return
        records = [
            record
            for record in self.model.table.argument_records(self.layer.value)
            if record["Argument"] != "inputs"
            and (self.show_defaults.value or record["Source"] != "default")
        ]
        self.arguments.value = html_table(
            records, ["Argument", "Value", "Source", "Set at"], source_style
        )
