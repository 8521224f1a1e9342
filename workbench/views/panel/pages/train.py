"""Train page: settings, start/stop/resume, the jobs of the workspace and live metric charts.

Jobs run in their own processes (`workbench.models.jobs`), started by the session
(`WorkbenchSession.start_training`); this page collects the settings, then stops, resumes and
watches jobs. A periodic callback polls the selected job's status and metrics stream, so a
refreshed page, or a second tab, reattaches to running jobs by their log directory.
"""

from __future__ import annotations

import html
import os
import sys

import panel as pn
import param

from workbench.models.charts import MetricSeries
from workbench.models.jobs import (
    ConfigError,
    Job,
    JobStateError,
    PathEscapeError,
    list_jobs,
)
from workbench.models.jobs import stop as stop_job_process
from workbench.models.jobs.settings import TrainSettings
from workbench.models.session import WorkbenchSession
from workbench.views.panel.background_action import BackgroundAction, served_doc
from workbench.views.panel.experiments_view import ExperimentsView
from workbench.views.panel.metrics_figure import metrics_figure
from workbench.views.panel.plotly_guard import PlotlyGuard
from workbench.views.panel.safe_text import html_text, markdown_message, markdown_text
from workbench.views.panel.session_poll import poll_while_served
from workbench.views.panel.sweep_view import SweepView

POLL_MS = 1000
#: Seconds a stopped job gets to save a checkpoint before it is killed.
STOP_GRACE_SECS = 15.0
_STATE_COLOURS = {"running": "#2f6f9f", "finished": "#1b7f3b", "failed": "#b3261e"}
#: Polls between two listings of the workspace's jobs (jobs started in other sessions).
LIST_EVERY_N_POLLS = 5
#: The fix button of each kind of mismatch (`Mismatch.field`): the input, the classes, the
#: batch, the activation or normalizer on the logits.
FIX_SLOTS = {"input": 0, "num_outputs": 1, "num_classes": 1, "batch_size": 2, "logits": 3}
#: The shown job's states in which Stop, and Resume, have something to do.
STOPPABLE_STATES = ("starting", "running")
RESUMABLE_STATES = ("stopped", "failed")
#: The charts' place before a job has logged anything.
NO_METRICS_YET = "Start a job to see its loss and accuracy here."
NO_METRICS_LOGGED = "The job's loss and accuracy appear here once it logs its first step."


def job_progress(job: Job) -> str:
    """`step 1230 / 4000`, or `step 1230` while the job has not said its target yet."""
    return f"step {job.step} / {job.target_steps}" if job.target_steps else f"step {job.step}"


def job_state_text(job: Job) -> str:
    """The job's state in words: `running, training`; an ended job's state alone (`finished`,
    not `finished done`: its phase only repeats that it ended)."""
    phase = job.phase.strip()
    if not job.is_active or not phase or phase in ("done", job.state):
        return job.state
    return f"{job.state}, {phase}"


def job_label(job: Job) -> str:
    """The job in the list: `cifarnet-digits: running, step 1230 / 4000`."""
    return f"{job.title}: {job.state}, {job_progress(job)}"


def job_status_html(job: Job | None) -> str:
    """The job's state, step, last loss and accuracy, device and log directory, as HTML."""
    if job is None:
        return "<i>No job yet: set the options and press Start.</i>"
    colour = _STATE_COLOURS.get(job.state, "#555")
    lines = [
        f"<b style='color:{colour}'>{html.escape(job_state_text(job))}</b> "
        f"&middot; {job_progress(job)}"
        + (f" &middot; loss {job.loss:.4f}" if job.loss is not None else "")
        + (f" &middot; batch accuracy {job.accuracy:.3f}" if job.accuracy is not None else ""),
        # Until the job process says which device it trains on (it imports TensorFlow first).
        f"Device: {html.escape(job.device_name or job.device or 'not known yet')}"
        + (f" &middot; {html.escape(job.speed_settings)}" if job.speed_settings else ""),
        f"Log directory: <code>{html.escape(job.logdir)}</code> "
        f"(TensorBoard: <code>tensorboard --logdir {html.escape(job.logdir)}</code>)",
    ]
    if job.state == "stopped" and job.error:
        # A stop is not a failure: its reason is said here, not as an error.
        lines.append(
            f"<span style='color:#555'>{html.escape(job.error)}; Resume continues from the "
            "last checkpoint.</span>"
        )
    if job.eval_results:
        lines.append(_validation_line(job.eval_results))
    return "<br>".join(lines)


def _validation_line(results: dict) -> str:
    """`Validation at step 500 (297 examples): accuracy 0.9300, loss 0.2400`."""
    where = f" at step {results['step']}" if "step" in results else ""
    if "num_examples" in results:
        where += f" ({results['num_examples']} examples)"
    values = ", ".join(
        f"{name} {results[name]:.4f}"
        for name in ("accuracy", "loss")
        if isinstance(results.get(name), float)
    )
    return html.escape(f"Validation{where}: {values}")


def visible_devices() -> str | None:
    """Which accelerator TensorFlow sees in this process, in words; None while TensorFlow
    is not imported yet, or still importing (the page does not wait for it)."""
    module = sys.modules.get("tensorflow")
    # Listed while another thread still imports it (the preload): `import` here would wait
    # for that import to end, holding the page for seconds.
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        return None
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return f"{len(gpus)} GPU(s): jobs train on the GPU" if gpus else "CPU only (no GPU seen)"


class TrainPage(pn.viewable.Viewer):
    """Start a job from the session's settings, pick any job of the workspace, follow it live."""

    session = param.ClassSelector(class_=WorkbenchSession, doc="Workspace, settings, design.")
    job = param.ClassSelector(class_=Job, default=None, allow_None=True, doc="Job shown.")
    message = param.String(default="", doc="The last error of an action, shown in red.")
    shown = param.Boolean(
        default=True,
        doc="Whether the page is on screen; a hidden page is not polled and catches up when it "
        "shows.",
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.series: MetricSeries | None = None
        self.jobs = pn.widgets.Select(
            label="Jobs in this workspace", size=6, sizing_mode="stretch_width"
        )
        self.jobs.param.watch(self._pick, "value")
        self.chart = pn.pane.Plotly(
            metrics_figure(None), sizing_mode="stretch_width", name="charts"
        )
        self.chart.visible = False
        # Until the shown job has logged a value: four empty grids said nothing.
        self.chart_empty = pn.pane.HTML(
            f"<i>{NO_METRICS_YET}</i>",
            name="charts-empty",
            styles={"color": "#555", "padding": "24px 0"},
        )
        self.status = pn.pane.HTML(job_status_html(None), name="job-status")
        self.error = pn.pane.Alert("", alert_type="danger", visible=False, name="job-error")
        # Panel's Str pane puts its text into the page as HTML: the escaped text goes in an
        # HTML pane instead (a traceback quotes the values that failed).
        self.trace = pn.pane.HTML("", visible=False, styles={"font-size": "11px"})
        # A stop waits seconds for the job to save a checkpoint: off the session's thread.
        self.stopping = BackgroundAction(name="stop-job")
        self.stop_note = pn.pane.HTML("", visible=False, name="job-stopping")
        # Each enabled only when it can act on the shown job (and no stop is under way): a
        # click that does nothing (Stop on a finished job, Resume on a running one) left
        # people wondering.
        self.stop_button = pn.widgets.Button(label="Stop", color="warning", disabled=True)
        self.resume_button = pn.widgets.Button(label="Resume", color="default", disabled=True)
        self.stopping.param.watch(lambda _: self._enable_job_buttons(), "running")
        self._chart_stale = False
        self.devices = pn.pane.Markdown("This machine: looking for a GPU...")
        self._devices_known = False
        self._show_devices()
        self.param.watch(lambda _: self._show_status(), "job")
        # Mismatches between the design and the dataset, each with its fix, shown before
        # Start so that a job never fails on what could be known before it started.
        self._refused_for_fit = False
        self._polls = 0
        # A job started on any page of this session (Fine-tune too) is listed at once.
        self.session.param.watch(lambda e: self.refresh_jobs(select=e.new), "last_job")
        # Updated in place, as the status panes are (see `_show_status`).
        self.message_pane = pn.pane.Alert("", alert_type="danger", visible=False)
        self.param.watch(self._show_message, "message")
        # The panes are made once and updated: panes made in a callback would fetch their
        # stylesheets from a CDN, out of reach of a workbench without internet.
        self._mismatches: list = []
        # What is known of the dataset before Start (an image folder: from which files).
        self.data_facts = pn.pane.Markdown("", styles={"font-size": "12px"}, name="data-facts")
        self.fit_alert = pn.pane.Alert("", alert_type="warning", margin=0)
        # A button per kind of fix (`FIX_SLOTS`), so that a click that crosses the update
        # after another fix still makes the fix its button showed.
        self.fix_buttons = [
            pn.widgets.Button(label="", color="primary", visible=False)
            for _ in range(len(set(FIX_SLOTS.values())))
        ]
        for index, button in enumerate(self.fix_buttons):
            button.on_click(lambda _, i=index: self._fix_clicked(i))
        self.fit = pn.Column(
            self.fit_alert, pn.Row(*self.fix_buttons), visible=False, sizing_mode="stretch_width"
        )
        self.session.editor.param.watch(lambda _: self.show_fit(), "design")
        self.session.param.watch(lambda _: self.show_fit(), "train_design")
        self.settings.param.watch(
            lambda *_: self.show_fit(), ["dataset", "folder", "batch_size", "optimizer", "device"]
        )
        self._fit_stale = False
        self.checking = BackgroundAction(name="check-fit")
        self._check_again = False
        self.fit_note = pn.pane.HTML(
            "<i>Checking that the design fits the data and memory&hellip;</i>",
            visible=False,
            name="fit-checking",
        )
        self.show_fit()
        self.param.watch(self._on_shown, "shown")
        # Every run of the workspace, and the ticked ones compared (followed by `poll`).
        self.experiments = ExperimentsView(workspace=self.workspace)
        # A job started here is in the runs table at once, not at the next reread.
        self.session.param.watch(lambda _: self.experiments.poll(force=True), "last_job")
        # Sweeps of the current design and dataset; Compare ticks their runs in the table.
        self.sweeps = SweepView(
            session=self.session, on_compare=self.experiments.runs.tick, shown=self.shown
        )
        self.refresh_jobs()

    @property
    def workspace(self) -> str:
        """The session's workspace root; jobs live under its `jobs/` folder."""
        return self.session.workspace

    @property
    def settings(self) -> TrainSettings:
        """The session's training settings: the form's state."""
        return self.session.settings

    # -- actions -----------------------------------------------------------------------------

    def start_job(self, _=None) -> None:
        try:
            self.session.start_training()  # Its job is listed and shown (`last_job`).
        except (ConfigError, PathEscapeError, FileExistsError, ValueError) as err:
            self.message = str(err)
            self._refused_for_fit = bool(self._mismatches)
            return
        except OSError as err:  # A full disk, a folder it may not write: the page goes on.
            self.message = f"Cannot start the job: {err.strerror or err}."
            return
        self.message = ""

    def show_fit(self) -> None:
        """Lists how the design does not fit the dataset, with a button per fix.

        The check builds the design to estimate a training step's memory, which first waits
        for TensorFlow to import (seconds on a small CPU): in a served session it runs in a
        worker thread and the page says it is checking meanwhile, so the page shows at once.
        """
        if not self.shown:  # The memory estimate builds the design: done when it shows.
            self._fit_stale = True
            return
        self._fit_stale = False
        self.data_facts.object = f"Data: {markdown_text(self.session.train_facts().described)}."
        if served_doc() is None:  # A notebook or a test: no event loop to come back to.
            self._show_mismatches(self.session.design_fit())
            return
        if self.checking.running:  # Checked again, on what changed, when this check ends.
            self._check_again = True
            return
        self.fit_note.visible = True
        found: list = []
        self.checking.start(
            lambda: found.extend(self.session.design_fit()),
            lambda error: self._fit_checked(found, error),
        )

    def _fit_checked(self, mismatches: list, error: Exception | None) -> None:
        if self._check_again:  # The design or settings changed during the check.
            self._check_again = False
            self.show_fit()
            return
        self.fit_note.visible = False
        if error is not None:
            self.fit_alert.object = markdown_message(
                f"Cannot check the design against the data: {error}"
            )
            for button in self.fix_buttons:
                button.visible = False
            self.fit.visible = True
            return
        self._show_mismatches(mismatches)

    def _show_mismatches(self, mismatches: list) -> None:
        self._mismatches = mismatches
        self.fit_alert.object = "\n\n".join(
            markdown_message(m.problem.message) for m in self._mismatches
        )
        fixes = {FIX_SLOTS[m.field]: m.fix for m in self._mismatches if m.fix}
        for slot, button in enumerate(self.fix_buttons):
            button.visible = slot in fixes
            button.label = fixes.get(slot, "")
        self.fit.visible = bool(self._mismatches)
        if self._refused_for_fit and not any(m.blocking for m in self._mismatches):
            self.message = ""  # What Start was refused for is fixed (a warning may stay).
            self._refused_for_fit = False

    def _fix_clicked(self, slot: int) -> None:
        for mismatch in self._mismatches:
            if mismatch.fix and FIX_SLOTS[mismatch.field] == slot:
                self.fix(mismatch)
                return

    def fix(self, mismatch) -> None:
        """Applies one fix to the design (undoable on the Build page)."""
        self.session.fix_design(mismatch)

    def stop_job(self, _=None) -> None:
        """Stops the shown job in the background and says so at once; the status line shows
        its end when it is reached. A click while a stop is under way does nothing."""
        job = self.job
        if job is None or not job.is_active or self.stopping.running:
            return
        logdir, title = job.logdir, job.title
        # Said before the stop starts: a stop that fails at once takes the note away.
        self.stop_note.object = (
            f"<i>Stopping {html.escape(title)}&hellip; it saves a checkpoint first (up to "
            f"{STOP_GRACE_SECS:g} s).</i>"
        )
        self.stop_note.visible = True
        self.stopping.start(
            lambda: stop_job_process(logdir, grace_secs=STOP_GRACE_SECS),
            lambda error: self._stopped(title, error),
        )

    def _stopped(self, title: str, error: Exception | None) -> None:
        """The end of a stop: the note goes, an error is said, the job's state is read."""
        self.stop_note.visible = False
        self.stop_note.object = ""
        if error is not None:
            why = error.strerror if isinstance(error, OSError) and error.strerror else error
            self.message = f"Cannot stop {title}: {why}."
        self.poll(force=True)

    def resume_job(self, _=None) -> None:
        if self.job is None:
            return
        try:
            self.job.resume()
            self.message = ""
        except (JobStateError, ConfigError, ValueError) as err:
            self.message = str(err)
        except OSError as err:
            self.message = f"Cannot resume the job: {err.strerror or err}."
        self.poll()

    def refresh_jobs(self, select: str | None = None) -> None:
        """Lists the workspace's jobs, newest first; keeps (or sets) the selection."""
        jobs = list_jobs(self.workspace) if os.path.isdir(self.workspace) else []
        # The shown job's label is made from the job the status line shows: one source.
        shown = {self.job.logdir: self.job} if self.job is not None else {}
        options = {job_label(shown.get(job.logdir, job)): job.logdir for job in jobs}
        current = select or self.jobs.value or (jobs[0].logdir if jobs else None)
        self.jobs.options = options
        if current in options.values():
            self.jobs.value = current

    def _pick(self, event) -> None:
        self.job = Job(event.new, workspace=self.workspace) if event.new else None
        self.series = MetricSeries(event.new) if event.new else None
        if self.job is None:
            self._redraw_chart()  # The poll below only redraws a job's chart.
        self.poll(force=True)

    def poll(self, force: bool = False) -> None:
        """Reads the job's status and new metrics; redraws what changed.

        A hidden page skips the periodic polls and catches up when shown: a class's sessions
        would otherwise each read the workspace's jobs every second for a page nobody sees.
        """
        if not (self.shown or force):
            return
        self._show_devices()
        self._polls += 1
        if self._polls % LIST_EVERY_N_POLLS == 0:
            self.refresh_jobs()  # Jobs started in other sessions or by the command line.
        self.experiments.poll()
        if self.job is None:
            return
        before = (self.job.state, self.job.step, self.job.target_steps)
        self.job.status()
        added = self.series.poll() if self.series else {}
        self._chart_stale = self._chart_stale or bool(added) or force
        if self._chart_stale and self.shown:
            self._redraw_chart()
        if force or added or before != (self.job.state, self.job.step, self.job.target_steps):
            self._show_status()
            self.refresh_jobs()

    # -- view --------------------------------------------------------------------------------

    def _show_devices(self) -> None:
        if not self._devices_known:
            devices = visible_devices()
            if devices is not None:
                self.devices.object = f"This machine: {markdown_text(devices)}"
                self._devices_known = True

    def _redraw_chart(self) -> None:
        # The whole figure travels to the browser on each redraw, once a second per
        # session: a page nobody looks at skips it.
        self.chart.object = metrics_figure(self.series)
        has_values = self.series is not None and any(self.series.values.values())
        self.chart.visible = has_values
        self.chart_empty.object = (
            f"<i>{NO_METRICS_YET if self.job is None else NO_METRICS_LOGGED}</i>"
        )
        self.chart_empty.visible = not has_values
        self._chart_stale = False

    def _on_shown(self, event) -> None:
        self.experiments.compare.shown = event.new
        self.sweeps.shown = event.new
        if not event.new:
            return
        if self._fit_stale:
            self.show_fit()
        # Hidden, it was not polled: catch up on the jobs, the runs table and the chart.
        self.refresh_jobs()
        self.experiments.runs.refresh()
        self.poll()

    def _show_message(self, _=None) -> None:
        self.message_pane.object = markdown_message(self.message)
        self.message_pane.visible = bool(self.message)

    def _show_status(self) -> None:
        """Updates the status panes in place: replacing them on every poll would make each
        browser drop and rebuild their models once a second, per session."""
        job = self.job
        self.status.object = job_status_html(job)
        failed = job is not None and job.state == "failed"
        self.error.object = markdown_message(job.error) if failed and job.error else ""
        self.error.visible = bool(self.error.object)
        traceback = job.traceback if job is not None and job.traceback else ""
        self.trace.object = f"<pre>{html_text(traceback)}</pre>" if traceback else ""
        self.trace.visible = bool(traceback)
        self._enable_job_buttons()

    def _enable_job_buttons(self) -> None:
        state = self.job.state if self.job is not None else None
        self.stop_button.disabled = self.stopping.running or state not in STOPPABLE_STATES
        self.resume_button.disabled = self.stopping.running or state not in RESUMABLE_STATES

    def __panel__(self) -> pn.viewable.Viewable:
        settings = self.settings
        form = pn.Param(
            settings,
            parameters=["job_name", "net", "dataset", "folder", "optimizer", "learning_rate", "batch_size", "steps",
                        "weight_decay", "device"],
            show_name=False,
            widgets={"learning_rate": {"type": pn.widgets.FloatInput, "step": 0.001}},
        )  # fmt: skip
        # Training the design being built is the default; untick to train a slimlib net.
        train_design = pn.widgets.Checkbox.from_param(
            self.session.param.train_design, label="Train the design from the Build page"
        )
        start_button = pn.widgets.Button(label="Start", color="primary")
        start_button.on_click(self.start_job)
        self.stop_button.on_click(self.stop_job)
        self.resume_button.on_click(self.resume_job)
        poll_while_served(self.poll, POLL_MS)
        page = pn.Row(
            pn.Column(
                "### New training job",
                # Above the form: visible without scrolling, whatever is added below.
                pn.Row(start_button, self.stop_button, self.resume_button),
                form,
                pn.pane.Markdown(
                    "*Folder*, relative to the workspace: for `image_folder`, one sub-folder "
                    "of images per class; for `tfrecord`, TFRecords written by "
                    "`slim.data.writer` (or a job's `data/` folder).",
                    styles={"font-size": "12px"},
                ),
                self.data_facts,
                self.devices,
                width=320,
            ),
            pn.Column(
                self.fit_note,
                self.fit,
                self.message_pane,
                self.jobs,
                self.status,
                self.error,
                self.trace,
                self.stop_note,  # Under the status line: the error and trace show on failures.
                self.chart_empty,
                self.chart,
                PlotlyGuard(width=0, height=0, margin=0),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        return pn.Column(
            train_design, page, self.sweeps, self.experiments, sizing_mode="stretch_width"
        )
