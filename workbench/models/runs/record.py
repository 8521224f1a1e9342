"""`RunRecord`: one job of the workspace as a row of the runs table, read from its folder.

Everything comes from the job's files: `job.json` (design, dataset, hyper-parameters, the
sweep it belongs to), `status.json` (state, progress, times), `eval.json` and
`eval_history.jsonl` (validation results) and the tail of `metrics.jsonl` (throughput).
A damaged or half-written folder still gives a row: what could be read is filled in and
`problem` says what could not. Reading never raises and never writes.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

from workbench.models.jobs.control import read_status
from workbench.models.jobs.launches import LaunchesError, running_seconds
from workbench.models.jobs.paths import (
    EVAL_FILE,
    EVAL_HISTORY_FILE,
    JOB_FILE,
    METRICS_FILE,
    STATUS_FILE,
)
from workbench.models.jobs.status_file import ACTIVE_STATES, STATES, why_not_an_object
from workbench.models.runs.design_versions import DesignVersions

__all__ = ["EVAL_HISTORY_FILE", "RunRecord", "read_run"]

# Bytes read from the end of metrics.jsonl for the throughput: the last 20-odd records
# (about 150 bytes each). Parsing more made the throughput most of the cost of a row.
_METRICS_TAIL_BYTES = 4 * 1024


@dataclass
class RunRecord:
    """One run (training job) as the runs table shows it; None where a value is unknown."""

    run: str  # The log directory relative to the workspace: the run's identity on screen.
    logdir: str  # Absolute.
    name: str = ""
    sweep: str | None = None
    status: str = "failed"
    step: int = 0
    target_steps: int | None = None
    design: str | None = None  # The design's saved (or own) name, or the slimlib net's.
    design_version: int | None = None  # The saved version trained; None if never saved so.
    dataset: str | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    schedule: str | None = None
    batch_size: int | None = None
    steps: int | None = None
    weight_decay: float | None = None
    momentum: float | None = None
    label_smoothing: float | None = None
    finetune: str | None = None  # The restore plan in words; None when trained from scratch.
    val_accuracy: float | None = None  # The last validation result.
    best_val_accuracy: float | None = None  # The best of every validation result.
    val_loss: float | None = None
    duration_s: float | None = None  # Running time, summed over every launch (resumes too).
    examples_per_sec: float | None = None  # Mean over the last logged records.
    created_at: float = 0.0
    error: str | None = None  # First line of a failed job's error.
    problem: str | None = None  # What in the folder could not be read.

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return asdict(self)


#: Field names in table order.
FIELDS = tuple(f.name for f in fields(RunRecord))


def read_run(logdir: str, workspace: str, designs: DesignVersions | None = None) -> RunRecord:
    """The row of the job in `logdir` (absolute, inside `workspace`); never raises.

    Args:
      logdir: The job's log directory.
      workspace: The workspace root (runs are named relative to it).
      designs: Finds design versions; default one for `workspace` (reading its history).
    """
    record = RunRecord(run=os.path.relpath(logdir, workspace), logdir=logdir)
    problems: list[str] = []
    try:
        _fill(record, logdir, designs or DesignVersions(workspace), problems)
    except Exception as err:  # A shape of damage not foreseen still gives a row.
        problems.append(f"cannot read the run: {type(err).__name__}: {err}")
    record.problem = "; ".join(problems) or None
    return record


def _fill(record: RunRecord, logdir: str, designs: DesignVersions, problems: list[str]) -> None:
    config = _object(os.path.join(logdir, JOB_FILE), problems)
    try:
        record.created_at = os.path.getmtime(os.path.join(logdir, JOB_FILE))
    except OSError:
        pass
    record.name = _text(config.get("name")) or os.path.basename(logdir)
    sweep = config.get("sweep")
    if isinstance(sweep, dict):  # {"id": ..., ...} also names the sweep.
        sweep = sweep.get("id")
    record.sweep = None if sweep is None else str(sweep)
    # Each part on its own: damage in one (a config field of an odd shape) keeps the others.
    parts = (
        lambda: _fill_config(record, config, designs, problems),
        lambda: _fill_status(record, logdir, problems),
        lambda: _fill_eval(record, logdir, problems),
    )
    for fill in parts:
        try:
            fill()
        except Exception as err:  # A shape of damage not foreseen.
            problems.append(f"cannot read the run: {type(err).__name__}: {err}")
    record.examples_per_sec = _throughput(os.path.join(logdir, METRICS_FILE))


def _object(path: str, problems: list[str], *, required: bool = True) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        if required:
            problems.append(why_not_an_object(path))
        return {}
    except (OSError, ValueError, RecursionError):
        problems.append(why_not_an_object(path))
        return {}
    if not isinstance(data, dict):
        problems.append(why_not_an_object(path))
        return {}
    return data


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(section: dict, key: str, where: str, problems: list[str]) -> float | None:
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{where}.{key} is {value!r}, not a number")
        return None
    return float(value)


# Largest whole number a JSON reader keeps exactly; larger ones are damage, not a setting.
_MAX_INTEGER = 2**53


def _integer(section: dict, key: str, where: str, problems: list[str]) -> int | None:
    value = _number(section, key, where, problems)
    if value is None:
        return None
    if not value.is_integer() or abs(value) > _MAX_INTEGER:
        problems.append(f"{where}.{key} is {section[key]!r}, not a whole number up to 2**53")
        return None
    return int(value)


def _section(config: dict, key: str, problems: list[str]) -> dict:
    value = config.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"job.json: {key} is {type(value).__name__}, not an object")
        return {}
    return value


def _fill_config(
    record: RunRecord, config: dict, designs: DesignVersions, problems: list[str]
) -> None:
    model = _section(config, "model", problems)
    design = model.get("design")
    if isinstance(design, dict):
        saved = designs.version_of(design)
        # The name it was saved under (what the Build page lists), else its own name.
        record.design = saved[0] if saved else _text(design.get("name")) or "design"
        record.design_version = saved[1] if saved else None
    else:
        record.design = _text(model.get("net"))
    dataset = _section(config, "dataset", problems)
    kind = _text(dataset.get("kind"))
    folder = _text(dataset.get("folder"))
    record.dataset = f"{kind}:{folder}" if kind and folder else kind
    train = _section(config, "train", problems)
    record.optimizer = _text(train.get("optimizer"))
    for key in ("learning_rate", "weight_decay", "momentum", "label_smoothing"):
        setattr(record, key, _number(train, key, "train", problems))
    record.batch_size = _integer(train, "batch_size", "train", problems)
    record.steps = _integer(train, "steps", "train", problems)
    record.schedule = _schedule_text(train.get("schedule"), problems)
    record.finetune = _finetune_text(config.get("restore"), problems)


def _of_type(section: dict, key: str, kind: type, where: str, problems: list[str]) -> Any:
    """`section[key]` when it is a `kind` (list or dict); else an empty one, the problem noted
    unless the key is absent or null."""
    value = section.get(key)
    if isinstance(value, kind):
        return value
    if value is not None:
        shape = "a list" if kind is list else "an object"
        problems.append(f"job.json: {where}.{key} is {value!r}, not {shape}")
    return kind()


def _schedule_text(schedule: Any, problems: list[str]) -> str | None:
    """`constant`, `exponential(decay 0.5 every 500)`, `piecewise(0.1@100, 0.01)`."""
    if schedule is None:
        return None
    if not isinstance(schedule, dict):
        problems.append(f"job.json: train.schedule is {schedule!r}, not an object")
        return None
    kind = schedule.get("kind")
    if kind == "exponential":
        stair = ", staircase" if schedule.get("staircase") else ""
        return (
            f"exponential(decay {schedule.get('decay_rate')} every "
            f"{schedule.get('decay_steps')}{stair})"
        )
    if kind == "piecewise":
        values = _of_type(schedule, "values", list, "train.schedule", problems)
        bounds = _of_type(schedule, "boundaries", list, "train.schedule", problems)
        parts = [f"{v}@{b}" for v, b in zip(values, bounds)] + [
            str(v) for v in values[len(bounds) :]
        ]
        return f"piecewise({', '.join(parts)})" if parts else "piecewise"
    return str(kind) if kind else None


def _finetune_text(restore: Any, problems: list[str]) -> str | None:
    """`from jobs/pre, 2 excluded, trains LeNet/fc4, LeNet/conv1 x0.1` (the last part: the
    gradient multipliers); None when trained from scratch."""
    if restore is None:
        return None
    if not isinstance(restore, dict):
        problems.append(f"job.json: restore is {type(restore).__name__}, not an object")
        return None
    parts = [f"from {restore.get('checkpoint')}"]
    exclude = _of_type(restore, "exclude", list, "restore", problems)
    if exclude:
        parts.append(f"{len(exclude)} excluded")
    scopes = _of_type(restore, "trainable_scopes", list, "restore", problems)
    parts.append(f"trains {', '.join(map(str, scopes))}" if scopes else "trains all")
    multipliers = _of_type(restore, "gradient_multipliers", dict, "restore", problems)
    if multipliers:
        parts.append(", ".join(f"{scope} x{factor}" for scope, factor in multipliers.items()))
    return ", ".join(parts)


def _fill_status(record: RunRecord, logdir: str, problems: list[str]) -> None:
    status = _object(os.path.join(logdir, STATUS_FILE), problems, required=False)
    if status.get("state") in ACTIVE_STATES:
        # Said to be running: `read_status` checks that its process is still there (and
        # reports it ended if not, without writing).
        status = read_status(logdir, record=False)
    state = status.get("state", "new")
    if state not in STATES:
        problems.append(f"status.json: state is {state!r}, not one of {list(STATES)}")
        state = "failed"
    record.status = state
    record.step = _integer(status, "step", "status", problems) or 0
    record.target_steps = _integer(status, "target_steps", "status", problems) or record.steps
    error = status.get("error")
    if isinstance(error, str) and error:
        record.error = error.strip().splitlines()[0]
    try:
        active = state in ACTIVE_STATES
        record.duration_s = running_seconds(status, time.time(), active=active)
    except LaunchesError as err:
        problems.append(str(err))


def _fill_eval(record: RunRecord, logdir: str, problems: list[str]) -> None:
    final = _object(os.path.join(logdir, EVAL_FILE), problems, required=False)
    accuracy = _number(final, "accuracy", "eval", problems)
    record.val_accuracy = _accuracy(accuracy, "eval.accuracy", problems)
    record.val_loss = _number(final, "loss", "eval", problems)
    accuracies = [record.val_accuracy] if record.val_accuracy is not None else []
    for entry in _json_lines(os.path.join(logdir, EVAL_HISTORY_FILE)):
        value = entry.get("accuracy")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            value = _accuracy(float(value), f"{EVAL_HISTORY_FILE}: accuracy", problems)
            if value is not None:
                accuracies.append(value)
    record.best_val_accuracy = max(accuracies) if accuracies else None


def _accuracy(value: float | None, where: str, problems: list[str]) -> float | None:
    """`value` when it is an accuracy (0 to 1); else None, and the problem noted."""
    if value is None or 0.0 <= value <= 1.0:
        return value
    problems.append(f"{where} is {value:g}, not in [0, 1]")
    return None


def _json_lines(path: str) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file; other lines (damaged, partial) are skipped."""
    try:
        with open(path, "rb") as f:
            chunk = f.read()
    except OSError:
        return []
    records = []
    for line in chunk.split(b"\n"):
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            records.append(value)
    return records


# The rate in a metrics record; found without parsing each record as JSON, which made the
# throughput most of the cost of a row.
_RATE = re.compile(rb'"examples_per_sec":\s*(-?[0-9][0-9.eE+-]*)')


def _throughput(path: str) -> float | None:
    """The mean examples/sec of the last complete records of a metrics stream."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - _METRICS_TAIL_BYTES))
            chunk = f.read()
    except OSError:
        return None
    chunk = chunk[: chunk.rfind(b"\n") + 1]  # A last line still being written is left out.
    rates = []
    for match in _RATE.finditer(chunk):
        try:
            rate = float(match.group(1))
        except ValueError:
            continue
        if math.isfinite(rate):
            rates.append(rate)
    return sum(rates) / len(rates) if rates else None
