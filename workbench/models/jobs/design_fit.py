"""Does a design fit a dataset? Checked before a job starts, each mismatch with its fix.

A job that trains a design reads the dataset resized to the design's input height and width
(`TrainSettings.to_config`), but nothing converts channels or changes the number of classes:
a 3-channel design on the 1-channel digits, or 10 logits for a 5-class folder, would fail
seconds after Start. `design_fit` finds these from the design and what is known of the
dataset before a job converts it (`dataset_facts`: an image folder's channels are read from
a few files' headers), and gives for each a `Mismatch` whose `fix` is one edit of the design
(the input's channels, the logits layer's `num_outputs` or a net's `num_classes`). What is
wrong with the dataset itself (an image folder without images, a file that is no whole
image) comes first, as a `Mismatch` with no fix. A logits layer that applies an activation
or a normalizer (`logits_check`) is a warning whatever the dataset: the job runs, but the
model cannot learn.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from workbench.models.design.logits_check import logits_layer_warning
from workbench.models.jobs.dataset_facts import DatasetFacts
from workbench.problems import Problem


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """A way the design does not fit the dataset, and the edit that makes it fit.

    Attributes:
      problem: What is wrong; its `path` is where in the design (`dataset.folder`: the
        dataset itself).
      fix: The fix in words, for a button.
      block: The block to edit (`""`: the design itself).
      field: `"input"` (set the design's input to `value`), `"logits"` (set the arguments
        `value` on the logits layer) or the argument to set to `value` (`"num_outputs"` of a
        layer, `"num_classes"` of a net).
      value: The new value.
      blocking: Whether Start is refused while it stands (False: a warning).
    """

    problem: Problem
    fix: str
    block: str
    field: str
    value: Any
    blocking: bool = True


def design_fit(design: dict, facts: DatasetFacts) -> list[Mismatch]:
    """The ways `design` does not fit the dataset `facts` describes (empty when it fits).

    The dataset's own errors and warnings (`dataset_mismatches`) come first. A design with
    problems of its own is not checked here: its own problems come first.
    """
    from workbench.models.design import analyze

    found = dataset_mismatches(facts)
    analysis = analyze(design)
    if not analysis.ok or analysis.output_shape is None:
        return found
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
    squashed = logits_mismatch(design)
    if squashed is not None:
        found.append(squashed)
    return found


def logits_mismatch(design: dict) -> Mismatch | None:
    """A warning when the design's logits layer applies an activation or a normalizer to
    the logits (`logits_layer_warning`), with the fix setting them to None; None when not."""
    warning = logits_layer_warning(design)
    if warning is None:
        return None
    problem = Problem(
        path=warning.path,
        message=warning.message,
        value=warning.applied,
        expected="linear logits: " + ", ".join(f"{name}=None" for name in warning.args),
        kind="value",
    )
    return Mismatch(problem, warning.fix, warning.path, "logits", warning.args, blocking=False)


def dataset_mismatches(facts: DatasetFacts) -> list[Mismatch]:
    """What is wrong with the dataset whatever the design: its errors refuse Start, its
    warnings do not; none has a one-click fix (the files must change)."""
    return [Mismatch(p, "", "", "", None) for p in facts.errors] + [
        Mismatch(p, "", "", "", None, blocking=False) for p in facts.warnings
    ]


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
    elif mismatch.field == "logits":
        from workbench.models.editor import NULL  # `update_args` removes an argument given None.

        editor.update_args(
            mismatch.block, {k: NULL if v is None else v for k, v in mismatch.value.items()}
        )
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
