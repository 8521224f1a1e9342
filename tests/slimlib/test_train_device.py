"""slim.learning's device options: session configs (GPU memory, XLA), mixed precision.

The model is the one of `test_learning.py`: `y = w * x` on x = [1, 2], y = [2, 4], w = 0,
mean squared error, gradient descent with rate 0.1; the losses are 10, 2.5, 0.625, ...
and w goes 0 -> 1 -> 1.5 -> 1.75.
"""

import numpy as np
import pytest
import tensorflow as tf2
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.learning  # noqa: F401 - binds slim.learning
from slimlib._src import train_device

LOSSES = [10.0, 2.5, 0.625]
ON = type(tf.ConfigProto().graph_options.rewrite_options).ON


def linear_train_op(wrap=None):
    x = tf.constant([[1.0], [2.0]])
    y = tf.constant([[2.0], [4.0]])
    w = tf.get_variable("w", [1, 1], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(y, tf.matmul(x, w))
    opt = tf.train.GradientDescentOptimizer(0.1)
    return slim.learning.create_train_op(loss, wrap(opt) if wrap else opt)


# session_config -----------------------------------------------------------------------------


def test_session_config_defaults_grow_gpu_memory_and_place_softly():
    config = slim.learning.session_config()
    assert config.gpu_options.allow_growth
    assert config.allow_soft_placement
    assert config.graph_options.optimizer_options.global_jit_level == tf.OptimizerOptions.DEFAULT
    assert config.graph_options.rewrite_options.auto_mixed_precision == 0  # DEFAULT: off.


def test_session_config_opt_ins_set_xla_and_the_mixed_precision_rewrite():
    config = slim.learning.session_config(xla=True, mixed_precision=True)
    assert config.graph_options.optimizer_options.global_jit_level == tf.OptimizerOptions.ON_1
    assert config.graph_options.rewrite_options.auto_mixed_precision == ON


def test_session_config_copies_base_and_keeps_its_fields():
    base = tf.ConfigProto(device_filters=["/job:ps"], intra_op_parallelism_threads=1)
    config = slim.learning.session_config(base, allow_growth=False, soft_placement=False)
    assert list(config.device_filters) == ["/job:ps"]
    assert config.intra_op_parallelism_threads == 1
    assert not config.gpu_options.allow_growth and not config.allow_soft_placement
    slim.learning.session_config(base, xla=True)
    assert base == tf.ConfigProto(device_filters=["/job:ps"], intra_op_parallelism_threads=1)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"base": {}}, "`base` must be a tf.compat.v1.ConfigProto"), ({"xla": 1}, "`xla` must be")],
    ids=["base", "flag"],
)
def test_session_config_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        slim.learning.session_config(**kwargs)


# GPU memory growth ---------------------------------------------------------------------------


class FakeGPUs:
    """Stands in for `tf.config` GPU calls: two GPUs, the second already initialised."""

    def __init__(self):
        self.gpus = [tf2.config.PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in (0, 1)]
        self.set = []

    def list_physical_devices(self, device_type=None):
        return self.gpus if device_type == "GPU" else []

    def set_memory_growth(self, device, enable):
        if device.name.endswith(":1"):
            raise RuntimeError("Physical devices cannot be modified after being initialized")
        self.set.append((device.name, enable))


def test_set_gpu_memory_growth_applies_to_each_gpu_it_still_can(monkeypatch, caplog):
    fake = FakeGPUs()
    monkeypatch.setattr(tf2.config, "list_physical_devices", fake.list_physical_devices)
    monkeypatch.setattr(tf2.config.experimental, "set_memory_growth", fake.set_memory_growth)
    assert slim.learning.set_gpu_memory_growth() == ["/physical_device:GPU:0"]
    assert fake.set == [("/physical_device:GPU:0", True)]
    assert "GPU:1 left as it was" in caplog.text


def test_set_gpu_memory_growth_without_gpus_and_errors():
    if not tf2.config.list_physical_devices("GPU"):
        assert slim.learning.set_gpu_memory_growth() == []
    with pytest.raises(TypeError, match="`enabled` must be a bool"):
        slim.learning.set_gpu_memory_growth("yes")


def test_train_defaults_to_growing_gpu_memory(tmp_path, monkeypatch):
    made, grown = [], []
    real = train_device.session_config
    monkeypatch.setattr(train_device, "session_config", lambda: made.append(real()) or made[-1])
    monkeypatch.setattr(train_device, "grow_gpu_memory_if_possible", lambda: grown.append(1) or [])
    with tf.Graph().as_default():
        slim.learning.train(linear_train_op(), None, number_of_steps=1)
    assert len(made) == 1 and made[0].gpu_options.allow_growth and grown == [1]
    with tf.Graph().as_default():  # A config of the caller's own is used as it is.
        slim.learning.train(
            linear_train_op(), None, number_of_steps=1, session_config=tf.ConfigProto()
        )
    assert len(made) == 1 and grown == [1]


# XLA and mixed precision ---------------------------------------------------------------------


def test_train_with_xla_config(tmp_path):
    records = []
    with tf.Graph().as_default():
        slim.learning.train(
            linear_train_op(),
            str(tmp_path),
            number_of_steps=3,
            session_config=slim.learning.session_config(xla=True),
            callbacks=[records.append],
        )
    np.testing.assert_allclose([r["loss"] for r in records], LOSSES, rtol=1e-6)


def test_mixed_precision_training_skips_overflowing_steps_and_lowers_the_scale(tmp_path):
    # TensorFlow's float16 rewrite runs on GPUs; `auto_mixed_precision_cpu` applies the same
    # rewrite on the CPU, so the loss scaling is tested here for real. The first gradient of
    # w is -10 times the loss scale; float16 tops out at 65504, so the scales 2**15, 2**14
    # and 2**13 overflow (three skipped steps, the global step stays 0) and 2**12 fits.
    config = slim.learning.session_config(mixed_precision=True)
    config.graph_options.rewrite_options.auto_mixed_precision_cpu = ON
    records = []
    with tf.Graph().as_default():
        train_op = linear_train_op(slim.learning.mixed_precision_optimizer)
        with tf.Session(config=config) as sess:  # The rewrite does compute in float16.
            sess.run(tf.global_variables_initializer())
            metadata = tf.RunMetadata()
            options = tf.RunOptions(output_partition_graphs=True)
            sess.run(train_op, options=options, run_metadata=metadata)
        halves = [
            node.name
            for partition in metadata.partition_graphs
            for node in partition.node
            if node.op == "Cast" and node.attr["DstT"].type == tf.float16.as_datatype_enum
        ]
        assert halves
        slim.learning.train(
            train_op,
            str(tmp_path),
            number_of_steps=3,
            session_config=config,
            callbacks=[records.append],
        )
    assert [r["step"] for r in records] == [0, 0, 0, 1, 2, 3]
    np.testing.assert_allclose([r["loss"] for r in records], [10.0] * 4 + LOSSES[1:], rtol=1e-3)
    assert records[0]["learning_rate"] == pytest.approx(0.1)  # Seen through the wrapper.
    reader = tf.train.load_checkpoint(str(tmp_path))
    assert float(reader.get_tensor("current_loss_scale")) == 2.0**12
    np.testing.assert_allclose(reader.get_tensor("w"), [[1.75]], rtol=1e-3)


def test_fixed_loss_scale_trains_like_the_plain_optimizer(graph):
    train_op = linear_train_op(lambda opt: slim.learning.mixed_precision_optimizer(opt, 128))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [float(sess.run(train_op)) for _ in range(3)]
    np.testing.assert_allclose(losses, LOSSES, rtol=1e-6)


@pytest.mark.parametrize(
    "make_args, exc, match",
    [
        (lambda opt: (object(),), TypeError, "`optimizer` must be a tf.compat.v1.train.Optimizer"),
        (
            lambda opt: (slim.learning.mixed_precision_optimizer(opt),),
            ValueError,
            "already scales its loss",
        ),
        (lambda opt: (opt, "static"), ValueError, "`loss_scale` must be one of"),
        (lambda opt: (opt, 0), ValueError, "`loss_scale` must be > 0, got 0"),
        (lambda opt: (opt, True), TypeError, "`loss_scale` must be 'dynamic', a number"),
    ],
    ids=["not-optimizer", "twice", "unknown-name", "zero", "bool"],
)
def test_mixed_precision_optimizer_errors(graph, make_args, exc, match):
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(exc, match=match):
        slim.learning.mixed_precision_optimizer(*make_args(opt))
