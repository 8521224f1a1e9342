"""A fine-tuning job of a `slimlib.nets` net keeps its frozen batch norms' moving statistics
the checkpoint's while the unfrozen ones move: ResNet v2 50, trained two steps in this
process on the digits (resized to the net's smallest input, 32x32), with every batch norm
frozen but block4's convolutions' and only the head trained (the body of a freshly
initialised net without batch statistics blows up under training)."""

from __future__ import annotations

import os

import numpy as np
import tensorflow as tf

from workbench.models.frozen_norms import build_net
from workbench.models.jobs import inputs, load_config, training

v1 = tf.compat.v1

FROZEN = [
    "resnet_v2_50/block1",
    "resnet_v2_50/block2",
    "resnet_v2_50/block3",
    *[f"resnet_v2_50/block4/unit_{i}/bottleneck_v2/preact" for i in (1, 2, 3)],
    "resnet_v2_50/postnorm",
]


def test_frozen_moving_statistics_stay_and_the_others_move(tmp_path):
    source = tmp_path / "pre" / "model.ckpt"
    with tf.Graph().as_default():
        images = v1.placeholder(tf.float32, [1, 32, 32, 1])
        build_net("resnet_v2_50", 10, images, is_training=True, spatial_squeeze=True)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            v1.train.Saver().save(sess, str(source))
    config = load_config(
        {
            "model": {"net": "resnet_v2_50"},
            "dataset": {"kind": "digits", "resize": [32, 32]},
            "train": {
                "optimizer": "sgd",
                "learning_rate": 0.001,
                "steps": 2,
                "batch_size": 2,
                "log_every_n_steps": 1,
            },
            "restore": {
                "checkpoint": str(source),
                "trainable_scopes": ["resnet_v2_50/logits"],
                "frozen_batch_norms": FROZEN,
            },
            "device": "cpu",
        },
        workspace=str(tmp_path),
    )
    logdir = str(tmp_path / "tuned")
    os.makedirs(logdir)
    data, records = inputs.prepare(config, logdir), []
    training.run_training(config, logdir, data, should_stop=lambda: False, on_record=records.append)
    assert [r["step"] for r in records] == [1, 2]
    before = tf.train.load_checkpoint(str(source))
    after = tf.train.load_checkpoint(logdir)
    statistics = [
        name
        for name in before.get_variable_to_shape_map()
        if name.endswith(("/moving_mean", "/moving_variance"))
    ]
    moved = [n for n in statistics if not np.array_equal(after.get_tensor(n), before.get_tensor(n))]
    unit = "resnet_v2_50/block4/unit_{}/bottleneck_v2/conv{}/BatchNorm/moving_{}"
    expected = [
        unit.format(u, c, s) for u in (1, 2, 3) for c in (1, 2) for s in ("mean", "variance")
    ]
    assert sorted(moved) == sorted(expected)
    assert len(statistics) == 2 * 17 + 2 * 2 * 16  # preact + postnorm; conv1, conv2 of 16 units.
