"""The drag-and-drop model builder: a palette and the design as nested, editable blocks.

`editor_view(editor, palette, status)` is what the app puts on a page; `DesignCanvas` is the
Panel component behind it (browser side in `canvas.js` and `canvas.css`, served by Panel
itself, so the page works offline).
"""

from workbench.views.panel.canvas.component import ACTIONS as ACTIONS
from workbench.views.panel.canvas.component import STRUCTURE_PALETTE as STRUCTURE_PALETTE
from workbench.views.panel.canvas.component import DesignCanvas as DesignCanvas
from workbench.views.panel.canvas.component import editor_view as editor_view
from workbench.views.panel.canvas.component import palette_block as palette_block
