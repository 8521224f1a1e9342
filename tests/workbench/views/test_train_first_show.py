"""The Train page shows at once: its slow design check runs off the session's thread, the
charts' place says what will appear there, and a job's state reads as words."""

from __future__ import annotations

import importlib.machinery
import json
import sys
import threading
import types

from workbench.models.jobs import Job
from workbench.models.jobs.settings import TrainSettings
from workbench.models.session import WorkbenchSession
from workbench.views.panel.pages import train
from workbench.views.panel.pages.train import NO_METRICS_YET, TrainPage, job_state_text


def _job(tmp_path, **status) -> Job:
    logdir = tmp_path / "jobs" / "one"
    logdir.mkdir(parents=True)
    (logdir / "job.json").write_text(json.dumps({"name": "one", "model": {"net": "lenet"}}))
    (logdir / "status.json").write_text(json.dumps(status))
    return Job(str(logdir), workspace=str(tmp_path))


def test_an_ended_job_reads_as_its_state_alone(tmp_path):
    job = _job(tmp_path, state="finished", phase="done", step=20)
    assert job_state_text(job) == "finished"
    status = train.job_status_html(job)
    assert "finished</b> &middot; step 20" in status and "done" not in status


def test_a_running_job_says_what_it_is_doing(tmp_path):
    job = _job(tmp_path, state="running", phase="preparing data", step=0, pid=None)
    job.param.update(state="running", phase="preparing data")  # As read while it lives.
    assert job_state_text(job) == "running, preparing data"
    job.phase = "running"
    assert job_state_text(job) == "running"


def test_before_any_job_the_charts_place_says_what_will_appear(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path), settings=TrainSettings())
    view = TrainPage(session=session, shown=False)
    assert not view.chart.visible and view.chart_empty.visible
    assert view.chart_empty.object == f"<i>{NO_METRICS_YET}</i>"
    assert NO_METRICS_YET == "Start a job to see its loss and accuracy here."


def test_a_job_with_logged_values_shows_its_charts(tmp_path):
    job = _job(tmp_path, state="finished", phase="done", step=20)
    (tmp_path / "jobs" / "one" / "metrics.jsonl").write_text(
        json.dumps({"step": 10, "loss": 2.5}) + "\n" + json.dumps({"step": 20, "loss": 1.5}) + "\n"
    )
    session = WorkbenchSession(workspace=str(tmp_path), settings=TrainSettings())
    view = TrainPage(session=session)
    assert view.job.logdir == job.logdir
    assert view.chart.visible and not view.chart_empty.visible
    assert view.chart.object["data"][0]["y"] == [2.5, 1.5]


def test_in_a_served_session_the_design_check_runs_in_the_background(tmp_path, monkeypatch):
    """The check waits for TensorFlow and builds the design: the page says it is checking,
    the session's thread goes on, and the result lands when the check ends."""
    monkeypatch.setattr(train, "served_doc", lambda: object())
    release = threading.Event()
    (tmp_path / "photos" / "cats").mkdir(parents=True)  # A class folder with no image.
    session = WorkbenchSession(
        workspace=str(tmp_path), settings=TrainSettings(dataset="image_folder", folder="photos")
    )
    found = session.design_fit()  # Checked here first: the worker only waits, then answers.
    assert found

    def slow_fit():
        release.wait(30)
        return found

    monkeypatch.setattr(session, "design_fit", slow_fit)
    view = TrainPage(session=session, shown=False)
    view.shown = True
    assert view.checking.running and view.fit_note.visible and not view.fit.visible
    assert "Checking that the design fits" in view.fit_note.object
    view.show_fit()  # A change during the check: checked again when it ends.
    release.set()
    assert view.checking.wait(30)
    if view.checking.running:  # The second check.
        assert view.checking.wait(30)
    assert not view.fit_note.visible and view.fit.visible
    assert view.fit_alert.object.startswith(found[0].problem.message[:20])


def test_the_device_line_does_not_wait_for_tensorflow_still_importing(monkeypatch):
    """Another thread importing TensorFlow lists it before it is ready: asking it then would
    hold the page until that import ends."""
    importing = types.ModuleType("tensorflow")
    importing.__spec__ = importlib.machinery.ModuleSpec("tensorflow", None)
    importing.__spec__._initializing = True
    monkeypatch.setitem(sys.modules, "tensorflow", importing)
    assert train.visible_devices() is None
    monkeypatch.delitem(sys.modules, "tensorflow")
    assert train.visible_devices() is None
