"""Core layers: fully_connected (linear, relu, relu6), bias_add, dropout, flatten,
one_hot_encoding and softmax.

Golden values are checkable by hand: inputs of ones and weights of ones give
`depth * 1.0` per output (4 inputs -> 4.0).
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

GLOBAL = tf.GraphKeys.GLOBAL_VARIABLES
MODEL = tf.GraphKeys.MODEL_VARIABLES
TRAINABLE = tf.GraphKeys.TRAINABLE_VARIABLES
REG_LOSSES = tf.GraphKeys.REGULARIZATION_LOSSES
ONES = tf.ones_initializer()


def names(collection, scope=None):
    return [v.op.name for v in tf.get_collection(collection, scope)]


# fully_connected ---------------------------------------------------------------------------


def test_fully_connected_ones_give_depth(graph, run):
    out = slim.fully_connected(tf.ones([2, 4]), 3, weights_initializer=ONES, scope="fc")
    assert out.shape.as_list() == [2, 3]
    np.testing.assert_allclose(run(out), np.full([2, 3], 4.0))


def test_fully_connected_adds_biases_then_activation(graph, run):
    neg = tf.constant_initializer(-1.0)
    biased = slim.fully_connected(
        tf.ones([1, 4]),
        2,
        weights_initializer=ONES,
        biases_initializer=tf.constant_initializer(1.0),
    )
    relu = slim.fully_connected(tf.ones([1, 4]), 2, weights_initializer=neg)
    linear = slim.fully_connected(tf.ones([1, 4]), 2, activation_fn=None, weights_initializer=neg)
    np.testing.assert_allclose(run([biased, relu, linear]), [[[5, 5]], [[0, 0]], [[-4, -4]]])


def test_fully_connected_on_rank4_uses_last_axis(graph, run):
    out = slim.fully_connected(tf.ones([2, 3, 3, 4]), 5, weights_initializer=ONES)
    assert out.shape.as_list() == [2, 3, 3, 5]
    assert names(GLOBAL) == ["fully_connected/weights", "fully_connected/biases"]
    assert tf.get_collection(GLOBAL)[0].shape.as_list() == [4, 5]
    np.testing.assert_allclose(run(out), np.full([2, 3, 3, 5], 4.0))


def test_fully_connected_with_unknown_batch(graph, run):
    x = tf.placeholder(tf.float32, [None, 4])
    out = slim.fully_connected(x, 2, weights_initializer=ONES)
    assert out.shape.as_list() == [None, 2]
    np.testing.assert_allclose(run(out, {x: np.ones([3, 4])}), np.full([3, 2], 4.0))


def test_fully_connected_variables_and_collections(graph):
    slim.fully_connected(tf.ones([2, 4]), 3, scope="fc")
    expected = ["fc/weights", "fc/biases"]
    assert names(GLOBAL) == names(MODEL) == names(TRAINABLE) == expected
    assert [v.shape.as_list() for v in tf.get_collection(MODEL)] == [[4, 3], [3]]


def test_fully_connected_not_trainable(graph):
    slim.fully_connected(tf.ones([2, 4]), 3, trainable=False, scope="fc")
    assert names(MODEL) == ["fc/weights", "fc/biases"]
    assert names(TRAINABLE) == []


def test_fully_connected_without_biases(graph):
    slim.fully_connected(tf.ones([2, 4]), 3, biases_initializer=None, scope="fc")
    assert names(MODEL) == ["fc/weights"]


def test_fully_connected_normalizer_replaces_biases(graph):
    slim.fully_connected(
        tf.ones([2, 4]),
        3,
        normalizer_fn=slim.batch_norm,
        normalizer_params={"scale": True},
        scope="fc",
    )
    assert names(MODEL) == [
        "fc/weights",
        "fc/BatchNorm/beta",
        "fc/BatchNorm/gamma",
        "fc/BatchNorm/moving_mean",
        "fc/BatchNorm/moving_variance",
    ]
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2


def test_fully_connected_regularizers(graph, run):
    w = slim.fully_connected(
        tf.ones([1, 2]),
        2,
        weights_initializer=tf.constant_initializer(2.0),
        weights_regularizer=slim.l2_regularizer(0.5),
        biases_initializer=tf.constant_initializer(1.0),
        biases_regularizer=slim.l1_regularizer(0.25),
    )
    del w
    losses = tf.get_collection(REG_LOSSES)
    assert len(losses) == 2
    # l2: 0.5 * sum(2^2 over 4 weights) / 2 = 4; l1: 0.25 * sum(|1| over 2 biases) = 0.5.
    np.testing.assert_allclose(run(losses), [4.0, 0.5])


def test_fully_connected_variables_collections_list_and_dict(graph):
    slim.fully_connected(tf.ones([2, 4]), 3, variables_collections=["mine"], scope="a")
    slim.fully_connected(
        tf.ones([2, 4]), 3, variables_collections={"weights": ["w_only"]}, scope="b"
    )
    assert names("mine") == ["a/weights", "a/biases"]
    assert names("w_only") == ["b/weights"]
    assert "b/biases" in names(MODEL)


def test_fully_connected_outputs_collections_alias_is_scope(graph):
    with tf.variable_scope("net"):
        out = slim.fully_connected(tf.ones([2, 4]), 3, outputs_collections="ends", scope="fc")
    assert slim.utils.convert_collection_to_dict("ends") == {"net/fc": out}


def test_fully_connected_default_scopes_get_suffixes(graph):
    for _ in range(3):
        slim.fully_connected(tf.ones([2, 4]), 3)
    assert names(GLOBAL, ".*weights") == [
        "fully_connected/weights",
        "fully_connected_1/weights",
        "fully_connected_2/weights",
    ]


def test_fully_connected_reuse_shares_variables(graph, run):
    a = slim.fully_connected(tf.ones([1, 4]), 3, scope="fc")
    b = slim.fully_connected(tf.ones([1, 4]), 3, scope="fc", reuse=True)
    assert names(GLOBAL) == ["fc/weights", "fc/biases"]
    va, vb = run([a, b])
    np.testing.assert_allclose(va, vb)


def test_fully_connected_reuse_of_missing_scope_fails(graph):
    with pytest.raises(ValueError, match="does not exist"):
        slim.fully_connected(tf.ones([1, 4]), 3, scope="fc", reuse=True)


def test_arg_scope_sets_fully_connected_defaults(graph, run):
    neg = tf.constant_initializer(-1.0)
    with slim.arg_scope([slim.fully_connected], activation_fn=None, weights_initializer=neg):
        scoped = slim.fully_connected(tf.ones([1, 4]), 2)
        overridden = slim.fully_connected(tf.ones([1, 4]), 2, activation_fn=tf.nn.relu)
    np.testing.assert_allclose(run([scoped, overridden]), [[[-4, -4]], [[0, 0]]])


@pytest.mark.parametrize(
    "layer, expected",
    [(slim.linear, -8.0), (slim.relu, 0.0), (slim.relu6, 6.0)],
    ids=["linear", "relu", "relu6"],
)
def test_fully_connected_partials(graph, run, layer, expected):
    sign = 1.0 if layer is slim.relu6 else -1.0
    out = layer(tf.ones([1, 8]), 2, weights_initializer=tf.constant_initializer(sign))
    np.testing.assert_allclose(run(out), np.full([1, 2], expected))
    assert names(MODEL) == ["fully_connected/weights", "fully_connected/biases"]


def test_linear_activation_can_still_be_overridden(graph, run):
    out = slim.linear(tf.ones([1, 4]), 2, activation_fn=tf.nn.relu, weights_initializer=ONES)
    np.testing.assert_allclose(run(out), [[4.0, 4.0]])


def test_fully_connected_is_traced_with_flops(graph):
    with slim.trace_layers() as trace:
        slim.fully_connected(tf.ones([2, 4]), 3, scope="fc")
    (record,) = trace.records
    assert (record.op, record.scope, record.params) == ("fully_connected", "fc", 15)
    assert record.flops == 2 * 4 * 3 + 3  # Multiply-adds per weight, plus the biases.


def test_fully_connected_normalizer_is_a_traced_child(graph):
    with slim.trace_layers() as trace:
        slim.fully_connected(tf.ones([2, 4]), 3, normalizer_fn=slim.batch_norm, scope="fc")
    (record,) = trace.records
    assert [(c.op, c.scope) for c in record.children] == [("batch_norm", "fc/BatchNorm")]
    assert record.flops == 2 * 4 * 3  # No biases when normalized.


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        (2.5, TypeError, r"fully_connected: `num_outputs` must be an int, got 2.5 \(float\)\."),
        (0, ValueError, "`num_outputs` must be >= 1, got 0"),
        (-3, ValueError, "`num_outputs` must be >= 1, got -3"),
        ("3", TypeError, "`num_outputs` must be an int, got '3'"),
    ],
    ids=["float", "zero", "negative", "string"],
)
def test_fully_connected_rejects_bad_num_outputs(graph, bad, exc, match):
    with pytest.raises(exc, match=match):
        slim.fully_connected(tf.ones([2, 4]), bad)


@pytest.mark.parametrize("bad", [2.5, "3", None])
def test_fully_connected_wrong_type_is_also_tf_slims_value_error(graph, bad):
    # Unlike the convolutions, TF-Slim's fully_connected refuses a float, with a ValueError.
    with pytest.raises(ValueError, match=r"fully_connected: `num_outputs` must be an int"):
        slim.fully_connected(tf.ones([2, 4]), bad)


def test_fully_connected_rejects_rank1(graph):
    with pytest.raises(ValueError, match=r"`inputs` must have a known rank >= 2, got shape \(4,\)"):
        slim.fully_connected(tf.ones([4]), 3)


def test_fully_connected_rejects_unknown_depth(graph):
    x = tf.placeholder(tf.float32, [2, None])
    with pytest.raises(ValueError, match=r"known size on axis -1, got shape \(2, None\)"):
        slim.fully_connected(x, 3)


def test_fully_connected_rejects_unconvertible_inputs(graph):
    with pytest.raises(TypeError, match="`inputs` must be a tensor or convertible"):
        slim.fully_connected(object(), 3)


@pytest.mark.parametrize(
    "call",
    [
        lambda: slim.fully_connected(tf.ones([2, 4]), 3),
        lambda: slim.bias_add(tf.ones([2, 4])),
        lambda: slim.dropout(tf.ones([2, 4])),
        lambda: slim.flatten(tf.ones([2, 4])),
        lambda: slim.one_hot_encoding(tf.constant([0]), 2),
        lambda: slim.softmax(tf.ones([2, 4])),
    ],
    ids=["fully_connected", "bias_add", "dropout", "flatten", "one_hot_encoding", "softmax"],
)
def test_eager_call_raises(call):
    with pytest.raises(RuntimeError, match=r"tf.Graph\(\).as_default\(\)"):
        call()


# bias_add -------------------------------------------------------------------------------


def test_bias_add_golden_and_variable(graph, run):
    out = slim.bias_add(tf.ones([2, 3]), initializer=tf.constant_initializer(2.0))
    assert names(MODEL) == names(TRAINABLE) == ["BiasAdd/biases"]
    np.testing.assert_allclose(run(out), np.full([2, 3], 3.0))


def test_bias_add_nchw_adds_per_channel(graph, run):
    # Ones, not zeros: TensorFlow's constant folding adds an NCHW bias to a constant
    # zeros tensor on the last axis (a TensorFlow grappler constant-folding bug).
    init = tf.constant_initializer([1.0, 2.0])
    out = slim.bias_add(tf.ones([1, 2, 2, 2]), initializer=init, data_format="NCHW")
    value = run(out)
    assert tf.get_collection(MODEL)[0].shape.as_list() == [2]
    np.testing.assert_allclose(value[0, 0], np.full([2, 2], 2.0))
    np.testing.assert_allclose(value[0, 1], np.full([2, 2], 3.0))


def test_bias_add_activation_regularizer_and_alias(graph, run):
    out = slim.bias_add(
        tf.zeros([1, 2]),
        activation_fn=tf.nn.relu,
        initializer=tf.constant_initializer(-1.0),
        regularizer=slim.l1_regularizer(1.0),
        outputs_collections="ends",
        scope="bias",
    )
    assert slim.utils.convert_collection_to_dict("ends") == {"bias": out}
    value, loss = run([out, tf.get_collection(REG_LOSSES)[0]])
    np.testing.assert_allclose(value, [[0.0, 0.0]])
    assert loss == pytest.approx(2.0)


@pytest.mark.parametrize(
    "inputs, kwargs, match",
    [
        ([2, 3], {"data_format": "NHCW"}, "`data_format` must be one of .*Did you mean"),
        ([2, 3], {"data_format": "NCHW"}, r"must have rank 4, got shape \(2, 3\)"),
        ([3], {}, r"known rank >= 2, got shape \(3,\)"),
    ],
    ids=["unknown-format", "nchw-rank2", "rank1"],
)
def test_bias_add_rejects(graph, inputs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        slim.bias_add(tf.ones(inputs), **kwargs)


# dropout -----------------------------------------------------------------------------------


def test_dropout_keeps_or_scales(graph, run):
    out = slim.dropout(tf.ones([50, 40]), keep_prob=0.5, seed=1)
    value = run(out)
    assert set(np.unique(value)) <= {0.0, 2.0}
    assert 0.3 < np.mean(value == 2.0) < 0.7


def test_dropout_output_op_lives_in_the_dropout_scope(graph):
    # Scoped like TF-Slim's; the op inside is slimlib's own (TF-Slim: Dropout/dropout_1/mul_1).
    out = slim.dropout(tf.ones([2, 3]))
    assert out.op.name == "Dropout/dropout/SelectV2"


def test_dropout_not_training_is_identity(graph, run):
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    out = slim.dropout(x, 0.1, is_training=False)
    np.testing.assert_array_equal(run(out), run(x))


def test_dropout_keep_prob_one_is_identity(graph, run):
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal(run(slim.dropout(x, keep_prob=1.0)), run(x))


def test_dropout_is_training_tensor_chooses_at_run_time(graph):
    flag = tf.placeholder(tf.bool, [])
    out = slim.dropout(tf.ones([20, 20]), 0.25, is_training=flag)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {flag: False}), np.ones([20, 20]))
        assert set(np.unique(sess.run(out, {flag: True}))) <= {0.0, 4.0}


def test_dropout_keep_prob_tensor_and_noise_shape(graph, run):
    out = slim.dropout(tf.ones([4, 30]), tf.constant(0.5), noise_shape=[4, 1])
    value = run(out)
    for row in value:  # One keep/drop decision per row.
        assert len(set(row)) == 1 and row[0] in (0.0, 2.0)


def test_dropout_scope_and_alias(graph):
    a = slim.dropout(tf.ones([2, 2]), outputs_collections="ends")
    b = slim.dropout(tf.ones([2, 2]), outputs_collections="ends")
    assert a.name.startswith("Dropout/") and b.name.startswith("Dropout_1/")
    assert list(slim.utils.convert_collection_to_dict("ends")) == ["Dropout", "Dropout_1"]


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        (0.0, ValueError, r"`keep_prob` must be in \(0, 1\], got 0.0"),
        (1.5, ValueError, r"`keep_prob` must be in \(0, 1\], got 1.5"),
        ("half", TypeError, "`keep_prob` must be a number"),
    ],
    ids=["zero", "above-one", "string"],
)
def test_dropout_rejects_bad_keep_prob(graph, bad, exc, match):
    with pytest.raises(exc, match=match):
        slim.dropout(tf.ones([2, 2]), bad)


# flatten -----------------------------------------------------------------------------------


def test_flatten_keeps_batch(graph, run):
    x = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    out = slim.flatten(x)
    assert out.shape.as_list() == [2, 12]
    assert out.name.startswith("Flatten/")
    np.testing.assert_array_equal(run(out), np.arange(24).reshape(2, 12))


@pytest.mark.parametrize(
    "shape, static",
    [([None, 3, 2], [None, 6]), ([2, None, 2], [2, None]), ([None, None, 2], [None, None])],
    ids=["unknown-batch", "unknown-inner", "unknown-both"],
)
def test_flatten_unknown_dims(graph, run, shape, static):
    x = tf.placeholder(tf.float32, shape)
    out = slim.flatten(x)
    assert out.shape.as_list() == static
    assert run(out, {x: np.ones([2, 3, 2])}).shape == (2, 6)


def test_flatten_alias(graph):
    out = slim.flatten(tf.ones([2, 2, 2]), outputs_collections="ends", scope="flat")
    assert slim.utils.convert_collection_to_dict("ends") == {"flat": out}


@pytest.mark.parametrize(
    "shape, match",
    [([], r"must have a known rank >= 1, got shape \(\)"), (None, "has undefined rank")],
    ids=["scalar", "unknown-rank"],
)
def test_flatten_rejects_scalar_or_unknown_rank(graph, shape, match):
    with pytest.raises(ValueError, match="flatten: `inputs` " + match):
        slim.flatten(tf.placeholder(tf.float32, shape))


def test_flatten_of_a_vector_is_a_column(graph, run):
    # TF-Slim's reading of a rank-1 input: one feature per example.
    out = slim.flatten(tf.constant([1.0, 2.0, 3.0]))
    assert out.shape.as_list() == [3, 1]
    np.testing.assert_array_equal(run(out), [[1.0], [2.0], [3.0]])


def test_regularization_losses_are_named_like_tf_slim(graph):
    # TF-Slim's fully_connected is a Keras layer: its losses say "kernel" and "bias".
    reg = slim.l2_regularizer(1.0)
    slim.fully_connected(
        tf.ones([2, 3]), 4, weights_regularizer=reg, biases_regularizer=reg, scope="fc"
    )
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [loss.op.name for loss in losses] == [
        "fc/kernel/Regularizer/l2_regularizer",
        "fc/bias/Regularizer/l2_regularizer",
    ]
    assert [v.op.name for v in slim.get_model_variables()] == ["fc/weights", "fc/biases"]


# one_hot_encoding ---------------------------------------------------------------------------


def test_one_hot_encoding_golden(graph, run):
    out = slim.one_hot_encoding(tf.constant([0, 2]), 3)
    assert out.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(run(out), [[1, 0, 0], [0, 0, 1]])


def test_one_hot_encoding_on_off_values_and_alias(graph, run):
    out = slim.one_hot_encoding(
        np.array([1], np.int64), 2, on_value=5.0, off_value=-1.0, outputs_collections="ends"
    )
    assert slim.utils.convert_collection_to_dict("ends") == {"OneHotEncoding": out}
    np.testing.assert_array_equal(run(out), [[-1.0, 5.0]])


@pytest.mark.parametrize(
    "labels, num_classes, exc, match",
    [
        ([0], 0, ValueError, "`num_classes` must be >= 1, got 0"),
        ([0], 2.0, TypeError, "`num_classes` must be an int"),
        ([0.5], 2, TypeError, "`labels` must be an integer tensor"),
    ],
    ids=["zero-classes", "float-classes", "float-labels"],
)
def test_one_hot_encoding_rejects(graph, labels, num_classes, exc, match):
    with pytest.raises(exc, match=match):
        slim.one_hot_encoding(tf.constant(labels), num_classes)


# softmax -----------------------------------------------------------------------------------


def np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("shape", [[2, 3], [2, 2, 3], [1, 2, 2, 4]], ids=["2d", "3d", "4d"])
def test_softmax_over_last_axis(graph, run, shape):
    logits = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    out = slim.softmax(tf.constant(logits))
    assert out.shape.as_list() == shape
    np.testing.assert_allclose(run(out), np_softmax(logits), rtol=1e-5)


def test_softmax_scope(graph):
    assert slim.softmax(tf.ones([1, 2])).name.startswith("softmax/")
    assert slim.softmax(tf.ones([1, 2]), scope="probs").name.startswith("probs/")


@pytest.mark.parametrize(
    "shape, match",
    [([3], r"known rank >= 2, got shape \(3,\)"), ([2, None], "known size on axis -1")],
    ids=["rank1", "unknown-classes"],
)
def test_softmax_rejects(graph, shape, match):
    with pytest.raises(ValueError, match=match):
        slim.softmax(tf.placeholder(tf.float32, shape))
