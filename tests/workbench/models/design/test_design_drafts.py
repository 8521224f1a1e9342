"""Per-browser drafts: ids checked before any file is touched, atomic writes, restore, debounce."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading

import pytest

from workbench.models.design import template
from workbench.models.design.drafts import (
    DRAFTS,
    DraftKeeper,
    Drafts,
    check_draft_id,
    new_draft_id,
)
from workbench.models.design.workspace import Workspace
from workbench.models.editor import DesignEditor
from workbench.problems import DesignError

ID_A = "0123456789abcdef" * 2
ID_B = "f" * 32


def test_new_ids_are_32_hex_digits_and_differ():
    ids = {new_draft_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(check_draft_id(i) == i and len(i) == 32 for i in ids)


@pytest.mark.parametrize(
    "bad",
    ["", "../../etc/passwd", "0123456789ABCDEF" * 2, ID_A + "0", ID_A[:-1] + "/", ID_A + "\n"],
)
def test_a_malformed_id_is_refused_before_any_file_is_touched(tmp_path, bad):
    drafts = Drafts(tmp_path)
    with pytest.raises(ValueError, match="must be 32 lowercase hex digits.*got"):
        drafts.save(bad, template("lenet"))
    with pytest.raises(ValueError, match="must be 32 lowercase hex digits"):
        drafts.load(bad)
    assert list(tmp_path.iterdir()) == []


def test_an_id_that_is_not_a_str_is_refused(tmp_path):
    with pytest.raises(TypeError, match=r"must be a str, got 5 \(int\)"):
        Drafts(tmp_path).load(5)


def test_drafts_round_trip_apart_and_stay_out_of_the_design_list(tmp_path):
    drafts = Drafts(tmp_path)
    assert drafts.load(ID_A) is None
    drafts.save(ID_A, template("lenet"))
    drafts.save(ID_B, template("vgg_16"))
    assert drafts.load(ID_A) == template("lenet")
    assert drafts.load(ID_B) == template("vgg_16")
    assert sorted(p.name for p in (tmp_path / DRAFTS).iterdir()) == [f"{ID_A}.json", f"{ID_B}.json"]
    assert Workspace(tmp_path).names == []


def test_an_unreadable_draft_raises_a_design_error(tmp_path):
    drafts = Drafts(tmp_path)
    drafts.save(ID_A, template("lenet"))
    drafts.path(ID_A).write_text("{not json")
    with pytest.raises(DesignError):
        drafts.load(ID_A)


def test_attach_restores_the_draft_then_keeps_every_change(tmp_path):
    drafts = Drafts(tmp_path)
    saved = template("cifarnet")
    drafts.save(ID_A, saved)
    editor = DesignEditor(template("lenet"))
    keeper = DraftKeeper(editor, drafts, delay=0)
    assert keeper.attach(ID_A) is True
    assert editor.design == saved and not editor.can_undo
    assert keeper.message == "Restored the design 'cifarnet' you were editing."
    editor.set_field("", "name", "mine")
    assert json.loads(drafts.path(ID_A).read_text())["name"] == "mine"
    assert keeper.attach(ID_A) is False  # the same browser again: nothing reloaded


def test_attach_with_no_draft_keeps_the_design_and_writes_at_the_first_change(tmp_path):
    drafts = Drafts(tmp_path)
    editor = DesignEditor(template("lenet"))
    keeper = DraftKeeper(editor, drafts, delay=0)
    assert keeper.attach(ID_B) is False
    assert editor.design == template("lenet")
    assert drafts.load(ID_B) is None
    editor.delete("blocks[0]")
    assert drafts.load(ID_B) == editor.design


def test_a_broken_draft_is_reported_and_the_design_kept(tmp_path):
    drafts = Drafts(tmp_path)
    drafts.folder.mkdir()
    drafts.path(ID_A).write_text("[]")
    editor = DesignEditor(template("lenet"))
    keeper = DraftKeeper(editor, drafts, delay=0)
    assert keeper.attach(ID_A) is False
    assert keeper.message.startswith("The draft could not be restored: ")
    assert editor.design == template("lenet")


def test_a_malformed_id_is_refused_by_attach(tmp_path):
    keeper = DraftKeeper(DesignEditor(template("lenet")), Drafts(tmp_path))
    with pytest.raises(ValueError, match="32 lowercase hex digits"):
        keeper.attach("../x")
    assert keeper.draft_id is None


def test_a_burst_of_changes_is_written_once_after_the_delay(tmp_path, monkeypatch):
    drafts = Drafts(tmp_path)
    writes = []
    real_save = drafts.save
    monkeypatch.setattr(drafts, "save", lambda i, d: (writes.append(d["name"]), real_save(i, d)))
    editor = DesignEditor(template("lenet"))
    keeper = DraftKeeper(editor, drafts, delay=60)
    keeper.attach(ID_A)
    for name in ("a", "ab", "abc"):
        editor.set_field("", "name", name)
    assert writes == []  # still waiting: a long delay
    keeper.flush()
    assert writes == ["abc"]
    keeper.flush()
    assert writes == ["abc"]  # nothing pending


def test_the_delayed_write_happens_on_its_own(tmp_path):
    drafts = Drafts(tmp_path)
    written = threading.Event()
    real_save = drafts.save
    drafts.save = lambda i, d: (real_save(i, d), written.set())
    editor = DesignEditor(template("lenet"))
    keeper = DraftKeeper(editor, drafts, delay=0.01)
    keeper.attach(ID_A)
    editor.set_field("", "name", "later")
    assert written.wait(30)
    assert drafts.load(ID_A)["name"] == "later"


def test_a_process_ending_right_after_a_change_still_writes_it(tmp_path):
    script = f"""
from workbench.models.design import template
from workbench.models.design.drafts import DraftKeeper, Drafts
from workbench.models.editor import DesignEditor
editor = DesignEditor(template("lenet"))
DraftKeeper(editor, Drafts({str(tmp_path)!r}), delay=0.2).attach({ID_A!r})
editor.set_field("", "name", "last edit")
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert Drafts(tmp_path).load(ID_A)["name"] == "last edit"


def test_a_full_disk_keeps_the_last_draft_and_says_so(tmp_path, monkeypatch):
    drafts = Drafts(tmp_path)
    editor = DesignEditor(template("lenet"))
    keeper = DraftKeeper(editor, drafts, delay=0)
    keeper.attach(ID_A)
    editor.set_field("", "name", "kept")
    real_replace = os.replace

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    editor.set_field("", "name", "lost")  # The edit itself goes through ...
    assert editor.design["name"] == "lost"
    assert drafts.load(ID_A)["name"] == "kept"  # ... the draft before it stays whole ...
    assert "cannot be kept as a draft: No space left on device" in keeper.message
    assert sorted(p.name for p in drafts.folder.iterdir()) == [f"{ID_A}.json"]
    monkeypatch.setattr(os, "replace", real_replace)
    editor.set_field("", "name", "back")  # ... and the next change that fits clears it.
    assert drafts.load(ID_A)["name"] == "back" and keeper.message == ""
