"""Model-zoo style checkpoints load into slimlib's nets.

A checkpoint is written from a separate graph of plain variables named exactly as
TF-Slim names them (plus the extras zoo checkpoints carry: `global_step` and a
`<net>/mean_rgb`), then restored into slimlib's net with
`slim.assign_from_checkpoint_fn(path, slim.get_model_variables())`. Only the
smaller nets are written (about 400 MB in all, one at a time, deleted after use).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from tests.slimlib.nets._reference import build_as_measured, checkpoint_entries

RESTORED = ["lenet", "cifarnet", "alexnet_v2", "resnet_v1_50", "resnet_v2_50", "inception_v1"]
# ImageNet channel means (https://arxiv.org/abs/1409.1556), as in the VGG zoo checkpoints.
_MEAN_RGB = [123.68, 116.78, 103.94]
_GLOBAL_STEP = 12345


def _pattern(shape: list[int]) -> np.ndarray:
    """Distinct values `0, 1/n, 2/n, ...` that a random initializer never produces."""
    size = int(np.prod(shape))
    return (np.arange(size, dtype=np.float32) / size).reshape(shape)


def _write_checkpoint(prefix: str, entries: list[list]) -> None:
    """Zeros for every entry except the first (`_pattern`), plus the zoo's extra entries."""
    scope = entries[0][0].split("/")[0]
    with tf.Graph().as_default():
        to_save = {}
        for i, (name, shape) in enumerate(entries):
            initial = tf.constant(_pattern(shape)) if i == 0 else tf.zeros(shape)
            to_save[name] = tf.Variable(initial, name=f"v{i}")
        to_save["global_step"] = tf.Variable(np.int64(_GLOBAL_STEP), name="global_step")
        to_save[f"{scope}/mean_rgb"] = tf.Variable(_MEAN_RGB, name="mean_rgb")
        saver = tf.train.Saver(to_save)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, prefix, write_meta_graph=False)


@pytest.mark.parametrize("name", RESTORED, ids=RESTORED)
def test_checkpoint_with_tf_slim_names_restores_every_model_variable(name, tmp_path):
    entries = checkpoint_entries(name)
    directory = tmp_path / "checkpoint"
    prefix = str(directory / "model.ckpt")
    try:
        _write_checkpoint(prefix, entries)
        stored = dict(tf.train.list_variables(prefix))
        assert "global_step" in stored and len(stored) == len(entries) + 2
        with tf.Graph().as_default():
            build_as_measured(name)
            model_variables = slim.get_model_variables()
            # Nothing missing and nothing left over: the net's model variables are exactly
            # the checkpoint's entries (less the extras the loader must ignore).
            assert sorted(v.op.name for v in model_variables) == sorted(n for n, _ in entries)
            init_fn = slim.assign_from_checkpoint_fn(prefix, model_variables)
            first = {v.op.name: v for v in model_variables}[entries[0][0]]
            last = model_variables[-1]
            with tf.Session() as sess:
                init_fn(sess)  # No initializer run: reading a variable it missed would fail.
                first_value, last_value = sess.run([first, last])
        np.testing.assert_array_equal(first_value, _pattern(entries[0][1]))
        np.testing.assert_array_equal(last_value, np.zeros_like(last_value))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
