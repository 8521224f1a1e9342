"""Training jobs: a config, a process that trains with slimlib, and the controls around it.

- `config`: the job config (JSON) and its validation (`validate_config`, `load_config`).
- `control`: `start`, `stop`, `resume`, `read_status`, `list_jobs` and the `Job` model.
- `metrics_stream`: `MetricsReader` tails a job's `metrics.jsonl` for live plots.
- `runner`: the job process (`python -m workbench.train --logdir DIR`).
- `export`: `export_saved_model` and `predict` (these import TensorFlow when first used).

Importing this package does not import TensorFlow: a job process must choose its device
before TensorFlow starts.
"""

from typing import Any

from workbench.models.jobs.config import DATASET_KINDS as DATASET_KINDS
from workbench.models.jobs.config import DEVICES as DEVICES
from workbench.models.jobs.config import OPTIMIZERS as OPTIMIZERS
from workbench.models.jobs.config import SCHEDULES as SCHEDULES
from workbench.models.jobs.config import ConfigError as ConfigError
from workbench.models.jobs.config import JobConfig as JobConfig
from workbench.models.jobs.config import config_problem as config_problem
from workbench.models.jobs.config import load_config as load_config
from workbench.models.jobs.config import validate_config as validate_config
from workbench.models.jobs.control import Job as Job
from workbench.models.jobs.control import JobStateError as JobStateError
from workbench.models.jobs.control import list_jobs as list_jobs
from workbench.models.jobs.control import read_status as read_status
from workbench.models.jobs.control import resume as resume
from workbench.models.jobs.control import start as start
from workbench.models.jobs.control import stop as stop
from workbench.models.jobs.metrics_stream import MetricsReader as MetricsReader
from workbench.models.jobs.metrics_stream import read_metrics as read_metrics
from workbench.models.jobs.paths import PathEscapeError as PathEscapeError
from workbench.models.jobs.paths import resolve_in_workspace as resolve_in_workspace
from workbench.models.jobs.status_file import STATES as STATES

__all__ = [
    "DATASET_KINDS",
    "DEVICES",
    "OPTIMIZERS",
    "SCHEDULES",
    "STATES",
    "ConfigError",
    "Job",
    "JobConfig",
    "JobStateError",
    "MetricsReader",
    "PathEscapeError",
    "config_problem",
    "export_saved_model",
    "list_jobs",
    "load_config",
    "predict",
    "read_metrics",
    "read_status",
    "resolve_in_workspace",
    "resume",
    "start",
    "stop",
    "validate_config",
]

_LAZY = ("export_saved_model", "predict")


def __getattr__(name: str) -> Any:
    # `export` imports TensorFlow; load it on first use only.
    if name in _LAZY:
        from workbench.models.jobs import export

        return getattr(export, name)
    raise AttributeError(f"module 'workbench.models.jobs' has no attribute {name!r}")
