"""Comparing a graph's variables with a checkpoint's entries.

Each variable is looked up under its checkpoint name (its name after the mapping rules):
`matched` when the checkpoint holds that name with the same shape, `shape mismatch` when the
shape differs (a new classifier head), `missing` when the name is absent. Entries no variable
maps to are left unused; `global_step` and optimizer state (slots such as
`conv1/weights/Momentum`, Adam's `beta1_power`) are marked as such, since a checkpoint written
during training always carries them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

import tensorflow as tf

import slimlib as slim
from workbench.models.inspect.checkpoint import Checkpoint
from workbench.models.restore_plan.names import NameRule, apply_rules

#: Statuses of a variable against a checkpoint.
STATUSES: tuple[str, ...] = ("matched", "shape mismatch", "missing")

#: Kinds of variables and of checkpoint entries.
KINDS: tuple[str, ...] = ("model", "global_step", "optimizer slot", "optimizer", "other")

# Slot names TensorFlow's v1 optimizers give their per-variable state
# (https://www.tensorflow.org/api_docs/python/tf/compat/v1/train/Optimizer#get_slot_names).
_SLOT = re.compile(
    r"^(Momentum|Adam|RMSProp|Adagrad|AdagradDA|Adadelta|Ftrl|ProximalAdagrad|AMSGrad|Nadam)"
    r"(_\d+)?$"
)
# Optimizer state that is not a slot: Adam's running powers of beta1 and beta2.
_OPTIMIZER_STATE = re.compile(r"(^|/)(beta1_power|beta2_power)(_\d+)?$")


def classify(name: str, names: set[str], *, model_variable: bool = False) -> str:
    """The kind of a variable or entry `name`, given every name beside it.

    `optimizer slot` when its last component is a slot name (`Momentum`, `Adam_1`, ...) and
    the rest names another variable or entry; `optimizer` for Adam's `beta1_power`;
    `global_step`; `model` for a model variable; `other` otherwise.

    Example:
      >>> names = {"fc/weights", "fc/weights/Momentum", "global_step"}
      >>> [classify(n, names) for n in sorted(names)]
      ['other', 'optimizer slot', 'global_step']
    """
    if model_variable:
        return "model"
    if name == "global_step":
        return "global_step"
    if "/" in name:
        owner, last = name.rsplit("/", 1)
        if _SLOT.match(last) and owner in names:
            return "optimizer slot"
    if _OPTIMIZER_STATE.search(name):
        return "optimizer"
    return "other"


@dataclasses.dataclass(frozen=True)
class VariableMatch:
    """One graph variable against the checkpoint.

    Attributes:
      name: The variable's name, `var.op.name`.
      checkpoint_name: The entry it is restored from (its name after the rules).
      shape: The variable's static shape.
      checkpoint_shape: The entry's shape; `None` when missing or no checkpoint was given.
      status: One of `STATUSES`; `None` when no checkpoint was given.
      kind: One of `KINDS` (`model` for a variable in `MODEL_VARIABLES`).
      trainable: Whether the variable is in `TRAINABLE_VARIABLES`.
    """

    name: str
    checkpoint_name: str
    shape: tuple[int | None, ...]
    checkpoint_shape: tuple[int, ...] | None
    status: str | None
    kind: str
    trainable: bool


@dataclasses.dataclass(frozen=True)
class UnusedEntry:
    """A checkpoint entry that no graph variable is restored from.

    Attributes:
      name: Entry name.
      shape: Its shape.
      dtype: Its dtype name.
      kind: `global_step`, `optimizer slot` or `optimizer` (expected leftovers), or `other`.
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    kind: str

    @property
    def expected(self) -> bool:
        """True for `global_step` and optimizer state: leftovers of training, not a misfit."""
        return self.kind in ("global_step", "optimizer slot", "optimizer")


def compare_with_checkpoint(
    variables: Sequence[tf.Variable],
    checkpoint: Checkpoint | None,
    rules: Sequence[NameRule] = (),
    *,
    model_variables: Iterable[tf.Variable] = (),
    trainable_variables: Iterable[tf.Variable] = (),
) -> tuple[tuple[VariableMatch, ...], tuple[UnusedEntry, ...]]:
    """Every variable's status against `checkpoint`, and the entries none of them uses.

    Args:
      variables: The graph variables, e.g. its `GLOBAL_VARIABLES`.
      checkpoint: What `read_checkpoint` read; `None` gives every status `None`.
      rules: Name-mapping rules from a variable's name to its checkpoint name.
      model_variables: The graph's `MODEL_VARIABLES` (their kind is `model`).
      trainable_variables: The graph's `TRAINABLE_VARIABLES`.

    Returns:
      `(matches, unused)`: one `VariableMatch` per variable in order, and one `UnusedEntry`
      per checkpoint entry no variable's checkpoint name equals, sorted by name.
    """
    model = {id(v) for v in model_variables}
    trainable = {id(v) for v in trainable_variables}
    names = {v.op.name for v in variables}
    matches = []
    for var in variables:
        own = slim.get_variable_full_name(var)
        ckpt_name = apply_rules(own, rules)
        shape = tuple(var.shape.as_list())
        ckpt_shape = status = None
        if checkpoint is not None:
            ckpt_shape = checkpoint.shape(ckpt_name)
            if ckpt_shape is None:
                status = "missing"
            elif tf.TensorShape(list(shape)).is_compatible_with(list(ckpt_shape)):
                status = "matched"
            else:
                status = "shape mismatch"
        matches.append(
            VariableMatch(
                name=var.op.name,
                checkpoint_name=ckpt_name,
                shape=shape,
                checkpoint_shape=ckpt_shape,
                status=status,
                kind=classify(var.op.name, names, model_variable=id(var) in model),
                trainable=id(var) in trainable,
            )
        )
    unused: list[UnusedEntry] = []
    if checkpoint is not None:
        used = {m.checkpoint_name for m in matches}
        entries = set(checkpoint.entries)
        unused = [
            UnusedEntry(entry.name, entry.shape, entry.dtype, classify(entry.name, entries))
            for name, entry in checkpoint.entries.items()
            if name not in used
        ]
    return tuple(matches), tuple(unused)
