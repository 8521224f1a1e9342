"""Normalization layers: batch_norm, layer_norm and unit_norm against NumPy references.

batch_norm is checked on both of its paths (the fused kernel and tf.nn.moments with
tf.nn.batch_normalization), which must agree on outputs and moving means; as in TF-Slim,
the fused path's moving variance follows the unbiased batch variance.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

GLOBAL = tf.GraphKeys.GLOBAL_VARIABLES
MODEL = tf.GraphKeys.MODEL_VARIABLES
TRAINABLE = tf.GraphKeys.TRAINABLE_VARIABLES
UPDATE_OPS = tf.GraphKeys.UPDATE_OPS
EPS = 0.001  # batch_norm's default epsilon.

RNG = np.random.default_rng(0)
X2 = RNG.normal(2.0, 3.0, size=(6, 3)).astype(np.float32)
X4 = RNG.normal(-1.0, 2.0, size=(4, 3, 3, 2)).astype(np.float32)


def names(collection, scope=None):
    return [v.op.name for v in tf.get_collection(collection, scope)]


def np_batch_norm(x, axes, mean=None, var=None, gamma=1.0, beta=0.0, eps=EPS):
    mean = x.mean(axis=axes) if mean is None else mean
    var = x.var(axis=axes) if var is None else var
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def train_once(outputs):
    """Runs `outputs` and the update ops once; returns the outputs and the moving statistics."""
    moving = tf.get_collection(GLOBAL, ".*moving_(mean|variance):")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value, _ = sess.run([outputs, tf.get_collection(UPDATE_OPS)])
        return value, sess.run(moving)


# batch_norm: numbers -----------------------------------------------------------------------

PATHS = pytest.mark.parametrize("fused", [True, False], ids=["fused", "plain"])


@PATHS
@pytest.mark.parametrize("x, axes", [(X2, 0), (X4, (0, 1, 2))], ids=["rank2", "rank4"])
def test_batch_norm_training_normalizes_with_batch_moments(graph, x, axes, fused):
    out = slim.batch_norm(tf.constant(x), decay=0.9, fused=fused)
    kernels = [op for op in graph.get_operations() if op.type.startswith("FusedBatchNorm")]
    assert bool(kernels) == fused
    value, (moving_mean, moving_var) = train_once(out)
    np.testing.assert_allclose(value, np_batch_norm(x, axes), atol=1e-5)
    # One step from (0, 1): moving = moving * decay + batch_stat * (1 - decay). The
    # fused path averages the unbiased variance (ddof=1), the plain one the biased.
    np.testing.assert_allclose(moving_mean, 0.1 * x.mean(axis=axes), rtol=1e-5)
    ddof = 1 if fused else 0
    np.testing.assert_allclose(moving_var, 0.9 + 0.1 * x.var(axis=axes, ddof=ddof), rtol=1e-5)


@PATHS
def test_batch_norm_moving_variance_is_unbiased_on_the_fused_path_only(graph, fused):
    # n = 16 values per channel: TF-Slim's fused path moves towards n / (n - 1) * var.
    x = RNG.normal(0.0, 1.0, size=(4, 2, 2, 3)).astype(np.float32)
    out = slim.batch_norm(tf.constant(x), decay=0.0, fused=fused)
    _, (_, moving_var) = train_once(out)
    ratio = moving_var / x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(ratio, 16 / 15 if fused else 1.0, rtol=1e-5)


def test_batch_norm_accepts_zero_epsilon(graph, run):
    # Inference with moving statistics (5, 4): (9 - 5) / sqrt(4 + 0) = 2 exactly.
    out = slim.batch_norm(
        tf.fill([2, 3], 9.0),
        epsilon=0.0,
        is_training=False,
        param_initializers={
            "moving_mean": tf.constant_initializer(5.0),
            "moving_variance": tf.constant_initializer(4.0),
        },
    )
    np.testing.assert_allclose(run(out), np.full([2, 3], 2.0))


def test_batch_norm_moving_statistics_are_not_partitioned(graph):
    partitioner = tf.fixed_size_partitioner(2, axis=0)
    with tf.variable_scope(tf.get_variable_scope(), partitioner=partitioner):
        slim.batch_norm(tf.constant(X4), scale=True, is_training=False)
    shapes = {v.op.name: v.shape.as_list() for v in tf.global_variables()}
    assert shapes["BatchNorm/moving_mean"] == [2]
    assert shapes["BatchNorm/moving_variance"] == [2]
    assert shapes["BatchNorm/beta/part_0"] == [1]  # beta and gamma follow the partitioner.


@PATHS
def test_batch_norm_scale_and_center_use_gamma_and_beta(graph, run, fused):
    out = slim.batch_norm(
        tf.constant(X4),
        scale=True,
        fused=fused,
        param_initializers={"gamma": tf.constant_initializer(2.0), "beta": tf.ones_initializer()},
    )
    np.testing.assert_allclose(
        run(out), np_batch_norm(X4, (0, 1, 2), gamma=2.0, beta=1.0), atol=1e-5
    )


@PATHS
def test_batch_norm_inference_uses_moving_statistics(graph, run, fused):
    out = slim.batch_norm(
        tf.constant(X4),
        is_training=False,
        fused=fused,
        param_initializers={
            "moving_mean": tf.constant_initializer(1.0),
            "moving_variance": tf.constant_initializer(4.0),
        },
    )
    assert tf.get_collection(UPDATE_OPS) == []
    np.testing.assert_allclose(run(out), (X4 - 1.0) / np.sqrt(4.0 + EPS), atol=1e-5)


@pytest.mark.parametrize("rank", [2, 3, 4, 5], ids=["rank2", "rank3", "rank4", "rank5"])
@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_batch_norm_fused_and_plain_paths_agree(graph, rank, data_format):
    x = RNG.normal(size=(4, 3, 2, 2, 2)[:rank]).astype(np.float32)
    results = []
    for fused in (True, False):
        with tf.Graph().as_default():
            out = slim.batch_norm(
                tf.constant(x), decay=0.5, scale=True, fused=fused, data_format=data_format
            )
            results.append(train_once(out))
    (fused_out, fused_moving), (plain_out, plain_moving) = results
    np.testing.assert_allclose(fused_out, plain_out, atol=1e-5)
    np.testing.assert_allclose(fused_moving[0], plain_moving[0], rtol=1e-5)
    # The kernel covers ranks 2 and 4 only; there its moving variance (0.5 + 0.5 * v)
    # follows the unbiased batch variance, n / (n - 1) times the biased one.
    n = x.size // x.shape[1 if data_format == "NCHW" else -1]
    bessel = n / (n - 1) if rank in (2, 4) else 1.0
    np.testing.assert_allclose(fused_moving[1] - 0.5, (plain_moving[1] - 0.5) * bessel, rtol=1e-5)


@PATHS
def test_batch_norm_nchw_matches_nhwc(graph, run, fused):
    nchw = slim.batch_norm(tf.constant(X4.transpose(0, 3, 1, 2)), data_format="NCHW", fused=fused)
    nhwc = slim.batch_norm(tf.constant(X4), fused=fused)
    assert nchw.shape.as_list() == [4, 2, 3, 3]
    assert [v.shape.as_list() for v in tf.get_collection(MODEL, "BatchNorm/")] == [[2]] * 3
    got_nchw, got_nhwc = run([nchw, nhwc])
    np.testing.assert_allclose(got_nchw.transpose(0, 2, 3, 1), got_nhwc, atol=1e-5)


def test_batch_norm_is_training_tensor(graph):
    flag = tf.placeholder(tf.bool, [])
    out = slim.batch_norm(
        tf.constant(X2), is_training=flag, param_initializers={"moving_mean": tf.ones_initializer()}
    )
    updates = tf.get_collection(UPDATE_OPS)
    assert len(updates) == 2
    (moving_mean,) = [v for v in tf.global_variables() if v.op.name.endswith("moving_mean")]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        inference, _ = sess.run([out, updates], {flag: False})
        assert sess.run(moving_mean) == pytest.approx([1.0] * 3)  # No change when not training.
        training, _ = sess.run([out, updates], {flag: True})
        after = sess.run(moving_mean)
    np.testing.assert_allclose(inference, (X2 - 1.0) / np.sqrt(1.0 + EPS), atol=1e-5)
    np.testing.assert_allclose(training, np_batch_norm(X2, 0), atol=1e-5)
    np.testing.assert_allclose(after, 0.999 + 0.001 * X2.mean(axis=0), rtol=1e-5)


@PATHS
def test_batch_norm_in_place_updates(graph, fused):
    out = slim.batch_norm(tf.constant(X4), decay=0.9, updates_collections=None, fused=fused)
    assert tf.get_collection(UPDATE_OPS) == []
    (moving_mean,) = [v for v in tf.global_variables() if v.op.name.endswith("moving_mean")]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = sess.run(out)  # Running the output alone updates the statistics.
        after = sess.run(moving_mean)
    np.testing.assert_allclose(value, np_batch_norm(X4, (0, 1, 2)), atol=1e-5)
    np.testing.assert_allclose(after, 0.1 * X4.mean(axis=(0, 1, 2)), rtol=1e-5)


def test_batch_norm_in_place_updates_with_is_training_tensor(graph):
    flag = tf.placeholder(tf.bool, [])
    out = slim.batch_norm(tf.constant(X2), decay=0.5, updates_collections=None, is_training=flag)
    (moving_mean,) = [v for v in tf.global_variables() if v.op.name.endswith("moving_mean")]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(out, {flag: False})
        assert sess.run(moving_mean) == pytest.approx([0.0] * 3)
        sess.run(out, {flag: True})
        np.testing.assert_allclose(sess.run(moving_mean), 0.5 * X2.mean(axis=0), rtol=1e-5)


def test_batch_norm_custom_updates_collection(graph):
    slim.batch_norm(tf.constant(X2), updates_collections="my_updates")
    assert len(tf.get_collection("my_updates")) == 2
    assert tf.get_collection(UPDATE_OPS) == []


def test_batch_norm_update_ops_count_per_layer(graph):
    net = slim.batch_norm(tf.constant(X4))
    net = slim.batch_norm(net)
    slim.batch_norm(net, is_training=False)
    assert len(tf.get_collection(UPDATE_OPS)) == 4


def test_batch_norm_batch_weights(graph, run):
    weights = np.array([1.0, 0.0, 2.0, 1.0, 0.0, 1.0], np.float32)
    out = slim.batch_norm(tf.constant(X2), decay=0.0, batch_weights=tf.constant(weights))
    value, (moving_mean, moving_var) = train_once(out)
    mean = np.average(X2, axis=0, weights=weights)
    var = np.average((X2 - mean) ** 2, axis=0, weights=weights)
    np.testing.assert_allclose(value, (X2 - mean) / np.sqrt(var + EPS), atol=1e-5)
    np.testing.assert_allclose(moving_mean, mean, rtol=1e-5)  # decay 0 copies the batch.
    np.testing.assert_allclose(moving_var, var, rtol=1e-5)


@PATHS
def test_batch_norm_zero_debias_moving_mean(graph, fused):
    out = slim.batch_norm(tf.constant(X2), decay=0.9, zero_debias_moving_mean=True, fused=fused)
    debias = [
        "BatchNorm/BatchNorm/moving_mean/biased",
        "BatchNorm/BatchNorm/moving_mean/local_step",
    ]
    assert names(GLOBAL, ".*(biased|local_step)") == debias
    # As in TF-Slim: model variables (saved with the model) on the plain path only.
    assert names(MODEL, ".*(biased|local_step)") == ([] if fused else debias)
    _, (moving_mean, moving_var) = train_once(out)
    # Debiased after one step: 0.1 * m / (1 - 0.9) = m. Fused: unbiased variance.
    np.testing.assert_allclose(moving_mean, X2.mean(axis=0), rtol=1e-5)
    ddof = 1 if fused else 0
    np.testing.assert_allclose(moving_var, 0.9 + 0.1 * X2.var(axis=0, ddof=ddof), rtol=1e-5)


def test_batch_norm_zero_debias_with_is_training_tensor(graph):
    flag = tf.placeholder(tf.bool, [])
    out = slim.batch_norm(
        tf.constant(X4), decay=0.9, zero_debias_moving_mean=True, is_training=flag
    )
    (moving_mean,) = tf.get_collection(GLOBAL, ".*moving_mean:")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([out, tf.get_collection(UPDATE_OPS)], {flag: False})
        assert sess.run(moving_mean) == pytest.approx([0.0, 0.0])
        sess.run([out, tf.get_collection(UPDATE_OPS)], {flag: True})
        np.testing.assert_allclose(sess.run(moving_mean), X4.mean(axis=(0, 1, 2)), rtol=1e-5)


def test_batch_norm_adjustment_in_training_only(graph, run):
    def adjustment(shape):
        channels = shape[-1:]
        return tf.fill(channels, 2.0), tf.fill(channels, 1.0)

    train = slim.batch_norm(tf.constant(X2), adjustment=adjustment)
    infer = slim.batch_norm(tf.constant(X2), adjustment=adjustment, is_training=False)
    got_train, got_infer = run([train, infer])
    np.testing.assert_allclose(got_train, 2.0 * np_batch_norm(X2, 0) + 1.0, atol=1e-5)
    np.testing.assert_allclose(got_infer, X2 / np.sqrt(1.0 + EPS), atol=1e-5)


def test_batch_norm_activation_and_float64(graph, run):
    out = slim.batch_norm(tf.constant(X2.astype(np.float64)), activation_fn=tf.nn.relu)
    assert out.dtype == tf.float64
    assert tf.get_collection(MODEL)[0].dtype.base_dtype == tf.float64
    np.testing.assert_allclose(run(out), np.maximum(np_batch_norm(X2, 0), 0), atol=1e-5)


def test_batch_norm_float16_keeps_float32_statistics(graph, run):
    out = slim.batch_norm(tf.constant(X4.astype(np.float16)))
    assert out.dtype == tf.float16
    assert {v.dtype.base_dtype for v in tf.get_collection(MODEL)} == {tf.float32}
    np.testing.assert_allclose(run(out), np_batch_norm(X4, (0, 1, 2)), atol=2e-2)


# batch_norm: variables, scopes, collections -------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, ["beta", "moving_mean", "moving_variance"]),
        ({"scale": True}, ["beta", "gamma", "moving_mean", "moving_variance"]),
        ({"center": False}, ["moving_mean", "moving_variance"]),
    ],
    ids=["default", "scale", "no-center"],
)
def test_batch_norm_variables(graph, kwargs, expected):
    slim.batch_norm(tf.constant(X2), **kwargs)
    assert names(MODEL) == names(GLOBAL) == [f"BatchNorm/{n}" for n in expected]
    trainable = [n for n in expected if n in ("beta", "gamma")]
    assert names(TRAINABLE) == [f"BatchNorm/{n}" for n in trainable]
    assert [v.shape.as_list() for v in tf.get_collection(MODEL)] == [[3]] * len(expected)


def test_batch_norm_rank4_creates_gamma_first_like_tf_slim(graph):
    # TF-Slim's default 4-D path builds a Keras layer, which creates gamma before beta.
    slim.batch_norm(tf.constant(X4), scale=True)
    assert names(MODEL) == [
        "BatchNorm/gamma",
        "BatchNorm/beta",
        "BatchNorm/moving_mean",
        "BatchNorm/moving_variance",
    ]


def test_batch_norm_not_trainable(graph):
    slim.batch_norm(tf.constant(X2), scale=True, trainable=False)
    assert names(TRAINABLE) == []
    assert len(names(MODEL)) == 4


def test_batch_norm_variables_collections_dict(graph):
    slim.batch_norm(
        tf.constant(X2),
        scale=True,
        variables_collections={"beta": ["betas"], "moving_mean": ["stats"]},
    )
    assert names("betas") == ["BatchNorm/beta"]
    assert names("stats") == ["BatchNorm/moving_mean"]


def test_batch_norm_variables_collections_list(graph):
    slim.batch_norm(tf.constant(X2), variables_collections=["bn_vars"])
    assert names("bn_vars") == names(MODEL)


def test_batch_norm_param_regularizers(graph, run):
    slim.batch_norm(
        tf.constant(X2),
        scale=True,
        param_initializers={"gamma": tf.constant_initializer(2.0)},
        param_regularizers={"gamma": slim.l1_regularizer(1.0)},
    )
    (loss,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert run(loss) == pytest.approx(6.0)  # |2| for each of 3 channels.


def test_batch_norm_scopes_reuse_and_alias(graph):
    a = slim.batch_norm(tf.constant(X2), outputs_collections="ends")
    slim.batch_norm(tf.constant(X2), outputs_collections="ends")
    slim.batch_norm(tf.constant(X2), scope="BatchNorm", reuse=True)
    assert names(MODEL, ".*moving_mean") == ["BatchNorm/moving_mean", "BatchNorm_1/moving_mean"]
    ends = slim.utils.convert_collection_to_dict("ends")
    assert list(ends) == ["BatchNorm", "BatchNorm_1"] and ends["BatchNorm"] is a


def test_batch_norm_under_arg_scope(graph):
    with slim.arg_scope([slim.batch_norm], is_training=False, scale=True):
        slim.batch_norm(tf.constant(X2))
    assert tf.get_collection(UPDATE_OPS) == []
    assert "BatchNorm/gamma" in names(MODEL)


def test_batch_norm_trace_flops(graph):
    with slim.trace_layers() as trace:
        slim.batch_norm(tf.constant(X4), scale=True, scope="bn")
    (record,) = trace.records
    assert (record.op, record.scope, record.params, record.trainable_params) == (
        "batch_norm",
        "bn",
        8,
        4,
    )
    assert record.flops == 3 * 3 * 2 * 4  # Subtract, multiply, scale, shift per element.


@pytest.mark.parametrize(
    "inputs, kwargs, exc, match",
    [
        ([2, 3], {"data_format": "NHCW"}, ValueError, "`data_format` must be one of"),
        ([3], {}, ValueError, r"known rank >= 2, got shape \(3,\)"),
        ([2, 3], {"renorm": True}, ValueError, "`renorm` must be False, got True"),
        ([2, 3], {"decay": 1.5}, ValueError, r"`decay` must be in \[0.0, 1.0\], got 1.5"),
        ([2, 3], {"epsilon": -1.0}, ValueError, "`epsilon` must be >= 0.0, got -1.0"),
        ([2, 3], {"is_training": "yes"}, TypeError, "`is_training` must be a bool"),
        (
            [2, 3],
            {"param_initializers": {"moving_varaince": tf.ones_initializer()}},
            ValueError,
            "got 'moving_varaince'. Did you mean 'moving_variance'",
        ),
        ([2, 3], {"param_regularizers": [1]}, TypeError, "`param_regularizers` must be a dict"),
        (
            [2, 3],
            {"batch_weights": np.ones(4, np.float32)},
            ValueError,
            "`batch_weights` must have shape",
        ),
    ],
    ids=[
        "data-format",
        "rank1",
        "renorm",
        "decay",
        "epsilon",
        "is-training",
        "param-key",
        "param-type",
        "batch-weights",
    ],
)
def test_batch_norm_rejects(graph, inputs, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        slim.batch_norm(tf.ones(inputs), **kwargs)


def test_batch_norm_rejects_unknown_channels_and_integers(graph):
    with pytest.raises(ValueError, match=r"axis 1 \(undefined channel size\), got shape \(2, None"):
        slim.batch_norm(tf.placeholder(tf.float32, [2, None]))
    with pytest.raises(TypeError, match="must be a floating point tensor, got dtype int32"):
        slim.batch_norm(tf.ones([2, 3], tf.int32))


# layer_norm --------------------------------------------------------------------------------


def np_layer_norm(x, axes, eps=1e-12):
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


def test_layer_norm_default_normalizes_each_example(graph, run):
    out = slim.layer_norm(tf.constant(X4))
    assert names(MODEL) == names(TRAINABLE) == ["LayerNorm/beta", "LayerNorm/gamma"]
    assert [v.shape.as_list() for v in tf.get_collection(MODEL)] == [[2], [2]]
    np.testing.assert_allclose(run(out), np_layer_norm(X4, (1, 2, 3)), atol=1e-5)


def test_layer_norm_axes(graph, run):
    out = slim.layer_norm(tf.constant(X4), begin_norm_axis=-1, begin_params_axis=1)
    assert [v.shape.as_list() for v in tf.get_collection(MODEL)] == [[3, 3, 2]] * 2
    np.testing.assert_allclose(run(out), np_layer_norm(X4, (3,)), atol=1e-4)


def test_layer_norm_options(graph):
    slim.layer_norm(tf.constant(X2), center=False, variables_collections=["ln"], trainable=False)
    slim.layer_norm(tf.constant(X2), scale=False, outputs_collections="ends", scope="ln")
    assert names(MODEL) == ["LayerNorm/gamma", "ln/beta"]
    assert names("ln") == ["LayerNorm/gamma"] and names(TRAINABLE) == ["ln/beta"]
    assert list(slim.utils.convert_collection_to_dict("ends")) == ["ln"]


@pytest.mark.parametrize(
    "shape, kwargs, exc, match",
    [
        ([2, 3], {"begin_norm_axis": 2}, ValueError, r"must be < rank\(inputs\).* \[-2, 2\)"),
        ([2, 3], {"begin_params_axis": -3}, ValueError, "`begin_params_axis` must be < rank"),
        ([2, 3], {"begin_norm_axis": 1.0}, TypeError, "`begin_norm_axis` must be an int"),
        ([2, None], {}, ValueError, r"`inputs.shape\[-1:\]` is not fully defined"),
        (None, {}, ValueError, "`inputs` has undefined rank; it must have a known rank"),
    ],
    ids=["norm-axis", "params-axis", "float-axis", "unknown-params", "unknown-rank"],
)
def test_layer_norm_rejects(graph, shape, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        slim.layer_norm(tf.placeholder(tf.float32, shape), **kwargs)


# unit_norm ---------------------------------------------------------------------------------


def test_unit_norm_golden(graph, run):
    out = slim.unit_norm(tf.constant([[3.0, 4.0], [0.0, 2.0]]), 1)
    np.testing.assert_allclose(run(out), [[0.6, 0.8], [0.0, 1.0]], rtol=1e-6)


def test_unit_norm_other_axis_and_scope(graph, run):
    out = slim.unit_norm(tf.constant(X4), dim=0)
    assert out.name.startswith("UnitNorm/")
    lengths = np.sqrt(1e-7 + (X4**2).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(run(out), X4 / lengths, rtol=1e-5)


@pytest.mark.parametrize(
    "dim, exc, match",
    [
        (2, ValueError, r"`dim` must be in \[0, 2\) for inputs of shape \(2, 3\), got 2"),
        (-1, ValueError, r"`dim` must be in \[0, 2\)"),
        (1.0, TypeError, "`dim` must be an int, got 1.0"),
    ],
    ids=["too-large", "negative", "float"],
)
def test_unit_norm_rejects(graph, dim, exc, match):
    with pytest.raises(exc, match=match):
        slim.unit_norm(tf.ones([2, 3]), dim)


@pytest.mark.parametrize(
    "call",
    [
        lambda: slim.batch_norm(tf.ones([2, 3])),
        lambda: slim.layer_norm(tf.ones([2, 3])),
        lambda: slim.unit_norm(tf.ones([2, 3]), 1),
    ],
    ids=["batch_norm", "layer_norm", "unit_norm"],
)
def test_eager_call_raises(call):
    with pytest.raises(RuntimeError, match=r"tf.Graph\(\).as_default\(\)"):
        call()
