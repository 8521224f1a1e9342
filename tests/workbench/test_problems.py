"""The workbench's problems module: message pieces and the one atomic file write."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pytest

from workbench import problems
from workbench.problems import atomic_write, did_you_mean, join_path, problem, short_repr


def test_doctests():
    assert doctest.testmod(problems).failed == 0


def test_did_you_mean_names_the_closest_choice_with_a_leading_space():
    assert did_you_mean("fully_conected", ("conv2d", "fully_connected")) == (
        " Did you mean 'fully_connected'?"
    )
    assert did_you_mean("xyz", ("conv2d",)) == ""
    assert did_you_mean(3, (1, 2, 3)) == " Did you mean '3'?"  # Not str: compared as text.
    assert did_you_mean("a", ()) == ""


def test_a_hint_from_did_you_mean_reads_as_one_sentence_after_the_message():
    found = problem("kind", "a block kind", "layr", hint=did_you_mean("layr", ["layer"]))
    assert found.message == "`kind` must be a block kind, got 'layr'. Did you mean 'layer'?"


def test_join_path_uses_dots_for_names_and_brackets_for_the_rest():
    assert join_path("blocks[0]", "args") == "blocks[0].args"
    assert join_path("", "args") == "args"
    assert join_path("blocks", 3) == "blocks[3]"
    assert join_path("args", "2x") == "args['2x']"


def test_short_repr_shortens_long_values_and_survives_broken_reprs():
    assert short_repr("a" * 200, limit=20) == "'aaaaaaaaaaaaaa ...'"
    assert short_repr(list(range(100)), limit=20) == "[0, 1, 2, 3, 4,  ..."

    class Broken:
        def __repr__(self):
            raise RuntimeError("no")

    assert short_repr(Broken()) == "<Broken>"


def test_atomic_write_writes_bytes_and_text(tmp_path):
    target = tmp_path / "a.json"
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    atomic_write(str(target), "é\n")
    assert target.read_bytes() == "é\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_atomic_write_syncs_the_file_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync file")
        real_fsync(fd)

    def replace(src, dst):
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic_write(tmp_path / "x", "data")
    assert events == ["fsync file", "replace", "fsync folder"]


def test_a_failed_atomic_write_keeps_the_old_file_and_removes_its_temporary(tmp_path, monkeypatch):
    target = tmp_path / "status.json"
    target.write_text("old")

    def refuse(src, dst):
        assert Path(src).read_text() == "new"  # Fully written before the rename.
        raise OSError("no space left")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="no space left"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["status.json"]


def test_atomic_write_refuses_data_that_is_not_bytes_or_text(tmp_path):
    with pytest.raises(TypeError, match=r"`data` must be bytes or str, got \{'a': 1\}"):
        atomic_write(tmp_path / "x", {"a": 1})
    assert list(tmp_path.iterdir()) == []


def test_an_exclusive_atomic_write_claims_a_new_file_only(tmp_path):
    target = tmp_path / "job.json"
    atomic_write(target, "first", exclusive=True)
    with pytest.raises(FileExistsError):
        atomic_write(target, "second", exclusive=True)
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["job.json"]  # No temporary file is left.
