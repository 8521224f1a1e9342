"""Frozen batch norms inside a net built for training: they normalise with their moving
statistics, checked against NumPy on a batch whose statistics differ from them, while the
batch norms left unfrozen in the same graph use the batch's statistics."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import slimlib as slim
from workbench.models.design import build_design, new_design
from workbench.models.design.spec import net
from workbench.models.frozen_norms import build_net, build_with_frozen_norms
from workbench.models.jobs import load_config, model

v1 = tf.compat.v1

# Moving statistics given to every batch norm before the check: far from any batch's.
MOVING_MEAN, MOVING_VARIANCE, BETA = 0.5, 4.0, 0.25


def _set_statistics(sess, norms) -> None:
    """Gives the batch norms `norms` the moving statistics and beta above (one run)."""
    values = {"moving_mean": MOVING_MEAN, "moving_variance": MOVING_VARIANCE, "beta": BETA}
    assigns = [
        var.assign(tf.fill(var.shape, values[var.op.name.rsplit("/", 1)[1]]))
        for var in v1.global_variables()
        if var.op.name.rsplit("/", 1)[0] in norms and var.op.name.rsplit("/", 1)[1] in values
    ]
    assert len(assigns) == 3 * len(norms), assigns
    sess.run(assigns)


def _gamma(sess, norm: str) -> np.ndarray | float:
    found = [v for v in v1.global_variables() if v.op.name == f"{norm}/gamma"]
    return sess.run(found[0]) if found else 1.0  # Inception's batch norms have no gamma.


def _moving(x, gamma, epsilon):
    return (x - MOVING_MEAN) / np.sqrt(MOVING_VARIANCE + epsilon) * gamma + BETA


def _batch(x, gamma, epsilon):
    mean, variance = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + BETA


def _tensor(name: str) -> tf.Tensor:
    return v1.get_default_graph().get_tensor_by_name(name + ":0")


def _written(update_ops) -> set[str]:
    """Names of the variables the update ops write."""
    names = set()
    for op in update_ops:
        source = getattr(op, "op", op).inputs[0].op
        while source.type == "Identity":
            source = source.inputs[0].op
        names.add(source.name)
    return names


def test_a_frozen_batch_norm_of_inception_v3_uses_its_moving_statistics():
    """In a design's net block: Conv2d_1a_3x3's batch norm is frozen, Conv2d_2a_3x3's not
    (Inception: no gamma, epsilon 0.001, ReLU after the batch norm)."""
    design = new_design(
        "inception", [75, 75, 3], [net("inception_v3", num_classes=4, create_aux_logits=False)]
    )
    frozen, trained = "InceptionV3/Conv2d_1a_3x3", "InceptionV3/Conv2d_2a_3x3"
    images = np.random.RandomState(0).rand(2, 75, 75, 3).astype(np.float32)
    with tf.Graph().as_default():
        _, end_points = build_design(
            design, tf.constant(images), True, inference_batch_norms=(f"{frozen}/BatchNorm",)
        )
        written = _written(v1.get_collection(v1.GraphKeys.UPDATE_OPS))
        assert f"{frozen}/BatchNorm/moving_mean" not in written
        assert f"{trained}/BatchNorm/moving_mean" in written
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            _set_statistics(sess, [f"{frozen}/BatchNorm", f"{trained}/BatchNorm"])
            conv1, out1, conv2, out2 = sess.run(
                [
                    _tensor("InceptionV3/InceptionV3/Conv2d_1a_3x3/convolution"),
                    end_points["Conv2d_1a_3x3"],
                    _tensor("InceptionV3/InceptionV3/Conv2d_2a_3x3/convolution"),
                    end_points["Conv2d_2a_3x3"],
                ]
            )
    np.testing.assert_allclose(out1, np.maximum(_moving(conv1, 1.0, 0.001), 0), atol=1e-5)
    np.testing.assert_allclose(out2, np.maximum(_batch(conv2, 1.0, 0.001), 0), atol=1e-4)
    assert not np.allclose(out1, np.maximum(_batch(conv1, 1.0, 0.001), 0), atol=1e-2)


RESNET_V2_FROZEN = [
    "resnet_v2_50/block1",
    "resnet_v2_50/block2",
    "resnet_v2_50/block3",
    *[f"resnet_v2_50/block4/unit_{i}/bottleneck_v2/preact" for i in (1, 2, 3)],
    "resnet_v2_50/postnorm",
]


def test_resnet_v2_with_all_its_own_batch_norms_frozen_trains_the_others():
    """ResNet v2 calls `preact` and `postnorm` itself: frozen all together, the net is built
    in inference mode and block4's convolutions' batch norms (unfrozen) still use the batch's
    statistics (gamma, epsilon 1e-5, ReLU after each)."""
    config = load_config(
        {
            "model": {"net": "resnet_v2_50"},
            "restore": {"checkpoint": "c", "frozen_batch_norms": RESNET_V2_FROZEN},
        },
        workspace=".",
        check_files=False,
    )
    unit = "resnet_v2_50/block4/unit_3/bottleneck_v2"
    images = np.random.RandomState(1).rand(2, 32, 32, 3).astype(np.float32)
    with tf.Graph().as_default():
        model.build_logits(config, tf.constant(images), 5, is_training=True)
        written = _written(v1.get_collection(v1.GraphKeys.UPDATE_OPS))
        # Only block4's convolutions' batch norms: 3 units x conv1, conv2 x mean, variance.
        assert len(written) == 12 and all(n.startswith("resnet_v2_50/block4/") for n in written)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            _set_statistics(sess, ["resnet_v2_50/postnorm", f"{unit}/conv1/BatchNorm"])
            fetched = sess.run(
                [
                    _tensor(f"{unit}/add"),
                    _tensor("resnet_v2_50/postnorm/Relu"),
                    _tensor(f"{unit}/conv1/convolution"),
                    _tensor(f"{unit}/conv1/Relu"),
                ]
            )
            gammas = [
                _gamma(sess, "resnet_v2_50/postnorm"),
                _gamma(sess, f"{unit}/conv1/BatchNorm"),
            ]
    block4, postnorm, conv1, conv1_out = fetched
    np.testing.assert_allclose(
        postnorm, np.maximum(_moving(block4, gammas[0], 1e-5), 0), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(
        # Two values per channel: a small variance makes the batch's normalisation touchy.
        conv1_out,
        np.maximum(_batch(conv1, gammas[1], 1e-5), 0),
        rtol=1e-3,
        atol=1e-3,
    )


def test_resnet_v2_with_only_some_of_its_own_batch_norms_frozen_is_refused():
    frozen = ["resnet_v2_50/block1/unit_1"]
    with tf.Graph().as_default():  # In inference mode every batch norm is frozen anyway.
        images = v1.placeholder(tf.float32, [2, 32, 32, 3])
        build_net("resnet_v2_50", 5, images, is_training=False, frozen_batch_norms=frozen)
        assert v1.get_collection(v1.GraphKeys.UPDATE_OPS) == []
    with (
        tf.Graph().as_default(),
        pytest.raises(
            ValueError,
            match=r"build_net: resnet_v2_50 calls the batch norms \['resnet_v2_50/block1/unit_1/"
            r"bottleneck_v2/preact', .* itself, with its one is_training, so the frozen batch "
            r"norms must hold all of them or none; got \['resnet_v2_50/block1/unit_1/"
            r"bottleneck_v2/preact'\] frozen but not \['resnet_v2_50/block1/unit_2/",
        ),
    ):
        build_net(
            "resnet_v2_50",
            5,
            v1.placeholder(tf.float32, [2, 32, 32, 3]),
            is_training=True,
            frozen_batch_norms=frozen,
        )


def _tiny_net(dropout: bool = False):
    """`Tiny/conv` (batch norm as its normalizer), then `Tiny/norm`, called by the net."""

    def tiny(images, is_training):
        with (
            v1.variable_scope("Tiny"),
            slim.arg_scope([slim.batch_norm, slim.dropout], is_training=is_training),
        ):
            out = slim.conv2d(images, 2, [1, 1], activation_fn=None, scope="conv")
            conv = out
            out = slim.batch_norm(out, scope="norm")
            if dropout:
                out = slim.dropout(out, 0.5, scope="drop")
        return out, {"conv": conv}

    # The net's arg_scope: nothing else applies (re-entering a mapping replaces the scope).
    conv = {"normalizer_fn": slim.batch_norm, "weights_initializer": tf.ones_initializer()}
    return tiny, {slim.arg_scope_func_key(slim.conv2d): conv}


def test_a_net_own_batch_norm_frozen_alone_builds_the_net_in_inference_mode():
    """`Tiny/norm` frozen: the net's mode is off, yet the convolution's batch norm trains.
    conv output c (1x1 kernel of ones on one channel, no bias): [[1], [3]] per image."""
    tiny, defaults = _tiny_net()
    images = np.array([[[[1.0]]], [[[3.0]]]], np.float32)
    with tf.Graph().as_default():
        out, _ = build_with_frozen_norms("tiny", tiny, defaults, tf.constant(images), ["Tiny/norm"])
        written = _written(v1.get_collection(v1.GraphKeys.UPDATE_OPS))
        assert written == {"Tiny/conv/BatchNorm/moving_mean", "Tiny/conv/BatchNorm/moving_variance"}
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            _set_statistics(sess, ["Tiny/conv/BatchNorm", "Tiny/norm"])
            got = sess.run(out)
    # conv's batch norm: batch mean 2, variance 1 -> [-1, 1] (+ beta); no gamma by default.
    normed = np.array([-1.0, 1.0]) / np.sqrt(1 + 0.001) + BETA
    expected = (normed - MOVING_MEAN) / np.sqrt(MOVING_VARIANCE + 0.001) + BETA
    np.testing.assert_allclose(got[:, 0, 0, 0], expected, rtol=1e-5)


def test_a_frozen_own_batch_norm_of_a_net_with_dropout_is_refused():
    tiny, defaults = _tiny_net(dropout=True)
    with (
        tf.Graph().as_default(),
        pytest.raises(
            ValueError,
            match=r"build_net: tiny calls the batch norms \['Tiny/norm'\] itself, with its one "
            r"is_training, which also switches its dropout \['Tiny/drop'\]; keeping them "
            r"frozen would turn the dropout off in training: leave them out of the frozen "
            r"batch norms\.",
        ),
    ):
        build_with_frozen_norms(
            "tiny", tiny, defaults, v1.placeholder(tf.float32, [2, 1, 1, 1]), ["Tiny"]
        )


def test_a_net_that_builds_differently_the_second_time_is_refused():
    """The scratch build decides the modes; a net whose second build differs is refused
    rather than left with a frozen batch norm in training mode."""
    calls = []

    def changing(images, is_training):
        calls.append(1)
        scope = "first" if len(calls) == 1 else "second"
        return slim.conv2d(images, 2, [1, 1], scope=scope), {}

    defaults = {slim.arg_scope_func_key(slim.conv2d): {"normalizer_fn": slim.batch_norm}}
    with (
        tf.Graph().as_default(),
        pytest.raises(
            ValueError,
            match=r"build_net: changing built the frozen batch norms \['second/BatchNorm'\] in "
            r"inference mode, expected \['first/BatchNorm'\]\.",
        ),
    ):
        build_with_frozen_norms(
            "changing",
            changing,
            defaults,
            v1.placeholder(tf.float32, [2, 1, 1, 1]),
            ["first", "second"],
        )
