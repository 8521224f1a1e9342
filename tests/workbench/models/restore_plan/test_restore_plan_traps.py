"""Every trap: what triggers it and what its message says."""

from __future__ import annotations

import doctest
import re

import pytest

from workbench.models.restore_plan import NameRule, exclude_traps, traps
from workbench.models.restore_plan.batch_norm import BatchNormUpdates
from workbench.models.restore_plan.compare import UnusedEntry, VariableMatch
from workbench.models.restore_plan.traps import batch_norm_traps, restore_set_traps, rule_traps

VAR_NAMES = ["vgg_16/fc8/weights:0", "vgg_16/fc8_new/weights:0", "conv1/w:0", "conv10/w:0"]


@pytest.mark.parametrize(
    "pattern, kind, names, match",
    [
        (
            "vgg_16/fc8",
            "exclude_too_broad",
            ("vgg_16/fc8", "vgg_16/fc8_new/weights"),
            r"also catches 1 variable\(s\) outside scope 'vgg_16/fc8': vgg_16/fc8_new/weights.*"
            r"write 'vgg_16/fc8/' to exclude that scope only",
        ),
        ("conv1", "exclude_too_broad", ("conv1", "conv10/w"), r"outside scope 'conv1': conv10/w"),
        (
            "conv2",
            "exclude_matches_nothing",
            ("conv2",),
            r"exclude 'conv2' matches no variable.*Did you mean 'conv1/w'\?",
        ),
        ("conv[", "invalid_exclude", ("conv[",), r"'conv\[' is not a valid regular expression"),
    ],
    ids=["fc8-catches-fc8_new", "conv1-catches-conv10", "nothing", "invalid"],
)
def test_exclude_traps(pattern, kind, names, match):
    (trap,) = exclude_traps([pattern], VAR_NAMES)
    assert (trap.kind, trap.names) == (kind, names)
    assert trap.message == trap.message.strip()
    assert re.search(match, trap.message), trap.message


@pytest.mark.parametrize("pattern", ["vgg_16/fc8/", "conv1/", "conv1/w", "vgg_16/.*/weights"])
def test_scoped_excludes_are_no_trap(pattern):
    assert exclude_traps([pattern], VAR_NAMES) == []


def test_a_rule_that_changes_nothing():
    rules = [NameRule("strip_prefix", "model/"), NameRule("add_prefix", "net/")]
    (trap,) = rule_traps(rules, ["conv1/w"])
    assert trap.kind == "rule_matches_nothing" and trap.names == ("strip prefix 'model/'",)


def _match(name, status, kind="model", ckpt=None, shape=(2,), ckpt_shape=(2,)):
    return VariableMatch(name, ckpt or name, shape, ckpt_shape, status, kind, True)


def test_restore_set_traps():
    restored = [
        _match("fc/weights", "shape mismatch", shape=(8, 3), ckpt_shape=(8, 5)),
        _match("conv1/biases", "missing", ckpt_shape=None),
        _match("conv1/weights/Momentum", "matched", kind="optimizer slot"),
        _match("global_step", "matched", kind="global_step"),
        _match("a/w", "matched", ckpt="same"),
        _match("b/w", "matched", ckpt="same"),
    ]
    unused = [UnusedEntry("conv1/bias", (2,), "float32", "other")]
    found = {t.kind: t for t in restore_set_traps(restored, unused, ignore_missing_vars=False)}
    assert list(found) == [
        "checkpoint_name_collision",
        "shape_mismatch_restored",
        "missing_restored",
        "optimizer_slot_restored",
        "global_step_restored",
    ]
    assert "fc/weights: graph [8, 3], checkpoint [8, 5]" in found["shape_mismatch_restored"].message
    assert "Did you mean 'conv1/bias'?" in found["missing_restored"].message
    assert found["optimizer_slot_restored"].names == ("conv1/weights/Momentum",)
    assert found["checkpoint_name_collision"].names == ("a/w", "b/w")
    quiet = restore_set_traps(restored[1:2], unused, ignore_missing_vars=True)
    assert quiet == []


BN = [
    BatchNormUpdates("conv1/BatchNorm", ("conv1/BatchNorm/moving_mean",), ("u1",), ()),
    BatchNormUpdates("conv2/BatchNorm", ("conv2/BatchNorm/moving_mean",), (), ("in-place",)),
    BatchNormUpdates("conv3/BatchNorm", ("conv3/BatchNorm/moving_mean",), (), ()),
]


def test_frozen_batch_norm_traps_when_statistics_keep_updating():
    found = {t.kind: t.names for t in batch_norm_traps(BN, update_frozen_batch_norm=True)}
    assert found == {
        "frozen_batch_norm_updating": ("conv1/BatchNorm", "conv2/BatchNorm"),
        "frozen_batch_norm_not_updating": ("conv3/BatchNorm",),
    }


def test_frozen_batch_norm_traps_when_statistics_should_stay_fixed():
    (trap,) = batch_norm_traps(BN, update_frozen_batch_norm=False)
    assert (trap.kind, trap.names) == ("frozen_batch_norm_in_place", ("conv2/BatchNorm",))
    assert trap.message.endswith(
        "which leaving them out of update_ops cannot stop. The fine-tuning job builds them "
        "with is_training=False, so there they stay the checkpoint's; code of your own must "
        "build those layers with is_training=False as well."
    )


def test_every_kind_is_listed():
    assert len(set(traps.TRAP_KINDS)) == len(traps.TRAP_KINDS) == 13


def test_docstring_examples_run():
    result = doctest.testmod(traps, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
