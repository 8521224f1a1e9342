"""Fine-tune page: pick a checkpoint, choose what to restore and train, launch the job."""

from __future__ import annotations

import panel as pn
import param

from workbench.models.jobs import ConfigError, PathEscapeError
from workbench.models.session import WorkbenchSession
from workbench.views.panel.finetune_view import FinetuneView


class FinetunePage(pn.viewable.Viewer):
    """Checkpoint choice (a finished job or a path in the workspace), the plan, and Launch."""

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
        self.refresh()

    def refresh(self, _=None) -> None:
        self.jobs.options = {"(choose)": "", **self.session.checkpoints()}

    def compare(self, _=None) -> None:
        checkpoint = self.path.value.strip() or self.jobs.value
        if not checkpoint:
            self.session.message = "Choose a job or type a checkpoint path first."
            return
        self.session.compare_with(checkpoint)

    def launch(self, _=None) -> None:
        if not self.session.checkpoint:
            self.session.message = "Compare the design with a checkpoint before launching."
            return
        try:
            job = self.session.start_training(finetune=True)
        except (ConfigError, PathEscapeError, FileExistsError, ValueError) as err:
            self.session.message = str(err)
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
        return pn.Column(
            pn.Row(self.jobs, self.path, pn.Column(refresh, compare), sizing_mode="stretch_width"),
            pn.pane.Alert(
                session.param.message,
                alert_type="danger",
                visible=pn.bind(bool, session.param.message),
            ),
            FinetuneView(plan=session.plan),
            pn.Row(
                launch,
                pn.bind(
                    lambda logdir: pn.pane.Markdown(
                        f"Launched: `{logdir}`; follow it on the Train page." if logdir else ""
                    ),
                    self.param.launched,
                ),
            ),
            sizing_mode="stretch_width",
        )
