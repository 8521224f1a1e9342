"""The job config: a JSON object describing one training job, validated all at once.

A config names the model (a `slimlib.nets` net or a design spec), the dataset (the
built-in UCI digits, a TFRecord folder or an image folder), the hyper-parameters, an
optional restore plan for fine-tuning, the seed and the device:

    {"model": {"net": "lenet"},
     "dataset": {"kind": "digits", "resize": [28, 28]},
     "train": {"optimizer": "momentum", "learning_rate": 0.01, "momentum": 0.9,
               "schedule": {"kind": "exponential", "decay_steps": 500, "decay_rate": 0.5},
               "batch_size": 32, "steps": 2000, "weight_decay": 4e-5,
               "label_smoothing": 0.1, "log_every_n_steps": 10,
               "save_interval_secs": 60, "save_summaries_secs": 60},
     "restore": {"checkpoint": "jobs/pretrained", "exclude": ["LeNet/fc4"],
                 "trainable_scopes": ["LeNet/conv2", "LeNet/fc4"],
                 "gradient_multipliers": {"LeNet/fc4": 10.0},
                 "frozen_batch_norms": []},
     "seed": 0, "device": "auto",
     "performance": {"onednn": "auto", "xla": false, "mixed_precision": false},
     "sweep": "lr-20261206-101500"}

A TFRecord folder written by `slim.data.writer` needs only `{"kind": "tfrecord", "folder":
...}`; other TFRecords also give `file_pattern`, `num_samples`, `num_classes` and
`image_shape`. `restore.gradient_multipliers` multiplies the learning rate of the trained
variables under a scope (the nearest scope wins); `restore.frozen_batch_norms` names batch
norms whose moving statistics stay the checkpoint's (their update ops do not run).
`performance` overrides the speed settings a job chooses for its machine
(see `workbench.models.jobs.performance`). `sweep` names the sweep a job was launched
by (`workbench.models.sweeps`); a job outside a sweep has none. Everything but `model` has
a default.
`validate_config` returns every problem (path, value and what was expected) instead of
stopping at the first; `load_config` raises them together as a `ConfigError`. Paths
(`dataset.folder`, `restore.checkpoint`) are relative to the workspace root or absolute
inside it.

This module imports no TensorFlow at import time: the job process reads its device choice
before TensorFlow starts, and checking a config needs no TensorFlow at all (net names are
checked against `net_names.NET_NAMES`), so `slim-workbench sweep define` does not load it.
"""

from __future__ import annotations

import copy
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.models.jobs import performance
from workbench.models.jobs.net_names import NET_NAMES
from workbench.models.jobs.paths import PathEscapeError, resolve_in_workspace
from workbench.models.jobs.performance import PerformanceSpec
from workbench.problems import Problem, ProblemsError, did_you_mean

__all__ = [
    "DATASET_KINDS",
    "DEFAULT_TRAIN",
    "DEVICES",
    "MISSING",
    "OPTIMIZERS",
    "SWEEP_ID_PATTERN",
    "SCHEDULES",
    "ConfigError",
    "DatasetSpec",
    "JobConfig",
    "ModelSpec",
    "config_problem",
    "RestoreSpec",
    "ScheduleSpec",
    "TrainSpec",
    "load_config",
    "validate_config",
]

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
SCHEDULES = ("constant", "exponential", "piecewise")
DATASET_KINDS = ("digits", "tfrecord", "image_folder")
DEVICES = ("auto", "cpu", "gpu")
# Digits: 10 classes (https://archive.ics.uci.edu/dataset/80).
_DIGITS_CLASSES = 10

DEFAULT_TRAIN: dict[str, Any] = {
    "optimizer": "momentum",
    "learning_rate": 0.01,
    # Momentum 0.9 as in TF-Slim's train_image_classifier.py (`--momentum`).
    "momentum": 0.9,
    "epsilon": None,  # None: the optimizer's own default.
    "schedule": {"kind": "constant"},
    "batch_size": 32,
    "steps": 1000,
    "weight_decay": 0.0,
    "label_smoothing": 0.0,
    "log_every_n_steps": 10,
    "save_interval_secs": 60,
    "save_summaries_secs": 60,
}
_DATASET_KEYS = {
    "digits": ("kind", "resize"),
    "tfrecord": (
        "kind",
        "resize",
        "folder",
        "file_pattern",
        "num_samples",
        "num_classes",
        "image_shape",
    ),
    "image_folder": ("kind", "resize", "folder", "validation_fraction"),
}
# A TFRecord dataset given without these keys is described by its dataset_info.json.
_DESCRIBED_KEYS = ("file_pattern", "num_samples", "num_classes", "image_shape")
# Written next to the TFRecords by slim.data.writer (its INFO_FILENAME; slimlib is not
# imported here, so that checking a config stays fast).
DATASET_INFO_FILE = "dataset_info.json"
_SCHEDULE_KEYS = {
    "constant": ("kind",),
    "exponential": ("kind", "decay_steps", "decay_rate", "staircase"),
    "piecewise": ("kind", "boundaries", "values"),
}
_RESTORE_KEYS = (
    "checkpoint",
    "exclude",
    "trainable_scopes",
    "ignore_missing_vars",
    "gradient_multipliers",
    "frozen_batch_norms",
)
_TOP_KEYS = (
    "name",
    "model",
    "dataset",
    "train",
    "restore",
    "seed",
    "device",
    "performance",
    "sweep",
)
# A sweep id names a folder (`sweeps/ID`, `jobs/ID`): letters, digits, `_`, `.`, `-`.
SWEEP_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_DEFAULT_VALIDATION_FRACTION = 0.2


class _Missing:
    def __repr__(self) -> str:
        return "nothing"


MISSING: Any = _Missing()


# Largest step counts, intervals and sizes accepted: TensorFlow's int64 global step and
# numpy's int64 overflow far above them, and no job here runs a billion steps.
MAX_INT = 10**9
# Images per batch: beyond this the batch alone takes gigabytes for any image size the
# app trains on (8192 x 224 x 224 x 3 float32 = 4.9 GB).
MAX_BATCH_SIZE = 8192


def config_problem(path: str, value: Any, expected: str, hint: str = "") -> Problem:
    """A `workbench.problems.Problem` of a job config, worded `path: must be EXPECTED, got
    VALUE.`, then `hint`.

    Args:
      path: Dotted path of the value, e.g. `"train.learning_rate"` or `"model"`.
      value: The value found (`MISSING` when the key is absent).
      expected: What the value must be, e.g. `"a number > 0"`.
      hint: Extra help, e.g. `"Did you mean 'lenet'?"`. Default none.

    Returns:
      The `Problem`, its `message` as above.

    Example:
      >>> print(config_problem("train.steps", 0, "an integer >= 1"))
      train.steps: must be an integer >= 1, got 0.
    """
    message = f"{path}: must be {expected}, got {value!r}."
    if hint:
        message += f" {hint}"
    kind = "structure" if value is MISSING else "value"
    return Problem(path=path, message=message, value=value, expected=expected, kind=kind)


class ConfigError(ProblemsError):
    """A job config with problems; `problems` lists all of them."""

    what = "job config"


@dataclass(frozen=True)
class ModelSpec:
    """The model: a `slimlib.nets` name (`net`) or a design spec (`design`)."""

    net: str | None = None
    design: dict | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """The dataset. `folder` is resolved (absolute); `num_samples` maps split -> size.

    A `tfrecord` dataset without `file_pattern` is one slim.data.writer wrote: its
    splits, sizes, classes and image shape are in the folder's dataset_info.json.
    """

    kind: str = "digits"
    resize: tuple[int, int] | None = None
    folder: str | None = None
    file_pattern: str | None = None
    num_samples: dict[str, int] = field(default_factory=dict)
    num_classes: int | None = None
    image_shape: tuple[int, int, int] | None = None
    validation_fraction: float = _DEFAULT_VALIDATION_FRACTION


@dataclass(frozen=True)
class ScheduleSpec:
    """The learning-rate schedule over the global step."""

    kind: str = "constant"
    decay_steps: int | None = None
    decay_rate: float | None = None
    staircase: bool = False
    boundaries: tuple[int, ...] = ()
    values: tuple[float, ...] = ()


@dataclass(frozen=True)
class TrainSpec:
    """Hyper-parameters, intervals and the number of steps."""

    optimizer: str
    learning_rate: float
    momentum: float
    epsilon: float | None
    schedule: ScheduleSpec
    batch_size: int
    steps: int
    weight_decay: float
    label_smoothing: float
    log_every_n_steps: int
    save_interval_secs: float
    save_summaries_secs: float


@dataclass(frozen=True)
class RestoreSpec:
    """Warm start: restore the model variables of `checkpoint` (resolved) but `exclude`;
    train `trainable_scopes` (all when empty) with the learning rate multiplied by
    `gradient_multipliers` (`{scope: factor}`); keep the statistics of `frozen_batch_norms`."""

    checkpoint: str
    exclude: tuple[str, ...] = ()
    trainable_scopes: tuple[str, ...] = ()
    ignore_missing_vars: bool = False
    gradient_multipliers: dict[str, float] = field(default_factory=dict)
    frozen_batch_norms: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobConfig:
    """A validated job config.

    Attributes:
      data: The config as JSON with every default filled in (paths as the user gave them);
        this is what `job.json` holds.
      workspace: The resolved workspace root.
      sweep: The id of the sweep that launched the job, or None.
    """

    data: dict
    workspace: str
    name: str
    model: ModelSpec
    dataset: DatasetSpec
    train: TrainSpec
    restore: RestoreSpec | None
    seed: int
    device: str
    performance: PerformanceSpec = field(default_factory=PerformanceSpec)
    sweep: str | None = None

    @property
    def num_classes(self) -> int | None:
        """Classes of the dataset; None for an image folder until it is converted."""
        if self.dataset.kind == "digits":
            return _DIGITS_CLASSES
        return self.dataset.num_classes


# --- the checker ---------------------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Checker:
    """Collects problems while it reads values with defaults."""

    def __init__(self, workspace: str, check_files: bool):
        self.problems: list[Problem] = []
        self.workspace = workspace
        self.check_files = check_files
        self.design_variables: list[str] = []  # A valid `model.design`'s variable names.

    def add(self, path: str, value: Any, expected: str, hint: str = "") -> None:
        self.problems.append(config_problem(path, value, expected, hint))

    def section(
        self, parent: Mapping, key: str, path: str, allowed: Sequence[str], default=MISSING
    ) -> dict | None:
        """The dict under `key`, with unknown keys reported; None when wrong or absent."""
        value = parent.get(key, default)
        full = _join(path, key)
        if value is MISSING:
            self.add(full, MISSING, "an object")
            return None
        if not isinstance(value, Mapping):
            self.add(full, value, "an object (a JSON dict)")
            return None
        self.unknown_keys(value, full, allowed)
        return dict(value)

    def unknown_keys(self, value: Mapping, path: str, allowed: Sequence[str]) -> None:
        for name in value:
            if name not in allowed:
                self.add(
                    _join(path, str(name)),
                    name,
                    f"one of the keys of {path or 'the config'} ({', '.join(allowed)})",
                    did_you_mean(name, allowed).lstrip(),
                )

    def integer(
        self,
        data: Mapping,
        key: str,
        path: str,
        default=MISSING,
        minimum: int = 1,
        maximum: int = MAX_INT,
    ):
        value = data.get(key, default)
        if value is MISSING or isinstance(value, bool) or not isinstance(value, int):
            self.add(_join(path, key), value, f"an integer >= {minimum}")
            return None
        if value < minimum:
            self.add(_join(path, key), value, f"an integer >= {minimum}")
            return None
        if value > maximum:
            self.add(_join(path, key), value, f"an integer from {minimum} to {maximum:,}")
            return None
        return value

    def number(
        self,
        data: Mapping,
        key: str,
        path: str,
        default=MISSING,
        *,
        low: float = 0.0,
        low_open: bool = False,
        high: float | None = None,
        high_open: bool = False,
    ):
        value = data.get(key, default)
        expected = "a number " + _range_text(low, low_open, high, high_open)
        if value is MISSING or isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(_join(path, key), value, expected)
            return None
        ok = math.isfinite(value) and (value > low if low_open else value >= low)
        if high is not None:
            ok = ok and (value < high if high_open else value <= high)
        if not ok:
            self.add(_join(path, key), value, expected)
            return None
        return float(value)

    def boolean(self, data: Mapping, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(_join(path, key), value, "true or false")
            return default
        return value

    def choice(self, data: Mapping, key: str, path: str, choices: Sequence[str], default=MISSING):
        value = data.get(key, default)
        if value not in choices or not isinstance(value, str):
            self.add(
                _join(path, key),
                value,
                f"one of {list(choices)}",
                did_you_mean(value, choices).lstrip(),
            )
            return None
        return value

    def string_list(self, data: Mapping, key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        full = _join(path, key)
        if isinstance(value, str):
            self.add(full, value, "a list of scope names", f"Wrap it in a list: [{value!r}].")
            return ()
        if not isinstance(value, list):
            self.add(full, value, "a list of scope names")
            return ()
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.add(_join(full, index), item, "a non-empty scope name (str)")
            else:
                items.append(item.strip().rstrip("/"))
        return tuple(items)

    def int_list(self, value: Any, path: str, length: int, what: str) -> tuple[int, ...] | None:
        if (
            not isinstance(value, list)
            or len(value) != length
            or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value)
        ):
            self.add(path, value, what)
            return None
        return tuple(value)

    def path(self, data: Mapping, key: str, path: str, *, kind: str) -> str | None:
        """A workspace path; `kind` is `"dir"` or `"checkpoint"` (checked when asked to)."""
        value = data.get(key, MISSING)
        full = _join(path, key)
        if value is MISSING or not isinstance(value, str) or not value.strip():
            self.add(full, value, "a path (str) relative to the workspace")
            return None
        try:
            resolved = resolve_in_workspace(self.workspace, value, what=full)
        except PathEscapeError:
            self.add(
                full,
                value,
                f"a path inside the workspace {self.workspace!r}",
                "Paths may not leave the workspace (no '..' or links out of it).",
            )
            return None
        if self.check_files:
            if kind == "dir" and not os.path.isdir(resolved):
                self.add(full, value, "an existing folder in the workspace")
                return None
            if kind == "checkpoint" and not _is_checkpoint(resolved):
                self.add(
                    full,
                    value,
                    "a checkpoint: a folder with a 'checkpoint' file, or a checkpoint prefix "
                    "with a '.index' file",
                )
                return None
        return resolved


def _range_text(low: float, low_open: bool, high: float | None, high_open: bool) -> str:
    lower = f"> {low:g}" if low_open else f">= {low:g}"
    if high is None:
        return lower
    upper = f"< {high:g}" if high_open else f"<= {high:g}"
    return f"{lower} and {upper}"


def _is_checkpoint(path: str) -> bool:
    if os.path.isdir(path):
        return os.path.isfile(os.path.join(path, "checkpoint"))
    return os.path.isfile(path + ".index")


# --- sections ------------------------------------------------------------------------------


def _design_problems(c: _Checker, design: Mapping) -> bool:
    """Adds the problems of a design spec (its whole analysis, shapes included); True if any.

    A job whose design cannot be built is refused here, before its folder is made, rather
    than failing in the job process.
    """
    from workbench.models.design.validate import analyze  # Imports no TensorFlow.

    analysis = analyze(dict(design))
    c.design_variables = [name for name, _, _ in analysis.variables]
    problems = analysis.problems
    for problem in problems:
        path = _join("model.design", problem.path) if problem.path else "model.design"
        # The sentences after "..., got VALUE." (a suggestion) are kept as the hint.
        rest = problem.message.split(", got ", 1)[-1]
        hint = rest.split(". ", 1)[1] if ". " in rest else ""
        c.add(path, problem.value, problem.expected or problem.message, hint)
    return bool(problems)


def _model(c: _Checker, raw: Mapping) -> tuple[ModelSpec | None, dict]:
    section = c.section(raw, "model", "", ("net", "design"))
    if section is None:
        return None, {}
    has_net, has_design = "net" in section, "design" in section
    if has_net == has_design:
        c.add(
            "model",
            section,
            'exactly one of {"net": NAME} or {"design": SPEC}',
            'E.g. {"net": "lenet"}.',
        )
        return None, section
    if has_net:
        names = list(NET_NAMES)
        net = section["net"]
        if not isinstance(net, str) or net not in names:
            c.add("model.net", net, f"one of {names}", did_you_mean(net, names).lstrip())
            return None, section
        return ModelSpec(net=net), {"net": net}
    design = section["design"]
    if not isinstance(design, Mapping):
        c.add("model.design", design, "a design spec (a JSON object)")
        return None, section
    if _design_problems(c, design):
        return None, section
    return ModelSpec(design=copy.deepcopy(dict(design))), {"design": copy.deepcopy(dict(design))}


def _dataset(c: _Checker, raw: Mapping) -> tuple[DatasetSpec | None, dict]:
    section = raw.get("dataset", {"kind": "digits"})
    if not isinstance(section, Mapping):
        c.add("dataset", section, "an object (a JSON dict)")
        return None, {}
    kind = c.choice(section, "kind", "dataset", DATASET_KINDS, default="digits")
    if kind is None:
        return None, dict(section)
    c.unknown_keys(section, "dataset", _DATASET_KEYS[kind])
    resize = section.get("resize")
    if resize is not None:
        resize = c.int_list(resize, "dataset.resize", 2, "null or [height, width] (ints >= 1)")
    out: dict[str, Any] = {"kind": kind, "resize": list(resize) if resize else None}
    spec: dict[str, Any] = {"kind": kind, "resize": resize}
    described = kind == "tfrecord" and not any(key in section for key in _DESCRIBED_KEYS)
    if described:
        spec["folder"] = c.path(section, "folder", "dataset", kind="dir")
        if spec["folder"] and c.check_files and not _has_dataset_info(spec["folder"]):
            c.add(
                "dataset.folder",
                section.get("folder"),
                "a folder written by slim.data.writer (with dataset_info.json)",
                "Other TFRecords need dataset.file_pattern, num_samples, num_classes and "
                "image_shape.",
            )
            spec["folder"] = None
        out.update(folder=section.get("folder"))
    elif kind == "tfrecord":
        spec["folder"] = c.path(section, "folder", "dataset", kind="dir")
        pattern = section.get("file_pattern", MISSING)
        if not isinstance(pattern, str) or "%s" not in pattern:
            c.add(
                "dataset.file_pattern",
                pattern,
                "a glob with '%s' for the split name, e.g. 'digits_%s_*.tfrecord'",
            )
        elif os.path.isabs(pattern) or ".." in pattern.split("/"):
            c.add("dataset.file_pattern", pattern, "a glob relative to dataset.folder")
        spec["file_pattern"] = pattern
        spec["num_samples"] = _num_samples(c, section.get("num_samples", MISSING))
        spec["num_classes"] = c.integer(section, "num_classes", "dataset", minimum=2)
        shape = section.get("image_shape", MISSING)
        checked = c.int_list(
            shape, "dataset.image_shape", 3, "[height, width, channels] with channels 1 or 3"
        )
        if checked is not None and checked[2] not in (1, 3):
            c.add("dataset.image_shape", shape, "[height, width, channels] with channels 1 or 3")
            checked = None
        spec["image_shape"] = checked
        out.update(
            folder=section.get("folder"),
            file_pattern=pattern,
            num_samples=section.get("num_samples"),
            num_classes=section.get("num_classes"),
            image_shape=section.get("image_shape"),
        )
    elif kind == "image_folder":
        spec["folder"] = c.path(section, "folder", "dataset", kind="dir")
        fraction = c.number(
            section,
            "validation_fraction",
            "dataset",
            _DEFAULT_VALIDATION_FRACTION,
            high=1.0,
            high_open=True,
        )
        spec["validation_fraction"] = fraction
        out.update(folder=section.get("folder"), validation_fraction=fraction)
    if any(value is None for key, value in spec.items() if key not in ("resize",)):
        return None, out
    return DatasetSpec(**spec), out


def _has_dataset_info(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, DATASET_INFO_FILE))


def _num_samples(c: _Checker, value: Any) -> dict[str, int] | None:
    path = "dataset.num_samples"
    expected = 'an object {"train": N, "validation": M} (validation optional), counts >= 1'
    if not isinstance(value, Mapping) or "train" not in value:
        c.add(path, value, expected)
        return None
    c.unknown_keys(value, path, ("train", "validation"))
    counts = {}
    for split in ("train", "validation"):
        if split in value:
            count = c.integer(value, split, path)
            if count is None:
                return None
            counts[split] = count
    return counts


def _schedule(c: _Checker, train: Mapping) -> tuple[ScheduleSpec | None, dict]:
    section = train.get("schedule", {"kind": "constant"})
    if not isinstance(section, Mapping):
        c.add("train.schedule", section, "an object with a 'kind'")
        return None, {}
    path = "train.schedule"
    kind = c.choice(section, "kind", path, SCHEDULES, default="constant")
    if kind is None:
        return None, dict(section)
    c.unknown_keys(section, path, _SCHEDULE_KEYS[kind])
    if kind == "constant":
        return ScheduleSpec(), {"kind": kind}
    if kind == "exponential":
        steps = c.integer(section, "decay_steps", path)
        rate = c.number(section, "decay_rate", path, low_open=True, high=1.0)
        staircase = c.boolean(section, "staircase", path, False)
        out = {"kind": kind, "decay_steps": steps, "decay_rate": rate, "staircase": staircase}
        if steps is None or rate is None:
            return None, out
        return ScheduleSpec(kind, decay_steps=steps, decay_rate=rate, staircase=staircase), out
    boundaries, values = section.get("boundaries", MISSING), section.get("values", MISSING)
    ok = True
    if (
        not isinstance(boundaries, list)
        or not boundaries
        or any(isinstance(b, bool) or not isinstance(b, int) or b < 1 for b in boundaries)
        or any(b >= a for b, a in zip(boundaries, boundaries[1:]))
    ):
        c.add(f"{path}.boundaries", boundaries, "a non-empty list of increasing steps (ints >= 1)")
        ok = False
    if (
        not isinstance(values, list)
        or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 for v in values)
        or (ok and len(values) != len(boundaries) + 1)
    ):
        expected = "a list of learning rates > 0"
        if ok:
            expected += f", one more than the boundaries ({len(boundaries) + 1})"
        c.add(f"{path}.values", values, expected)
        ok = False
    out = {"kind": kind, "boundaries": boundaries, "values": values}
    if not ok:
        return None, out
    spec = ScheduleSpec(kind, boundaries=tuple(boundaries), values=tuple(map(float, values)))
    return spec, out


def _train(c: _Checker, raw: Mapping) -> tuple[TrainSpec | None, dict]:
    section = c.section(raw, "train", "", tuple(DEFAULT_TRAIN), default={})
    if section is None:
        return None, {}
    path = "train"
    get = {**DEFAULT_TRAIN, **section}
    values: dict[str, Any] = {
        "optimizer": c.choice(get, "optimizer", path, OPTIMIZERS),
        "learning_rate": c.number(get, "learning_rate", path, low_open=True),
        "momentum": c.number(get, "momentum", path, high=1.0, high_open=True),
        "batch_size": c.integer(get, "batch_size", path, maximum=MAX_BATCH_SIZE),
        "steps": c.integer(get, "steps", path),
        "weight_decay": c.number(get, "weight_decay", path),
        "label_smoothing": c.number(get, "label_smoothing", path, high=1.0),
        "log_every_n_steps": c.integer(get, "log_every_n_steps", path),
        "save_interval_secs": c.number(get, "save_interval_secs", path),
        "save_summaries_secs": c.number(get, "save_summaries_secs", path),
    }
    epsilon = None
    if get["epsilon"] is not None:
        epsilon = c.number(get, "epsilon", path, low_open=True)
    schedule, schedule_out = _schedule(c, get)
    out = {**get, **{k: v for k, v in values.items() if v is not None}, "schedule": schedule_out}
    bad_epsilon = get["epsilon"] is not None and epsilon is None
    if schedule is None or bad_epsilon or any(v is None for v in values.values()):
        return None, out
    return TrainSpec(schedule=schedule, epsilon=epsilon, **values), out


def _restore(c: _Checker, raw: Mapping) -> tuple[RestoreSpec | None, dict | None, bool]:
    """Returns `(spec, json, ok)`; `spec` is None without a restore plan."""
    if raw.get("restore") is None:
        return None, None, True
    section = c.section(raw, "restore", "", _RESTORE_KEYS)
    if section is None:
        return None, None, False
    count = len(c.problems)
    checkpoint = c.path(section, "checkpoint", "restore", kind="checkpoint")
    exclude = c.string_list(section, "exclude", "restore")
    trainable = c.string_list(section, "trainable_scopes", "restore")
    ignore = c.boolean(section, "ignore_missing_vars", "restore", False)
    multipliers = _multipliers(c, section.get("gradient_multipliers", {}))
    frozen_norms = c.string_list(section, "frozen_batch_norms", "restore")
    out = {
        "checkpoint": section.get("checkpoint"),
        "exclude": list(exclude),
        "trainable_scopes": list(trainable),
        "ignore_missing_vars": ignore,
        "gradient_multipliers": multipliers,
        "frozen_batch_norms": list(frozen_norms),
    }
    if checkpoint is None or len(c.problems) > count:
        return None, out, False
    spec = RestoreSpec(checkpoint, exclude, trainable, ignore, multipliers, frozen_norms)
    return spec, out, True


def _refused_freezes(c: _Checker, model: ModelSpec, frozen: Sequence[str]) -> None:
    """Refuses frozen batch norms that hold some of the batch norms a ResNet v2 calls
    itself but not all: the job could not build them (see `own_batch_norms`)."""
    if not frozen:
        return
    from workbench.models import own_batch_norms as own

    if model.net is not None:
        nets = own.net_own_batch_norms(model.net)
    else:
        statistics = [n for n in c.design_variables if n.endswith("/moving_mean")]
        nets = own.own_batch_norms(n[: -len("/moving_mean")] for n in statistics)
    for refused in own.refused_freezes(nets, frozen):
        entries = [e for e in frozen if any(own.in_scope(s, e) for s in refused.frozen)]
        c.add(
            "restore.frozen_batch_norms",
            entries,
            f"all of the batch norms {own.NET_TITLE} calls itself at scope "
            f"{refused.own.net_scope!r} or none of them",
            refused.message,
        )


def _multipliers(c: _Checker, value: Any) -> dict[str, float]:
    """`restore.gradient_multipliers`: `{scope: number > 0}`; the valid entries."""
    path = "restore.gradient_multipliers"
    if not isinstance(value, Mapping):
        c.add(path, value, 'an object {scope: factor > 0}, e.g. {"logits": 10.0}')
        return {}
    found = {}
    for scope in value:
        if not isinstance(scope, str) or not scope.strip().rstrip("/"):
            c.add(path, scope, "scope names (non-empty str) as keys")
            continue
        checked = c.number(value, scope, path, low_open=True)
        if checked is not None:
            found[scope.strip().rstrip("/")] = checked
    return found


def _performance(c: _Checker, raw: Mapping) -> PerformanceSpec | None:
    spec, problems = performance.check_section(raw.get("performance"))
    for key, value, expected in problems:
        hint = did_you_mean(key, performance.KEYS).lstrip() if key not in performance.KEYS else ""
        c.add(_join("performance", key) if key else "performance", value, expected, hint)
    return spec


def _sweep(c: _Checker, raw: Mapping) -> str | None:
    """The id of the sweep that launched the job; None (absent or null) outside a sweep."""
    value = raw.get("sweep")
    if value is None:
        return None
    if not isinstance(value, str) or not SWEEP_ID_PATTERN.fullmatch(value):
        c.add(
            "sweep",
            value,
            "null or a sweep id: up to 100 letters, digits, '_', '.' or '-', starting with a "
            "letter or digit",
        )
        return None
    return value


def _check(
    raw: object, workspace: str | os.PathLike, check_files: bool
) -> tuple[list[Problem], JobConfig | None]:
    root = os.path.realpath(os.fspath(workspace))
    c = _Checker(root, check_files)
    if not isinstance(raw, Mapping):
        c.add("config", raw, "an object (a JSON dict)")
        return c.problems, None
    c.unknown_keys(raw, "", _TOP_KEYS)
    name = raw.get("name", "")
    if not isinstance(name, str):
        c.add("name", name, "a str")
        name = ""
    model, model_out = _model(c, raw)
    dataset, dataset_out = _dataset(c, raw)
    train, train_out = _train(c, raw)
    restore, restore_out, restore_ok = _restore(c, raw)
    if model is not None and restore is not None:
        _refused_freezes(c, model, restore.frozen_batch_norms)
    seed = c.integer(raw, "seed", "", default=0, minimum=0)
    device = c.choice(raw, "device", "", DEVICES, default="auto")
    speed = _performance(c, raw)
    sweep = _sweep(c, raw)
    if c.problems:
        return c.problems, None
    data = {
        "name": name,
        "model": model_out,
        "dataset": dataset_out,
        "train": train_out,
        "restore": restore_out,
        "seed": seed,
        "device": device,
        "performance": speed.to_json(),
    }
    if sweep is not None:  # Jobs outside a sweep keep the config they always had.
        data["sweep"] = sweep
    assert model and dataset and train and restore_ok and seed is not None and device and speed
    config = JobConfig(data, root, name, model, dataset, train, restore, seed, device, speed, sweep)
    return [], config


def validate_config(
    config: Mapping, *, workspace: str | os.PathLike, check_files: bool = True
) -> list[Problem]:
    """Lists every problem of a job config; an empty list means it is valid.

    Args:
      config: The config as parsed JSON.
      workspace: Root that `dataset.folder` and `restore.checkpoint` must stay inside.
      check_files: Also check that those paths exist (a folder, a checkpoint). Default True.

    Returns:
      The problems, in the order of the config's sections.

    Example:
      >>> [str(p) for p in validate_config({"model": {"net": "lenet"},
      ...                                   "train": {"steps": 0}}, workspace="/tmp")]
      ['train.steps: must be an integer >= 1, got 0.']
    """
    problems, _ = _check(config, workspace, check_files)
    return problems


def load_config(
    config: Mapping, *, workspace: str | os.PathLike, check_files: bool = True
) -> JobConfig:
    """Validates a job config and returns it with defaults filled in and paths resolved.

    Args:
      config: The config as parsed JSON.
      workspace: Root that every path of the config must stay inside.
      check_files: Also check that dataset folders and checkpoints exist. Default True.

    Returns:
      The `JobConfig`; its `data` is the JSON to store as `job.json`.

    Raises:
      ConfigError: Listing every problem, if there is any.
    """
    problems, result = _check(config, workspace, check_files)
    if problems:
        raise ConfigError(problems)
    assert result is not None
    return result
