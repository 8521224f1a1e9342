"""The whole web app: Build, Inspect, Train and Fine-tune pages over one `WorkbenchSession`."""

from __future__ import annotations

import panel as pn
import param

from workbench.models.session import WorkbenchSession
from workbench.models.workspace_root import default_workspace
from workbench.views.panel.build_view import BuildView
from workbench.views.panel.preload import preload_pages
from workbench.views.panel.train_view import TrainView

TITLE = "Slim Workbench"
ACCENT = "#2f6f9f"
PAGES = ("Build", "Inspect", "Train", "Fine-tune")

_CSS = """
body { font-size: 14px; }
.bk-tab { font-size: 15px; padding: 6px 18px; }
"""


class WorkbenchApp(pn.viewable.Viewer):
    """Tabs for the four pages; Inspect rebuilds the design when it is opened after a change."""

    session = param.ClassSelector(class_=WorkbenchSession)

    def __init__(self, **params):
        params.setdefault("session", WorkbenchSession(workspace=default_workspace(create=True)))
        super().__init__(**params)
        self._built_design: dict | None = None
        self.train_view: TrainView | None = None  # Made with the page.

    def inspect_if_changed(self) -> None:
        """Builds the design into the Inspect page unless it is already built as it is."""
        if self._built_design != self.session.design:
            self._built_design = self.session.design
            self.session.inspect_design()

    def inspect_page(self) -> pn.viewable.Viewable:
        from workbench.views.panel.inspect_view import InspectView

        rebuild = pn.widgets.Button(label="Rebuild", color="primary", width=120)
        rebuild.on_click(lambda _: self.session.inspect_design())
        return pn.Column(rebuild, InspectView(model=self.session.inspect))

    def finetune_page(self) -> pn.viewable.Viewable:
        from workbench.views.panel.finetune_page import FinetunePage

        return FinetunePage(session=self.session)

    def __panel__(self) -> pn.viewable.Viewable:
        session = self.session
        train = self.train_view = TrainView(workspace=session.workspace, settings=session.settings)
        # Training the design being built is the default; untick to train a slimlib net.
        train_design = pn.widgets.Checkbox(label="Train the design from the Build page", value=True)
        session.settings.design = session.design

        def follow_design(*_) -> None:
            session.settings.design = session.design if train_design.value else None

        train_design.param.watch(follow_design, "value")
        session.editor.param.watch(follow_design, "design")
        # Inspect and Fine-tune hold TensorFlow graphs: their pages (and TensorFlow, which
        # takes seconds to import) are made when first opened, not for the first render.
        later = {"Inspect": self.inspect_page, "Fine-tune": self.finetune_page}
        tabs = pn.Tabs(
            ("Build", BuildView(session=session)),
            ("Inspect", pn.Column(sizing_mode="stretch_width")),
            ("Train", pn.Column(train_design, train)),
            ("Fine-tune", pn.Column(sizing_mode="stretch_width")),
            dynamic=True,
            sizing_mode="stretch_width",
        )

        def opened(event) -> None:
            page = PAGES[event.new]
            train.shown = page == "Train"
            if page in later:
                tabs[event.new].objects = [later.pop(page)()]
            if page == "Inspect":
                self.inspect_if_changed()

        train.shown = PAGES[tabs.active] == "Train"
        tabs.param.watch(opened, "active")
        pn.state.onload(preload_pages)
        return tabs


def app_page(session: WorkbenchSession | None = None) -> pn.template.BaseTemplate:
    """The served page: the app in the Bootstrap template (no web fonts, works offline)."""
    app = WorkbenchApp(session=session) if session else WorkbenchApp()
    return pn.template.BootstrapTemplate(
        title=TITLE, main=[app], header_background=ACCENT, raw_css=[_CSS]
    )
