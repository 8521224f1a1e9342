"""A button that starts TensorBoard on the workspace's jobs, and the link to it once it runs.

A thin view of `workbench.models.tensorboard_server.TensorBoardServer` (one per workspace
and app process, so every session shows the same one).
"""

from __future__ import annotations

import html

import panel as pn
import param

from workbench.models.tensorboard_server import TensorBoardServer, tensorboard_for

__all__ = ["TensorBoardView", "tensorboard_html"]


def tensorboard_html(server: TensorBoardServer) -> str:
    """Its state in words: not started, starting, running (with a link to its HParams
    dashboard), stopped, or failed with the reason."""
    state = server.state
    if state == "running":
        url = html.escape(server.url)
        return (
            f"TensorBoard: running at <a href='{url}#hparams' target='_blank' "
            f"class='tensorboard-link'>{url}</a> (HParams: every run's settings and results)"
        )
    if state == "starting":
        return "TensorBoard: starting (it loads TensorFlow first)..."
    if state == "failed":
        return f"TensorBoard failed: <pre>{html.escape(server.error)}</pre>"
    if state == "stopped":
        return "TensorBoard: stopped. Open it to start it again."
    if state == "new":
        return "TensorBoard: not started."
    return f"TensorBoard: {html.escape(str(state))}."


class TensorBoardView(pn.viewable.Viewer):
    """Open TensorBoard: starts it (once per app), links to it, and stops it."""

    workspace = param.String(default="", doc="The workspace root; TensorBoard reads its jobs.")

    def __init__(self, **params):
        super().__init__(**params)
        self.server = tensorboard_for(self.workspace)
        self.pane = pn.pane.HTML(tensorboard_html(self.server), name="tensorboard")
        self.open_button = pn.widgets.Button(label="Open TensorBoard", color="default")
        self.open_button.on_click(self.open)
        self.stop_button = pn.widgets.Button(label="Stop TensorBoard", color="default")
        self.stop_button.on_click(self.stop)
        self._shown = None
        self.poll()

    def open(self, _=None) -> None:
        self.server.start()
        self.poll()

    def stop(self, _=None) -> None:
        self.server.stop()
        self.poll()

    def poll(self) -> None:
        """Shows the server's state (it starts in the background, and may exit by itself)."""
        self.server.refresh()
        shown = (self.server.state, self.server.url, self.server.error)
        if shown != self._shown:
            self._shown = shown
            self.pane.object = tensorboard_html(self.server)
            self.stop_button.visible = self.server.state in ("starting", "running")

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(self.open_button, self.stop_button, self.pane, sizing_mode="stretch_width")
