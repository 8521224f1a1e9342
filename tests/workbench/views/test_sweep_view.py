"""The sweep panel: its status table (the best run starred) and its controls, without a browser."""

from __future__ import annotations

import time

import panel as pn

from workbench.models.jobs.config import OPTIMIZERS
from workbench.models.session import WorkbenchSession
from workbench.models.sweeps import form
from workbench.views.panel import sweep_view
from workbench.views.panel.sweep_view import SweepView, sweep_status_html
from workbench.views.panel.tensorboard_view import TensorBoardView, tensorboard_html

STATUS = {
    "id": "lr-1",
    "state": "finished",
    "max_concurrent": 1,
    "counts": {"finished": 2},
    "best": 1,
    "runs": [
        {"index": 0, "name": "run-001", "values": {"learning_rate": 0.1},
         "state": "finished", "accuracy": 0.5, "logdir": "/w/jobs/lr-1/run-001"},
        {"index": 1, "name": "run-002", "values": {"learning_rate": 0.01},
         "state": "finished", "accuracy": 0.875, "logdir": "/w/jobs/lr-1/run-002"},
    ],
}  # fmt: skip


def test_the_status_table_stars_the_best_run():
    text = sweep_status_html(STATUS)
    assert "<b>Sweep lr-1</b>: finished (2 finished; up to 1 at once)" in text
    assert "Best run: <b>run-002</b> (validation accuracy 0.8750)" in text
    pad = "style='padding:2px 14px 2px 0;text-align:left'"
    assert (
        f"<tr class='sweep-best'><td {pad}>★</td><td {pad}>run-002</td><td {pad}>0.01</td>" in text
    )
    assert text.count("★") == 1
    assert "No sweep yet" in sweep_status_html({})


def test_the_panel_renders_and_refuses_a_bad_field(tmp_path, monkeypatch):
    # Nothing is launched here: no scheduler thread.
    monkeypatch.setattr(form, "ensure_scheduler", lambda workspace: None)
    monkeypatch.setattr(sweep_view, "ensure_scheduler", lambda workspace: None)
    view = SweepView(session=WorkbenchSession(workspace=str(tmp_path)))
    assert isinstance(view.__panel__(), pn.Row)
    view.form.learning_rates = "0.1, fast"
    view.start_sweep()
    assert view.message_pane.visible and "got 'fast'" in view.message_pane.object
    view.form.learning_rates = "0.1"
    view.start_sweep()
    assert not view.message_pane.visible
    assert "run-001" in view.status_pane.object and "pending" in view.status_pane.object
    compared = []
    view.on_compare = compared.append
    view.compare_sweep()
    assert compared == []  # Nothing launched yet: nothing to compare.
    shown = view.form.status
    view.form.status = STATUS
    view.compare_sweep()
    assert compared == [["/w/jobs/lr-1/run-001", "/w/jobs/lr-1/run-002"]]
    view.form.status = shown
    view.stop_sweep()
    deadline = time.monotonic() + 30
    while "cancelled" not in view.status_pane.object and time.monotonic() < deadline:
        time.sleep(0.1)
        view.poll()
    assert "cancelled" in view.status_pane.object
    # A new page of the same workspace follows the newest sweep, and lists every sweep.
    first = view.form.sweep_id
    view.form.learning_rates = "0.2"
    view.start_sweep()
    assert view.sweep_list.value == view.form.sweep_id != first
    again = SweepView(session=WorkbenchSession(workspace=str(tmp_path)))
    assert again.form.sweep_id == view.form.sweep_id
    assert list(again.sweep_list.options.values()) == [view.form.sweep_id, first]
    assert list(again.sweep_list.options)[1] == f"{first} (stopped)"
    again.sweep_list.value = first  # Picking a sweep follows it.
    assert again.form.sweep_id == first and "0.1" in again.status_pane.object


def test_tensorboard_link_only_while_running(tmp_path):
    view = TensorBoardView(workspace=str(tmp_path))
    assert tensorboard_html(view.server) == "TensorBoard: not started."
    view.server.param.update(state="running", url="http://127.0.0.1:6006/")
    view.poll()
    assert "href='http://127.0.0.1:6006/#hparams'" in view.pane.object
    view.server.param.update(state="new", url="")


def test_a_hidden_panel_reads_nothing_and_catches_up_when_shown(tmp_path, monkeypatch):
    monkeypatch.setattr(form, "ensure_scheduler", lambda workspace: None)
    monkeypatch.setattr(sweep_view, "ensure_scheduler", lambda workspace: None)
    view = SweepView(session=WorkbenchSession(workspace=str(tmp_path)), shown=False)
    reads = []
    monkeypatch.setattr(view.form, "refresh", lambda: reads.append("status"))
    view.poll()
    assert reads == []
    view.shown = True  # Shown again: one read at once, without waiting for the next poll.
    assert reads == ["status"]
    view.poll()
    assert reads == ["status", "status"]


def test_a_damaged_sweep_is_listed_and_picking_it_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(form, "ensure_scheduler", lambda workspace: None)
    monkeypatch.setattr(sweep_view, "ensure_scheduler", lambda workspace: None)
    view = SweepView(session=WorkbenchSession(workspace=str(tmp_path)))
    view.form.learning_rates = "0.1"
    view.start_sweep()
    good = view.form.sweep_id
    view.stop_sweep()
    assert view.stopping.wait(10)  # The stop runs in the background.
    view.form.learning_rates = "0.2"
    view.start_sweep()
    bad = view.form.sweep_id
    (tmp_path / "sweeps" / bad / "control.json").write_text('{"state": "st')
    view.refresh_sweeps()
    assert f"{bad} (damaged)" in view.sweep_list.options
    view.form.follow(bad)
    assert view.message_pane.visible
    assert f"sweeps/{bad}/control.json is not valid JSON" in view.message_pane.object
    (tmp_path / "sweeps" / bad / "sweep.json").write_text("{")
    view.refresh_sweeps()
    assert list(view.sweep_list.options) == [f"{good} (stopped)", f"{bad} (damaged)"]
    view.form.follow(good)  # A readable sweep clears the message.
    assert not view.message_pane.visible and "run-001" in view.status_pane.object


def test_start_sits_above_the_form_whose_optimizer_checkboxes_are_labelled(tmp_path):
    view = SweepView(session=WorkbenchSession(workspace=str(tmp_path)))
    controls = view.__panel__().objects[0]
    start = controls.objects[2].objects[0]
    assert start.label == "Start sweep"  # above the form, beside the sweep's status
    form = controls.objects[3]
    label, group = form.objects[1].objects
    assert "Optimizers to try" in label.object and "none ticked" in label.object
    assert isinstance(group, pn.widgets.CheckBoxGroup) and list(group.options) == list(OPTIMIZERS)
    group.value = ["adam"]
    assert view.form.optimizers == ["adam"]
