"""TF-Slim's less common layers: pool, legacy_fully_connected, spatial_softmax, gdn, maxout,
poincare_normalize, images_to_sequence / sequence_to_images, dense_to_sparse, scale_gradient
and elu, each against a NumPy reference or values checkable by hand."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

GLOBAL = tf.GraphKeys.GLOBAL_VARIABLES
X = np.arange(2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3) / 10.0


# pool ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["AVG", "max"])
def test_pool_matches_numpy_windows(graph, run, kind):
    out = slim.pool(tf.constant(X), [2, 2], kind, stride=2)
    assert out.op.name == f"{kind.lower()}_pool"  # The output op is named after the scope.
    windows = X.reshape(2, 2, 2, 2, 2, 3)
    reduce = np.mean if kind == "AVG" else np.max
    np.testing.assert_allclose(run(out), reduce(windows, axis=(2, 4)), rtol=1e-6)


def test_pool_dilated_and_channels_first(graph, run):
    nchw = X.transpose(0, 3, 1, 2)
    out = slim.pool(tf.constant(nchw), [1, 2], "MAX", dilation_rate=[1, 2], data_format="NCHW")
    # Window columns (w, w + 2), w = 0, 1: the max is column w + 2.
    assert out.shape.as_list() == [2, 3, 4, 2]
    np.testing.assert_allclose(run(out), nchw[:, :, :, 2:4])


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"pooling_type": "MIN"}, ValueError, r"`pooling_type` must be one of \['AVG', 'MAX'\]"),
        ({"pooling_type": "AVG", "stride": 2, "dilation_rate": 2}, ValueError, "must be 1 when"),
        ({"pooling_type": "AVG", "data_format": "NCDHW"}, ValueError, "is for rank 5"),
    ],
    ids=["type", "stride-and-rate", "format-rank"],
)
def test_pool_rejects(graph, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        slim.pool(tf.constant(X), 2, **kwargs)


# legacy_fully_connected ---------------------------------------------------------------------


def test_legacy_fully_connected_golden_and_collections(graph, run):
    x = tf.constant([[1.0, 2.0, 3.0], [-4.0, 15.0, -6.0]])
    out = slim.legacy_relu(
        x,
        2,
        weight_init=tf.constant_initializer(2.0),
        bias_init=tf.constant_initializer(1.0),
        weight_collections=["w"],
        output_collections=["out"],
    )
    # Row sums 6 and 5, times 2, plus 1.
    np.testing.assert_allclose(run(out), [[13.0, 13.0], [11.0, 11.0]])
    names = [v.op.name for v in tf.get_collection(GLOBAL)]
    assert names == ["fully_connected/weights", "fully_connected/bias"]
    assert [v.op.name for v in tf.get_collection("w")] == ["fully_connected/weights"]
    assert [v.op.name for v in tf.get_collection(tf.GraphKeys.BIASES)] == ["fully_connected/bias"]
    assert tf.get_collection("out") == [out] and slim.get_model_variables() == []


def test_legacy_fully_connected_keeps_leading_axes(graph, run):
    x = tf.placeholder(tf.float32, [None, 4, 3])
    out = slim.legacy_linear(x, 1, weight_init=tf.ones_initializer(), bias_init=None)
    assert out.shape.as_list() == [None, 4, 1] and out.op.type == "Reshape"
    value = run(out, {x: np.ones([2, 4, 3])})
    np.testing.assert_allclose(value, np.full([2, 4, 1], 3.0))


@pytest.mark.parametrize(
    "shape, match",
    [([3], "rank of x must be at least 2 not: 1"), ([3, None], "last dimension of x must be")],
    ids=["rank1", "unknown-depth"],
)
def test_legacy_fully_connected_rejects(graph, shape, match):
    with pytest.raises(ValueError, match=match):
        slim.legacy_fully_connected(tf.placeholder(tf.float32, shape), 2)


# spatial_softmax ----------------------------------------------------------------------------


@pytest.mark.parametrize("data_format", ["NHWC", "NCHW"])
def test_spatial_softmax_finds_the_peak(graph, run, data_format):
    # One hot pixel per channel, at (row 0, col 2) and (row 2, col 0) of a 3x3 map; a low
    # temperature makes the softmax a one-hot, so the keypoints are those grid points.
    features = np.zeros([1, 3, 3, 2], np.float32)
    features[0, 0, 2, 0] = features[0, 2, 0, 1] = 1.0
    if data_format == "NCHW":
        features = features.transpose(0, 3, 1, 2)
    out = slim.spatial_softmax(tf.constant(features), temperature=0.01, data_format=data_format)
    np.testing.assert_allclose(run(out), [[-1.0, 1.0, 1.0, -1.0]], atol=1e-6)
    assert [v.op.name for v in slim.get_model_variables()] == ["spatial_softmax/temperature"]


def test_spatial_softmax_rejects_unknown_channels(graph):
    with pytest.raises(ValueError, match="num_channels dimension of the inputs"):
        slim.spatial_softmax(tf.placeholder(tf.float32, [1, 3, 3, None]))


# gdn ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("inverse", [False, True], ids=["gdn", "igdn"])
@pytest.mark.parametrize("rank", [3, 4, 5])
def test_gdn_at_initialisation(graph, run, inverse, rank):
    # beta = 1, gamma = 0.1 * I: y = x / sqrt(1 + 0.1 x^2), or x * sqrt(...) inverted.
    x = np.linspace(-2.0, 2.0, 24, dtype=np.float32).reshape([1] * (rank - 2) + [6, 4])
    out = slim.gdn(tf.constant(x), inverse=inverse)
    norm = np.sqrt(1.0 + 0.1 * x**2)
    np.testing.assert_allclose(run(out), x * norm if inverse else x / norm, atol=1e-6)
    assert [v.op.name for v in tf.get_collection(GLOBAL)] == [
        "gdn/reparam_beta",
        "gdn/reparam_gamma",
    ]


@pytest.mark.parametrize(
    "shape, kwargs, match",
    [
        ([1, 2, 3], {"data_format": "NHWC"}, "`data_format` must be one of"),
        ([1, 2], {}, "must have rank 3, 4 or 5"),
        ([1, 2, None], {}, "undefined channel size"),
    ],
    ids=["format", "rank", "channels"],
)
def test_gdn_rejects(graph, shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        slim.gdn(tf.placeholder(tf.float32, shape), **kwargs)


# maxout, poincare_normalize -----------------------------------------------------------------


def test_maxout_keeps_the_max_of_each_group(graph, run):
    x = np.array([[1.0, 5.0, 2.0, 3.0, 0.0, -1.0]], np.float32)
    np.testing.assert_allclose(run(slim.maxout(tf.constant(x), 2)), [[5.0, 3.0]])
    np.testing.assert_allclose(run(slim.maxout(tf.constant(x.T), 3, axis=0)), [[5.0], [3.0], [0.0]])


def test_maxout_rejects_a_size_not_divisible(graph):
    with pytest.raises(ValueError, match=r"number of features \(6\) on axis 1 must be a multiple"):
        slim.maxout(tf.ones([1, 6]), 4)


def test_poincare_normalize_shrinks_only_long_rows(graph, run):
    x = np.array([[3.0, 4.0], [0.3, 0.4]], np.float32)
    out = slim.poincare_normalize(tf.constant(x), axis=1, epsilon=0.1)
    # Row 0 has norm 5 > 0.9: scaled to norm 0.9; row 1 (norm 0.5) is kept.
    np.testing.assert_allclose(run(out), [[0.54, 0.72], [0.3, 0.4]], rtol=1e-6)


# images_to_sequence / sequence_to_images ----------------------------------------------------


def test_images_to_sequence_and_back(graph, run):
    images = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    seq = slim.images_to_sequence(tf.constant(images))
    assert seq.shape.as_list() == [4, 6, 5]
    back = slim.sequence_to_images(seq, 3)
    first = slim.sequence_to_images(seq, 3, output_data_format="channels_first")
    got_seq, got_back, got_first = run([seq, back, first])
    np.testing.assert_array_equal(got_seq[1, 3 + 2], images[1, 2, 1])  # Step 1 = column 1.
    np.testing.assert_array_equal(got_back, images)
    np.testing.assert_array_equal(got_first, images.transpose(0, 3, 1, 2))


def test_sequence_to_images_rejects_a_height_not_dividing(graph):
    with pytest.raises(ValueError, match=r"must be a multiple of `height`=4"):
        slim.sequence_to_images(tf.ones([2, 6, 3]), 4)


# dense_to_sparse, scale_gradient, elu -------------------------------------------------------


def test_dense_to_sparse_drops_the_eos_token(graph, run):
    sparse = slim.dense_to_sparse(tf.constant([[3, 7, 0], [0, 5, 0]]))
    value = run(sparse)
    np.testing.assert_array_equal(value.indices, [[0, 0], [0, 1], [1, 1]])
    np.testing.assert_array_equal(value.values, [3, 7, 5])
    np.testing.assert_array_equal(value.dense_shape, [2, 3])


def test_scale_gradient_is_identity_forward_and_scales_backward(graph, run):
    x = tf.constant([42.0])
    y = slim.scale_gradient(x, 2.0)
    (grad,) = tf.gradients(y, [x], [tf.constant([3.0])])
    np.testing.assert_allclose(run([y, grad]), [[42.0], [6.0]])


def test_elu_is_fully_connected_with_elu(graph, run):
    out = slim.elu(tf.constant([[-1.0, 1.0]]), 1, weights_initializer=tf.ones_initializer())
    np.testing.assert_allclose(run(out), [[0.0]])  # elu(-1 + 1 + 0) = 0
    out = slim.elu(tf.constant([[-2.0]]), 1, weights_initializer=tf.ones_initializer(), scope="neg")
    np.testing.assert_allclose(run(out), [[np.expm1(-2.0)]], rtol=1e-6)


# slim.layers as a namespace --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, target",
    [
        ("l2_regularizer", slim.l2_regularizer),
        ("xavier_initializer", slim.xavier_initializer),
        ("group_norm", slim.layers.normalization.group_norm),
        ("optimize_loss", slim.layers.optimizers.optimize_loss),
        ("summarize_tensor", slim.layers.summaries.summarize_tensor),
        ("rev_block", slim.layers.rev_block_lib.rev_block),
    ],
)
def test_slim_layers_holds_tf_slims_layers_namespace(name, target):
    # TF-Slim's `tf_slim.layers` star-imports these modules; code reaches them through it.
    assert getattr(slim.layers, name) is target
    assert name in slim.layers.__all__
