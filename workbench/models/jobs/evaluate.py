"""Evaluating a job's last checkpoint on the validation split with streaming metrics.

`slim.evaluation.evaluate_once` restores the checkpoint, reads every validation example
once (`slim.metrics.streaming_accuracy` and `streaming_mean` of the per-example cross
entropy), writes the values as TensorBoard summaries to `<logdir>/eval` and returns them;
they are saved as `<logdir>/eval.json` (and appended to `eval_history.jsonl`):

    {"split": "validation", "step": 500, "checkpoint": "model.ckpt-500",
     "accuracy": 0.93, "loss": 0.24, "num_examples": 297, "wall_time": 1700000000.0}
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any

import tensorflow as tf

import slimlib as slim
from workbench.models.jobs import inputs, model
from workbench.models.jobs.config import JobConfig
from workbench.models.jobs.inputs import PreparedData
from workbench.models.jobs.paths import EVAL_FILE, EVAL_HISTORY_FILE
from workbench.models.jobs.status_file import write_json_atomic

v1 = tf.compat.v1

__all__ = ["EVAL_SPLIT", "run_evaluation"]

EVAL_SPLIT = "validation"


def run_evaluation(
    config: JobConfig, logdir: str, data: PreparedData, *, session_config: Any = None
) -> dict[str, Any]:
    """Evaluates the latest checkpoint of `logdir` and writes `<logdir>/eval.json`.

    Args:
      config: The job config.
      logdir: The job's log directory (holds the checkpoints).
      data: The prepared data.
      session_config: `tf.compat.v1.ConfigProto` for the session.

    Returns:
      The results written to `eval.json`; `{"split": ..., "skipped": reason}` when the
      dataset has no validation split.

    Raises:
      FileNotFoundError: If `logdir` has no checkpoint.
    """
    path = os.path.join(logdir, EVAL_FILE)
    if EVAL_SPLIT not in data.splits:
        result: dict[str, Any] = {
            "split": EVAL_SPLIT,
            "skipped": "the dataset has no validation split",
        }
        write_json_atomic(path, result)
        return result
    checkpoint = tf.train.latest_checkpoint(logdir)
    if checkpoint is None:
        raise FileNotFoundError(f"run_evaluation: {logdir!r} has no checkpoint to evaluate.")
    num_examples = data.splits[EVAL_SPLIT]
    graph = tf.Graph()
    with graph.as_default():
        global_step = slim.get_or_create_global_step()
        images, labels = inputs.batch(config, data, EVAL_SPLIT, training=False)
        logits, _ = model.build_logits(config, images, data.num_classes, is_training=False)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        values, updates = slim.metrics.aggregate_metric_map(
            {
                "accuracy": slim.metrics.streaming_accuracy(tf.argmax(logits, 1), labels),
                "loss": slim.metrics.streaming_mean(losses),
            }
        )
        for name, value in values.items():
            v1.summary.scalar(f"eval/{name}", value)
        found = slim.evaluation.evaluate_once(
            "",
            checkpoint,
            os.path.join(logdir, "eval"),
            num_evals=math.ceil(num_examples / config.train.batch_size),
            eval_op=list(updates.values()),
            final_op={**values, "step": global_step},
            session_config=session_config,
        )
    result = {
        "split": EVAL_SPLIT,
        "step": int(found["step"]),
        "checkpoint": os.path.basename(checkpoint),
        "accuracy": float(found["accuracy"]),
        "loss": float(found["loss"]),
        "num_examples": num_examples,
        "wall_time": time.time(),
    }
    write_json_atomic(path, result)
    _append_history(logdir, result)
    return result


def _append_history(logdir: str, result: dict[str, Any]) -> None:
    """Adds `result` to `eval_history.jsonl`: `eval.json` holds only the last evaluation
    (a resumed job evaluates again), the runs table shows the best of all of them too."""
    try:
        with open(os.path.join(logdir, EVAL_HISTORY_FILE), "a", encoding="utf-8") as f:
            f.write(json.dumps(result) + "\n")
    except OSError:
        pass  # A full disk: eval.json, the result that matters, is written already.
