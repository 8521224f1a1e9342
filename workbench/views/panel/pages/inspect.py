"""Inspect page: the design being built, inspected (`InspectView`), with a Rebuild button.

The session builds the design into its `InspectModel`; the app asks for a build when the page
is opened after the design changed (`WorkbenchSession.inspect_if_changed`), and Rebuild builds
again at any time. In the served app builds run in a thread: the page says one is under way. A switch picks the mode the design is built in (inference or training),
and the page says which one is shown: only training adds batch norms' UPDATE_OPS.
"""

from __future__ import annotations

import panel as pn
import param

from workbench.models.session import WorkbenchSession
from workbench.views.panel.inspect_view import InspectView

MODES = {"Inference": False, "Training": True}


def mode_text(training: bool) -> str:
    """What the shown build is, in words."""
    if training:
        return (
            "Shown: the design built **for training** (`is_training=True`): batch norms add "
            "their moving-average updates to UPDATE_OPS, dropout drops."
        )
    return (
        "Shown: the design built **for inference** (`is_training=False`): batch norms use "
        "their moving averages, so UPDATE_OPS is empty; dropout passes everything."
    )


class InspectPage(pn.viewable.Viewer):
    """Rebuild, then the totals, diagram, layer table and collections of the built design."""

    session = param.ClassSelector(class_=WorkbenchSession)

    def __panel__(self) -> pn.viewable.Viewable:
        rebuild = pn.widgets.Button(label="Rebuild", color="primary", width=120)
        rebuild.on_click(lambda _: self.session.inspect_design(fresh=True))
        mode = pn.widgets.RadioButtonGroup(
            options=list(MODES), value="Training" if self.session.inspect_training else "Inference"
        )
        mode.param.watch(lambda e: setattr(self.session, "inspect_training", MODES[e.new]), "value")
        shown = pn.pane.Markdown(
            pn.bind(mode_text, self.session.param.inspect_training),
            name="inspect-mode",
            sizing_mode="stretch_width",  # Wraps beside the buttons instead of running past.
        )
        model = self.session.inspect
        building = pn.Row(
            pn.indicators.LoadingSpinner(value=True, size=24, align="center"),
            pn.pane.Markdown("**Building the design...** (the build shown below is the last one)"),
            name="inspect-building",
            visible=model.param.building,
        )
        return pn.Column(
            pn.Row(rebuild, mode, shown, sizing_mode="stretch_width"),
            building,
            InspectView(model=model),
        )
