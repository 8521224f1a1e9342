"""Restore picker: a restore and a train checkbox per scope, the status table and the code."""

from __future__ import annotations

import html

import ipywidgets as widgets

from workbench.models.restore_plan import RestorePlan
from workbench.views.jupyter.html_table import html_table

_STATUS_COLOURS = {"matched": "#1b7f3b", "shape mismatch": "#b3261e", "missing": "#a15c00"}


def _status_style(column: str, value: object) -> str:
    colour = _STATUS_COLOURS.get(str(value)) if column == "Status" else None
    return f"color: {colour}; font-weight: 600" if colour else ""


class RestorePicker(widgets.VBox):
    """Checkboxes per scope bound to a `RestorePlan`, and what the plan derives from them.

    Ticking a box calls `plan.set_restore` / `plan.set_train`; a change made to the plan in
    code (e.g. `plan.toggle_restore("logits")`) shows up in the boxes.
    """

    def __init__(self, plan: RestorePlan):
        self.plan = plan
        self.restore_boxes: dict[str, widgets.Checkbox] = {}
        self.train_boxes: dict[str, widgets.Checkbox] = {}
        self.scopes = widgets.VBox()
        self.traps = widgets.HTML()
        self.status = widgets.HTML()
        self.code = widgets.HTML()
        super().__init__(
            [
                self.traps,
                widgets.HTML("<b>Scope</b>: restore from the checkpoint, train (or freeze)"),
                self.scopes,
                widgets.Accordion(
                    [self.status, self.code], titles=("Variables vs. checkpoint", "Code")
                ),
            ]
        )
        plan.param.watch(
            lambda *_: self._load(),
            ["tree", "restore_choices", "train_choices", "matches", "traps", "code", "error"],
        )
        self._load()

    def _box(self, path: str, value: bool, setter) -> widgets.Checkbox:
        box = widgets.Checkbox(value=bool(value), indent=False, layout={"width": "90px"})
        box.observe(lambda change: setter(path, change["new"]), "value")
        return box

    def _load(self) -> None:
        rows = []
        self.restore_boxes, self.train_boxes = {}, {}
        for record in self.plan.scope_records():
            path = record["Path"]
            restore = self._box(path, record["Restore"], self.plan.set_restore)
            train = self._box(path, record["Train"], self.plan.set_train)
            restore.description, train.description = "restore", "train"
            self.restore_boxes[path], self.train_boxes[path] = restore, train
            label = widgets.HTML(
                f"<code>{html.escape(record['Scope'])}</code> "
                f"<small>{html.escape(record['Statuses'])}</small>",
                layout={"width": "320px"},
            )
            rows.append(widgets.HBox([label, restore, train]))
        self.scopes.children = rows
        warnings = [f"&#9888; {html.escape(t.message)}" for t in self.plan.traps]
        if self.plan.error:
            warnings.insert(0, f"<b style='color:#b3261e'>{html.escape(self.plan.error)}</b>")
        self.traps.value = "<br>".join(warnings)
        self.status.value = html_table(self.plan.records(), cell_style=_status_style)
        self.code.value = f"<pre>{html.escape(self.plan.code)}</pre>"
