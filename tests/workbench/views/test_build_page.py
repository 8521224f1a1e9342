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


DRAFT = "ab" * 16


def test_the_browsers_draft_is_restored_and_kept(tmp_path):
    first = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    first.drafts.delay = 0
    first.restore_draft(DRAFT)
    first.template.value = "cifarnet"
    first.load_template()
    # A refresh: a new session in the same browser finds the design it left.
    again = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    assert again.session.design == template("lenet")
    again.restore_draft(DRAFT)
    assert again.session.design == template("cifarnet")
    assert again.save_as.value == "cifarnet"
    assert again.message == "Restored the design 'cifarnet' you were editing."
    # Another browser has its own draft: it starts from the default template.
    other = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    other.restore_draft("cd" * 16)
    assert other.session.design == template("lenet")


def test_a_forged_draft_id_is_refused_and_nothing_is_written(tmp_path):
    view = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    view.restore_draft("../../designs/x")
    assert view.message.startswith("The design is not kept between visits: ")
    assert "32 lowercase hex digits" in view.message
    view.session.editor.delete("blocks[0]")
    assert not (tmp_path / "designs" / ".drafts").exists()
