"""Workspace confinement of job paths."""

from __future__ import annotations

import os

import pytest

from workbench.models.jobs import PathEscapeError, resolve_in_workspace


def test_relative_and_absolute_paths_inside_resolve(tmp_path):
    root = os.path.realpath(tmp_path)
    assert resolve_in_workspace(tmp_path, "jobs/a") == os.path.join(root, "jobs", "a")
    assert resolve_in_workspace(tmp_path, os.path.join(root, "x")) == os.path.join(root, "x")
    assert resolve_in_workspace(tmp_path, "jobs/../data") == os.path.join(root, "data")
    assert resolve_in_workspace(tmp_path, ".") == root


@pytest.mark.parametrize("path", ["..", "../ws2", "/tmp", "a/../../b"], ids=str)
def test_escapes_are_rejected(tmp_path, path):
    workspace = tmp_path / "ws"
    with pytest.raises(PathEscapeError, match=r"`logdir` must stay inside the workspace"):
        resolve_in_workspace(workspace, path, what="logdir")


def test_a_sibling_with_the_same_prefix_is_outside(tmp_path):
    with pytest.raises(PathEscapeError, match="resolves to"):
        resolve_in_workspace(tmp_path / "ws", str(tmp_path / "ws-other"))


def test_a_non_path_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match=r"`path` must be a str path, got 3 \(int\)"):
        resolve_in_workspace(tmp_path, 3)
