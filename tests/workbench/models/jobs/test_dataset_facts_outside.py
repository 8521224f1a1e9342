"""The pre-Start dataset check reads nothing outside the workspace: a folder typed as
`../elsewhere`, an absolute path or a symlink out gives no facts (the job config's own check
says the path must stay inside), so the page cannot be used to list another folder's classes
and file names."""

from __future__ import annotations

import json

import pytest

from tests.workbench.models.jobs.test_image_header import encoded
from workbench.models.jobs.dataset_facts import dataset_facts


@pytest.fixture
def outside(tmp_path):
    """`tmp_path/ws` is the workspace; `tmp_path/private` a dataset folder beside it."""
    (tmp_path / "ws").mkdir()
    private = tmp_path / "private"
    for name in ("secret_a/1.png", "secret_b/2.png"):
        (private / name).parent.mkdir(parents=True, exist_ok=True)
        (private / name).write_bytes(encoded("L", "PNG"))
    info = {"format_version": 1, "splits": {"train": {"channels": 1, "num_classes": 7}}}
    (private / "dataset_info.json").write_text(json.dumps(info))
    (tmp_path / "ws" / "link").symlink_to(private)
    return tmp_path


@pytest.mark.parametrize("kind", ["image_folder", "tfrecord"])
@pytest.mark.parametrize("typed", ["../private", "ABSOLUTE", "link"], ids=["dotdot", "abs", "link"])
def test_a_folder_outside_the_workspace_is_not_read(outside, kind, typed):
    folder = str(outside / "private") if typed == "ABSOLUTE" else typed
    facts = dataset_facts(kind, folder, str(outside / "ws"))
    assert (facts.channels, facts.num_classes, facts.image_shape, facts.images) == (
        None,
        None,
        None,
        "",
    )
    assert "secret" not in facts.described and facts.errors == facts.warnings == ()
    assert "outside the workspace" in facts.described


def test_the_same_folder_inside_the_workspace_is_read(outside):
    (outside / "private").rename(outside / "ws" / "private")
    facts = dataset_facts("image_folder", "private", str(outside / "ws"))
    assert facts.num_classes == 2 and "secret_a/1.png" in facts.described
