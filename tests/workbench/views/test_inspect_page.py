"""The Inspect page's mode switch builds for training or inference and says which is shown."""

from __future__ import annotations

import panel as pn

from workbench.models.session import WorkbenchSession
from workbench.views.panel.pages.inspect import InspectPage, mode_text


def test_the_switch_sets_the_mode_and_the_page_names_it(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path))
    layout = InspectPage(session=session).__panel__()
    [switch] = layout.select(pn.widgets.RadioButtonGroup)
    [shown] = [p for p in layout.select(pn.pane.Markdown) if p.name == "inspect-mode"]
    assert switch.value == "Inference" and "**for inference**" in shown.object
    switch.value = "Training"
    assert session.inspect_training is True
    assert shown.object == mode_text(True)
    assert "UPDATE_OPS" in shown.object and "**for training**" in shown.object


def test_the_page_says_when_a_build_is_under_way(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path))
    layout = InspectPage(session=session).__panel__()
    [building] = [r for r in layout.select(pn.Row) if r.name == "inspect-building"]
    assert not building.visible
    session.inspect.building = True
    assert building.visible
    assert "Building the design" in building.select(pn.pane.Markdown)[0].object
    session.inspect.building = False
    assert not building.visible
