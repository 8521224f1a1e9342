"""Fine-tune page: pick a checkpoint and the data, fit the head to its classes, choose what
to restore and train, launch the job."""

from __future__ import annotations

import panel as pn
import param

from workbench.models.jobs import ConfigError, PathEscapeError
from workbench.models.jobs.design_fit import dataset_mismatches
from workbench.models.session import WorkbenchSession
from workbench.views.panel.finetune_view import FinetuneView
from workbench.views.panel.safe_text import markdown_code, markdown_message, markdown_text


class FinetunePage(pn.viewable.Viewer):
    """Checkpoint choice (a finished job or a path in the workspace), the dataset and its
    classes, the plan, and Launch."""

    session = param.ClassSelector(class_=WorkbenchSession)
    launched = param.String(default="", doc="Log directory of the last job launched here.")

    def __init__(self, **params):
        super().__init__(**params)
        self.jobs = pn.widgets.Select(label="Checkpoint of a job", sizing_mode="stretch_width")
        self.path = pn.widgets.TextInput(
            label="or a checkpoint path in the workspace",
            placeholder="jobs/pretrained or jobs/pretrained/model.ckpt-500",
            sizing_mode="stretch_width",
        )
        session = self.session
        self.dataset = pn.widgets.Select.from_param(
            session.param.finetune_dataset, label="Fine-tune on", width=160
        )
        self.folder = pn.widgets.TextInput.from_param(
            session.param.finetune_folder,
            label="Folder in the workspace (image folder or TFRecords)",
            placeholder="photos (one sub-folder of images per class)",
            sizing_mode="stretch_width",
        )
        # Made once and updated in place (see the Train page's status panes).
        self.classes = pn.pane.Markdown("", name="finetune-classes")
        # What the job would fail on (or should know of) in the data itself.
        self.data_alert = pn.pane.Alert("", alert_type="danger", visible=False, name="data-alert")
        self.head = pn.pane.Alert("", alert_type="warning", visible=False, name="head-alert")
        self.fit_button = pn.widgets.Button(label="", color="primary", visible=False)
        self.fit_button.on_click(self.fit_head)
        session.param.watch(self.show_head, ["finetune_dataset", "finetune_folder"])
        session.editor.param.watch(self.show_head, "design")
        session.plan.param.watch(self.show_head, "matches")
        self.refresh()
        self.show_head()

    def refresh(self, _=None) -> None:
        self.jobs.options = {"(choose)": "", **self.session.checkpoints()}

    def compare(self, _=None) -> None:
        checkpoint = self.path.value.strip() or self.jobs.value
        if not checkpoint:
            self.session.message = "Choose a job or type a checkpoint path first."
            return
        self.session.compare_with(checkpoint)

    def show_head(self, *_) -> None:
        """Says how many classes the data has and whether the head must change for them."""
        session = self.session
        facts = session.finetune_facts()
        count = facts.num_classes
        folder = session.finetune_folder
        data = {
            "digits": "the built-in digits",
            "image_folder": f"the image folder {markdown_text(repr(folder))}",
            "tfrecord": f"the TFRecords in {markdown_text(repr(folder))}",
        }[session.finetune_dataset]
        self.classes.object = (
            f"**{count} classes** in {data}"
            + (f"; images {markdown_text(facts.images)}." if facts.images else ".")
            if count
            else f"Classes of {data}: not known yet (choose a folder with one sub-folder of "
            "images per class, or TFRecords written by slim.data.writer)."
        )
        found = dataset_mismatches(facts)
        self.data_alert.object = "\n\n".join(markdown_message(m.problem.message) for m in found)
        self.data_alert.alert_type = "danger" if any(m.blocking for m in found) else "warning"
        self.data_alert.visible = bool(found)
        mismatches = [m for m in session.head_mismatches() if m.fix]
        renewed = session.reinitialised()
        if mismatches:
            text = " ".join(markdown_message(m.problem.message) for m in mismatches)
            self.head.object = (
                f"{text} The head must be re-initialised: with a new number of outputs its "
                "shape differs from the checkpoint's, so it cannot be restored."
            )
            self.head.alert_type = "warning"
            self.fit_button.label = "; ".join(m.fix for m in mismatches) + " (new head)"
        elif renewed:
            self.head.object = (
                "Re-initialised, not restored (shape differs from the checkpoint's): "
                + ", ".join(markdown_code(name) for name in renewed)
            )
            self.head.alert_type = "info"
        self.head.visible = bool(mismatches or renewed)
        self.fit_button.visible = bool(mismatches)

    def fit_head(self, _=None) -> None:
        """Sets the head's outputs to the data's classes; the head is then re-initialised."""
        try:
            self.session.fit_head()
        except ValueError as err:
            self.session.message = str(err)
            return
        self.show_head()

    def launch(self, _=None) -> None:
        if not self.session.checkpoint:
            self.session.message = "Compare the design with a checkpoint before launching."
            return
        try:
            job = self.session.start_training(finetune=True)
        except (ConfigError, PathEscapeError, FileExistsError, ValueError) as err:
            self.session.message = str(err)
            return
        except OSError as err:  # A full disk, a folder it may not write: the page goes on.
            self.session.message = f"Cannot start the job: {err.strerror or err}."
            return
        self.session.message = ""
        self.launched = job.logdir

    def __panel__(self) -> pn.viewable.Viewable:
        compare = pn.widgets.Button(label="Compare design with checkpoint", color="primary")
        refresh = pn.widgets.Button(label="Refresh jobs")
        launch = pn.widgets.Button(label="Launch fine-tuning job", color="success")
        compare.on_click(self.compare)
        refresh.on_click(self.refresh)
        launch.on_click(self.launch)
        session = self.session
        launched = pn.bind(
            lambda logdir: pn.pane.Markdown(
                f"Launched: {markdown_code(logdir)}; follow it on the Train page." if logdir else ""
            ),
            self.param.launched,
        )
        return pn.Column(
            # At the top, as Start on the Train page: visible without scrolling past the plan.
            pn.Row(launch, launched, name="launch-row"),
            pn.Row(self.jobs, self.path, pn.Column(refresh, compare), sizing_mode="stretch_width"),
            pn.Row(self.dataset, self.folder, sizing_mode="stretch_width"),
            self.classes,
            self.data_alert,
            self.head,
            self.fit_button,
            pn.pane.Alert(
                session.param.message.rx.pipe(markdown_message),
                alert_type="danger",
                visible=pn.bind(bool, session.param.message),
            ),
            FinetuneView(plan=session.plan),
            sizing_mode="stretch_width",
        )
