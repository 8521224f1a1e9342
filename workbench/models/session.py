"""`WorkbenchSession`: one user's state in the app (design, inspection, restore plan, training).

Each browser session of the web app gets its own `WorkbenchSession`; jobs are shared through
their log directories in the workspace. The session ties the pieces together: the design
being edited is what Inspect builds, what Fine-tune compares with a checkpoint, and what a
training job trains (unless `train_design` is off: then `settings.net`, a `slimlib.nets` net).

Every job the app starts, training or fine-tuning, starts here (`start_training`), so the
pages in `workbench.views.panel.pages` only collect choices and show results.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import param

from workbench.models.design import net_design, template
from workbench.models.editor import DesignEditor
from workbench.models.jobs import (
    ConfigError,
    Job,
    PathEscapeError,
    list_jobs,
    resolve_in_workspace,
    start,
)
from workbench.models.jobs.dataset_facts import DatasetFacts, dataset_facts
from workbench.models.jobs.design_fit import (
    Mismatch,
    apply_fix,
    dataset_mismatches,
    design_fit,
)
from workbench.models.jobs.settings import NET_INPUT_SIZES, TrainSettings
from workbench.models.jobs.step_memory import available_memory, memory_fit

if TYPE_CHECKING:
    from workbench.models.inspect import InspectModel
    from workbench.models.restore_plan import RestorePlan

#: The design a new session starts from.
DEFAULT_TEMPLATE = "lenet"
#: Classes of the built-in digits dataset, the default training data.
DIGITS_CLASSES = 10


def design_model_fn(design: dict, *, is_training: bool = False, places=None):
    """`fn(inputs) -> (logits, end_points)` building a copy of `design` with slimlib (and
    noting its blocks in `places`, a `DesignPlaces` of the design, when given)."""
    from workbench.models.design.build import build_design

    frozen = copy.deepcopy(design)
    return lambda inputs: build_design(frozen, inputs, is_training=is_training, places=places)


def design_input_shape(design: dict, batch: int = 1) -> list[int]:
    """`[batch, *design input shape]`."""
    return [batch, *design["input"]["shape"]]


def build_for_inspect(design: dict, *, is_training: bool):
    """`(TracedModel, DesignPlaces)`: `design` built in its own traced graph, its blocks
    noted in the places, as Inspect shows it.

    Raises:
      Exception: Whatever building the design raises (`DesignError` for a design with
        problems).
    """
    from workbench.models.design.provenance import DesignPlaces
    from workbench.models.inspect.build import build_traced

    places = DesignPlaces(design)
    model_fn = design_model_fn(design, is_training=is_training, places=places)
    return build_traced(model_fn, design_input_shape(design)), places


class WorkbenchSession(param.Parameterized):
    """The design, its inspection, a restore plan and training settings of one user."""

    workspace = param.String(doc="Workspace root: designs, jobs and checkpoints live inside.")
    editor = param.ClassSelector(class_=DesignEditor, doc="The design being edited.")
    settings = param.ClassSelector(class_=TrainSettings, doc="Training settings.")
    train_design = param.Boolean(
        default=True,
        doc="Whether a training job trains the design being edited; else `settings.net`.",
    )
    checkpoint = param.String(default="", doc="Checkpoint the plan compares with.")
    message = param.String(default="", doc="The last problem of a session action.")
    inspect_training = param.Boolean(
        default=False,
        doc="Whether Inspect builds the design for training (`is_training=True`: batch norms "
        "add their moving-average updates to UPDATE_OPS, dropout drops) or for inference.",
    )
    finetune_dataset = param.Selector(
        default="digits",
        objects=["digits", "image_folder", "tfrecord"],
        doc="The dataset a fine-tuning job trains on (as the Train page's `dataset`).",
    )
    finetune_folder = param.String(
        default="", doc="With image_folder or tfrecord: the folder inside the workspace."
    )
    last_job = param.String(
        default="", doc="Log directory of the last job started here, from any page."
    )

    def __init__(self, **params: Any):
        params.setdefault("editor", DesignEditor(template(DEFAULT_TEMPLATE)))
        params.setdefault("settings", TrainSettings())
        self._inspect = params.pop("inspect", None)
        self._plan = params.pop("plan", None)
        # The design and mode Inspect last built (see `inspect_if_changed`).
        self._inspected: tuple[dict, bool] | None = None
        self._auto_job_name: str | None = None  # The job name last given after the design.
        # Inspect builds asked for so far: only the last one asked for is shown.
        self._inspect_asked = 0
        self._inspect_thread: threading.Thread | None = None
        #: None: Inspect builds in the caller's thread. Else builds run in a thread of their
        #: own, the inspect model saying `building` meanwhile, and this is called with a
        #: function showing the result, to run it where the model may be changed (the app:
        #: its session's event loop).
        self.inspect_in_background: Callable[[Callable[[], None]], None] | None = None
        super().__init__(**params)

    # The inspect model and the restore plan hold TensorFlow graphs: they (and TensorFlow)
    # are made when first used, so that a new session's Build page does not wait for them.

    @property
    def inspect(self) -> InspectModel:
        """The built design, inspected."""
        if self._inspect is None:
            from workbench.models.inspect import InspectModel

            self._inspect = InspectModel()
        return self._inspect

    @property
    def plan(self) -> RestorePlan:
        """Restore plan of the design."""
        if self._plan is None:
            from workbench.models.restore_plan import RestorePlan

            self._plan = RestorePlan()
        return self._plan

    def release(self) -> None:
        """Lets go of what this session built: the inspect model's and the restore plan's
        TensorFlow graphs and everything derived from them. Called when the user's session
        ends; views may still hold the emptied models, so they are emptied in place (without
        notifying anyone: nothing is shown any more)."""
        for model in (self._inspect, self._plan):
            if model is None:
                continue
            with param.parameterized.discard_events(model), param.edit_constant(model):
                for name, parameter in model.param.objects("existing").items():
                    if name != "name":
                        setattr(model, name, copy.copy(parameter.default))
        self._inspect = self._plan = None
        self._inspected = None
        self._inspect_asked += 1  # A build still under way is shown to no one.

    @property
    def design(self) -> dict:
        return self.editor.design

    @param.depends("train_design", "editor.design", watch=True, on_init=True)
    def _follow_design(self) -> None:
        """Keeps `settings.design` the design being edited while `train_design` is on."""
        self.settings.design = copy.deepcopy(self.design) if self.train_design else None
        self._name_jobs()

    @param.depends("settings.dataset", "settings.net", watch=True)
    def _name_jobs(self) -> None:
        """Names new jobs after what they train and the dataset (`cifarnet-digits`), unless
        the user named them: a name typed in the form is kept."""
        model = self.design.get("name") or "design" if self.train_design else self.settings.net
        name = f"{model}-{self.settings.dataset}"
        if self.settings.job_name in (self._auto_job_name, TrainSettings.job_name, name):
            self.settings.job_name = name
            self._auto_job_name = name

    def inspect_if_changed(self) -> None:
        """Builds the design into the inspect model unless it is already built as it is, in
        the mode asked for."""
        if self._inspected != (self.design, self.inspect_training):
            self._inspected = (copy.deepcopy(self.design), self.inspect_training)
            self.inspect_design()

    @param.depends("inspect_training", watch=True)
    def _inspect_mode_changed(self) -> None:
        if self._inspected is not None:  # Inspected before: show the other mode at once.
            self.inspect_design()

    def inspect_design(self, *, fresh: bool = False) -> None:
        """Shows the current design built in the inspect model (errors land in its `error`),
        in training mode while `inspect_training` is on, else in inference mode.

        A design already built as it is (by any session of this process) is shown from the
        shared builds (`shared_builds.SHARED`) without building it again; `fresh=True` (the
        Rebuild button) builds it anew.
        """
        from workbench.models.inspect.shared_builds import SHARED, design_key

        design = copy.deepcopy(self.design)
        training = self.inspect_training
        self._inspected = (design, training)
        self._inspect_asked += 1
        asked = self._inspect_asked

        def build() -> Any:
            try:
                key = design_key(design, is_training=training)
                return SHARED.get(
                    key, lambda: build_for_inspect(design, is_training=training), fresh=fresh
                )
            except Exception as err:  # A design that does not build: Inspect says why.
                return err

        if self.inspect_in_background is None:
            self._show_inspected(asked, build())
            return
        self.inspect.building = True
        deliver = self.inspect_in_background

        def work() -> None:
            outcome = build()
            deliver(lambda: self._show_inspected(asked, outcome))

        self._inspect_thread = threading.Thread(target=work, name="inspect-build", daemon=True)
        self._inspect_thread.start()

    def _show_inspected(self, asked: int, outcome: Any) -> None:
        """Shows a build (or why it failed) unless a later one was asked for since, or the
        session was released."""
        if asked != self._inspect_asked:
            return
        if isinstance(outcome, Exception):
            self.inspect.show_failure(f"{type(outcome).__name__}: {outcome}")
        else:
            built, places = outcome
            self.inspect.show_built(built, places=places)
        self.inspect.building = False

    def wait_for_inspect(self, timeout: float | None = None) -> bool:
        """Waits for the build under way in the background (if any) to be delivered to
        `inspect_in_background`'s callback; True when none is left running."""
        thread = self._inspect_thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def checkpoints(self) -> dict[str, str]:
        """Checkpoints to restore from: `{label: log directory}` of the workspace's jobs."""
        if not os.path.isdir(self.workspace):
            return {}
        return {
            f"{job.title} (step {job.step}, {job.state})": job.logdir
            for job in list_jobs(self.workspace)
            if job.step > 0
        }

    def compare_with(self, checkpoint: str) -> None:
        """Builds the design and compares it with `checkpoint` (a path inside the workspace)."""
        try:
            path = resolve_in_workspace(self.workspace, checkpoint, what="checkpoint")
        except PathEscapeError as err:
            self._keep_previous(str(err))
            return
        from workbench.models.inspect.build import build_traced

        try:
            # Built for training, as the job will be: batch norms then have the update ops
            # that freezing their statistics leaves out.
            built = build_traced(
                design_model_fn(self.design, is_training=True), design_input_shape(self.design)
            )
        except Exception as err:  # A design that does not build: say why, keep the old plan.
            self._keep_previous(f"The design does not build: {type(err).__name__}: {err}")
            return
        self.message = ""
        self.checkpoint = path
        self.plan.param.update(graph=built.graph, checkpoint=path)

    def _keep_previous(self, message: str) -> None:
        """Reports a comparison that could not start; says which comparison still stands."""
        if self.checkpoint and self.plan.error:
            # The previous comparison failed as well: its error would only add confusion.
            self.checkpoint = ""
            self.plan.checkpoint = ""
        elif self.checkpoint:
            shown = os.path.relpath(self.checkpoint, self.workspace)
            message += f" The comparison below is still with {shown!r}."
        self.message = message

    def finetune_config(self, dataset: dict[str, Any] | None = None) -> dict[str, Any]:
        """A job config training the design from the plan's checkpoint, with its choices.

        Args:
          dataset: The config's `dataset` section (see `workbench.models.jobs.config`).
            Default: `finetune_dataset_section()`.
        """
        config = self.settings.to_config()
        config["model"] = {"design": copy.deepcopy(self.design)}
        if dataset is None:
            dataset = self.finetune_dataset_section()
        config["dataset"] = copy.deepcopy(dataset)
        restored = {var.op.name for var in self.plan.variables_to_restore.values()}
        model_variables = [m.name for m in self.plan.matches if m.kind == "model"]
        config["restore"] = {
            # The prefix the plan read (a job folder resolved to its latest checkpoint).
            "checkpoint": self.plan.checkpoint_path or self.checkpoint,
            "exclude": [name for name in model_variables if name not in restored],
            "trainable_scopes": [var.op.name for var in self.plan.variables_to_train],
            "gradient_multipliers": self._multiplied_scopes(),
            "frozen_batch_norms": list(self.plan.frozen_batch_norms),
        }
        return config

    def finetune_dataset_section(self) -> dict[str, Any]:
        """The fine-tuning dataset as a job config's `dataset` section, resized to the
        design's input height and width."""
        section: dict[str, Any] = {"kind": self.finetune_dataset}
        if self.finetune_dataset != "digits":
            section["folder"] = self.finetune_folder
        section["resize"] = list(self.design["input"]["shape"][:2])
        return section

    def train_facts(self) -> DatasetFacts:
        """What is known of the Train page's dataset before Start (an image folder's channels
        and size from a few files' headers)."""
        return dataset_facts(self.settings.dataset, self.settings.folder, self.workspace)

    def finetune_facts(self) -> DatasetFacts:
        """What is known of the fine-tuning dataset before it is read (its classes)."""
        return dataset_facts(self.finetune_dataset, self.finetune_folder, self.workspace)

    def head_mismatches(self) -> list[Mismatch]:
        """How the design's head does not fit the fine-tuning dataset's classes (and any
        other mismatch `design_fit` finds but an activation on the logits, which no new head
        fixes); empty when it fits."""
        found = self.design_fit(self.finetune_dataset_section())
        return [m for m in found if m.field != "logits"]

    def fit_head(self) -> list[str]:
        """Gives the head as many outputs as the fine-tuning dataset has classes, builds the
        design again against the checkpoint and restores only what matches it: the head,
        whose shape now differs from the checkpoint's, starts from its initializer.

        Returns:
          The variables that start afresh (not restored because of their shape).

        Raises:
          ValueError: If no design block sets the head's outputs (no fix to apply).
        """
        for mismatch in self.head_mismatches():
            if mismatch.field in ("num_outputs", "num_classes", "input"):
                self.fix_design(mismatch)
        if self.checkpoint:
            self.compare_with(self.checkpoint)
            if self.plan.checkpoint_path:
                self.plan.restore_only_matched()
                self._unrestore_renewed_scopes()
        return self.reinitialised()

    def _unrestore_renewed_scopes(self) -> None:
        """Marks a layer whose variables all start afresh (the head) as not restored as a
        whole, so the scope table says so on the layer's own row."""
        renewed = set(self.reinitialised())
        for scope in sorted({name.rsplit("/", 1)[0] for name in renewed if "/" in name}):
            under = {m.name for m in self.plan.matches if m.name.startswith(scope + "/")}
            if under <= renewed:
                self.plan.set_restore(scope, False)

    def reinitialised(self) -> list[str]:
        """Variables whose shape differs from the checkpoint's: they cannot be restored and
        start from their initializer (a new head)."""
        return [m.name for m in self.plan.matches if m.status == "shape mismatch"]

    def _multiplied_scopes(self) -> dict[str, float]:
        """The plan's learning-rate factors on scopes that hold a trained variable (a factor
        left on a frozen scope has nothing to multiply, and the job would refuse it)."""
        trained = [var.op.name for var in self.plan.variables_to_train]
        return {
            scope: factor
            for scope, factor in self.plan.multipliers.items()
            if any(name == scope or name.startswith(scope + "/") for name in trained)
        }

    def design_fit(self, dataset: dict[str, Any] | None = None) -> list[Mismatch]:
        """How the design does not fit the dataset it would train on, and whether a training
        step fits in memory (empty: all fits). A `slimlib.nets` net, trained while
        `train_design` is off, takes its input and classes from the dataset: only its memory
        and the dataset itself (an image folder's files) are checked.

        Args:
          dataset: A job config's `dataset` section; default the Train page's dataset.
        """
        return self._fit(dataset, self.train_design)

    def _fit(self, dataset: dict[str, Any] | None, trains_design: bool) -> list[Mismatch]:
        if dataset is None:
            facts = self.train_facts()
        else:
            facts = dataset_facts(dataset["kind"], dataset.get("folder", ""), self.workspace)
        if not trains_design:
            return dataset_mismatches(facts) + self.memory_fit(self._net_design(facts), facts)
        return design_fit(self.design, facts) + self.memory_fit(facts=facts)

    def _net_design(self, facts) -> dict:
        """The settings' net as the design a job builds: on the input size the dataset is
        resized to, with the dataset's channels and classes (the net's own where unknown)."""
        net = self.settings.net
        own = net_design(net)["input"]["shape"]
        size = NET_INPUT_SIZES.get(net, own[:2])
        return net_design(
            net, num_classes=facts.num_classes, input_shape=[*size, facts.channels or own[-1]]
        )

    def memory_fit(
        self, design: dict | None = None, facts: DatasetFacts | None = None
    ) -> list[Mismatch]:
        """Whether a training step of `design` (default the design being edited), with the
        settings' batch size and optimizer, fits in the memory of the device the job would
        train on (`step_memory`), its input pipeline on the records of the dataset `facts`
        describe (default the Train page's dataset) included."""
        settings = self.settings
        memory = available_memory(settings.device)
        design = self.design if design is None else design
        if facts is None:
            facts = self.train_facts()
        return memory_fit(
            design, settings.batch_size, settings.optimizer, memory, facts.record_bytes
        )

    def fix_design(self, mismatch: Mismatch) -> None:
        """Makes the edit that fixes `mismatch`: in the design (undoable on the Build page),
        or the batch size in the settings."""
        apply_fix(self.editor, mismatch, self.settings)

    def start_training(
        self, *, finetune: bool = False, dataset: dict[str, Any] | None = None
    ) -> Job:
        """Starts a job in its own process and returns it.

        Args:
          finetune: Whether the job fine-tunes the design from the plan's checkpoint, with
            the plan's restore and train choices (`finetune_config`). Default False: the job
            trains what `settings` say (the design while `train_design` is on).
          dataset: The fine-tuning job's `dataset` section (see `finetune_config`). A
            training job reads its dataset from `settings`.

        Raises:
          ConfigError: If the config has problems (every one is listed), or the design does
            not fit the dataset or a step would not fit in memory (`design_fit`).
          PathEscapeError: If the log directory is outside the workspace.
          FileExistsError: If the log directory already holds a job.
          ValueError: If `dataset` is given for a training job.
        """
        if finetune:
            config = self.finetune_config(dataset)
        elif dataset is not None:
            raise ValueError(
                "WorkbenchSession.start_training: `dataset` must be None for a training job "
                f"(it reads `settings.dataset`), got {dataset!r}."
            )
        else:
            config = self.settings.to_config()
        found = self._fit(config["dataset"], "design" in config["model"])
        mismatches = [m for m in found if m.blocking]
        if mismatches:
            raise ConfigError([m.problem for m in mismatches])
        logdir = self.settings.logdir()
        if finetune and self.settings.job_name == self._auto_job_name:
            # Named after the design and the data it is fine-tuned on, not the Train
            # page's dataset: `lenet-finetune-image_folder`.
            config["name"] = (
                f"{self.design.get('name') or 'design'}-finetune-{self.finetune_dataset}"
            )
            logdir = TrainSettings(job_name=config["name"]).logdir()
        job = start(config, logdir, workspace=self.workspace, unique=True)
        self.last_job = job.logdir
        return job
