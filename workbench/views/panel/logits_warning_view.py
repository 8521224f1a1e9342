"""The Build page's warning about a logits layer that applies an activation or a normalizer.

Shown under the property sheet while the design's logits layer gets an `activation_fn` or a
`normalizer_fn` that is not None (`logits_check`), with a button setting both to None on that
layer: one edit of the design, undone with the editor's Undo.
"""

from __future__ import annotations

import panel as pn
import param

from workbench.models.design.logits_check import LogitsWarning, logits_layer_warning
from workbench.models.editor import NULL, DesignEditor
from workbench.views.panel.safe_text import markdown_message


class LogitsWarningView(pn.viewable.Viewer):
    """A warning and its fix, hidden while the logits are linear."""

    editor = param.ClassSelector(class_=DesignEditor)

    def __init__(self, **params):
        super().__init__(**params)
        self.warning: LogitsWarning | None = None
        # Made once and updated: panes made in a callback would fetch their stylesheets
        # from a CDN, out of reach of a workbench without internet.
        self.alert = pn.pane.Alert(
            "", alert_type="warning", margin=(6, 10, 2, 10), name="logits-warning"
        )
        self.fix_button = pn.widgets.Button(label="", color="primary", margin=(0, 10, 8, 10))
        self.fix_button.on_click(lambda _: self.fix())
        self.layout = pn.Column(self.alert, self.fix_button, visible=False, width=260)
        self.editor.param.watch(lambda _: self.update(), "design")
        self.update()

    def update(self) -> None:
        """Shows the warning of the design as it is now, or hides it."""
        self.warning = logits_layer_warning(self.editor.design)
        if self.warning is not None:
            self.alert.object = markdown_message(self.warning.message)
            self.fix_button.label = self.warning.fix
        self.layout.visible = self.warning is not None

    def fix(self) -> None:
        """Sets the warned arguments to None on the logits layer (one undoable edit)."""
        if self.warning is None:
            return
        changes = dict.fromkeys(self.warning.args, NULL)  # None would remove the argument.
        self.editor.update_args(self.warning.path, changes)

    def __panel__(self) -> pn.viewable.Viewable:
        return self.layout
