"""A job's hyper-parameters and final metrics for TensorBoard's HParams dashboard.

At its start a job writes its hyper-parameters as a session-start summary
(`tensorboard.plugins.hparams.summary_v2.hparams_pb`); after its evaluation it writes the
validation accuracy and loss as scalars (`validation/accuracy`, `validation/loss`) at the
step reached, and a session-end summary with how the job ended. TensorBoard, started on
the workspace's `jobs/` folder, then shows every job as a row of its HParams table, with
its settings and results, and a sweep's runs side by side.

The protos are built with TensorBoard's own proto helpers and written with its pure-Python
event writer into the job's log directory (TensorBoard reads every events file of a run):
neither Keras nor TensorBoard's `hparams.api` (whose Keras callback imports Keras) is
imported.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from workbench.models.jobs.config import JobConfig

__all__ = ["SUFFIX", "hparams_of", "write_end", "write_start"]

#: Ends the name of the events file these summaries go to, beside slim.learning.train's.
SUFFIX = ".hparams"
#: The final metrics, as they are named in TensorBoard.
METRIC_TAGS = {"accuracy": "validation/accuracy", "loss": "validation/loss"}
# TensorBoard's statuses have no "stopped": a stopped job may be resumed, its end unknown.
_END_STATUS = {"finished": "STATUS_SUCCESS", "failed": "STATUS_FAILURE"}


def hparams_of(config: JobConfig) -> dict[str, bool | float | str]:
    """The job's hyper-parameters as HParams values (numbers, strings, booleans).

    Example:
      >>> from workbench.models.design import template
      >>> from workbench.models.jobs.config import load_config
      >>> config = load_config({"model": {"design": template("lenet")},
      ...                       "train": {"learning_rate": 0.1}}, workspace="/tmp")
      >>> hparams_of(config)["learning_rate"], hparams_of(config)["optimizer"]
      (0.1, 'momentum')
    """
    train = config.train
    if config.model.net:
        model = config.model.net
    else:
        model = str((config.model.design or {}).get("name") or "design")
    values: dict[str, Any] = {
        "model": model,
        "dataset": config.dataset.kind,
        "optimizer": train.optimizer,
        "learning_rate": train.learning_rate,
        "schedule": train.schedule.kind,
        "batch_size": train.batch_size,
        "steps": train.steps,
        "weight_decay": train.weight_decay,
        "momentum": train.momentum,
        "label_smoothing": train.label_smoothing,
        "seed": config.seed,
        "fine_tune": config.restore is not None,
        "sweep": config.sweep or "",
    }
    return {key: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for key, v in values.items()}  # fmt: skip


def _write(logdir: str, summaries: list[tuple[Any, int]]) -> None:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(logdir, filename_suffix=SUFFIX)
    try:
        for summary, step in summaries:
            # The v1 helpers build TensorFlow's own Summary class: the same message.
            summary = summary_pb2.Summary.FromString(summary.SerializeToString())
            writer.add_event(event_pb2.Event(wall_time=time.time(), step=step, summary=summary))
    finally:
        writer.close()


def write_start(logdir: str, config: JobConfig, *, trial_id: str) -> None:
    """Writes the job's hyper-parameters (a session-start summary) into `logdir`.

    Args:
      logdir: The job's log directory.
      config: The job's config.
      trial_id: Names the job among the sweep's trials (e.g. its folder name).
    """
    from tensorboard.plugins.hparams import summary_v2

    _write(logdir, [(summary_v2.hparams_pb(hparams_of(config), trial_id=trial_id), 0)])


def write_end(logdir: str, state: str, results: Mapping[str, Any] | None, step: int) -> None:
    """Writes the final validation metrics (when there are any) and how the job ended.

    Args:
      logdir: The job's log directory.
      state: `finished`, `failed` or `stopped`.
      results: The evaluation results (`accuracy`, `loss`), or None.
      step: The global step the results belong to.
    """
    from tensorboard.plugins.hparams import api_pb2
    from tensorboard.plugins.hparams import summary as hparams_v1
    from tensorboard.plugins.scalar import summary_v2 as scalar_summary

    summaries = [
        (scalar_summary.scalar_pb(tag, float(results[name])), step)
        for name, tag in METRIC_TAGS.items()
        if results and isinstance(results.get(name), (int, float))
    ]
    status = api_pb2.Status.Value(_END_STATUS.get(state, "STATUS_UNKNOWN"))
    summaries.append((hparams_v1.session_end_pb(status), step))
    _write(logdir, summaries)
