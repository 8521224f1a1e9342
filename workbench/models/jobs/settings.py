"""`TrainSettings`: the training form's state, turned into a job config.

The app's Train page and the notebook widgets edit these typed parameters rather than raw
JSON; `to_config()` gives the job config that `start` validates again, so a value the form
let through but the job cannot use still comes back as a clear problem.
"""

from __future__ import annotations

import re
import time
from typing import Any

import param

from workbench.models.jobs.config import DEFAULT_TRAIN, DEVICES, OPTIMIZERS

#: Nets small enough to train on the 8x8 digits on a CPU in minutes; every other
#: `slimlib.nets` name is accepted too.
QUICK_NETS = ("lenet", "cifarnet")
#: The input size each quick net was drawn for (the digits are resized to it).
NET_INPUT_SIZES = {"lenet": [28, 28], "cifarnet": [32, 32]}


class TrainSettings(param.Parameterized):
    """Model, dataset and hyper-parameters of a new training job.

    The dataset is the built-in digits, an image folder inside the workspace with one
    sub-folder per class (`image_folder`), or a folder of TFRecords written by
    `slim.data.writer` (`tfrecord`; other TFRecords need the job config's extra keys).
    """

    job_name = param.String(default="lenet-digits", doc="Job name; also names its log folder.")
    net = param.Selector(default="lenet", objects=list(QUICK_NETS), doc="A `slimlib.nets` net.")
    design = param.Dict(
        default=None, allow_None=True, doc="A model design to train instead of `net`."
    )
    dataset = param.Selector(default="digits", objects=["digits", "image_folder", "tfrecord"])
    folder = param.String(
        default="", doc="With image_folder or tfrecord: the folder's path inside the workspace."
    )
    optimizer = param.Selector(default=DEFAULT_TRAIN["optimizer"], objects=list(OPTIMIZERS))
    learning_rate = param.Number(default=0.01, bounds=(0, None), inclusive_bounds=(False, True))
    batch_size = param.Integer(default=DEFAULT_TRAIN["batch_size"], bounds=(1, 4096))
    steps = param.Integer(default=300, bounds=(1, None), doc="Train up to this global step.")
    weight_decay = param.Number(default=0.0, bounds=(0, None))
    device = param.Selector(default="auto", objects=list(DEVICES), doc="auto: GPU if seen.")
    log_every_n_steps = param.Integer(default=10, bounds=(1, None))

    def to_config(self) -> dict[str, Any]:
        """The job config for these settings (digits resized to the net's input size)."""
        model: dict[str, Any] = {"design": self.design} if self.design else {"net": self.net}
        dataset: dict[str, Any] = {"kind": self.dataset}
        if self.dataset != "digits":
            dataset["folder"] = self.folder
        if self.design:
            dataset["resize"] = list(self.design["input"]["shape"][:2])
        elif self.net in NET_INPUT_SIZES:
            dataset["resize"] = NET_INPUT_SIZES[self.net]
        return {
            "name": self.job_name,
            "model": model,
            "dataset": dataset,
            "train": {
                "optimizer": self.optimizer,
                "learning_rate": self.learning_rate,
                "batch_size": self.batch_size,
                "steps": self.steps,
                "weight_decay": self.weight_decay,
                "log_every_n_steps": self.log_every_n_steps,
            },
            "device": self.device,
        }

    def logdir(self, now: float | None = None) -> str:
        """A new log folder under `jobs/`, relative to the workspace: `jobs/NAME-YYYYmmdd-HHMMSS`.

        Example:
          >>> TrainSettings(job_name="My net!").logdir(now=0)
          'jobs/My-net-19700101-000000'
        """
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", self.job_name).strip("-.") or "job"
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(time.time() if now is None else now))
        return f"jobs/{slug}-{stamp}"
