"""The Train page's sweep panel: define a sweep over the current design and dataset, start
it, watch its runs (the best one starred), stop it, compare its runs, open TensorBoard.

A thin view of `workbench.models.sweeps.form.SweepForm`; the runs are launched by the app's
scheduler thread (`workbench.models.sweeps.ensure_scheduler`), so a sweep goes on when the
page closes. Panes are made once and updated in place (a pane made in a callback would ask
Panel's CDN for its stylesheets, out of reach offline).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import panel as pn
import param

from workbench.models.jobs import ConfigError
from workbench.models.session import WorkbenchSession
from workbench.models.sweeps import damaged_sweeps, ensure_scheduler, list_sweeps
from workbench.models.sweeps.form import SweepForm, base_config
from workbench.views.panel.background_action import BackgroundAction
from workbench.views.panel.safe_text import markdown_message
from workbench.views.panel.session_poll import poll_while_served
from workbench.views.panel.tensorboard_view import TensorBoardView

__all__ = ["SweepView", "sweep_status_html"]

POLL_MS = 1000
#: Polls between two listings of the workspace's sweeps (sweeps started elsewhere).
LIST_EVERY_N_POLLS = 5
#: Seconds the running jobs of a stopped sweep get to save a checkpoint before they are killed.
STOP_GRACE_SECS = 15.0
_STATE_COLOURS = {"running": "#2f6f9f", "finished": "#1b7f3b", "failed": "#b3261e"}


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def sweep_status_html(status: dict) -> str:
    """The sweep's state and a table of its runs (values, state, validation accuracy), the
    best run starred."""
    if not status:
        return "<i>No sweep yet: choose the values to try and press Start sweep.</i>"
    counts = ", ".join(f"{n} {state}" for state, n in status["counts"].items())
    names = list(status["runs"][0]["values"]) if status["runs"] else []
    pad = "style='padding:2px 14px 2px 0;text-align:left'"
    head = "".join(
        f"<th {pad}>{html.escape(n)}</th>" for n in ["", "run", *names, "state", "val acc"]
    )
    rows = []
    for run in status["runs"]:
        best = run["index"] == status["best"]
        colour = _STATE_COLOURS.get(run["state"], "#555")
        cells = [
            "★" if best else "",
            html.escape(run["name"]),
            *(html.escape(_value(run["values"][n])) for n in names),
            f"<span style='color:{colour}'>{html.escape(run['state'])}</span>",
            "" if run["accuracy"] is None else f"{run['accuracy']:.4f}",
        ]
        label = " class='sweep-best'" if best else ""
        rows.append(f"<tr{label}>" + "".join(f"<td {pad}>{c}</td>" for c in cells) + "</tr>")
    best_line = ""
    if status["best"] is not None:
        best_run = status["runs"][status["best"]]
        best_line = (
            f"<br>Best run: <b>{html.escape(best_run['name'])}</b> "
            f"(validation accuracy {best_run['accuracy']:.4f})"
        )
    return (
        f"<b>Sweep {html.escape(status['id'])}</b>: {html.escape(status['state'])} "
        f"({html.escape(counts)}; up to {status['max_concurrent']} at once){best_line}"
        f"<table class='sweep-runs' style='margin-top:6px'><tr>{head}</tr>{''.join(rows)}"
        "</table>"
    )


class SweepView(pn.viewable.Viewer):
    """Sweep form, its runs and its controls.

    Args:
      session: The session whose design, dataset and training settings every run takes.
      on_compare: Called with the sweep's log directories when Compare is pressed.
    """

    session = param.ClassSelector(class_=WorkbenchSession, doc="Design, dataset and settings.")
    shown = param.Boolean(
        default=True,
        doc="Whether the panel is on screen; hidden, it is not polled and catches up when shown.",
    )

    def __init__(self, on_compare: Callable[[list[str]], None] | None = None, **params):
        super().__init__(**params)
        self.on_compare = on_compare
        self.form = SweepForm(self.session.workspace)
        ensure_scheduler(self.session.workspace)  # Sweeps started before a restart go on.
        self.status_pane = pn.pane.HTML(sweep_status_html({}), name="sweep-status")
        self.message_pane = pn.pane.Alert("", alert_type="danger", visible=False)
        # A stop waits for the running jobs to save a checkpoint: off the session's thread.
        self.stopping = BackgroundAction(name="stop-sweep")
        self.stop_note = pn.pane.HTML("", visible=False, name="sweep-stopping")
        self.form.param.watch(self._show_status, "status")
        self.form.param.watch(self._show_message, "message")
        self.tensorboard = TensorBoardView(workspace=self.session.workspace)
        self.sweep_list = pn.widgets.Select(
            label="Sweeps in this workspace", options={}, sizing_mode="stretch_width"
        )
        self._polls = 0
        self.refresh_sweeps()
        # A refreshed page follows the newest sweep; picking another follows that one.
        if self.sweep_list.options:
            self.form.follow(next(iter(self.sweep_list.options.values())))
        self.sweep_list.value = self.form.sweep_id or None
        self.sweep_list.param.watch(self._pick, "value")
        self.form.param.watch(self._followed, "sweep_id")
        self.param.watch(lambda e: self.poll() if e.new else None, "shown")

    def refresh_sweeps(self) -> None:
        """Lists the workspace's sweeps, newest first: `id (running)`; then those whose plan
        cannot be read, `id (damaged)` (picking one says why)."""
        workspace = self.session.workspace
        options = {f"{s.id} ({s.recorded_state()})": s.id for s in list_sweeps(workspace)}
        options.update({f"{i} (damaged)": i for i in damaged_sweeps(workspace)})
        self.sweep_list.options = options

    def _pick(self, event) -> None:
        if event.new and event.new != self.form.sweep_id:
            self.form.follow(event.new)

    def _followed(self, event) -> None:
        self.refresh_sweeps()
        self.sweep_list.value = event.new

    # -- actions -----------------------------------------------------------------------------

    def start_sweep(self, _=None) -> None:
        try:
            base = base_config(self.session)
        except ConfigError as err:
            self.form.message = str(err)
            return
        self.form.start(base)

    def stop_sweep(self, _=None) -> None:
        """Stops the followed sweep in the background and says so at once; the poll shows its
        runs as they end. A click while a stop is under way does nothing."""
        if self.stopping.running:
            return
        sweep = self.form.sweep()
        if sweep is None:
            return
        # Said before the stop starts: a stop that fails at once takes the note away.
        self.stop_note.object = (
            f"<i>Stopping sweep {html.escape(sweep.id)}&hellip; its running jobs save a "
            f"checkpoint first (up to {STOP_GRACE_SECS:g} s).</i>"
        )
        self.stop_note.visible = True
        self.stopping.start(
            lambda: sweep.stop(grace_secs=STOP_GRACE_SECS),
            lambda error: self._stopped(sweep.id, error),
        )

    def _stopped(self, sweep_id: str, error: Exception | None) -> None:
        """The end of a stop: the note goes, the runs are read again, an error is said."""
        self.stop_note.visible = False
        self.stop_note.object = ""
        self.form.refresh()
        if error is not None:
            why = error.strerror if isinstance(error, OSError) and error.strerror else error
            self.form.message = f"Cannot stop sweep {sweep_id}: {why}."

    def compare_sweep(self, _=None) -> None:
        runs = self.form.status.get("runs", [])
        logdirs = [run["logdir"] for run in runs if run["state"] not in ("pending", "cancelled")]
        if self.on_compare is not None and logdirs:
            self.on_compare(logdirs)

    def poll(self) -> None:
        """Reads the followed sweep's status (the panes follow it); nothing while hidden, as a
        class's sessions would each read every run's files every second for nobody."""
        if not self.shown:
            return
        self._polls += 1
        if self._polls % LIST_EVERY_N_POLLS == 0:
            self.refresh_sweeps()
        self.form.refresh()
        self.tensorboard.poll()

    # -- view --------------------------------------------------------------------------------

    def _show_status(self, _=None) -> None:
        self.status_pane.object = sweep_status_html(self.form.status)

    def _show_message(self, _=None) -> None:
        self.message_pane.object = markdown_message(self.form.message)
        self.message_pane.visible = bool(self.form.message)

    def __panel__(self) -> pn.viewable.Viewable:
        values = pn.Param(
            self.form,
            parameters=["method", "learning_rates", "batch_sizes", "weight_decays"],
            show_name=False,
        )
        # A checkbox group shows no label of its own: without one, four bare checkboxes
        # ("sgd", "momentum", ...) said nothing of what ticking them does.
        optimizers = pn.Column(
            pn.pane.HTML(
                "<label>Optimizers to try</label> <span style='color:#666'>(none ticked: the "
                "form's)</span>",
                name="sweep-optimizers-label",
                margin=(5, 10, 0, 10),
            ),
            pn.widgets.CheckBoxGroup.from_param(self.form.param.optimizers, inline=True),
            margin=(0, 10),  # In line with the fields around it, which pn.Param indents.
        )
        draws = pn.Param(
            self.form,
            parameters=["num_runs", "seed", "max_concurrent"],
            widgets={"num_runs": pn.widgets.IntInput, "max_concurrent": pn.widgets.IntInput},
            show_name=False,
        )
        form = pn.Column(values, optimizers, draws, margin=0)
        start = pn.widgets.Button(label="Start sweep", color="primary")
        stop = pn.widgets.Button(
            label="Stop sweep", color="warning", disabled=self.stopping.param.running
        )
        compare = pn.widgets.Button(label="Compare sweep runs", color="default")
        start.on_click(self.start_sweep)
        stop.on_click(self.stop_sweep)
        compare.on_click(self.compare_sweep)
        poll_while_served(self.poll, POLL_MS)
        return pn.Row(
            pn.Column(
                "### Sweep",
                pn.pane.Markdown(
                    "Runs the design and dataset above once per combination (grid) or draw "
                    "(random) of the values below; an empty field keeps the form's value.",
                    styles={"font-size": "12px"},
                ),
                # Above the form, as on the Train page: beside the sweep's list and status,
                # which a click then visibly changes (under the form, at 1024x768 the status
                # was a screen above the button).
                pn.Row(start, stop),
                form,
                width=320,
            ),
            pn.Column(
                self.sweep_list,
                self.message_pane,
                self.stop_note,
                self.status_pane,
                compare,
                self.tensorboard,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
