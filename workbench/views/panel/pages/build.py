"""Build page: palette and canvas, the selected layer's properties, live code, templates, files.

The canvas edits the session's `DesignEditor`; validation (`block_status`) marks invalid
blocks in place and gives every block its output shape; the code view regenerates slimlib
code from the design after every change. The design is kept as the browser's draft
(`workbench.models.design.drafts`), so a refresh, a closed tab or a server restart brings
it back.
"""

from __future__ import annotations

import html
import io

import panel as pn
import param

from workbench.models.design import Workspace, generate_code, template, templates
from workbench.models.design.catalogue import palette
from workbench.models.design.compare import design_diff
from workbench.models.design.drafts import DraftKeeper, Drafts
from workbench.models.design.validate import block_status
from workbench.models.editor import empty_design
from workbench.models.session import WorkbenchSession
from workbench.views.panel.browser_draft import BrowserDraftId
from workbench.views.panel.canvas import editor_view
from workbench.views.panel.code_view import code_pane
from workbench.views.panel.logits_warning_view import LogitsWarningView
from workbench.views.panel.properties_view import PropertiesView
from workbench.views.panel.safe_text import markdown_message

#: The template entry that starts a design with no blocks (28x28x1 input, editable).
EMPTY = "empty"
CANVAS_HEIGHT = 660
#: Narrowest the canvas gets with the code beside it, and the narrowest that code pane: a
#: window too narrow for both beside the sheet puts the code below the canvas instead
#: (squeezed, blocks spill past their borders and the code is cut off).
CANVAS_MIN_WIDTH = 640
SIDE_CODE_MIN_WIDTH = 420
#: Room kept for the message line, so that its coming and going does not move the canvas.
MESSAGE_HEIGHT = 34
#: Width of the fields above the canvas: with their buttons, one line at 1024 px.
FIELD_WIDTH = 150
#: The Build page's "how to", read before anything else: from the palette to a training job.
HOW_TO = (
    "<b>Drag</b> a layer from the <b>Palette</b> into the model.",
    "<b>Click</b> a block to select it; edit it in the sheet on the right (red means invalid).",
    "Press <b>Start</b> on the <b>Train</b> page to train the design.",
)
HOW_TO_CSS = """
.wb-how-to { display: flex; flex-wrap: wrap; gap: 2px 28px; margin: 0; padding: 6px 10px 6px 28px;
  background: #eef5fb; border-left: 4px solid #2f6f9f; border-radius: 4px; font-size: 14px; }
.wb-how-to li { padding-left: 2px; }
"""


def _code_or_problem(design: dict) -> str:
    try:
        return generate_code(design)
    except ValueError as err:  # an invalid design: say why instead of showing stale code
        return "# The design is not valid yet:\n# " + str(err).replace("\n", "\n# ")


#: Colours of a diff's lines by their first character: removed, added, hunk header.
_DIFF_COLOURS = {"-": "#9f1d1d", "+": "#1d6b2f", "@": "#2f6f9f"}


def diff_html(diff: str) -> str:
    """`diff` (unified) as a readable block: removed lines red, added green, on white."""
    if not diff:
        return ""
    lines = []
    for line in diff.splitlines():
        colour = _DIFF_COLOURS.get(line[:1], "#333")
        lines.append(f'<span style="color:{colour}">{html.escape(line)}</span>')
    style = "font-size:13px;line-height:1.35;background:#fafafa;padding:8px;overflow-x:auto"
    return f'<pre style="{style}">' + "\n".join(lines) + "</pre>"


class BuildPage(pn.viewable.Viewer):
    """Templates and saved designs on top, palette + canvas, properties, generated code."""

    session = param.ClassSelector(class_=WorkbenchSession)
    message = param.String(default="", doc="Result of the last save or load.")
    question = param.String(default="", doc="What `confirm` would do; empty when nothing waits.")
    diff = param.String(default="", doc="The last comparison of a version with the design.")

    def __init__(self, **params):
        super().__init__(**params)
        self.store = Workspace(f"{self.session.workspace}/designs")
        self.template = pn.widgets.Select(
            label="Template", options=[*templates(), EMPTY], width=FIELD_WIDTH
        )
        self.saved = pn.widgets.Select(
            label="Saved designs", options=list(self.store.names), width=FIELD_WIDTH
        )
        self.save_as = pn.widgets.TextInput(
            label="Save as", value=self.session.design.get("name", "model"), width=FIELD_WIDTH
        )
        self.drafts = DraftKeeper(self.session.editor, Drafts(self.store.root))
        # A draft that cannot be written (a full disk) says so while editing goes on.
        self.drafts.param.watch(self._show_draft_message, "message")
        self.versions = pn.widgets.Select(label="Versions", options={}, width=200)
        self._clean = self.session.design  # the design as last saved, opened or started from
        self._file: str | None = None  # the saved design being edited (opened or saved)
        self.saved.param.watch(lambda _: self._list_versions(), "value")
        # A comparison shown would be stale after the next change.
        self.session.editor.param.watch(lambda _: self.param.update(diff=""), "design")
        # So would the result of the last save or load ("Undo brings back the design before"
        # is untrue a few edits later); a draft that cannot be kept stays said.
        self.session.editor.param.watch(self._forget_message, "design")
        # The last replacement: the design with its file fields before and after, so that
        # Undo (and Redo) of it brings back the name it is saved under too.
        self._swap: tuple[tuple, tuple] | None = None
        self.session.editor.param.watch(self._follow_swap, "design")
        self._list_versions()
        self._pending = None  # what `confirm` does

    def _file_state(self) -> tuple:
        return (self.session.design, self.save_as.value, self._file, self._clean)

    def _follow_swap(self, event) -> None:
        for state in self._swap or ():
            if event.new == state[0]:
                self.save_as.value, self._file, self._clean = state[1:]
                return

    def _forget_message(self, _=None) -> None:
        if self.message and self.message != self.drafts.message:
            self.message = ""

    def _show_draft_message(self, event) -> None:
        if event.new:
            self.message = event.new

    def restore_draft(self, draft_id: str) -> None:
        """Restores the browser's draft `draft_id` (if any), then keeps the design there."""
        try:
            restored = self.drafts.attach(draft_id)
        except (TypeError, ValueError) as err:  # a forged id: edit on, unkept
            self.message = f"The design is not kept between visits: {err}"
            return
        if restored:
            design = self.session.design
            self.save_as.value = design.get("name", "model")
            self._clean = design if self._is_a_copy(design) else None
            self._file = design.get("name") if design.get("name") in self.store.names else None
        if self.drafts.message:
            self.message = self.drafts.message

    def _is_a_copy(self, design: dict) -> bool:
        """Whether `design` is as saved under its name, or a template of that name."""
        name = design.get("name", "")
        if name in self.store.names:
            try:
                return self.store.load(name) == design
            except (ValueError, OSError):
                return False
        return name in templates() and template(name) == design

    @property
    def unsaved(self) -> bool:
        """Whether the design differs from the one last saved, opened or started from."""
        return self.session.design != self._clean

    def load_template(self, _=None) -> None:
        """Replaces the design with the chosen template (asks first if changes are unsaved)."""
        name = self.template.value
        if name == EMPTY:
            design, done = empty_design(), "Started an empty design."
        else:
            design, done = template(name), f"Loaded template {name!r}."
        self._replace_asking(design, done, f"the template {name!r}")

    def save(self, _=None) -> None:
        """Saves the design under `save_as`; asks first before writing over another design."""
        name = self.save_as.value
        if name in self.store.names and name != self._file:
            try:
                same = self.store.load(name) == self.session.design
            except (ValueError, OSError):
                same = False
            if not same:
                count = len(self.store.history(name))
                self._pending = self._save
                self.question = (
                    f"A design named {name!r} is saved already ({count} version"
                    f"{'s' if count != 1 else ''}). Save over it? Its earlier versions are kept "
                    "(see Versions)."
                )
                return
        self._save()

    def _save(self) -> None:
        name = self.save_as.value
        try:
            version = self.store.save(name, self.session.design)
        except (ValueError, OSError) as err:
            self.message = f"Not saved: {err}"
            return
        self.saved.options = list(self.store.names)
        self._clean = self.session.design
        self._file = name
        self.message = f"Saved {name!r}." + (f" (version {version})" if version > 1 else "")
        if self.saved.value == name:
            self._list_versions()
        else:
            self.saved.value = name

    def open_version(self, _=None) -> None:
        """Replaces the design with the chosen version (asks first if changes are unsaved)."""
        chosen = self._chosen_version("Not loaded")
        if chosen is not None:
            name, version, design = chosen
            self._replace_asking(
                design, f"Loaded {name!r} version {version}.", f"{name!r} version {version}", name
            )

    def compare_version(self, _=None) -> None:
        """Shows what differs between the chosen version and the design being edited."""
        chosen = self._chosen_version("Not compared")
        if chosen is not None:
            name, version, old = chosen
            diff = design_diff(old, self.session.design, f"{name} version {version}", "this design")
            self.diff = diff or f"# {name!r} version {version} is the design being edited."

    def _chosen_version(self, refused: str) -> tuple[str, int, dict] | None:
        """The saved design and version chosen, and that version's design; None when none is
        chosen or it cannot be read (then `message` says `refused: why`)."""
        name, version = self.saved.value, self.versions.value
        if not name or version is None:
            return None
        try:
            return name, version, self.store.load_version(name, version)
        except (TypeError, ValueError, OSError) as err:
            self.message = f"{refused}: {err}"
            return None

    def _list_versions(self) -> None:
        name = self.saved.value
        numbers = self.store.history(name) if name else []
        latest = numbers[-1] if numbers else None
        self.versions.options = {
            f"version {n}" + (" (current)" if n == latest else ""): n for n in reversed(numbers)
        }
        self.versions.value = latest

    def load(self, _=None) -> None:
        """Replaces the design with the chosen saved one (asks first if changes are unsaved)."""
        name = self.saved.value
        if not name:
            return
        try:
            design = self.store.load(name)
        except (ValueError, OSError) as err:
            self.message = f"Not loaded: {err}"
            return
        self._replace_asking(design, f"Loaded {name!r}.", f"the saved design {name!r}", name)

    def confirm(self, _=None) -> None:
        """Does what the question asked about."""
        pending, self._pending = self._pending, None
        self.question = ""
        if pending is not None:
            pending()

    def cancel(self, _=None) -> None:
        """Drops what the question asked about; the design stays as it is."""
        self._pending = None
        self.question = ""
        self.message = "Kept the design as it is."

    def _replace_asking(
        self, design: dict, done: str, what: str, save_as: str | None = None
    ) -> None:
        def replace() -> None:
            before = self._file_state()
            self.session.editor.replace(design)
            self._clean = self.session.design
            # Saving next writes under the new design's name, not over the last file opened.
            self.save_as.value = save_as or self.session.design.get("name", "model")
            self._file = save_as
            self._swap = (before, self._file_state())
            self.message = f"{done} Undo brings back the design before."

        if not self.unsaved:
            replace()
            return
        self._pending = replace
        self.question = (
            f"The design {self.session.design.get('name', '')!r} has unsaved changes. "
            f"Replace it with {what}? (Undo brings it back.)"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        editor = self.session.editor
        canvas = editor_view(
            editor,
            palette(),
            block_status,
            height=CANVAS_HEIGHT,
            styles={"flex": "3 1 0"},
            stylesheets=[_min_width(CANVAS_MIN_WIDTH)],
        )
        browser = BrowserDraftId()
        browser.param.watch(lambda event: self.restore_draft(event.new), "draft_id")
        replace = pn.widgets.Button(label="Replace", color="warning", width=110)
        replace.on_click(self.confirm)
        keep = pn.widgets.Button(label="Keep editing", width=110)
        keep.on_click(self.cancel)
        asking = pn.Row(
            pn.pane.Markdown(self.param.question.rx.pipe(markdown_message)),
            replace,
            keep,
            visible=self.param.question.rx.bool(),
        )
        buttons = {}
        for label, action in (
            ("Load template", self.load_template),
            ("Save", self.save),
            ("Open", self.load),
            ("Open version", self.open_version),
            ("Compare with this design", self.compare_version),
        ):
            width = 80 if len(label) < 6 else 120 if len(label) < 14 else 200
            buttons[label] = pn.widgets.Button(label=label, width=width, align="end")
            buttons[label].on_click(action)
        code = pn.bind(lambda design: _code_or_problem(design), editor.param.design)
        download = pn.widgets.FileDownload(
            callback=lambda: io.StringIO(_code_or_problem(editor.design)),
            filename="model.py",
            label="Download model.py",
            width=200,
        )
        beside = pn.widgets.Checkbox(label="Code beside the canvas", value=False, align="end")
        # Each pair stays together; pairs wrap to the next line on a narrow window.
        files = pn.FlexBox(
            pn.Row(self.template, buttons["Load template"]),
            pn.Row(self.save_as, buttons["Save"]),
            pn.Row(self.saved, buttons["Open"]),
            pn.Row(beside, browser),
            align_items="flex-end",
            sizing_mode="stretch_width",
        )
        # One code pane (and its download), moved between the card below and the column
        # beside the canvas.
        code_parts = [code_pane(code), download]
        # Beside the canvas, the code takes 2 parts of the width to the canvas's 3.
        side_code = pn.Column(
            height=CANVAS_HEIGHT,
            scroll=True,
            visible=False,
            sizing_mode="stretch_width",
            styles={"flex": "2 1 0"},
            stylesheets=[_min_width(SIDE_CODE_MIN_WIDTH)],
        )
        code_card = pn.Card(
            *code_parts,
            title="Generated slimlib code",
            collapsed=False,
            sizing_mode="stretch_width",
        )

        def place_code(event) -> None:
            # Out of the one before into the other: a pane is shown in one place at a time.
            (code_card if event.new else side_code).objects = []
            (side_code if event.new else code_card).objects = code_parts
            side_code.visible, code_card.visible = event.new, not event.new

        beside.param.watch(place_code, "value")
        self.properties = PropertiesView(editor=editor)  # The selected block's sheet.
        # A logits layer that applies relu (or a normalizer) trains to chance: said under
        # the sheet, where it shifts neither the canvas nor the sheet's fields.
        self.logits_warning = LogitsWarningView(editor=editor)
        right = pn.Column(self.properties, self.logits_warning, width=260, margin=0)
        return pn.Column(
            how_to(),
            files,
            pn.pane.Markdown(
                self.param.message.rx.pipe(markdown_message),
                margin=(0, 10),
                styles={"min-height": f"{MESSAGE_HEIGHT}px"},
            ),
            asking,
            # Wraps: the code goes below the canvas when the window is too narrow for it.
            pn.Row(
                canvas,
                right,
                side_code,
                sizing_mode="stretch_width",
                styles={"flex-wrap": "wrap"},
            ),
            pn.Card(
                pn.Row(self.versions, buttons["Open version"], buttons["Compare with this design"]),
                pn.pane.HTML(self.param.diff.rx.pipe(diff_html), sizing_mode="stretch_width"),
                title="Versions of the saved design",
                collapsed=False,
                sizing_mode="stretch_width",
            ),
            code_card,
            sizing_mode="stretch_width",
        )


def _min_width(pixels: int) -> str:
    """A stylesheet keeping a pane at least `pixels` wide in a wrapping row. Panel's own
    `min_width` would widen the whole row to the sum of its panes' instead of wrapping it;
    `!important` outranks the `min-width: 0` the layout writes on the pane."""
    return f":host {{ min-width: {pixels}px !important; }}"


def how_to() -> pn.pane.HTML:
    """Three steps from an empty page to a training job, shown above the editor."""
    steps = "".join(f"<li>{step}</li>" for step in HOW_TO)
    return pn.pane.HTML(
        f'<ol class="wb-how-to" aria-label="How to build a model">{steps}</ol>',
        stylesheets=[HOW_TO_CSS],
        sizing_mode="stretch_width",
        margin=(4, 10, 0, 10),
    )
