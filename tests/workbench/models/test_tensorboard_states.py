"""The app's TensorBoard says its true state: new, starting, running at its address, stopped,
or failed with the reason (it exited at once, or later by itself). The TensorBoard process is
`fake_tensorboard.py` (no TensorFlow), so these run in a second or two."""

from __future__ import annotations

import signal
import stat
import sys
import urllib.request
from pathlib import Path

import pytest

from workbench.models.tensorboard_server import TensorBoardServer
from workbench.views.panel.tensorboard_view import TensorBoardView, tensorboard_html

FAKE = Path(__file__).with_name("fake_tensorboard.py")


@pytest.fixture
def python(tmp_path) -> str:
    path = tmp_path / "fake-python"
    path.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def server(tmp_path):
    board = TensorBoardServer(str(tmp_path / "jobs"), log_file=str(tmp_path / "tb" / "tb.log"))
    yield board
    board.stop()


def test_new_running_stopped_and_started_again(server, python):
    assert server.state == "new" and tensorboard_html(server) == "TensorBoard: not started."
    server.stop()  # One never started stays new.
    assert server.state == "new"
    server.start(python=python, wait=True)
    assert server.state == "running", server.error
    assert server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(server.url, timeout=10) as response:
        assert response.read() == b"fake tensorboard"
    assert tensorboard_html(server).startswith(
        f"TensorBoard: running at <a href='{server.url}#hparams'"
    )
    server.stop()
    assert (server.state, server.url, server.error) == ("stopped", "", "")
    assert tensorboard_html(server) == "TensorBoard: stopped. Open it to start it again."
    assert server.refresh() == "stopped"
    server.start(python=python, wait=True)
    assert server.state == "running", server.error


def test_a_tensorboard_that_exits_at_once_failed_and_says_why(server, python, monkeypatch):
    monkeypatch.setenv("FAKE_TENSORBOARD", "exit:3")
    server.start(python=python, wait=True)
    assert server.state == "failed"
    assert server.error.startswith("TensorBoard exited (exit status 3); its log ends:\n")
    assert "cannot read the logdir" in server.error
    page = tensorboard_html(server)
    assert page.startswith("TensorBoard failed: <pre>TensorBoard exited (exit status 3)")
    server.stop()  # A failed one keeps its reason.
    assert server.state == "failed" and "exit status 3" in server.error


def test_a_running_tensorboard_that_dies_is_shown_failed(server, python):
    server.start(python=python, wait=True)
    assert server.state == "running", server.error
    server._process.send_signal(signal.SIGKILL)
    server._process.wait()
    assert server.refresh() == "failed"
    assert server.error.startswith(
        "TensorBoard exited while running (killed by signal 9 (SIGKILL)); its log ends:"
    )
    assert server.url == ""


def test_the_view_shows_each_state_and_a_stop_button_while_it_runs(tmp_path, python, monkeypatch):
    view = TensorBoardView(workspace=str(tmp_path))
    monkeypatch.setattr(view.server, "start", lambda: TensorBoardServer.start(
        view.server, python=python, wait=True))  # fmt: skip
    try:
        assert view.pane.object == "TensorBoard: not started."
        assert not view.stop_button.visible
        view.open()
        assert "TensorBoard: running at <a" in view.pane.object and view.stop_button.visible
        view.stop()
        assert view.pane.object == "TensorBoard: stopped. Open it to start it again."
        assert not view.stop_button.visible
        view.open()
        view.server._process.kill()
        view.server._process.wait()
        view.poll()  # The page's poll notices it died.
        assert view.pane.object.startswith(
            "TensorBoard failed: <pre>TensorBoard exited while running (killed by signal 9"
        )
    finally:
        view.server.stop()


def test_a_tensorboard_that_cannot_be_launched_failed_and_says_why(server, tmp_path):
    server.start(python=str(tmp_path / "no-such-python"), wait=True)
    assert server.state == "failed" and server.url == ""
    assert server.error.startswith(
        "TensorBoard could not be started: FileNotFoundError: [Errno 2] No such file or directory"
    )
    assert "no-such-python" in server.error
