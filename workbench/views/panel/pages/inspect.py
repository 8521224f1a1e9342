"""Inspect page: the design being built, inspected (`InspectView`), with a Rebuild button.

The session builds the design into its `InspectModel`; the app asks for a build when the page
is opened after the design changed (`WorkbenchSession.inspect_if_changed`), and Rebuild builds
again at any time.
"""

from __future__ import annotations

import panel as pn
import param

from workbench.models.session import WorkbenchSession
from workbench.views.panel.inspect_view import InspectView


class InspectPage(pn.viewable.Viewer):
    """Rebuild, then the totals, diagram, layer table and collections of the built design."""

    session = param.ClassSelector(class_=WorkbenchSession)

    def __panel__(self) -> pn.viewable.Viewable:
        rebuild = pn.widgets.Button(label="Rebuild", color="primary", width=120)
        rebuild.on_click(lambda _: self.session.inspect_design())
        return pn.Column(rebuild, InspectView(model=self.session.inspect))
