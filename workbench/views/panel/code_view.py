"""Generated code as a page shows it: highlighted, 14 px, long lines scrolling in their box.

Panel's Markdown draws a code block as an inline box sized to its text, at 12 px, with long
lines wrapped at any width; on a projector that is too small to read, and wrapped Python is
hard to follow. `code_pane` shows it as a full-width block at 14 px whose long lines scroll
sideways inside it, so the page never grows wider than the window.
"""

from __future__ import annotations

from typing import Any

import panel as pn

from workbench.views.panel.safe_text import code_fence

#: The style of a code block in a Markdown pane (in the pane's own shadow root).
CODE_CSS = """
.codehilite { display: block; }
.codehilite > pre { max-width: 100%; overflow-x: auto; }
.codehilite > pre > code { white-space: pre; font-size: 14px; line-height: 1.45; }
"""


def code_markdown(code: str) -> str:
    """`code` as a fenced Python block (backticks in a name or value cannot end it early)."""
    return code_fence(code)


def code_pane(code: Any, **params: Any) -> pn.pane.Markdown:
    """A pane showing Python `code` (a string, or a reference such as a `pn.bind` of one).

    Args:
      code: The code, or a Panel reference to it.
      **params: More Markdown parameters (`name`, `width`...); without a `width`, the pane
        takes its container's.
    """
    text = pn.bind(code_markdown, code) if not isinstance(code, str) else code_markdown(code)
    if "width" not in params:
        params.setdefault("sizing_mode", "stretch_width")
    return pn.pane.Markdown(text, stylesheets=[CODE_CSS], **params)
