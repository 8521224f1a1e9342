"""Generated code panes: a fenced Python block, styled to read on a projector."""

from __future__ import annotations

import panel as pn

from workbench.views.panel.code_view import CODE_CSS, code_pane


def test_a_string_is_shown_as_a_python_block_at_14_px():
    pane = code_pane("x = 1", name="some-code")
    assert pane.object == "```python\nx = 1\n```"
    assert pane.name == "some-code" and pane.sizing_mode == "stretch_width"
    assert CODE_CSS in pane.stylesheets
    assert "font-size: 14px" in CODE_CSS and "overflow-x: auto" in CODE_CSS


def test_a_reference_is_followed():
    text = pn.widgets.TextInput(value="a = 1")
    pane = code_pane(pn.bind(str.upper, text), width=300)
    assert pane.object == "```python\nA = 1\n```" and pane.width == 300
    text.value = "b = 2"
    assert pane.object == "```python\nB = 2\n```"
