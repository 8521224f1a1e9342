"""Build page: palette and canvas, the selected layer's properties, live code, templates, files.

The canvas edits the session's `DesignEditor`; validation (`block_status`) marks invalid
blocks in place and gives every block its output shape; the code view regenerates slimlib
code from the design after every change. The design is kept as the browser's draft
(`workbench.models.design.drafts`), so a refresh, a closed tab or a server restart brings
it back.
"""

from __future__ import annotations

import io

import panel as pn
import param

from workbench.models.design import Workspace, generate_code, template, templates
from workbench.models.design.catalogue import palette
from workbench.models.design.drafts import DraftKeeper, Drafts
from workbench.models.design.validate import block_status
from workbench.models.editor import empty_design
from workbench.models.session import WorkbenchSession
from workbench.views.panel.browser_draft import BrowserDraftId
from workbench.views.panel.canvas import editor_view
from workbench.views.panel.properties_view import PropertiesView

#: The template entry that starts a design with no blocks (28x28x1 input, editable).
EMPTY = "empty"


def _code_or_problem(design: dict) -> str:
    try:
        return generate_code(design)
    except ValueError as err:  # an invalid design: say why instead of showing stale code
        return "# The design is not valid yet:\n# " + str(err).replace("\n", "\n# ")


class BuildPage(pn.viewable.Viewer):
    """Templates and saved designs on top, palette + canvas, properties, generated code."""

    session = param.ClassSelector(class_=WorkbenchSession)
    message = param.String(default="", doc="Result of the last save or load.")

    def __init__(self, **params):
        super().__init__(**params)
        self.store = Workspace(f"{self.session.workspace}/designs")
        self.template = pn.widgets.Select(
            label="Template", options=[*templates(), EMPTY], width=200
        )
        self.saved = pn.widgets.Select(
            label="Saved designs", options=list(self.store.names), width=200
        )
        self.save_as = pn.widgets.TextInput(
            label="Save as", value=self.session.design.get("name", "model"), width=200
        )
        self.drafts = DraftKeeper(self.session.editor, Drafts(self.store.root))

    def restore_draft(self, draft_id: str) -> None:
        """Restores the browser's draft `draft_id` (if any), then keeps the design there."""
        try:
            restored = self.drafts.attach(draft_id)
        except (TypeError, ValueError) as err:  # a forged id: edit on, unkept
            self.message = f"The design is not kept between visits: {err}"
            return
        if restored:
            self.save_as.value = self.session.design.get("name", "model")
        if self.drafts.message:
            self.message = self.drafts.message

    def load_template(self, _=None) -> None:
        if self.template.value == EMPTY:
            self.session.editor.load(empty_design())
            self.message = "Started an empty design."
        else:
            self.session.editor.load(template(self.template.value))
            self.message = f"Loaded template {self.template.value!r}."
        # Saving next writes under the new design's name, not over the last file opened.
        self.save_as.value = self.session.design.get("name", "model")

    def save(self, _=None) -> None:
        try:
            self.store.save(self.save_as.value, self.session.design)
        except (ValueError, OSError) as err:
            self.message = f"Not saved: {err}"
            return
        self.saved.options = list(self.store.names)
        self.message = f"Saved {self.save_as.value!r}."

    def load(self, _=None) -> None:
        if not self.saved.value:
            return
        try:
            self.session.editor.load(self.store.load(self.saved.value))
        except (ValueError, OSError) as err:
            self.message = f"Not loaded: {err}"
            return
        self.save_as.value = self.saved.value
        self.message = f"Loaded {self.saved.value!r}."

    def __panel__(self) -> pn.viewable.Viewable:
        editor = self.session.editor
        canvas = editor_view(editor, palette(), block_status, height=660)
        browser = BrowserDraftId()
        browser.param.watch(lambda event: self.restore_draft(event.new), "draft_id")
        buttons = {}
        for label, action in (
            ("Load template", self.load_template),
            ("Save", self.save),
            ("Open", self.load),
        ):
            buttons[label] = pn.widgets.Button(label=label, width=110, align="end")
            buttons[label].on_click(action)
        code = pn.bind(lambda design: _code_or_problem(design), editor.param.design)
        download = pn.widgets.FileDownload(
            callback=lambda: io.StringIO(_code_or_problem(editor.design)),
            filename="model.py",
            label="Download model.py",
            width=200,
        )
        return pn.Column(
            pn.Row(
                self.template,
                buttons["Load template"],
                pn.Spacer(width=24),
                self.save_as,
                buttons["Save"],
                self.saved,
                buttons["Open"],
                pn.pane.Markdown(self.param.message, align="end"),
                browser,
            ),
            pn.Row(canvas, PropertiesView(editor=editor), sizing_mode="stretch_width"),
            pn.Card(
                pn.pane.Markdown(pn.bind(lambda text: f"```python\n{text}\n```", code)),
                download,
                title="Generated slimlib code",
                collapsed=False,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
