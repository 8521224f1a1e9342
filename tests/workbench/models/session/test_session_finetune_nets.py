"""Fine-tuning a `slimlib.nets` net from a checkpoint that net wrote, onto an image folder
with 3 classes: the head is fitted and re-initialised, the body frozen (batch-norm
statistics included), the new head trained with a learning-rate factor. Smallest inputs
the nets take and two steps, to stay fast."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from workbench.models.design import build_graph, new_design
from workbench.models.design.spec import net
from workbench.models.editor import DesignEditor
from workbench.models.jobs import Job
from workbench.models.session import WorkbenchSession


def _image_folder(root) -> None:
    """`root/photos/<class>/<i>.png`: 3 classes of 8x8 colour images, 2 each."""
    rng = np.random.RandomState(0)
    for name in ("red", "green", "blue"):
        folder = root / "photos" / name
        folder.mkdir(parents=True)
        for index in range(2):
            pixels = rng.randint(0, 256, [8, 8, 3]).astype(np.uint8)
            (folder / f"{index}.png").write_bytes(tf.io.encode_png(pixels).numpy())


def _pretrained(root, design: dict) -> None:
    """Writes `root/jobs/pre`, a checkpoint of the design as the net builds it."""
    built = build_graph(design, batch_size=1)
    (root / "jobs" / "pre").mkdir(parents=True)
    with built.graph.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(root / "jobs" / "pre" / "model.ckpt"))


@pytest.mark.parametrize(
    ("name", "size", "options", "scope", "head", "frozen_norm"),
    [
        # At 75x75 the auxiliary head's 5x5 pooling has only 3x3 to pool (as in TF-Slim).
        ("inception_v3", 75, {"create_aux_logits": False}, "InceptionV3",
         "InceptionV3/Logits", "InceptionV3/Conv2d_1a_3x3/BatchNorm"),
        # TF-Slim's ResNets give [batch, 1, 1, classes] unless asked to squeeze.
        ("resnet_v1_50", 32, {"spatial_squeeze": True}, "resnet_v1_50", "resnet_v1_50/logits",
         "resnet_v1_50/conv1/BatchNorm"),
    ],
)  # fmt: skip
def test_a_net_is_fine_tuned_to_three_classes(
    tmp_path, name, size, options, scope, head, frozen_norm
):
    design = new_design(name, [size, size, 3], [net(name, num_classes=10, **options)])
    _pretrained(tmp_path, design)
    _image_folder(tmp_path)
    session = WorkbenchSession(workspace=str(tmp_path), editor=DesignEditor(design))
    session.settings.param.update(job_name="tuned", steps=2, batch_size=2, log_every_n_steps=1)
    session.compare_with("jobs/pre")
    assert session.message == ""
    session.param.update(finetune_dataset="image_folder", finetune_folder="photos")
    (mismatch,) = session.head_mismatches()
    assert mismatch.fix == f"Set num_classes of {scope!r} to 3"
    renewed = session.fit_head()
    assert session.design["blocks"][0]["options"]["num_classes"] == 3
    # Only the head's variables change shape: they start afresh, the rest is restored.
    assert len(renewed) == 2 and all(n.startswith(f"{head}/") for n in renewed), renewed
    assert session.head_mismatches() == []
    plan = session.plan
    plan.apply_pattern(f"{scope}/.*", train=False)
    plan.apply_pattern(head, train=True, multiplier=10)
    plan.update_frozen_batch_norm = False
    assert frozen_norm in plan.frozen_batch_norms
    assert 0 < plan.trainable_parameters < plan.total_parameters / 100  # Just the head.
    job = session.start_training(finetune=True)
    config = json.loads((tmp_path / job.logdir / "job.json").read_text())
    assert config["restore"]["gradient_multipliers"] == {head: 10.0}
    deadline = time.monotonic() + 500
    while Job(job.logdir, workspace=str(tmp_path)).status()["state"] in (
        "new", "starting", "running"
    ):  # fmt: skip
        assert time.monotonic() < deadline, job.log_tail()
        time.sleep(1)
    job = Job(job.logdir, workspace=str(tmp_path))
    assert job.state == "finished", job.error + job.log_tail()
    before = tf.train.load_checkpoint(str(tmp_path / "jobs" / "pre"))
    after = tf.train.load_checkpoint(job.logdir)
    for frozen in (f"{frozen_norm}/moving_mean", f"{frozen_norm}/beta"):
        np.testing.assert_array_equal(after.get_tensor(frozen), before.get_tensor(frozen))
    weights = [n for n in renewed if n.endswith("weights")][0]
    assert after.get_tensor(weights).shape[-1] == 3
