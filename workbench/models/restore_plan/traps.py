"""Warnings for the known traps of restoring and fine-tuning with TF-Slim.

- An `exclude` scope is a regular expression matched at the start of `var.name`, not a
  scope: `vgg_16/fc8` also excludes `vgg_16/fc8_new`, `conv1` also excludes `conv10`.
- `get_variables_to_restore()` returns every global variable: once an optimizer exists, its
  slots (`.../Momentum`, `.../Adam`) and `global_step` are in the restore set.
- A restored variable whose shape differs from the checkpoint's (a new head), or that the
  checkpoint lacks, makes `assign_from_checkpoint_fn` raise.
- Freezing a scope freezes its weights, not its batch-norm moving statistics.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from workbench.models.inspect.formatting import format_shape
from workbench.models.own_batch_norms import RefusedFreeze
from workbench.models.restore_plan.batch_norm import BatchNormUpdates
from workbench.models.restore_plan.compare import UnusedEntry, VariableMatch
from workbench.models.restore_plan.names import NameRule
from workbench.problems import did_you_mean

#: Every kind of trap, in the order `RestorePlan.traps` lists them.
TRAP_KINDS: tuple[str, ...] = (
    "invalid_exclude",
    "exclude_too_broad",
    "exclude_matches_nothing",
    "rule_matches_nothing",
    "checkpoint_name_collision",
    "shape_mismatch_restored",
    "missing_restored",
    "optimizer_slot_restored",
    "global_step_restored",
    "frozen_batch_norm_updating",
    "frozen_batch_norm_in_place",
    "frozen_batch_norm_not_updating",
    "frozen_batch_norm_refused",
)

_SHOWN = 4  # Names quoted in one message; the rest are counted.


@dataclasses.dataclass(frozen=True)
class Trap:
    """One warning.

    Attributes:
      kind: One of `TRAP_KINDS`.
      message: What happens and how to avoid it, in one paragraph.
      names: The variables, patterns, rules or scopes concerned.
    """

    kind: str
    message: str
    names: tuple[str, ...]


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    more = len(names) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def exclude_traps(exclude: Sequence[str], var_names: Sequence[str]) -> list[Trap]:
    """Traps of TF-Slim `exclude` scopes over variables named `var_names` (`name:0` form).

    A pattern catches a variable when it `re.match`es its `var.name`, as
    `slim.get_variables_to_restore(exclude=...)` does; a catch that does not end at a scope
    boundary (`/` or `:`) is one the pattern was likely not meant for.

    Example:
      >>> names = ["vgg_16/fc8/weights:0", "vgg_16/fc8_new/weights:0"]
      >>> [t.names for t in exclude_traps(["vgg_16/fc8"], names)]
      [('vgg_16/fc8', 'vgg_16/fc8_new/weights')]
    """
    traps = []
    for pattern in exclude:
        try:
            regex = re.compile(pattern)
        except re.error as err:
            traps.append(
                Trap(
                    "invalid_exclude",
                    f"exclude {pattern!r} is not a valid regular expression ({err}); TF-Slim "
                    "compiles every exclude scope with `re`, so escape special characters.",
                    (pattern,),
                )
            )
            continue
        caught = [(name, regex.match(name)) for name in var_names]
        caught = [(name, m) for name, m in caught if m]
        if not caught:
            traps.append(
                Trap(
                    "exclude_matches_nothing",
                    f"exclude {pattern!r} matches no variable, so it excludes nothing; "
                    "check the spelling against the scope tree."
                    + did_you_mean(pattern, {n.split(":")[0] for n in var_names}),
                    (pattern,),
                )
            )
            continue
        beyond = [
            name.split(":")[0]
            for name, m in caught
            if m.end() < len(name) and name[m.end()] not in "/:" and name[m.end() - 1] != "/"
        ]
        if beyond:
            scoped = pattern.rstrip("/") + "/"
            traps.append(
                Trap(
                    "exclude_too_broad",
                    f"exclude {pattern!r} also catches {len(beyond)} variable(s) outside scope "
                    f"{pattern.rstrip('/')!r}: {_listed(beyond)}. TF-Slim matches each exclude "
                    "pattern at the start of `var.name`, so it is a name prefix, not a scope; "
                    f"write {scoped!r} to exclude that scope only.",
                    (pattern, *beyond),
                )
            )
    return traps


def rule_traps(rules: Sequence[NameRule], var_names: Sequence[str]) -> list[Trap]:
    """A trap for every rule that changes no name (applied in order, as the plan does)."""
    traps = []
    names = list(var_names)
    for rule in rules:
        if not any(rule.applies_to(name) for name in names):
            traps.append(
                Trap(
                    "rule_matches_nothing",
                    f"rule '{rule.describe()}' changes no variable name: no name starts with "
                    f"{rule.prefix!r} at that point (earlier rules applied).",
                    (rule.describe(),),
                )
            )
        names = [rule.apply(name) for name in names]
    return traps


def restore_set_traps(
    restored: Sequence[VariableMatch],
    unused: Sequence[UnusedEntry],
    *,
    ignore_missing_vars: bool,
) -> list[Trap]:
    """Traps of the variables chosen for restoring (their statuses and kinds)."""
    traps = []
    by_ckpt: dict[str, list[str]] = {}
    for m in restored:
        by_ckpt.setdefault(m.checkpoint_name, []).append(m.name)
    for ckpt_name, names in by_ckpt.items():
        if len(names) > 1:
            traps.append(
                Trap(
                    "checkpoint_name_collision",
                    f"{_listed(names)} all map to checkpoint entry {ckpt_name!r}; a dict keeps "
                    "only one of them, so the others are silently not restored. Change the "
                    "name rules or restore only one.",
                    tuple(names),
                )
            )
    mismatched = [m for m in restored if m.status == "shape mismatch"]
    if mismatched:
        details = "; ".join(
            f"{m.name}: graph {format_shape(m.shape)}, checkpoint "
            f"{format_shape(m.checkpoint_shape)}"
            for m in mismatched[:_SHOWN]
        )
        traps.append(
            Trap(
                "shape_mismatch_restored",
                f"{len(mismatched)} restored variable(s) differ in shape from the checkpoint "
                f"({details}); assign_from_checkpoint_fn raises for them. Set restore off for "
                "their scope (a new head is trained from scratch).",
                tuple(m.name for m in mismatched),
            )
        )
    missing = [m for m in restored if m.status == "missing"]
    if missing and not ignore_missing_vars:
        spare = [e.name for e in unused if not e.expected]
        hints = "".join(
            f" {m.checkpoint_name!r}:{did_you_mean(m.checkpoint_name, spare)}"
            for m in missing[:_SHOWN]
            if did_you_mean(m.checkpoint_name, spare)
        )
        traps.append(
            Trap(
                "missing_restored",
                f"{len(missing)} restored variable(s) are not in the checkpoint: "
                f"{_listed([m.checkpoint_name for m in missing])}; assign_from_checkpoint_fn "
                "raises for them. Set restore off for them, add a name rule, or set "
                "ignore_missing_vars." + (f" Unused entries are close:{hints}" if hints else ""),
                tuple(m.name for m in missing),
            )
        )
    slots = [m.name for m in restored if m.kind in ("optimizer slot", "optimizer")]
    if slots:
        traps.append(
            Trap(
                "optimizer_slot_restored",
                f"{len(slots)} optimizer variable(s) are in the restore set: {_listed(slots)}. "
                "get_variables_to_restore() returns every global variable, optimizer slots "
                "included once a train op exists; fine-tuning starts them afresh. Set restore "
                "off for them, or build the restore set before the train op.",
                tuple(slots),
            )
        )
    if any(m.kind == "global_step" for m in restored):
        traps.append(
            Trap(
                "global_step_restored",
                "global_step is in the restore set: training continues from the "
                "checkpoint's step count (and learning-rate schedule) instead of 0. Set "
                "restore off for 'global_step' to fine-tune from step 0.",
                ("global_step",),
            )
        )
    return traps


def batch_norm_traps(
    frozen: Sequence[BatchNormUpdates], *, update_frozen_batch_norm: bool
) -> list[Trap]:
    """Traps of the batch norms in frozen scopes, given whether their statistics should
    keep updating."""
    traps = []
    if update_frozen_batch_norm:
        updating = [u.scope for u in frozen if u.updating]
        if updating:
            traps.append(
                Trap(
                    "frozen_batch_norm_updating",
                    f"moving statistics of frozen batch norm(s) {_listed(updating)} still "
                    "update with every training step (built with is_training=True): the "
                    "weights are frozen but the normalisation drifts towards the new data. "
                    "Turn off updating frozen batch norm to keep them fixed.",
                    tuple(updating),
                )
            )
        still = [u.scope for u in frozen if not u.updating]
        if still:
            traps.append(
                Trap(
                    "frozen_batch_norm_not_updating",
                    f"moving statistics of frozen batch norm(s) {_listed(still)} do not "
                    "update: they were built with is_training=False, so nothing updates "
                    "them whatever update_ops holds.",
                    tuple(still),
                )
            )
    else:
        in_place = [u.scope for u in frozen if u.in_place]
        if in_place:
            traps.append(
                Trap(
                    "frozen_batch_norm_in_place",
                    f"moving statistics of frozen batch norm(s) {_listed(in_place)} update in "
                    "place with every forward pass (updates_collections=None), which leaving "
                    "them out of update_ops cannot stop. The fine-tuning job builds them with "
                    "is_training=False, so there they stay the checkpoint's; code of your own "
                    "must build those layers with is_training=False as well.",
                    tuple(in_place),
                )
            )
    return traps


def refused_freeze_traps(refused: Sequence[RefusedFreeze]) -> list[Trap]:
    """A trap for every net whose own batch norms are frozen in a mix the job refuses."""
    return [Trap("frozen_batch_norm_refused", r.message, (*r.frozen, *r.unfrozen)) for r in refused]
