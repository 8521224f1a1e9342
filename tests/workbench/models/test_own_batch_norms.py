"""ResNet v2's own batch norms found by name, and the frozen mixes of them refused before a
job starts: by the restore plan (with its fix), the job config and the CLI."""

from __future__ import annotations

import doctest
import json

import pytest
import tensorflow as tf

import slimlib as slim
from slimlib.nets import nets_factory, resnet_utils, resnet_v2
from workbench.cli import EXIT_INVALID, main
from workbench.models import frozen_norms, own_batch_norms
from workbench.models.design.spec import net, new_design
from workbench.models.jobs import ConfigError, validate_config
from workbench.models.jobs.control import start
from workbench.models.own_batch_norms import (
    OwnBatchNorms,
    net_own_batch_norms,
    refused_freezes,
)
from workbench.models.restore_plan import RestorePlan
from workbench.views.panel.finetune_view import FinetuneView

v1 = tf.compat.v1
PREACT = "resnet_v2_50/block{}/unit_{}/bottleneck_v2/preact"


def test_the_names_give_the_batch_norms_a_built_resnet_v2_calls_itself():
    """The build-time probe of `frozen_norms` (what the job refuses) agrees with the names."""
    net_fn = nets_factory.networks_map["resnet_v2_50"]
    defaults = nets_factory.arg_scopes_map["resnet_v2_50"]()
    with tf.Graph().as_default():
        images = v1.placeholder(tf.float32, [1, 32, 32, 3])
        _, norms = frozen_norms._build(net_fn, defaults, images, (), net_training=True)
    (named,) = net_own_batch_norms("resnet_v2_50")
    assert named == OwnBatchNorms("resnet_v2_50", tuple(norms.own))
    assert len(named.scopes) == 3 + 4 + 6 + 3 + 1
    assert own_batch_norms.own_batch_norms(norms.every) == [named]
    assert [o.net_scope for o in net_own_batch_norms("resnet_v2_101", "a/b")] == ["a/b"]
    assert len(net_own_batch_norms("resnet_v2_101")[0].scopes) == 3 + 4 + 23 + 3 + 1
    assert net_own_batch_norms("resnet_v1_50") == net_own_batch_norms("inception_v3") == []


def test_the_units_per_block_are_slimlibs():
    assert own_batch_norms.RESNET_V2_UNITS == resnet_utils._UNITS
    names = {f"resnet_v2_{depth}" for depth in own_batch_norms.RESNET_V2_UNITS}
    assert names == {n for n in nets_factory.networks_map if n.startswith("resnet_v2_")}


@pytest.mark.parametrize(
    "frozen, refused",
    [
        (["resnet_v2_50"], False),
        (["resnet_v2_50/block1", "resnet_v2_50/block2", "resnet_v2_50/block3"], True),
        ([f"resnet_v2_50/block{b}" for b in (1, 2, 3, 4)] + ["resnet_v2_50/postnorm"], False),
        (["resnet_v2_50/block1/unit_1/bottleneck_v2/conv1/BatchNorm"], False),
        (["resnet_v2_50/postnorm"], True),
        (["resnet_v2_5"], False),  # A name prefix, not a scope.
        ([], False),
    ],
)
def test_all_or_none_of_the_own_batch_norms_may_be_frozen(frozen, refused):
    assert bool(refused_freezes(net_own_batch_norms("resnet_v2_50"), frozen)) is refused


def test_the_message_names_the_net_the_scopes_and_what_is_accepted():
    (refused,) = refused_freezes(net_own_batch_norms("resnet_v2_50"), ["resnet_v2_50/block1"])
    assert refused.frozen == tuple(PREACT.format(1, u) for u in (1, 2, 3))
    assert refused.message == (
        "ResNet v2 at scope 'resnet_v2_50' calls its 17 own batch norms (the `preact` of every "
        "unit and `postnorm`) itself, with its one is_training, so their statistics can be kept "
        f"frozen for all of them or for none: 3 are frozen ({', '.join(refused.frozen)}) but 14 "
        f"are not ({PREACT.format(2, 1)}, {PREACT.format(2, 2)}, {PREACT.format(2, 3)} and 11 "
        "more), a mix no job can build. Freeze all of ResNet v2's own batch norms, or unfreeze "
        "them (the batch norms of its convolutions may be frozen in any mix)."
    )


def _config(model: dict, frozen: list[str]) -> dict:
    return {"model": model, "restore": {"checkpoint": "c", "frozen_batch_norms": frozen}}


def test_the_job_config_refuses_a_mixed_freeze_of_a_resnet_v2_net():
    frozen = ["resnet_v2_50/block1", "resnet_v2_50/block2/unit_1/bottleneck_v2/conv1"]
    (problem,) = validate_config(
        _config({"net": "resnet_v2_50"}, frozen), workspace=".", check_files=False
    )
    assert problem.path == "restore.frozen_batch_norms"
    assert problem.message.startswith(
        "restore.frozen_batch_norms: must be all of the batch norms ResNet v2 calls itself at "
        "scope 'resnet_v2_50' or none of them, got ['resnet_v2_50/block1']. ResNet v2 at scope "
        "'resnet_v2_50' calls its 17 own batch norms"
    )
    accepted = _config({"net": "resnet_v2_50"}, ["resnet_v2_50", *frozen])
    assert validate_config(accepted, workspace=".", check_files=False) == []


def test_a_resnet_v2_block_of_a_design_is_checked_at_its_own_scope():
    design = new_design("r", [32, 32, 3], [net("resnet_v2_50", scope="trunk", num_classes=5)])
    model = {"design": design}
    (problem,) = validate_config(
        _config(model, ["trunk/postnorm"]), workspace=".", check_files=False
    )
    assert "all of the batch norms ResNet v2 calls itself at scope 'trunk'" in problem.message
    assert "got ['trunk/postnorm']" in problem.message
    assert validate_config(_config(model, ["trunk"]), workspace=".", check_files=False) == []


def test_the_cli_refuses_it_before_making_a_job_folder(tmp_path, capsys):
    (tmp_path / "ckpt.index").write_text("")
    config = _config({"net": "resnet_v2_50"}, ["resnet_v2_50/block4"])
    config["restore"]["checkpoint"] = "ckpt"
    path = tmp_path / "job.json"
    path.write_text(json.dumps(config))
    assert main(["--workspace", str(tmp_path), "train", str(path)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "restore.frozen_batch_norms: must be all of the batch norms ResNet v2" in err
    assert "Traceback" not in err
    assert not (tmp_path / "jobs").exists()


def test_starting_such_a_job_is_refused_before_its_folder_is_made(tmp_path):
    """The Fine-tune page's Launch goes through `start`, which checks the config first."""
    (tmp_path / "ckpt.index").write_text("")
    config = _config({"net": "resnet_v2_50"}, ["resnet_v2_50/postnorm"])
    config["restore"]["checkpoint"] = "ckpt"
    with pytest.raises(ConfigError, match=r"restore\.frozen_batch_norms: must be all of the"):
        start(config, "jobs/refused", workspace=tmp_path)
    assert not (tmp_path / "jobs").exists()


def _tiny_resnet_v2(images):
    """A ResNet v2 of one block of 2 units: own batch norms are the 2 preacts and postnorm."""
    blocks = [resnet_v2.resnet_v2_block("block1", base_depth=2, num_units=2, stride=2)]
    with slim.arg_scope(resnet_v2.resnet_arg_scope()):
        return resnet_v2.resnet_v2(images, blocks, num_classes=3, scope="tiny")[0]


TINY_PREACT = "tiny/block1/unit_{}/bottleneck_v2/preact"


@pytest.fixture
def plan():
    plan = RestorePlan.from_model(_tiny_resnet_v2, [1, 16, 16, 3])
    plan.set_train("tiny/block1/unit_1", False)
    return plan


def test_the_plan_warns_of_a_refused_freeze_and_fixes_it(plan):
    assert plan.refused_freezes == []  # Statistics updating: nothing is frozen yet.
    plan.update_frozen_batch_norm = False
    (refused,) = plan.refused_freezes
    assert (refused.frozen, refused.unfrozen) == (
        (TINY_PREACT.format(1),),
        (TINY_PREACT.format(2), "tiny/postnorm"),
    )
    (trap,) = [t for t in plan.traps if t.kind == "frozen_batch_norm_refused"]
    assert trap.message.startswith("ResNet v2 at scope 'tiny' calls its 3 own batch norms")
    assert plan.freeze_own_batch_norms(True) == [TINY_PREACT.format(2), "tiny/postnorm"]
    assert plan.refused_freezes == []
    assert {TINY_PREACT.format(2), "tiny/postnorm", TINY_PREACT.format(1)} <= set(
        plan.frozen_batch_norms
    )
    assert not any(t.kind == "frozen_batch_norm_refused" for t in plan.traps)
    assert plan.freeze_own_batch_norms(True) == []


def test_the_fine_tune_view_fixes_by_unfreezing_and_undoes(plan):
    plan.update_frozen_batch_norm = False
    view = FinetuneView(plan=plan)
    assert view.freeze_own_button.visible and view.unfreeze_own_button.visible
    assert view.freeze_own_button.label == "Freeze all of ResNet v2's own batch norms"
    assert not view.undo_own_button.visible
    before = dict(plan.train_choices)
    view.unfreeze_own_button.clicks += 1
    assert plan.train_choices == {**before, TINY_PREACT.format(1): True}
    assert TINY_PREACT.format(1) not in plan.frozen_batch_norms and plan.refused_freezes == []
    assert not view.freeze_own_button.visible and view.undo_own_button.visible
    view.undo_own_button.clicks += 1
    assert plan.train_choices == before and len(plan.refused_freezes) == 1
    assert view.freeze_own_button.visible and not view.undo_own_button.visible
    view.freeze_own_button.clicks += 1
    plan.set_train("tiny/logits", False)  # Another choice: Undo no longer stands for the fix.
    assert not view.undo_own_button.visible


def test_docstring_examples_run():
    assert doctest.testmod(own_batch_norms).failed == 0
