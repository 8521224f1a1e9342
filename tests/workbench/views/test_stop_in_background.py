"""Stop on the Train page and in its sweep panel returns at once: the jobs stop in a worker
thread, the page says "Stopping" meanwhile and shows the stopped state when it is reached.

The job process is the sweep tests' `fake_job.py` (no TensorFlow, no training), told to take
2 s to stop after SIGTERM (`FAKE_JOB_ON_TERM=slow:2`), so a click that waited for the stop
would take at least 2 s.
"""

from __future__ import annotations

import stat
import sys
import time
from pathlib import Path

import panel as pn
import pytest
from bokeh.document import Document

from workbench.models.jobs import control
from workbench.models.jobs import start as start_job
from workbench.models.session import WorkbenchSession
from workbench.models.sweeps import form
from workbench.views.panel import background_action, sweep_view
from workbench.views.panel.background_action import BackgroundAction
from workbench.views.panel.pages import train
from workbench.views.panel.pages.train import TrainPage
from workbench.views.panel.sweep_view import SweepView

FAKE_JOB = Path(__file__).parents[1] / "models" / "sweeps" / "fake_job.py"
CONFIG = {"model": {"net": "lenet"}, "train": {"steps": 2}}
#: A click that waited for the 2 s stop would take longer than this.
CLICK_SECS = 1.0


@pytest.fixture
def fake_python(tmp_path, monkeypatch) -> str:
    """An 'interpreter' that runs fake_job.py, which takes 2 s to stop after SIGTERM."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    monkeypatch.setenv("FAKE_JOB_ON_TERM", "slow:2")
    path = tmp_path / "fake-python"
    path.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE_JOB} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _until(predicate, poll, timeout=30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        poll()
        time.sleep(0.05)


@pytest.fixture
def page(tmp_path, fake_python):
    """The Train page showing a running stand-in job (stopped at the end, whatever failed)."""
    job = start_job(CONFIG, "jobs/slow", workspace=tmp_path, python=fake_python)
    try:
        page = TrainPage(session=WorkbenchSession(workspace=str(tmp_path), train_design=False))
        _until(lambda: page.job is not None and page.job.state == "running", page.poll)
        yield page
    finally:
        control.stop(job.logdir, grace_secs=5)


def test_stop_job_returns_before_the_job_has_stopped(page, monkeypatch):
    calls = []
    stop = train.stop_job_process
    monkeypatch.setattr(train, "stop_job_process", lambda *a, **k: (calls.append(a), stop(*a, **k)))
    begin = time.monotonic()
    page.stop_job()
    took = time.monotonic() - begin
    assert took < CLICK_SECS, f"the click took {took:.1f} s"
    assert page.stopping.running and page.stop_note.visible
    assert "Stopping slow&hellip;" in page.stop_note.object
    page.poll()
    assert page.job.state == "running"  # Still saving its checkpoint.
    page.stop_job()  # A second click while stopping: no second stop.
    _until(lambda: page.job.state == "stopped", page.poll)
    assert page.stopping.wait(10) and calls == [(page.job.logdir,)]
    _until(lambda: not page.stopping.running, lambda: None)
    assert not page.stop_note.visible and page.message == ""
    assert "<b style='color:#555'>stopped</b>" in page.status.object


def test_an_error_while_stopping_a_job_is_shown(page, monkeypatch):

    def refused(logdir, grace_secs):
        raise PermissionError(13, "Permission denied", f"{logdir}/stop_requested")

    monkeypatch.setattr(train, "stop_job_process", refused)
    page.stop_job()
    assert page.stopping.wait(10)
    assert page.message == "Cannot stop slow: Permission denied."
    assert page.message_pane.visible and not page.stop_note.visible
    assert not page.stopping.running  # The next click tries again.


def test_stop_sweep_returns_before_its_runs_have_stopped(tmp_path, fake_python, monkeypatch):
    monkeypatch.setattr(form, "ensure_scheduler", lambda workspace: None)
    monkeypatch.setattr(sweep_view, "ensure_scheduler", lambda workspace: None)
    view = SweepView(session=WorkbenchSession(workspace=str(tmp_path)))
    view.form.param.update(learning_rates="0.1, 0.01, 0.001", max_concurrent=2)
    sweep = view.form.start(CONFIG)
    assert len(sweep.schedule(python=fake_python)) == 2
    try:
        running = lambda: view.form.status.get("counts", {}).get("running") == 2  # noqa: E731
        _until(running, view.poll)
        begin = time.monotonic()
        view.stop_sweep()
        took = time.monotonic() - begin
        assert took < CLICK_SECS, f"the click took {took:.1f} s"
        assert (
            view.stop_note.visible and f"Stopping sweep {sweep.id}&hellip;" in view.stop_note.object
        )
        view.stop_sweep()  # A second click while stopping starts nothing.
        _until(lambda: view.form.status["state"] == "stopping", view.poll)
        _until(lambda: view.form.status["state"] == "stopped", view.poll)
        assert [run["state"] for run in view.form.status["runs"]] == ["stopped"] * 2 + ["cancelled"]
        assert view.stopping.wait(10)
        _until(lambda: not view.stop_note.visible, lambda: None)
        assert not view.message_pane.visible
    finally:  # Whatever failed, no run is left waiting.
        control.stop_jobs([run["logdir"] for run in sweep.run_states()], grace_secs=5)


def test_an_error_while_stopping_a_sweep_is_shown(tmp_path, monkeypatch):
    monkeypatch.setattr(form, "ensure_scheduler", lambda workspace: None)
    monkeypatch.setattr(sweep_view, "ensure_scheduler", lambda workspace: None)
    view = SweepView(session=WorkbenchSession(workspace=str(tmp_path)))
    view.form.learning_rates = "0.1"
    sweep = view.form.start(CONFIG)
    # The stop cannot record itself: its control file's place is taken by a folder.
    control_file = tmp_path / "sweeps" / sweep.id / "control.json"
    control_file.unlink()
    control_file.mkdir()
    view.stop_sweep()
    assert view.stopping.wait(10)
    _until(lambda: not view.stopping.running, lambda: None)
    assert view.message_pane.visible and not view.stop_note.visible
    assert view.message_pane.object == f"Cannot stop sweep {sweep.id}: Is a directory."


def test_a_served_click_shows_the_end_on_the_sessions_event_loop(monkeypatch):
    # In a served session the end is handed to the document's next tick, where Panel may
    # change its models: not shown from the worker thread.
    doc = Document()
    monkeypatch.setattr(background_action, "served_doc", lambda: doc)
    action = BackgroundAction(name="test")
    ended = []
    assert action.start(lambda: None, lambda error: ended.append((error, pn.state.curdoc)))
    assert not action.start(lambda: None, ended.append)  # Under way: refused.
    assert action.wait(10) and ended == [] and action.running
    (tick,) = doc.session_callbacks
    tick.callback()
    assert ended == [(None, doc)] and not action.running
