"""Job folders as a training job leaves them, written directly (no training) for runs tests
and the runs-table benchmark."""

from __future__ import annotations

import json
import math
import os
from typing import Any

#: When the first job of a generated workspace started (2023-11-14 22:13:20 UTC).
T0 = 1_700_000_000.0


def job_config(
    name: str,
    *,
    net: str = "lenet",
    design: dict | None = None,
    optimizer: str = "momentum",
    learning_rate: float = 0.01,
    batch_size: int = 32,
    steps: int = 100,
    weight_decay: float = 0.0,
    schedule: dict | None = None,
    restore: dict | None = None,
    sweep: str | None = None,
) -> dict[str, Any]:
    """A job config as `job.json` stores it (defaults filled in)."""
    config: dict[str, Any] = {
        "name": name,
        "model": {"design": design} if design else {"net": net},
        "dataset": {"kind": "digits", "resize": [28, 28]},
        "train": {
            "optimizer": optimizer,
            "learning_rate": learning_rate,
            "momentum": 0.9,
            "epsilon": None,
            "schedule": schedule or {"kind": "constant"},
            "batch_size": batch_size,
            "steps": steps,
            "weight_decay": weight_decay,
            "label_smoothing": 0.0,
            "log_every_n_steps": 10,
            "save_interval_secs": 60,
            "save_summaries_secs": 60,
        },
        "restore": restore,
        "seed": 0,
        "device": "auto",
        "performance": {"onednn": "auto", "xla": False, "mixed_precision": False},
    }
    if sweep is not None:
        config["sweep"] = sweep
    return config


def write_metrics(
    logdir: str, steps: int, *, every: int = 10, start: float = T0, lr=0.01, tau: float = 50.0
):
    """`metrics.jsonl` of a run that logged every `every` steps up to `steps`: the loss falls
    as 2.3 * exp(-step / tau), the batch accuracy rises, 800 examples/sec, 0.04 s a step."""
    with open(os.path.join(logdir, "metrics.jsonl"), "w") as f:
        for step in range(every, steps + 1, every):
            record = {
                "step": step,
                "loss": round(2.3 * math.exp(-step / tau), 6),
                "learning_rate": lr,
                "examples_per_sec": 800.0,
                "wall_time": start + 0.04 * step,
                "accuracy": round(1 - math.exp(-step / 40), 6),
            }
            f.write(json.dumps(record) + "\n")


def make_run(
    root: str,
    folder: str,
    *,
    state: str = "finished",
    accuracy: float | None = 0.9,
    history: tuple[float, ...] = (),
    started: float = T0,
    duration: float = 60.0,
    checkpoints: bool = False,
    tau: float = 50.0,
    **config: Any,
) -> str:
    """Writes a job folder `root/folder` in `state`; returns its absolute path.

    Args:
      accuracy: The final validation accuracy (`eval.json`), None for no evaluation.
      history: Earlier validation accuracies (`eval_history.jsonl`, before the final one).
      checkpoints: Also write (empty) checkpoint and event files, as a real job has.
      tau: How many steps the loss takes to fall by a factor e (see `write_metrics`).
      config: Passed to `job_config` (`learning_rate`, `sweep`, ...).
    """
    logdir = os.path.join(root, folder)
    os.makedirs(logdir, exist_ok=True)
    data = job_config(os.path.basename(folder), **config)
    steps = data["train"]["steps"]
    with open(os.path.join(logdir, "job.json"), "w") as f:
        json.dump(data, f, indent=2)
    done = state in ("finished", "failed", "stopped")
    status = {
        "state": state,
        "phase": "done" if done else "training",
        "pid": None,
        "step": steps if state == "finished" else steps // 2,
        "target_steps": steps,
        "started_at": started,
        "ended_at": started + duration if done else None,
        "updated_at": started + duration,
    }
    if state == "failed":
        status["error"] = "ValueError: the loss became NaN\nat step 50"
    if state != "new":
        with open(os.path.join(logdir, "status.json"), "w") as f:
            json.dump(status, f, indent=2)
        lr = data["train"]["learning_rate"]
        write_metrics(logdir, status["step"], start=started, lr=lr, tau=tau)
    evals = [*history, accuracy] if accuracy is not None else list(history)
    for index, value in enumerate(evals):
        result = {"split": "validation", "step": steps, "accuracy": value, "loss": 1 - value,
                  "num_examples": 360, "wall_time": started + duration + index}  # fmt: skip
        with open(os.path.join(logdir, "eval_history.jsonl"), "a") as f:
            f.write(json.dumps(result) + "\n")
        if index == len(evals) - 1 and accuracy is not None:
            with open(os.path.join(logdir, "eval.json"), "w") as f:
                json.dump(result, f)
    if checkpoints:
        names = ["checkpoint", f"model.ckpt-{steps}.index", f"model.ckpt-{steps}.meta",
                 f"model.ckpt-{steps}.data-00000-of-00001", "model_info.json", "job.log",
                 "events.out.tfevents.1700000000.host"]  # fmt: skip
        for name in names:
            with open(os.path.join(logdir, name), "w") as f:
                f.write("x" * 64)
        os.makedirs(os.path.join(logdir, "eval"), exist_ok=True)
    os.utime(os.path.join(logdir, "job.json"), (started, started))
    return logdir
