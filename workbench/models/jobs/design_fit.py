"""Does a design fit a dataset? Checked before a job starts, each mismatch with its fix.

A job that trains a design reads the dataset resized to the design's input height and width
(`TrainSettings.to_config`), but nothing converts channels or changes the number of classes:
a 3-channel design on the 1-channel digits, or 10 logits for a 5-class folder, would fail
seconds after Start. `design_fit` finds these from the design and what is known of the
dataset without reading it, and gives for each a `Mismatch` whose `fix` is one edit of the
design (the input's channels, the logits layer's `num_outputs` or a net's `num_classes`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

from workbench.problems import Problem

#: The built-in digits (UCI, as `slimlib.datasets.digits` writes them): 8x8 gray, 10 classes.
DIGITS_SHAPE = (8, 8, 1)
DIGITS_CLASSES = 10
#: The file `slim.data.writer` describes a dataset folder with.
INFO_FILENAME = "dataset_info.json"


@dataclasses.dataclass(frozen=True)
class DatasetFacts:
    """What is known of a dataset before it is read; None where it is not known yet.

    Attributes:
      channels: Channels of its images (1 gray, 3 colour).
      num_classes: Number of classes.
      described: In words, e.g. "the built-in digits (8x8x1, 10 classes)".
    """

    channels: int | None
    num_classes: int | None
    described: str


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """A way the design does not fit the dataset, and the edit that makes it fit.

    Attributes:
      problem: What is wrong; its `path` is where in the design.
      fix: The fix in words, for a button.
      block: The block to edit (`""`: the design itself).
      field: `"input"` (set the design's input to `value`) or the argument to set to `value`
        (`"num_outputs"` of a layer, `"num_classes"` of a net).
      value: The new value.
      blocking: Whether Start is refused while it stands (False: a warning).
    """

    problem: Problem
    fix: str
    block: str
    field: str
    value: Any
    blocking: bool = True


def dataset_facts(dataset: str, folder: str = "", workspace: str = "") -> DatasetFacts:
    """What is known of a Train page dataset without reading its images.

    Args:
      dataset: `"digits"`, `"image_folder"` (one sub-folder per class) or `"tfrecord"`
        (written by `slim.data.writer`, described by its `dataset_info.json`).
      folder: The folder of an image folder or TFRecords, relative to `workspace`.
      workspace: The workspace root.

    Returns:
      The `DatasetFacts`; an image folder's channels are known only once it is converted,
      and a folder that cannot be read yet gives None (the job's own checks report it).

    Raises:
      ValueError: If `dataset` is none of the three.
    """
    if dataset == "digits":
        h, w, c = DIGITS_SHAPE
        return DatasetFacts(c, DIGITS_CLASSES, f"the built-in digits ({h}x{w}x{c}, 10 classes)")
    path = os.path.join(workspace, folder)
    if dataset == "image_folder":
        try:
            names = os.listdir(path) if folder else []
        except OSError:
            names = []
        count = sum(1 for n in names if not n.startswith(".") and os.path.isdir(f"{path}/{n}"))
        return DatasetFacts(None, count or None, f"the image folder {folder!r} ({count} classes)")
    if dataset == "tfrecord":
        try:
            with open(os.path.join(path, INFO_FILENAME), encoding="utf-8") as f:
                train = json.load(f)["splits"]["train"]
            channels, count = int(train["channels"]), int(train["num_classes"])
        except (OSError, ValueError, KeyError, TypeError):
            return DatasetFacts(None, None, f"the TFRecords in {folder!r}")
        return DatasetFacts(
            channels, count, f"the TFRecords in {folder!r} ({channels} channels, {count} classes)"
        )
    raise ValueError(
        f"dataset_facts: `dataset` must be 'digits', 'image_folder' or 'tfrecord', got {dataset!r}."
    )


def design_fit(design: dict, facts: DatasetFacts) -> list[Mismatch]:
    """The ways `design` does not fit the dataset `facts` describes (empty when it fits).

    A design with problems of its own is not checked here: its own problems come first.
    """
    from workbench.models.design import analyze

    analysis = analyze(design)
    if not analysis.ok or analysis.output_shape is None:
        return []
    found = []
    shape = list(design["input"]["shape"])
    if facts.channels is not None and shape[-1] != facts.channels:
        fixed = [*shape[:-1], facts.channels]
        found.append(
            Mismatch(
                Problem(
                    path="input.shape",
                    message=(
                        f"The design's input has {shape[-1]} channels ({_dims(shape)}), but "
                        f"{facts.described} give {_channels(facts.channels)}: the job would "
                        "fail when it builds the model."
                    ),
                    value=shape,
                    expected=f"{facts.channels} channels",
                    kind="shape",
                ),
                f"Set the design's input to {_dims(fixed)}",
                "",
                "input",
                {**design["input"], "shape": fixed},
            )
        )
    if len(analysis.output_shape) != 1:
        found.append(_rank_mismatch(analysis.output_shape))
        return found
    outputs = analysis.output_shape[0]
    if facts.num_classes is not None and outputs != facts.num_classes:
        found.append(_classes_mismatch(design, analysis, outputs, facts))
    return found


def apply_fix(editor, mismatch: Mismatch, settings=None) -> None:
    """Makes `mismatch`'s edit in a `DesignEditor` (one step, undoable), or in the training
    `settings` for a batch size that fits in memory.

    Raises:
      ValueError: If the mismatch has no fix (no layer of the design sets its outputs), or
        it sets the batch size and no `settings` are given.
    """
    if not mismatch.fix:
        raise ValueError(f"apply_fix: this mismatch has no fix to apply: {mismatch.problem}")
    if mismatch.field == "batch_size":
        if settings is None:
            raise ValueError("apply_fix: a batch size fix needs the training `settings`.")
        settings.batch_size = mismatch.value
    elif mismatch.field == "input":
        editor.set_field("", "input", mismatch.value)
    else:
        editor.update_args(mismatch.block, {mismatch.field: mismatch.value})


def _classes_mismatch(design: dict, analysis, outputs: int | None, facts) -> Mismatch:
    """The logits' width differs from the classes: the fix edits the block that sets it."""
    block, field = _logits_block(analysis, outputs)
    name = (analysis.blocks[block].scope or block) if block else ""
    where = f"The logits layer {name!r}" if block else "The design's output"
    message = (
        f"{where} gives {outputs} outputs, but the data, {facts.described}, calls for "
        f"{facts.num_classes}: the job would fail when it computes the loss."
    )
    problem = Problem(
        path=f"{block}.args.{field}" if block else "",
        message=message,
        value=outputs,
        expected=f"{facts.num_classes} outputs",
        kind="shape",
    )
    fix = f"Set {field} of {name!r} to {facts.num_classes}" if block else ""
    return Mismatch(problem, fix, block, field, facts.num_classes)


def _rank_mismatch(output_shape: tuple) -> Mismatch:
    """A design whose output is not one vector per image: no single edit fixes that."""
    shape = _dims(list(output_shape))
    problem = Problem(
        path="",
        message=(
            f"The design's output is {shape} per image; a classifier's must be one vector "
            "of logits per image: end the design with flatten (or squeeze the 1x1 axes)."
        ),
        value=list(output_shape),
        expected="one axis after the batch",
        kind="shape",
    )
    return Mismatch(problem, "", "", "", None)


def _logits_block(analysis, outputs: int | None) -> tuple[str, str]:
    """`(path, argument)` of the last layer or net whose outputs are the design's output."""
    for info in reversed(list(analysis.blocks.values())):
        if info.output_shape is None or info.output_shape[-1:] != (outputs,):
            continue
        if info.kind == "layer" and info.op in ("fully_connected", "conv2d"):
            return info.path, "num_outputs"
        if info.kind == "net":
            return info.path, "num_classes"
    return "", ""


def _channels(count: int) -> str:
    return f"{count} channel" + "s" * (count != 1)


def _dims(shape: list) -> str:
    return "x".join(str(d) for d in shape)
