"""The whole web app: Build, Inspect, Train and Fine-tune pages over one `WorkbenchSession`.

Each page is a module of `workbench.views.panel.pages`; this module only puts them in tabs,
tells the Train page whether it is on screen, and asks the session to build the design when
Inspect is opened after a change.
"""

from __future__ import annotations

import panel as pn
import param

from workbench.models.session import WorkbenchSession
from workbench.models.workspace_root import default_workspace
from workbench.views.panel.background_action import on_event_loop, served_doc
from workbench.views.panel.checkbox_labels import CheckboxLabels
from workbench.views.panel.diagram_viewer import DiagramViewer
from workbench.views.panel.local_resources import keep_resources_local
from workbench.views.panel.pages.build import BuildPage
from workbench.views.panel.pages.train import TrainPage
from workbench.views.panel.preload import preload_pages

TITLE = "Slim Workbench"
ACCENT = "#2f6f9f"
PAGES = ("Build", "Inspect", "Train", "Fine-tune")
#: Custom components of pages made later (Inspect): the browser can only draw one whose
#: class existed when the page was first served, so they are imported now.
LATER_COMPONENTS = (DiagramViewer,)

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
        self.train_page: TrainPage | None = None  # Made with the tabs.

    def inspect_page(self) -> pn.viewable.Viewable:
        from workbench.views.panel.pages.inspect import InspectPage

        return InspectPage(session=self.session)

    def finetune_page(self) -> pn.viewable.Viewable:
        from workbench.views.panel.pages.finetune import FinetunePage

        return FinetunePage(session=self.session)

    def __panel__(self) -> pn.viewable.Viewable:
        session = self.session
        # Shown by `opened` below: its pre-Start checks build the design, not needed before.
        train = self.train_page = TrainPage(session=session, shown=False)
        # Inspect and Fine-tune hold TensorFlow graphs: their pages (and TensorFlow, which
        # takes seconds to import) are made when first opened, not for the first render.
        later = {"Inspect": self.inspect_page, "Fine-tune": self.finetune_page}
        tabs = pn.Tabs(
            ("Build", BuildPage(session=session)),
            ("Inspect", pn.Column(sizing_mode="stretch_width")),
            ("Train", train),
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
                session.inspect_if_changed()

        train.shown = PAGES[tabs.active] == "Train"
        tabs.param.watch(opened, "active")
        pn.state.onload(preload_pages)
        doc = served_doc()
        if doc is not None:
            # A class's server outlives its sessions: each one's TensorFlow graphs go with it.
            pn.state.on_session_destroyed(lambda _: session.release())
            # Inspect builds in a thread (a big net takes seconds), the page staying usable.
            session.inspect_in_background = on_event_loop(doc)
        return tabs


def app_page(session: WorkbenchSession | None = None) -> pn.template.BaseTemplate:
    """The served page: the app in the Bootstrap template (no web fonts, works offline)."""
    keep_resources_local()  # Before any component is made: see `local_resources`.
    app = WorkbenchApp(session=session) if session else WorkbenchApp()
    return pn.template.BootstrapTemplate(
        title=TITLE, main=[app, CheckboxLabels()], header_background=ACCENT, raw_css=[_CSS]
    )
