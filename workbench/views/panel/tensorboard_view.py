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
    """Its state in words, with a link to its HParams dashboard while it runs."""
    if server.state == "running":
        url = html.escape(server.url)
        return (
            f"TensorBoard: <a href='{url}#hparams' target='_blank' class='tensorboard-link'>"
            f"{url}</a> (HParams: every run's settings and results)"
        )
    if server.state == "starting":
        return "TensorBoard: starting..."
    if server.state == "failed":
        return f"TensorBoard failed: <pre>{html.escape(server.error)}</pre>"
    return "TensorBoard: not running."


class TensorBoardView(pn.viewable.Viewer):
    """Open TensorBoard: starts it (once per app) and links to it."""

    workspace = param.String(default="", doc="The workspace root; TensorBoard reads its jobs.")

    def __init__(self, **params):
        super().__init__(**params)
        self.server = tensorboard_for(self.workspace)
        self.pane = pn.pane.HTML(tensorboard_html(self.server), name="tensorboard")
        self._shown = None

    def open(self, _=None) -> None:
        self.server.start()
        self.poll()

    def poll(self) -> None:
        """Shows the server's state (it starts in the background)."""
        shown = (self.server.state, self.server.url)
        if shown != self._shown:
            self._shown = shown
            self.pane.object = tensorboard_html(self.server)

    def __panel__(self) -> pn.viewable.Viewable:
        button = pn.widgets.Button(label="Open TensorBoard", color="default")
        button.on_click(self.open)
        return pn.Row(button, self.pane, sizing_mode="stretch_width")
