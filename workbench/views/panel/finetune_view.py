"""Fine-tune view: per scope a restore and a train box and a learning-rate factor, choices
applied to the scopes a pattern matches, the trainable parameters, the tables and the code.

A thin view over `workbench.models.restore_plan.RestorePlan`: clicking a box calls
`toggle_restore`/`toggle_train` on the plan, and every table is re-derived from the plan's own
parameters when they change. `workbench.views.panel.pages.finetune` puts it on the page.
"""

from __future__ import annotations

import re

import pandas as pd
import panel as pn
import param

from workbench.models.own_batch_norms import NET_TITLE
from workbench.models.restore_plan import RestorePlan
from workbench.views.panel.code_view import code_pane
from workbench.views.panel.safe_text import markdown_message

_STATUS_COLOURS = {
    "matched": "#1b7f3b",
    "shape mismatch": "#b3261e",
    "missing": "#a15c00",
}
_SCOPE_COLUMNS = ["Scope", "Variables", "Restore", "Train", "LR x", "Statuses"]
#: The plan's parameters every part of the view is derived from.
_PLAN_PARAMS = (
    "matches",
    "variables_to_restore",
    "variables_to_train",
    "multipliers",
    "traps",
    "error",
    "code",
)
#: The pattern action that sets a factor: the only one the factor field is shown for.
MULTIPLIER_ACTION = "Learning-rate multiplier"
#: What "Apply to matching scopes" can set: `(label, plan.apply_pattern keyword, value)`;
#: the multiplier's value comes from its own input.
PATTERN_ACTIONS = {
    "Restore": ("restore", True),
    "Don't restore": ("restore", False),
    "Train": ("train", True),
    "Freeze": ("train", False),
    MULTIPLIER_ACTION: ("multiplier", None),
}


#: The pattern's placeholder before the design has scopes.
NO_SCOPES_EXAMPLE = "a scope path, as in the table below"


def pattern_example(paths: list[str]) -> str:
    """A pattern for the design's own scopes, as placeholder: the last scope one level under
    the net's, its trailing number (and what follows it) widened to `.*`, so that it matches
    its siblings (`LeNet/fc4` -> `LeNet/fc.*`); `NO_SCOPES_EXAMPLE` without scopes."""
    nested = [path for path in paths if "/" in path.strip("/")]
    if not nested:
        return f"{paths[-1]}.*" if paths else NO_SCOPES_EXAMPLE
    path = min(nested, key=lambda p: (p.count("/"), -nested.index(p)))
    widened = re.sub(r"\d+\w*$", ".*", path)
    return widened if widened != path else f"{path}.*"


def _status_style(value: object) -> str:
    colour = _STATUS_COLOURS.get(str(value))
    return f"color: {colour}; font-weight: 600" if colour else ""


#: The generated code's narrowest: below it, the code moves under the scopes.
_CODE_MIN_WIDTH = 360


class FinetuneView(pn.viewable.Viewer):
    """Scope tree with restore/train checkboxes, traps, status table, unused entries, code."""

    plan = param.ClassSelector(class_=RestorePlan, doc="The restore plan being edited.")

    def __init__(self, **params):
        super().__init__(**params)
        self.pattern = pn.widgets.TextInput(
            label="Scopes matching (regular expression, whole path)",
            width=300,
        )
        self.action = pn.widgets.Select(label="Set", options=list(PATTERN_ACTIONS), width=200)
        # Only the multiplier action uses it: beside Freeze it said nothing.
        self.factor = pn.widgets.FloatInput(
            label="Multiplier", value=10.0, start=0.0, step=0.5, width=110
        )
        self.action.param.watch(lambda _: self._show_factor(), "value")
        self._show_factor()
        self.plan.param.watch(lambda _: self._show_example(), "matches")
        self._show_example()
        self.apply_button = pn.widgets.Button(label="Apply to matching scopes", align="end")
        self.apply_button.on_click(lambda _: self.apply_pattern())
        self.pattern_message = pn.pane.Markdown("", name="pattern-message")
        # Settling a freeze a job would refuse (`plan.refused_freezes`), and its undo.
        self.freeze_own_button = pn.widgets.Button(
            label=f"Freeze all of {NET_TITLE}'s own batch norms", color="primary"
        )
        self.unfreeze_own_button = pn.widgets.Button(
            label=f"Unfreeze {NET_TITLE}'s own batch norms", color="default"
        )
        self.undo_own_button = pn.widgets.Button(label="Undo", color="light")
        self.freeze_own_button.on_click(lambda _: self.settle_own_batch_norms(True))
        self.unfreeze_own_button.on_click(lambda _: self.settle_own_batch_norms(False))
        self.undo_own_button.on_click(lambda _: self.undo_settle())
        self._before_settle: dict | None = None  # train_choices before the last fix.
        self._settling = False
        self.plan.param.watch(self._show_own_buttons, ["refused_freezes", "train_choices"])
        self._show_own_buttons()

    def _show_factor(self) -> None:
        self.factor.visible = self.action.value == MULTIPLIER_ACTION

    def _show_example(self) -> None:
        paths = [record["Path"] for record in self.plan.scope_records()]
        # The tree's leaves are variables: an example names the scopes that hold them.
        scopes = [p for p in paths if any(q.startswith(p + "/") for q in paths)]
        self.pattern.placeholder = pattern_example(scopes)

    def settle_own_batch_norms(self, freeze: bool) -> list[str]:
        """Freezes all of a net's own batch norms (True) or unfreezes them (False) where the
        frozen batch norms hold some but not all; Undo brings the choices back."""
        before = dict(self.plan.train_choices)
        self._settling = True
        try:
            changed = self.plan.freeze_own_batch_norms(freeze)
        finally:
            self._settling = False
        if changed:
            self._before_settle = before
            self._show_own_buttons()
        return changed

    def undo_settle(self) -> None:
        """Brings back the train choices from before the last fix of a refused freeze."""
        if self._before_settle is not None:
            before, self._before_settle = self._before_settle, None
            self.plan.train_choices = before

    def _show_own_buttons(self, *events) -> None:
        if not self._settling and any(e.name == "train_choices" for e in events):
            self._before_settle = None  # Undo would now take back more than the fix.
        refused = bool(self.plan.refused_freezes)
        self.freeze_own_button.visible = refused
        self.unfreeze_own_button.visible = refused
        self.undo_own_button.visible = self._before_settle is not None

    def apply_pattern(self) -> None:
        """Sets the chosen action on every scope the pattern matches; says what it did."""
        keyword, value = PATTERN_ACTIONS[self.action.value]
        if keyword == "multiplier":
            value = self.factor.value
        try:
            scopes = self.plan.apply_pattern(self.pattern.value, **{keyword: value})
        except (TypeError, ValueError) as err:
            self.pattern_message.object = f"**Not applied:** {markdown_message(err)}"
            return
        self.pattern_message.object = (
            f"{self.action.value} set on {len(scopes)} scope{'s' * (len(scopes) != 1)}."
        )

    def scope_table(self) -> pn.widgets.Tabulator:
        frame = pd.DataFrame.from_records(self.plan.scope_records())
        paths = list(frame["Path"]) if not frame.empty else []
        frame = frame[_SCOPE_COLUMNS] if not frame.empty else pd.DataFrame(columns=_SCOPE_COLUMNS)
        table = pn.widgets.Tabulator(
            frame,
            show_index=False,
            sortable=False,
            layout="fit_data_table",
            # Restore and Train flip on a single click (`on_click`), not through an editor
            # that a first click only opens; the factor is typed in.
            editors={
                "Scope": None,
                "Variables": None,
                "Statuses": None,
                "Restore": None,
                "Train": None,
                "LR x": {"type": "number", "min": 0, "step": 0.1},
            },
            formatters={"Restore": {"type": "tickCross"}, "Train": {"type": "tickCross"}},
            label="scope-table",
        )
        table.on_click(lambda event: self.flip(paths[event.row], event.column))
        table.on_edit(lambda event: self.set_factor(paths[event.row], event.value))
        return table

    def flip(self, path: str, column: str) -> None:
        """A click on a Restore or Train cell flips that choice for the scope."""
        if column == "Restore":
            self.plan.toggle_restore(path)
        elif column == "Train":
            self.plan.toggle_train(path)

    def choose(self, path: str, column: str, value: bool) -> None:
        """Sets a scope's Restore or Train choice."""
        if column == "Restore":
            self.plan.set_restore(path, value)
        elif column == "Train":
            self.plan.set_train(path, value)

    def set_factor(self, path: str, value: object) -> None:
        """A typed learning-rate factor; a bad one is reported and the table redrawn."""
        try:
            self.plan.set_multiplier(path, float(value))
        except (TypeError, ValueError) as err:
            self.pattern_message.object = f"**Not set:** {markdown_message(err)}"
            self.plan.param.trigger("multipliers")  # Shows the factor that still holds.
            return
        self.pattern_message.object = ""

    def trainable_count(self) -> pn.viewable.Viewable:
        plan = self.plan
        share = plan.trainable_parameters / plan.total_parameters if plan.total_parameters else 0
        return pn.pane.Markdown(
            f"**Trainable parameters: {plan.trainable_parameters:,}** of "
            f"{plan.total_parameters:,} ({share:.1%})",
            name="trainable-count",
        )

    def status_table(self) -> pn.widgets.Tabulator:
        table = pn.widgets.Tabulator(
            pd.DataFrame.from_records(self.plan.records()),
            show_index=False,
            disabled=True,
            sortable=False,
            layout="fit_data_table",
            label="status-table",
            # As wide as the page, its long names scrolled inside it (at 1024 px the table
            # was wider than the page and cut off).
            sizing_mode="stretch_width",
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
            sizing_mode="stretch_width",
        )

    def traps(self) -> pn.viewable.Viewable:
        alerts = [
            pn.pane.Alert(markdown_message(trap.message), alert_type="warning")
            for trap in self.plan.traps
        ]
        if self.plan.error:
            alerts.insert(0, pn.pane.Alert(markdown_message(self.plan.error), alert_type="danger"))
        # A freeze a job would refuse comes with its fixes, right below its warning.
        own = pn.Row(self.freeze_own_button, self.unfreeze_own_button, self.undo_own_button)
        return pn.Column(*alerts, own, sizing_mode="stretch_width")

    def code(self) -> pn.viewable.Viewable:
        code = self.plan.code or "# Build a model to see the restore code."
        # Long checkpoint paths scroll inside the pane instead of widening the page.
        return code_pane(code, name="restore-code")

    def __panel__(self) -> pn.viewable.Viewable:
        frozen_bn = pn.widgets.Checkbox.from_param(
            self.plan.param.update_frozen_batch_norm,
            label="Keep updating batch-norm statistics in frozen scopes (untick: they stay "
            "the checkpoint's)",
        )
        plan = [self.plan.param[name] for name in _PLAN_PARAMS]
        return pn.Column(
            pn.bind(lambda *_: self.traps(), *plan),
            # The code goes below the scopes when both do not fit side by side (1024 px).
            pn.FlexBox(
                pn.Column(
                    "#### Scopes: restore from the checkpoint? train or freeze?",
                    pn.Row(self.pattern, self.action, self.factor, self.apply_button),
                    self.pattern_message,
                    pn.bind(lambda *_: self.trainable_count(), *plan),
                    pn.bind(lambda *_: self.scope_table(), *plan),
                    frozen_bn,
                ),
                pn.Column(
                    "#### Generated code",
                    pn.bind(lambda *_: self.code(), *plan),
                    min_width=_CODE_MIN_WIDTH,
                    styles={"flex": f"1 1 {_CODE_MIN_WIDTH}px"},
                    sizing_mode="stretch_width",
                ),
                flex_wrap="wrap",
                sizing_mode="stretch_width",
            ),
            pn.Tabs(
                ("Variables vs. checkpoint", pn.bind(lambda *_: self.status_table(), *plan)),
                ("Unused checkpoint entries", pn.bind(lambda *_: self.unused_table(), *plan)),
                dynamic=True,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
