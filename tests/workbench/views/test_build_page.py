"""The Build page's top row: templates (and an empty design), save and open."""

from __future__ import annotations

import pytest

from workbench.models.design import template
from workbench.models.editor import DesignEditor
from workbench.models.session import WorkbenchSession
from workbench.views.panel.pages.build import EMPTY, BuildPage


@pytest.fixture
def view(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(template("lenet")))
    return BuildPage(session=session)


def test_the_empty_entry_starts_a_design_without_blocks(view):
    assert view.template.options[-1] == EMPTY
    view.template.value = EMPTY
    view.load_template()
    design = view.session.editor.design
    assert (design["blocks"], design["input"]) == ([], {"shape": [28, 28, 1], "dtype": "float32"})
    assert "empty design" in view.message
    assert view.save_as.value == "model"  # Saving it does not overwrite the lenet design.
    assert not view.session.editor.can_undo  # a fresh start, not an edit


def test_a_template_replaces_the_design(view):
    view.template.value = "vgg_16"
    view.load_template()
    assert view.session.editor.design == template("vgg_16")
    assert view.message == "Loaded template 'vgg_16'."
    assert view.save_as.value == "vgg_16"


def test_save_and_open_round_trip_and_a_bad_name_is_refused(view):
    view.save_as.value = "my_lenet"
    view.save()
    assert view.message == "Saved 'my_lenet'."
    view.template.value = EMPTY
    view.load_template()
    view.saved.value = "my_lenet"
    view.load()
    assert view.session.editor.design == template("lenet")
    assert view.save_as.value == "my_lenet"  # Saving again updates the file opened.
    view.save_as.value = "../outside"
    view.save()
    assert view.message.startswith("Not saved: ")
    assert "../outside" in view.message
    assert view.saved.options == ["my_lenet"]
