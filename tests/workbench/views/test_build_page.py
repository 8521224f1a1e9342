"""The Build page's top row: templates (and an empty design), save and open."""

from __future__ import annotations

import pytest

from workbench.models.design import template
from workbench.models.design.workspace import HISTORY
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
    view.session.editor.undo()  # replacing is one step back
    assert view.session.design == template("lenet")
    assert view.save_as.value == "lenet"  # Saved next under the name of the design back.
    view.session.editor.redo()
    assert (view.session.design["blocks"], view.save_as.value) == ([], "model")


def test_a_template_replaces_the_design(view):
    view.template.value = "vgg_16"
    view.load_template()
    assert view.session.editor.design == template("vgg_16")
    assert view.message == "Loaded template 'vgg_16'. Undo brings back the design before."
    assert view.save_as.value == "vgg_16"
    # The next edit makes that untrue (Undo then undoes the edit): the message goes.
    view.session.editor.select("blocks[0]")
    assert view.message != ""  # a selection changes nothing
    view.session.editor.delete("blocks[0]")
    assert view.message == ""


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


def test_replacing_unsaved_changes_asks_first_and_can_be_undone(view):
    editor = view.session.editor
    editor.delete("blocks[0]")
    edited = editor.design
    view.template.value = "vgg_16"
    view.load_template()
    assert view.question == (
        "The design 'lenet' has unsaved changes. Replace it with the template 'vgg_16'? "
        "(Undo brings it back.)"
    )
    assert editor.design is edited  # nothing replaced yet
    view.cancel()
    assert (view.question, view.message) == ("", "Kept the design as it is.")
    assert editor.design is edited
    view.load_template()
    view.confirm()
    assert view.question == ""
    assert editor.design == template("vgg_16")
    assert view.message == "Loaded template 'vgg_16'. Undo brings back the design before."
    editor.undo()
    assert editor.design == edited
    view.confirm()  # nothing waits: nothing happens
    assert editor.design == edited


def test_opening_over_unsaved_changes_asks_and_a_saved_design_does_not(view):
    editor = view.session.editor
    view.save_as.value = "mine"
    view.save()
    view.template.value = "cifarnet"
    view.load_template()  # the saved design is not lost: no question
    assert view.question == "" and editor.design == template("cifarnet")
    editor.delete("blocks[0]")
    view.saved.value = "mine"
    view.load()
    assert "Replace it with the saved design 'mine'?" in view.question
    view.confirm()
    assert editor.design == template("lenet") and view.save_as.value == "mine"
    editor.undo()
    assert (
        editor.design["name"] == "cifarnet"
        and len(editor.design["blocks"]) == len(template("cifarnet")["blocks"]) - 1
    )


def test_a_restored_draft_with_changes_counts_as_unsaved(tmp_path):
    first = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    first.drafts.delay = 0
    first.restore_draft(DRAFT)
    first.session.editor.delete("blocks[0]")
    again = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    again.restore_draft(DRAFT)
    assert again.unsaved
    again.template.value = "lenet"
    again.load_template()
    assert "has unsaved changes" in again.question
    unchanged = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    unchanged.drafts.delay = 0
    unchanged.restore_draft("cd" * 16)
    unchanged.session.editor.delete("blocks[0]")
    unchanged.session.editor.undo()  # the draft written is the template again
    assert unchanged.drafts.drafts.load("cd" * 16) == template("lenet")
    third = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    third.restore_draft("cd" * 16)
    assert not third.unsaved


def test_saving_over_another_design_asks_and_keeps_its_versions(view):
    editor = view.session.editor
    view.save_as.value = "mine"
    view.save()
    editor.delete("blocks[0]")
    view.save()  # the file being edited: saved again without a question
    assert view.question == "" and view.message == "Saved 'mine'. (version 2)"
    view.template.value = "cifarnet"
    view.load_template()
    view.save_as.value = "mine"
    view.save()
    assert view.question == (
        "A design named 'mine' is saved already (2 versions). Save over it? Its earlier "
        "versions are kept (see Versions)."
    )
    assert view.store.load("mine")["name"] == "lenet"  # not written yet
    view.cancel()
    assert view.store.history("mine") == [1, 2]
    view.save()
    view.confirm()
    assert view.store.load("mine") == template("cifarnet")
    assert view.message == "Saved 'mine'. (version 3)"
    assert view.saved.value == "mine"
    assert view.versions.options == {"version 3 (current)": 3, "version 2": 2, "version 1": 1}
    assert view.versions.value == 3


def test_a_version_opens_undoably_and_compares_with_the_design(view):
    editor = view.session.editor
    view.save_as.value = "mine"
    view.save()
    editor.set_field("", "name", "renamed")
    view.save()
    view.versions.value = 1
    view.compare_version()
    assert view.diff.splitlines()[:2] == ["--- mine version 1", "+++ this design"]
    assert '-  "name": "lenet",' in view.diff and '+  "name": "renamed",' in view.diff
    view.open_version()
    assert view.question == ""  # the design was just saved: nothing to lose
    assert editor.design == template("lenet")
    assert view.message == "Loaded 'mine' version 1. Undo brings back the design before."
    view.compare_version()
    assert view.diff == "# 'mine' version 1 is the design being edited."
    editor.undo()
    assert view.diff == ""  # a comparison is not left standing after a change
    assert editor.design["name"] == "renamed"


def test_a_version_gone_from_the_disk_is_neither_opened_nor_compared(view, tmp_path):
    view.save_as.value = "mine"
    view.save()
    view.versions.value = 1
    (version_file,) = tmp_path.rglob(f"{HISTORY}/mine/001.json")
    version_file.unlink()  # Gone since the list was made, by another tab or by hand.
    gone = "Workspace.load_version: `version` must be one of [] for 'mine', got 1."
    view.compare_version()
    assert (view.diff, view.message) == ("", f"Not compared: {gone}")
    view.open_version()
    assert view.message == f"Not loaded: {gone}"
    assert view.session.design == template("lenet") and view.question == ""


def test_versions_follow_the_chosen_saved_design(view):
    assert view.versions.options == {} and view.versions.value is None
    view.open_version()  # nothing chosen: nothing happens
    view.compare_version()
    assert (view.diff, view.message) == ("", "")
    view.save_as.value = "a"
    view.save()
    view.save_as.value = "b"
    view.save()
    assert view.versions.options == {"version 1 (current)": 1}
    view.saved.value = "a"
    assert view.versions.options == {"version 1 (current)": 1}


def test_a_diff_is_shown_escaped_with_removed_and_added_lines_marked():
    from workbench.views.panel.pages.build import diff_html

    assert diff_html("") == ""
    shown = diff_html('--- a\n+++ b\n@@ -1 +1 @@\n-  "name": "<x>",\n+  "name": "y",\n keep')
    assert '<span style="color:#9f1d1d">-  &quot;name&quot;: &quot;&lt;x&gt;&quot;,</span>' in shown
    assert '<span style="color:#1d6b2f">+  &quot;name&quot;: &quot;y&quot;,</span>' in shown
    assert '<span style="color:#333"> keep</span>' in shown


def test_undoing_a_replacement_brings_back_the_file_the_design_is_saved_to(view):
    editor = view.session.editor
    view.save_as.value = "mine"
    view.save()
    editor.delete("blocks[0]")
    view.template.value = "vgg_16"
    view.load_template()
    view.confirm()
    assert view.save_as.value == "vgg_16"
    editor.undo()
    assert (view.save_as.value, view.unsaved) == ("mine", True)
    view.save()  # A new version of its own file: no question.
    assert (view.question, view.message) == ("", "Saved 'mine'. (version 2)")


def test_a_draft_that_cannot_be_written_is_said_on_the_page(tmp_path, monkeypatch):
    page = BuildPage(session=WorkbenchSession(workspace=str(tmp_path)))
    page.drafts.delay = 0
    page.restore_draft(DRAFT)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("workbench.models.design.drafts.atomic_write", disk_full)
    page.session.editor.set_field("", "name", "renamed")
    assert page.session.design["name"] == "renamed"  # The page goes on.
    assert "cannot be kept as a draft: No space left on device" in page.message
