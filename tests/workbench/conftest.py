"""Fixtures shared by the workbench tests: a tiny design and a checkpoint of it."""

from __future__ import annotations

import pytest
import tensorflow.compat.v1 as tf

from workbench.models.design import build_graph, new_design
from workbench.models.inspect.shared_builds import SHARED


@pytest.fixture(autouse=True)
def no_shared_builds():
    """Each test starts with no design built for Inspect by an earlier test."""
    SHARED.clear()
    yield
    SHARED.clear()


@pytest.fixture
def tiny_design() -> dict:
    """conv1 (3x3, 2 maps) -> flatten -> logits (10) on a 6x6x1 input: 750 parameters."""
    return new_design(
        "tiny",
        [6, 6, 1],
        [
            {"kind": "layer", "op": "conv2d", "scope": "conv1",
             "args": {"num_outputs": 2, "kernel_size": [3, 3]}},
            {"kind": "layer", "op": "flatten", "args": {}},
            {"kind": "layer", "op": "fully_connected", "scope": "logits",
             "args": {"num_outputs": 10, "activation_fn": None}},
        ],
    )  # fmt: skip


@pytest.fixture
def tiny_checkpoint(tmp_path, tiny_design) -> str:
    """`tiny_design` freshly initialised, saved as `<tmp_path>/jobs/pre/model.ckpt`."""
    built = build_graph(tiny_design, batch_size=1)
    (tmp_path / "jobs" / "pre").mkdir(parents=True)
    with built.graph.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return tf.train.Saver().save(sess, str(tmp_path / "jobs" / "pre" / "model.ckpt"))
