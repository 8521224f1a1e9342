"""`DiagramViewer`: the model diagram fitted to the window, with zoom, pan and folding.

The browser side (`diagram_viewer.js`) shows the SVG that `InspectModel` renders, fitted to
the window, zooms with the wheel or the buttons, pans by dragging, and reports a click on a
scope's box or on a folded node. This side folds or unfolds that scope in the model, whose
new SVG flows back. The JavaScript is the project's own: nothing is fetched from elsewhere.

The app imports this module when it starts (it needs no TensorFlow): Bokeh only knows a
custom component whose class existed before the page was first served.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import param
from panel.custom import JSComponent

from workbench.views.panel.browser_messages import AppliesBrowserMessages

if TYPE_CHECKING:  # The app imports this module at start, before TensorFlow.
    from workbench.models.inspect import InspectModel

_CSS = """
.wb-diagram { display: flex; flex-direction: column; width: 100%; height: 100%; }
.wb-diagram-bar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 4px 0;
  font: 13px Helvetica, Arial, sans-serif; color: #1f2933;
}
.wb-diagram-button {
  min-width: 32px; height: 28px; padding: 0 10px; border: 1px solid #b8c4d0;
  border-radius: 4px; background: #f6f8fa; font: inherit; cursor: pointer;
}
.wb-diagram-button:hover { background: #e8f0f8; }
.wb-diagram-zoom { min-width: 44px; text-align: center; font-variant-numeric: tabular-nums; }
.wb-diagram-hint { color: #5f6b7a; margin-left: 8px; }
.wb-diagram-view {
  position: relative; flex: 1 1 auto; min-height: 200px; overflow: hidden;
  border: 1px solid #d5dde6; border-radius: 6px; background: #ffffff;
  cursor: grab; touch-action: none; user-select: none;
}
.wb-diagram-view.wb-panning { cursor: grabbing; }
.wb-diagram-stage { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
.wb-diagram-stage g[id^="wb-"] { cursor: pointer; }
.wb-diagram-stage g[id^="wb-"]:hover > path,
.wb-diagram-stage g[id^="wb-"]:hover > polygon { stroke: #c2410c; }
"""


class DiagramViewer(AppliesBrowserMessages, JSComponent):
    """Shows an `InspectModel`'s diagram; a click on a scope folds or unfolds it.

    Example:
      >>> import slimlib as slim
      >>> from workbench.models.inspect import InspectModel
      >>> def model(x):
      ...     return slim.repeat(x, 2, slim.fully_connected, 3, scope="block")
      >>> inspected = InspectModel(model_fn=model, input_shape=[1, 3], render=False)
      >>> viewer = DiagramViewer(inspected)
      >>> viewer.apply({"action": "fold_all"}), inspected.folded
      (True, ['block'])
    """

    svg = param.String(default="", doc="The diagram as SVG, from the model.")
    message = param.String(default="", doc="Why the last click could not be applied.")

    _esm = "diagram_viewer.js"
    _stylesheets = [_CSS]

    def __init__(self, inspect: InspectModel, **params: Any) -> None:
        params.setdefault("height", 640)
        params.setdefault("sizing_mode", "stretch_width")
        super().__init__(svg=inspect.svg, **params)
        self._inspect = inspect
        inspect.param.watch(self._follow, "svg")

    def _follow(self, event: param.parameterized.Event) -> None:
        self.svg = event.new

    def _apply(self, msg: Mapping[str, Any]) -> None:
        """Applies `{"action": "toggle", "id": svg id}`, `{"action": "fold_all"}` or
        `{"action": "unfold_all"}`."""
        if not isinstance(msg, Mapping):
            raise TypeError(f"DiagramViewer: a message must be a dict, got {msg!r}.")
        action = msg.get("action")
        inspect = self._inspect
        if action == "fold_all":
            inspect.fold_all(True)
        elif action == "unfold_all":
            inspect.fold_all(False)
        elif action == "toggle":
            diagram = inspect.diagram
            folded = None if diagram is None else diagram_scope(inspect, str(msg.get("id")))
            if folded is None:
                raise KeyError(
                    f"DiagramViewer: `id` must be the SVG id of a scope or a folded node, "
                    f"got {msg.get('id')!r}."
                )
            inspect.toggle(folded)
        else:
            raise ValueError(
                "DiagramViewer: `action` must be one of toggle, fold_all, unfold_all, "
                f"got {action!r}."
            )


def diagram_scope(inspect: InspectModel, svg_id: str) -> str | None:
    """The scope that the element `svg_id` of the drawn (folded) diagram stands for."""
    from workbench.models.inspect.folding import fold

    return fold(inspect.diagram, inspect.folded).scope_at(svg_id)
