"""Diagram rendering within bounds: a slow `dot` is killed, a huge diagram is refused.

A stand-in `dot` (a shell script on `PATH`) that never answers plays a pathological layout:
the call must come back after its timeout with a clear message, and the stand-in and the
process it started must be gone.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

import slimlib as slim
from workbench.models.inspect import InspectModel, render
from workbench.models.inspect.render import (
    DiagramTimeoutError,
    DiagramTooBigError,
    check_node_count,
    render_svg,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie nobody reaped counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.fixture
def hanging_dot(tmp_path, monkeypatch):
    """A `dot` on PATH that starts a child which sleeps, and waits for it; yields the file
    where the child's pid is written."""
    folder = tmp_path / "bin"
    folder.mkdir()
    pid_file = tmp_path / "child.pid"
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\nsleep 120 &\necho $! > {pid_file}\nwait\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return pid_file


def test_a_dot_that_never_answers_is_killed_after_the_timeout(hanging_dot):
    started = time.monotonic()
    with pytest.raises(DiagramTimeoutError, match=r"`dot` must lay out the diagram within 0.5 s"):
        render_svg("digraph { a -> b }", timeout=0.5)
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while not _gone(int(hanging_dot.read_text())):  # The child of the stand-in went too.
        assert time.monotonic() < deadline, "dot's child outlived the timeout"
        time.sleep(0.05)


def test_inspect_shows_the_timeout_in_place_of_the_diagram(hanging_dot, monkeypatch):
    monkeypatch.setattr(render, "DOT_TIMEOUT_SECS", 0.5)
    inspected = InspectModel(model_fn=lambda x: slim.fully_connected(x, 4), input_shape=[1, 3])
    assert inspected.svg == "" and inspected.error == "" and inspected.dot
    assert "within 0.5 s" in inspected.svg_error and "Fold some scopes" in inspected.svg_error
    assert inspected.table  # The rest of the page is there.


def _five_layers(x):
    with slim.arg_scope([slim.fully_connected], num_outputs=2):
        net = slim.stack(x, slim.fully_connected, [2, 2, 2], scope="body")
        return slim.fully_connected(slim.fully_connected(net, 2, scope="a"), 2, scope="b")


@needs_dot
def test_a_diagram_beyond_the_node_limit_says_so_until_folded(monkeypatch):
    monkeypatch.setattr(render, "MAX_DRAWN_NODES", 6)
    inspected = InspectModel(model_fn=_five_layers, input_shape=[1, 3], folded=[])
    inspected.folded = []  # Everything open: input, 5 layers, output.
    assert inspected.svg == ""
    assert "must have at most 6 nodes to be drawn, got 7" in inspected.svg_error
    inspected.toggle("body")  # The stack as one node: 5 nodes.
    assert "<svg" in inspected.svg and inspected.svg_error == ""


def test_check_node_count_names_the_limit_and_the_count():
    check_node_count(3, limit=3)
    with pytest.raises(DiagramTooBigError, match=r"at most 3 nodes to be drawn, got 4\. Fold"):
        check_node_count(4, limit=3)


def test_a_source_beyond_the_limit_is_refused_before_dot_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # Had dot been run, this would say so.
    huge = "digraph {" + " " * render.MAX_DOT_CHARS + "}"
    with pytest.raises(DiagramTooBigError, match=r"at most 4,000,000 characters.*got 4,000,010"):
        render_svg(huge)


@needs_dot
def test_an_svg_beyond_the_limit_is_refused():
    with pytest.raises(DiagramTooBigError, match=r"SVG must be at most 100 bytes.*got [\d,]+\."):
        render_svg("digraph { a -> b }", max_svg_bytes=100)
