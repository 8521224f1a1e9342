"""Fine-tune view: a restore and a train checkbox per scope, the status table and the code.

A thin view over `workbench.models.restore_plan.RestorePlan`: ticking a box calls
`set_restore`/`set_train` on the plan, and every table is re-derived from the plan's own
parameters when they change. `workbench.views.panel.pages.finetune` puts it on the page.
"""

from __future__ import annotations

import pandas as pd
import panel as pn
import param

from workbench.models.restore_plan import RestorePlan

_STATUS_COLOURS = {
    "matched": "#1b7f3b",
    "shape mismatch": "#b3261e",
    "missing": "#a15c00",
}
_SCOPE_COLUMNS = ["Scope", "Variables", "Restore", "Train", "Statuses"]
#: The plan's parameters every part of the view is derived from.
_PLAN_PARAMS = ("matches", "variables_to_restore", "variables_to_train", "traps", "error", "code")


def _status_style(value: object) -> str:
    colour = _STATUS_COLOURS.get(str(value))
    return f"color: {colour}; font-weight: 600" if colour else ""


class FinetuneView(pn.viewable.Viewer):
    """Scope tree with restore/train checkboxes, traps, status table, unused entries, code."""

    plan = param.ClassSelector(class_=RestorePlan, doc="The restore plan being edited.")

    def scope_table(self) -> pn.widgets.Tabulator:
        frame = pd.DataFrame.from_records(self.plan.scope_records())
        paths = list(frame["Path"]) if not frame.empty else []
        frame = frame[_SCOPE_COLUMNS] if not frame.empty else pd.DataFrame(columns=_SCOPE_COLUMNS)
        table = pn.widgets.Tabulator(
            frame,
            show_index=False,
            sortable=False,
            layout="fit_data_table",
            editors={
                "Scope": None,
                "Variables": None,
                "Statuses": None,
                "Restore": {"type": "tickCross"},
                "Train": {"type": "tickCross"},
            },
            formatters={"Restore": {"type": "tickCross"}, "Train": {"type": "tickCross"}},
            label="scope-table",
        )

        table.on_edit(lambda event: self.choose(paths[event.row], event.column, bool(event.value)))
        return table

    def choose(self, path: str, column: str, value: bool) -> None:
        """Applies a ticked or unticked box of the scope table to the plan."""
        if column == "Restore":
            self.plan.set_restore(path, value)
        elif column == "Train":
            self.plan.set_train(path, value)

    def status_table(self) -> pn.widgets.Tabulator:
        table = pn.widgets.Tabulator(
            pd.DataFrame.from_records(self.plan.records()),
            show_index=False,
            disabled=True,
            sortable=False,
            layout="fit_data_table",
            label="status-table",
        )
        table.style.map(_status_style, subset=["Status"])
        return table

    def unused_table(self) -> pn.viewable.Viewable:
        records = self.plan.unused_records()
        if not records:
            return pn.pane.Markdown("*Every checkpoint entry is used.*")
        return pn.widgets.Tabulator(
            pd.DataFrame.from_records(records),
            show_index=False,
            disabled=True,
            layout="fit_data_table",
            label="unused-table",
        )

    def traps(self) -> pn.viewable.Viewable:
        alerts = [pn.pane.Alert(trap.message, alert_type="warning") for trap in self.plan.traps]
        if self.plan.error:
            alerts.insert(0, pn.pane.Alert(self.plan.error, alert_type="danger"))
        return pn.Column(*alerts, sizing_mode="stretch_width")

    def code(self) -> pn.viewable.Viewable:
        code = self.plan.code or "# Build a model to see the restore code."
        # Long checkpoint paths scroll inside the pane instead of widening the page.
        return pn.pane.Markdown(
            f"```python\n{code}\n```",
            name="restore-code",
            sizing_mode="stretch_width",
            styles={"overflow-x": "auto"},
        )

    def __panel__(self) -> pn.viewable.Viewable:
        frozen_bn = pn.widgets.Checkbox.from_param(
            self.plan.param.update_frozen_batch_norm,
            label="Keep updating batch-norm statistics in frozen scopes",
        )
        plan = [self.plan.param[name] for name in _PLAN_PARAMS]
        return pn.Column(
            pn.bind(lambda *_: self.traps(), *plan),
            pn.Row(
                pn.Column(
                    "#### Scopes: restore from the checkpoint? train or freeze?",
                    pn.bind(lambda *_: self.scope_table(), *plan),
                    frozen_bn,
                ),
                pn.Column(
                    "#### Generated code",
                    pn.bind(lambda *_: self.code(), *plan),
                    sizing_mode="stretch_width",
                ),
                sizing_mode="stretch_width",
            ),
            pn.Tabs(
                ("Variables vs. checkpoint", pn.bind(lambda *_: self.status_table(), *plan)),
                ("Unused checkpoint entries", pn.bind(lambda *_: self.unused_table(), *plan)),
                dynamic=True,
            ),
            sizing_mode="stretch_width",
        )
