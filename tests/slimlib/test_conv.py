"""Convolution layers: convolution (1-D/2-D/3-D), conv2d_in_plane, conv2d/3d_transpose and
separable_conv2d.

Golden values are checkable by hand (inputs of ones and weights of ones give
`kernel area * in_channels` per output away from the borders) or come from the small
NumPy references below, which spell out stride, padding and dilation.
"""

import math

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

GLOBAL = tf.GraphKeys.GLOBAL_VARIABLES
MODEL = tf.GraphKeys.MODEL_VARIABLES
TRAINABLE = tf.GraphKeys.TRAINABLE_VARIABLES
REG_LOSSES = tf.GraphKeys.REGULARIZATION_LOSSES
ONES = tf.ones_initializer()
HAS_GPU = bool(tf.config.list_physical_devices("GPU"))


def names(collection, scope=None):
    return [v.op.name for v in tf.get_collection(collection, scope)]


def names_and_shapes(collection=GLOBAL):
    return [(v.op.name, v.shape.as_list()) for v in tf.get_collection(collection)]


# NumPy references (channels last) ---------------------------------------------------------


def _as_tuple(value, n):
    return (value,) * n if isinstance(value, int) else tuple(value)


def np_conv(x, w, stride=1, padding="SAME", rate=1):
    """Cross-correlation of `x` `[N, *spatial, Cin]` with `w` `[*kernel, Cin, Cout]`."""
    n = x.ndim - 2
    stride, rate = _as_tuple(stride, n), _as_tuple(rate, n)
    kernel = w.shape[:n]
    span = [(k - 1) * r + 1 for k, r in zip(kernel, rate)]  # dilated kernel extent
    sizes = x.shape[1:-1]
    if padding == "SAME":
        out = [math.ceil(i / s) for i, s in zip(sizes, stride)]
        total = [max((o - 1) * s + e - i, 0) for o, s, e, i in zip(out, stride, span, sizes)]
        pads = [(t // 2, t - t // 2) for t in total]
    else:
        out = [math.ceil((i - e + 1) / s) for i, e, s in zip(sizes, span, stride)]
        pads = [(0, 0)] * n
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    y = np.zeros([x.shape[0], *out, w.shape[-1]])
    for pos in np.ndindex(*out):
        window = tuple(slice(p * s, p * s + e, r) for p, s, e, r in zip(pos, stride, span, rate))
        patch = xp[(slice(None), *window, slice(None))]  # [N, *kernel, Cin]
        y[(slice(None), *pos, slice(None))] = np.tensordot(
            patch, w, axes=(list(range(1, n + 2)), list(range(n + 1)))
        )
    return y


def np_conv_transpose(x, w, stride, padding):
    """Transposed convolution of `x` `[N, *spatial, Cin]` with `w` `[*kernel, Cout, Cin]`.

    Every input position adds `x[pos] * w` into the output at `pos * stride`; the
    result is then cropped as the gradient of a convolution with that padding.
    """
    n = x.ndim - 2
    stride = _as_tuple(stride, n)
    kernel = w.shape[:n]
    sizes = x.shape[1:-1]
    full = np.zeros(
        [x.shape[0], *[(i - 1) * s + k for i, s, k in zip(sizes, stride, kernel)], w.shape[-2]]
    )
    for pos in np.ndindex(*sizes):
        contribution = np.tensordot(x[(slice(None), *pos, slice(None))], w, axes=([1], [n + 1]))
        where = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, stride, kernel))
        full[(slice(None), *where, slice(None))] += contribution
    out = [
        i * s + (max(k - s, 0) if padding == "VALID" else 0)
        for i, s, k in zip(sizes, stride, kernel)
    ]
    before = [0 if padding == "VALID" else max(k - s, 0) // 2 for k, s in zip(kernel, stride)]
    extra = [max(o + b - f, 0) for o, b, f in zip(out, before, full.shape[1:-1])]
    full = np.pad(full, [(0, 0), *[(0, e) for e in extra], (0, 0)])
    crop = tuple(slice(b, b + o) for b, o in zip(before, out))
    return full[(slice(None), *crop, slice(None))]


def random(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def test_numpy_reference_matches_a_hand_computed_convolution():
    x = np.arange(16, dtype=np.float32).reshape([1, 4, 4, 1])
    w = np.ones([2, 2, 1, 1], np.float32)
    y = np_conv(x, w, stride=2, padding="VALID")
    np.testing.assert_allclose(y[0, :, :, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7], [42, 50]])


# convolution2d: golden values -------------------------------------------------------------


def test_conv2d_ones_give_kernel_area_times_channels_plus_bias(graph, run):
    out = slim.conv2d(
        tf.ones([1, 3, 3, 2]),
        4,
        [3, 3],
        weights_initializer=ONES,
        biases_initializer=tf.constant_initializer(0.5),
    )
    assert out.shape.as_list() == [1, 3, 3, 4]
    # SAME padding: a corner window covers 2x2 inputs, an edge 2x3, the center 3x3 (x 2 channels).
    expected = np.array([[8, 12, 8], [12, 18, 12], [8, 12, 8]]) + 0.5
    np.testing.assert_allclose(run(out)[0], np.repeat(expected[:, :, None], 4, axis=2))


def test_conv2d_valid_padding_and_linear_activation(graph, run):
    neg = tf.constant_initializer(-1.0)
    valid = slim.conv2d(tf.ones([1, 3, 3, 2]), 1, 3, padding="VALID", weights_initializer=ONES)
    relu = slim.conv2d(tf.ones([1, 3, 3, 2]), 1, 3, padding="valid", weights_initializer=neg)
    linear = slim.conv2d(
        tf.ones([1, 3, 3, 2]), 1, 3, padding="VALID", weights_initializer=neg, activation_fn=None
    )
    np.testing.assert_allclose(run([valid, relu, linear]), [[[[[18]]]], [[[[0]]]], [[[[-18]]]]])


@pytest.mark.parametrize(
    "stride, padding, rate",
    [(1, "SAME", 1), (2, "SAME", 1), ([2, 1], "VALID", 1), (1, "SAME", 2), (1, "VALID", [2, 1])],
    ids=["same", "stride2", "stride21-valid", "atrous2", "atrous21-valid"],
)
def test_conv2d_matches_numpy_reference(graph, run, stride, padding, rate):
    x, w = random([2, 7, 6, 3]), random([3, 3, 3, 4], seed=1)
    out = slim.conv2d(
        x,
        4,
        [3, 3],
        stride=stride,
        padding=padding,
        rate=rate,
        activation_fn=None,
        weights_initializer=tf.constant_initializer(w),
    )
    expected = np_conv(x, w, stride, padding, rate)
    assert out.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(run(out), expected, rtol=1e-5, atol=1e-5)


def test_atrous_rate2_spreads_the_kernel_taps(graph, run):
    # A 3x3 kernel at rate 2 reads inputs 2 apart: on a 5x5 grid the center sees 9 of them.
    x = np.arange(25, dtype=np.float32).reshape([1, 5, 5, 1])
    out = slim.conv2d(x, 1, 3, rate=2, padding="VALID", weights_initializer=ONES)
    assert out.shape.as_list() == [1, 1, 1, 1]
    assert run(out).item() == sum(x[0, i, j, 0] for i in (0, 2, 4) for j in (0, 2, 4))


def test_conv2d_accepts_numpy_ints_and_static_shapes_as_sizes(graph):
    x = tf.ones([1, 4, 4, 1])
    net = slim.conv2d(x, 2, np.int64(3), stride=[np.int32(2), 2])
    assert net.shape.as_list() == [1, 2, 2, 2]
    pooled = slim.conv2d(net, 3, net.get_shape()[1:3], padding="VALID")
    assert pooled.shape.as_list() == [1, 1, 1, 3]


def test_numpy_int_counts_are_accepted(graph):
    net = slim.conv2d(tf.ones([1, 4, 4, 1]), np.int64(2), 3)
    sep = slim.separable_conv2d(net, np.int32(3), 3, depth_multiplier=np.int64(2))
    assert (net.shape.as_list(), sep.shape.as_list()) == ([1, 4, 4, 2], [1, 4, 4, 3])


def test_conv2d_keeps_an_unknown_batch(graph, run):
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    out = slim.conv2d(x, 2, 3, stride=2, weights_initializer=ONES)
    assert out.shape.as_list() == [None, 2, 2, 2]
    assert run(out, {x: np.ones([3, 4, 4, 1])}).shape == (3, 2, 2, 2)


# convolution: 1-D, 3-D and the rank dispatch ----------------------------------------------


def test_conv1d_ones_give_kernel_width_times_channels(graph, run):
    out = slim.conv1d(tf.ones([1, 5, 2]), 3, 3, weights_initializer=ONES)
    assert out.shape.as_list() == [1, 5, 3]
    assert [v.shape.as_list() for v in slim.get_model_variables()] == [[3, 2, 3], [3]]
    np.testing.assert_allclose(run(out)[0, :, 0], [4, 6, 6, 6, 4])


def test_conv1d_causal_padding_sees_no_future_input(graph, run):
    x = np.arange(1, 6, dtype=np.float32).reshape([1, 5, 1])
    out = slim.conv1d(x, 1, 2, rate=2, padding="causal", weights_initializer=ONES)
    # Output t = x[t] + x[t - 2], with zeros before the sequence.
    np.testing.assert_allclose(run(out)[0, :, 0], [1, 2, 4, 6, 8])


def test_conv3d_ones_and_numpy_reference(graph, run):
    ones = slim.conv3d(tf.ones([1, 3, 3, 3, 1]), 2, 3, weights_initializer=ONES)
    x, w = random([1, 5, 4, 4, 2]), random([3, 2, 3, 2, 3], seed=2)
    strided = slim.conv3d(
        x,
        3,
        [3, 2, 3],
        stride=2,
        activation_fn=None,
        weights_initializer=tf.constant_initializer(w),
    )
    assert slim.get_model_variables()[0].shape.as_list() == [3, 3, 3, 1, 2]
    got_ones, got_strided = run([ones, strided])
    assert got_ones[0, 1, 1, 1, 0] == 27 and got_ones[0, 0, 0, 0, 0] == 8
    np.testing.assert_allclose(got_strided, np_conv(x, w, 2), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "shape, expected",
    [([1, 4, 2], [1, 4, 3]), ([1, 4, 4, 2], [1, 4, 4, 3]), ([1, 4, 4, 4, 2], [1, 4, 4, 4, 3])],
    ids=["1d", "2d", "3d"],
)
def test_convolution_picks_dims_from_the_rank(graph, shape, expected):
    out = slim.convolution(tf.ones(shape), 3, 3)
    assert out.shape.as_list() == expected
    assert slim.get_model_variables()[0].shape.as_list() == [3] * (len(shape) - 2) + [2, 3]


# channels first ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, shape, fmt, expected, weights",
    [
        (slim.conv1d, [1, 2, 5], "NCW", [1, 3, 5], [3, 2, 3]),
        (slim.conv2d, [1, 2, 5, 5], "NCHW", [1, 3, 5, 5], [3, 3, 2, 3]),
        (slim.conv3d, [1, 2, 4, 4, 4], "NCDHW", [1, 3, 4, 4, 4], [3, 3, 3, 2, 3]),
    ],
    ids=["ncw", "nchw", "ncdhw"],
)
def test_channels_first_shapes_and_variables(graph, layer, shape, fmt, expected, weights):
    out = layer(tf.ones(shape), 3, 3, data_format=fmt)
    assert out.shape.as_list() == expected
    assert names_and_shapes() == [("Conv/weights", weights), ("Conv/biases", [3])]


def test_channels_first_transpose_and_separable_shapes(graph):
    up = slim.conv2d_transpose(tf.ones([1, 2, 3, 3]), 4, 3, 2, data_format="NCHW")
    sep = slim.separable_conv2d(tf.ones([1, 2, 5, 5]), None, 3, 2, data_format="NCHW")
    assert up.shape.as_list() == [1, 4, 6, 6]
    assert sep.shape.as_list() == [1, 4, 5, 5]


@pytest.mark.skipif(not HAS_GPU, reason="TensorFlow runs channels-first convolutions on GPU only")
def test_nchw_matches_nhwc_on_gpu(graph, run):
    x, w = random([2, 6, 6, 3]), random([3, 3, 3, 4], seed=3)
    kwargs = {"weights_initializer": tf.constant_initializer(w), "activation_fn": None}
    nhwc = slim.conv2d(x, 4, 3, 2, **kwargs)
    nchw = slim.conv2d(np.transpose(x, [0, 3, 1, 2]), 4, 3, 2, data_format="NCHW", **kwargs)
    got_nhwc, got_nchw = run([nhwc, tf.transpose(nchw, [0, 2, 3, 1])])
    np.testing.assert_allclose(got_nhwc, got_nchw, rtol=1e-4, atol=1e-4)


# variables, collections and scopes --------------------------------------------------------


def test_conv2d_variables_are_model_trainable_and_regularized(graph):
    slim.conv2d(
        tf.ones([1, 4, 4, 3]),
        5,
        [3, 2],
        weights_regularizer=slim.l2_regularizer(0.1),
        biases_regularizer=slim.l2_regularizer(0.1),
        scope="conv1",
    )
    expected = ["conv1/weights", "conv1/biases"]
    assert names(GLOBAL) == names(MODEL) == names(TRAINABLE) == expected
    assert names_and_shapes() == [("conv1/weights", [3, 2, 3, 5]), ("conv1/biases", [5])]
    assert len(tf.get_collection(REG_LOSSES)) == 2


def test_trainable_false_keeps_model_variables_out_of_trainable(graph):
    slim.conv2d(tf.ones([1, 4, 4, 3]), 2, 3, trainable=False)
    assert names(MODEL) == ["Conv/weights", "Conv/biases"]
    assert names(TRAINABLE) == []


def test_variables_collections_as_list_and_dict(graph):
    slim.conv2d(tf.ones([1, 4, 4, 1]), 2, 3, variables_collections=["extra"], scope="a")
    slim.conv2d(
        tf.ones([1, 4, 4, 1]),
        2,
        3,
        variables_collections={"weights": ["w_only"], "biases": ["b_only"]},
        scope="b",
    )
    slim.separable_conv2d(
        tf.ones([1, 4, 4, 1]), 2, 3, variables_collections={"weights": ["sep_w"]}, scope="c"
    )
    assert names("extra") == ["a/weights", "a/biases"]
    assert names("w_only") == ["b/weights"] and names("b_only") == ["b/biases"]
    assert names("sep_w") == ["c/depthwise_weights", "c/pointwise_weights"]


def test_outputs_collections_alias_is_the_scope_name(graph):
    with tf.variable_scope("net"):
        first = slim.conv2d(tf.ones([1, 4, 4, 1]), 2, 3, outputs_collections="end_points")
        second = slim.conv2d(first, 2, 3, scope="conv2", outputs_collections=["end_points"])
    points = slim.utils.convert_collection_to_dict("end_points")
    assert list(points) == ["net/Conv", "net/conv2"]
    assert points["net/conv2"] is second


@pytest.mark.parametrize(
    "build, scope",
    [
        (lambda: slim.conv2d(tf.ones([1, 4, 4, 2]), 2, 3), "Conv"),
        (lambda: slim.conv1d(tf.ones([1, 4, 2]), 2, 3), "Conv"),
        (lambda: slim.conv3d(tf.ones([1, 2, 4, 4, 2]), 2, 3), "Conv"),
        (lambda: slim.conv2d_in_plane(tf.ones([1, 4, 4, 2]), 3), "ConvInPlane"),
        (lambda: slim.conv2d_transpose(tf.ones([1, 4, 4, 2]), 2, 3), "Conv2d_transpose"),
        (lambda: slim.conv3d_transpose(tf.ones([1, 2, 4, 4, 2]), 2, 3), "Conv3d_transpose"),
        (lambda: slim.separable_conv2d(tf.ones([1, 4, 4, 2]), 2, 3), "SeparableConv2d"),
    ],
    ids=["conv2d", "conv1d", "conv3d", "in_plane", "transpose2d", "transpose3d", "separable"],
)
def test_default_scopes_get_unique_suffixes(graph, build, scope):
    build()
    build()
    prefixes = sorted({name.rsplit("/", 1)[0] for name in names(GLOBAL)})
    assert prefixes == [scope, scope + "_1"]


def test_reuse_true_shares_variables(graph, run):
    x = tf.ones([1, 4, 4, 2])
    first = slim.conv2d(x, 3, 3, scope="shared")
    second = slim.conv2d(x, 3, 3, scope="shared", reuse=True)
    assert names(GLOBAL) == ["shared/weights", "shared/biases"]
    a, b = run([first, second])
    np.testing.assert_array_equal(a, b)


def test_normalizer_fn_replaces_biases(graph, run):
    calls = []

    def scale(inputs, factor=1.0):
        calls.append(inputs.shape.as_list())
        return inputs * factor

    out = slim.conv2d(
        tf.ones([1, 3, 3, 1]),
        2,
        3,
        padding="VALID",
        weights_initializer=ONES,
        normalizer_fn=scale,
        normalizer_params={"factor": 0.5},
    )
    assert names(GLOBAL) == ["Conv/weights"]
    assert calls == [[1, 1, 1, 2]]
    np.testing.assert_allclose(run(out), np.full([1, 1, 1, 2], 4.5))


def test_biases_initializer_none_creates_no_biases(graph):
    slim.conv2d(tf.ones([1, 3, 3, 1]), 2, 3, biases_initializer=None)
    slim.separable_conv2d(tf.ones([1, 3, 3, 1]), None, 3, biases_initializer=None)
    assert names(GLOBAL) == ["Conv/weights", "SeparableConv2d/depthwise_weights"]


# arg_scope and repeat ---------------------------------------------------------------------


def test_positional_stride_wins_over_an_arg_scope_default(graph):
    # TF-Slim raises "got multiple values for argument 'stride'" on this README example.
    with slim.arg_scope([slim.conv2d], stride=1, padding="SAME"):
        net = slim.conv2d(tf.ones([1, 19, 19, 3]), 64, [11, 11], 4, padding="VALID")
    assert net.shape.as_list() == [1, 3, 3, 64]


def test_arg_scope_sets_defaults_of_every_conv_layer(graph):
    layers = [slim.conv2d, slim.conv2d_transpose, slim.separable_conv2d]
    with slim.arg_scope(layers, padding="VALID", activation_fn=None):
        assert slim.conv2d(tf.ones([1, 5, 5, 1]), 2, 3).shape.as_list() == [1, 3, 3, 2]
        up = slim.conv2d_transpose(tf.ones([1, 2, 2, 1]), 2, 3, 2)
        sep = slim.separable_conv2d(tf.ones([1, 5, 5, 1]), 2, 3)
    assert up.shape.as_list() == [1, 5, 5, 2]
    assert sep.shape.as_list() == [1, 3, 3, 2]


def test_repeat_names_scopes_after_convolution2d(graph):
    slim.repeat(tf.ones([1, 4, 4, 1]), 2, slim.conv2d, 2, [3, 3])
    slim.repeat(tf.ones([1, 4, 4, 1]), 2, slim.conv2d, 2, [3, 3], scope="conv3")
    assert slim.conv2d.__name__ == "convolution2d" and slim.conv2d is slim.layers.conv2d
    assert names(MODEL, "Repeat/") == [
        "Repeat/convolution2d_1/weights",
        "Repeat/convolution2d_1/biases",
        "Repeat/convolution2d_2/weights",
        "Repeat/convolution2d_2/biases",
    ]
    assert names(MODEL, "conv3/")[::2] == ["conv3/conv3_1/weights", "conv3/conv3_2/weights"]


@pytest.mark.parametrize(
    "alias, name",
    [
        ("conv1d", "convolution1d"),
        ("conv2d", "convolution2d"),
        ("conv3d", "convolution3d"),
        ("conv2d_in_plane", "convolution2d_in_plane"),
        ("conv2d_transpose", "convolution2d_transpose"),
        ("conv3d_transpose", "convolution3d_transpose"),
        ("separable_conv2d", "separable_convolution2d"),
    ],
)
def test_short_names_are_the_same_functions(alias, name):
    assert getattr(slim, alias) is getattr(slim, name) is getattr(slim.layers, alias)
    assert getattr(slim, alias).__name__ == name
    assert slim.has_arg_scope(getattr(slim, alias))


# transposed convolutions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "padding, stride, kernel, size, expected",
    [
        ("SAME", 2, 3, 2, 4),
        ("VALID", 2, 3, 2, 5),
        ("SAME", 1, 3, 3, 3),
        ("VALID", 1, 3, 3, 5),
        ("VALID", 3, 2, 2, 6),
    ],
    ids=["same-s2", "valid-s2", "same-s1", "valid-s1", "valid-k<s"],
)
def test_conv2d_transpose_output_size(graph, padding, stride, kernel, size, expected):
    out = slim.conv2d_transpose(tf.ones([1, size, size, 2]), 3, kernel, stride, padding)
    assert out.shape.as_list() == [1, expected, expected, 3]
    assert names_and_shapes() == [
        ("Conv2d_transpose/weights", [kernel, kernel, 3, 2]),
        ("Conv2d_transpose/biases", [3]),
    ]


def test_conv2d_transpose_ones_golden_values(graph, run):
    # Windows 2 apart and 3 wide overlap on one row/column: counts 1, 1, 2, 1, 1 per axis.
    valid = slim.conv2d_transpose(tf.ones([1, 2, 2, 1]), 1, 3, 2, "VALID", weights_initializer=ONES)
    same = slim.conv2d_transpose(tf.ones([1, 2, 2, 1]), 1, 3, 2, "SAME", weights_initializer=ONES)
    counts = np.array([1, 1, 2, 1, 1])
    got_valid, got_same = run([valid, same])
    np.testing.assert_allclose(got_valid[0, :, :, 0], np.outer(counts, counts))
    np.testing.assert_allclose(got_same[0, :, :, 0], np.outer(counts[:4], counts[:4]))


@pytest.mark.parametrize(
    "stride, padding", [(2, "SAME"), (2, "VALID"), ([1, 2], "SAME"), (3, "VALID")]
)
def test_conv2d_transpose_matches_numpy_reference(graph, run, stride, padding):
    x, w = random([2, 3, 4, 2]), random([3, 3, 4, 2], seed=4)
    out = slim.conv2d_transpose(
        x, 4, 3, stride, padding, activation_fn=None, weights_initializer=tf.constant_initializer(w)
    )
    np.testing.assert_allclose(
        run(out), np_conv_transpose(x, w, stride, padding), rtol=1e-5, atol=1e-5
    )


def test_conv2d_transpose_with_unknown_batch_and_size(graph, run):
    x = tf.placeholder(tf.float32, [None, None, 3, 1])
    out = slim.conv2d_transpose(x, 2, 3, 2, "VALID", weights_initializer=ONES)
    assert out.shape.as_list() == [None, None, 7, 2]
    assert run(out, {x: np.ones([2, 4, 3, 1])}).shape == (2, 9, 7, 2)


def test_conv3d_transpose_matches_numpy_reference(graph, run):
    x, w = random([1, 2, 3, 2, 2]), random([2, 3, 3, 3, 2], seed=5)
    out = slim.conv3d_transpose(
        x,
        3,
        [2, 3, 3],
        2,
        "VALID",
        activation_fn=None,
        weights_initializer=tf.constant_initializer(w),
    )
    assert out.shape.as_list() == [1, 4, 7, 5, 3]
    assert names(GLOBAL) == ["Conv3d_transpose/weights", "Conv3d_transpose/biases"]
    np.testing.assert_allclose(run(out), np_conv_transpose(x, w, 2, "VALID"), rtol=1e-5, atol=1e-5)


# conv2d_in_plane --------------------------------------------------------------------------


def test_conv2d_in_plane_applies_one_kernel_to_each_channel(graph, run):
    x = np.concatenate([np.ones([1, 3, 3, 1]), np.full([1, 3, 3, 1], 2.0)], axis=3)
    out = slim.conv2d_in_plane(
        x.astype(np.float32), [2, 2], padding="VALID", weights_initializer=ONES
    )
    assert names_and_shapes() == [
        ("ConvInPlane/weights", [2, 2, 1, 1]),
        ("ConvInPlane/biases", [2]),
    ]
    got = run(out)
    assert got.shape == (1, 2, 2, 2)
    np.testing.assert_allclose(got[0, :, :, 0], np.full([2, 2], 4.0))
    np.testing.assert_allclose(got[0, :, :, 1], np.full([2, 2], 8.0))


def test_conv2d_in_plane_image_gradient(graph, run):
    # A [1, 2] kernel [1, -1] takes horizontal differences: x[j] - x[j + 1].
    x = np.tile(np.array([0.0, 1.0, 3.0, 6.0], np.float32), [1, 2, 1]).reshape([1, 2, 4, 1])
    out = slim.conv2d_in_plane(
        x,
        [1, 2],
        padding="VALID",
        activation_fn=None,
        weights_initializer=tf.constant_initializer([1.0, -1.0]),
    )
    np.testing.assert_allclose(run(out)[0, 0, :, 0], [-1, -2, -3])


# separable_conv2d -------------------------------------------------------------------------


def test_separable_conv2d_variables_and_golden_values(graph, run):
    x = tf.ones([1, 3, 3, 2])
    full = slim.separable_conv2d(
        x, 5, 3, depth_multiplier=2, padding="VALID", weights_initializer=ONES, scope="sep"
    )
    assert names_and_shapes() == [
        ("sep/depthwise_weights", [3, 3, 2, 2]),
        ("sep/pointwise_weights", [1, 1, 4, 5]),
        ("sep/biases", [5]),
    ]
    assert names(MODEL) == names(TRAINABLE) == [n for n, _ in names_and_shapes()]
    # Each depthwise output sums 9 ones; the pointwise step sums 2 x 2 of them.
    np.testing.assert_allclose(run(full), np.full([1, 1, 1, 5], 36.0))


def test_separable_conv2d_regularizes_both_kernels(graph):
    slim.separable_conv2d(
        tf.ones([1, 3, 3, 2]), 4, 3, weights_regularizer=slim.l2_regularizer(1.0), scope="sep"
    )
    # Named after the Keras weights of TF-Slim's separable layer, as its losses are.
    losses = tf.get_collection(REG_LOSSES)
    assert [loss.op.name for loss in losses] == [
        "sep/depthwise_kernel/Regularizer/l2_regularizer",
        "sep/pointwise_kernel/Regularizer/l2_regularizer",
    ]


def test_depthwise_only_and_in_plane_losses_keep_the_variable_names(graph):
    reg = slim.l2_regularizer(1.0)
    slim.separable_conv2d(tf.ones([1, 3, 3, 2]), None, 3, weights_regularizer=reg, scope="dw")
    slim.conv2d_in_plane(tf.ones([1, 3, 3, 2]), 3, weights_regularizer=reg, scope="ip")
    slim.conv2d(tf.ones([1, 3, 3, 2]), 2, 3, biases_regularizer=reg, scope="c")
    assert [loss.op.name for loss in tf.get_collection(REG_LOSSES)] == [
        "dw/depthwise_weights/Regularizer/l2_regularizer",
        "ip/weights/Regularizer/l2_regularizer",
        "c/bias/Regularizer/l2_regularizer",
    ]


def test_separable_conv2d_with_num_outputs_none_is_depthwise_only(graph, run):
    out = slim.separable_conv2d(
        tf.ones([1, 3, 3, 2]),
        None,
        3,
        depth_multiplier=2,
        padding="VALID",
        weights_initializer=ONES,
    )
    assert names_and_shapes() == [
        ("SeparableConv2d/depthwise_weights", [3, 3, 2, 2]),
        ("SeparableConv2d/biases", [4]),
    ]
    np.testing.assert_allclose(run(out), np.full([1, 1, 1, 4], 9.0))


def test_separable_conv2d_pointwise_initializer_and_rate(graph, run):
    x = random([1, 6, 6, 2])
    dw, pw = random([3, 3, 2, 1], seed=6), random([1, 1, 2, 3], seed=7)
    out = slim.separable_conv2d(
        x,
        3,
        3,
        rate=2,
        activation_fn=None,
        weights_initializer=tf.constant_initializer(dw),
        pointwise_initializer=tf.constant_initializer(pw),
    )
    # Depthwise: each channel with its own kernel; pointwise: a 1x1 convolution.
    depthwise = np.concatenate(
        [np_conv(x[..., c : c + 1], dw[:, :, c : c + 1, :], rate=2) for c in range(2)], axis=-1
    )
    np.testing.assert_allclose(run(out), np_conv(depthwise, pw), rtol=1e-5, atol=1e-5)


# tracing ----------------------------------------------------------------------------------


def test_trace_records_conv2d_with_params_flops_and_provenance(graph):
    with slim.trace_layers() as t, slim.arg_scope([slim.conv2d], padding="VALID"):
        slim.conv2d(tf.ones([1, 5, 5, 2]), 3, [3, 3], stride=1, scope="conv1")
    (record,) = t.records
    assert record.op == "convolution2d"
    assert record.scope == "conv1"
    assert record.input_shape == (1, 5, 5, 2) and record.output_shape == (1, 3, 3, 3)
    assert record.params == 3 * 3 * 2 * 3 + 3
    # 9 output positions x 3 outputs x (18 multiplies + 18 adds), plus 27 bias adds.
    assert record.flops == 2 * 9 * 18 * 3 + 9 * 3
    assert record.arguments["stride"].source == "call"
    assert record.arguments["padding"].source == "arg_scope"
    assert record.arguments["padding"].value == "VALID"
    assert record.arguments["rate"].source == "default"


@pytest.mark.parametrize(
    "build, op, flops",
    [
        # 2 * 9 out positions * (3 * 3 * 2 window) * 4 outputs, no biases.
        (
            lambda: slim.conv2d(tf.ones([1, 3, 3, 2]), 4, 3, biases_initializer=None),
            "convolution2d",
            2 * 9 * 18 * 4,
        ),
        # 2 * 4 input positions * (3 * 3 * 2) * 4 outputs + 16 positions * 4 bias adds.
        (
            lambda: slim.conv2d_transpose(tf.ones([1, 2, 2, 2]), 4, 3, 2),
            "convolution2d_transpose",
            2 * 4 * 18 * 4 + 16 * 4,
        ),
        # 2 * 9 positions * 9 taps * 2 channels + 9 * 2 bias adds.
        (
            lambda: slim.conv2d_in_plane(tf.ones([1, 3, 3, 2]), 3),
            "convolution2d_in_plane",
            2 * 9 * 9 * 2 + 9 * 2,
        ),
        # Depthwise 2 * 9 * 9 * 4, pointwise 2 * 9 * 4 * 5, biases 9 * 5.
        (
            lambda: slim.separable_conv2d(tf.ones([1, 3, 3, 2]), 5, 3, 2),
            "separable_convolution2d",
            2 * 9 * 9 * 4 + 2 * 9 * 4 * 5 + 9 * 5,
        ),
        # 2 * 4 positions * (3 * 1) * 2 + 4 * 2 bias adds.
        (lambda: slim.conv1d(tf.ones([1, 4, 1]), 2, 3), "convolution1d", 2 * 4 * 3 * 2 + 8),
    ],
    ids=["conv2d", "transpose", "in_plane", "separable", "conv1d"],
)
def test_trace_flops_of_each_layer(graph, build, op, flops):
    with slim.trace_layers() as t:
        build()
    (record,) = t.records
    assert (record.op, record.flops, record.children) == (op, flops, [])


def test_trace_of_unknown_spatial_size_has_no_flops(graph):
    with slim.trace_layers() as t:
        slim.conv2d(tf.placeholder(tf.float32, [1, None, 4, 1]), 2, 3)
    assert t.records[0].flops == 0 and t.records[0].params == 20


# errors -----------------------------------------------------------------------------------


def _conv2d(**kwargs):
    args = {"inputs": tf.ones([1, 5, 5, 2]), "num_outputs": 3, "kernel_size": 3, **kwargs}
    return slim.conv2d(**args)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"num_outputs": 0}, ValueError, r"conv2d: `num_outputs` must be >= 1, got 0\."),
        ({"num_outputs": 0.5}, ValueError, r"conv2d: `num_outputs` must be >= 1, got 0\.5 \(trunc"),
        ({"num_outputs": "3"}, TypeError, r"conv2d: `num_outputs` must be an int, got '3'"),
        ({"num_outputs": None}, TypeError, r"`num_outputs` must be an int, got None"),
        ({"kernel_size": [3]}, ValueError, r"`kernel_size` must be .* 2 ints .*length 1"),
        ({"kernel_size": [3, 0]}, ValueError, r"`kernel_size` must be .*, got \[3, 0\]"),
        ({"kernel_size": "3x3"}, TypeError, r"`kernel_size` must be an int >= 1 or"),
        ({"stride": [1, 2, 1]}, ValueError, r"`stride` must be .*length 3"),
        ({"stride": 0}, ValueError, r"`stride` must be .*, got 0"),
        ({"rate": -1}, ValueError, r"`rate` must be .*, got -1"),
        ({"rate": 2, "stride": 2}, ValueError, r"`stride` must be 1 when `rate` > 1"),
        ({"padding": "SAEM"}, ValueError, r"`padding` must be one of .*Did you mean 'SAME'"),
        ({"padding": "CAUSAL"}, ValueError, r"`padding` must be one of \['SAME', 'VALID'\]"),
        ({"padding": 1}, TypeError, r"`padding` must be one of"),
        ({"data_format": "NHCW"}, ValueError, r"`data_format` must be one of .*Did you mean"),
        (
            {"inputs": np.ones([1, 5, 2], np.float32)},
            ValueError,
            r"`inputs` must have rank 4, got shape \(1, 5, 2\)",
        ),
        ({"inputs": object()}, TypeError, r"`inputs` must be a tensor or convertible"),
    ],
    ids=[
        "num_outputs-zero",
        "num_outputs-float-below-one",
        "num_outputs-str",
        "num_outputs-none",
        "kernel-length",
        "kernel-zero",
        "kernel-str",
        "stride-length",
        "stride-zero",
        "rate-negative",
        "rate-and-stride",
        "padding-typo",
        "padding-causal-2d",
        "padding-int",
        "data_format-typo",
        "rank",
        "inputs-str",
    ],
)
def test_conv2d_rejects_bad_arguments(graph, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _conv2d(**kwargs)
    assert tf.global_variables() == []


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: slim.conv2d(tf.placeholder(tf.float32, [1, 5, 5, None]), 3, 3),
            ValueError,
            r"conv2d: `inputs` must have a known size on axis -1, got shape \(1, 5, 5, None\)",
        ),
        (
            lambda: slim.convolution(tf.ones([2, 5]), 3, 3),
            ValueError,
            r"convolution: `inputs` must have rank 3 or 4 or 5, got shape \(2, 5\)",
        ),
        (
            lambda: slim.convolution(tf.ones([1, 5, 5, 2]), 3, 3, conv_dims=1),
            ValueError,
            r"`inputs` must have rank 3, got shape \(1, 5, 5, 2\)",
        ),
        (
            lambda: slim.convolution(tf.ones([1, 5, 5, 2]), 3, 3, conv_dims=4),
            ValueError,
            r"`conv_dims` must be 1, 2, 3 or None, got 4",
        ),
        (
            lambda: slim.conv1d(tf.ones([1, 5, 5, 2]), 3, 3),
            ValueError,
            r"conv1d: `inputs` must have rank 3",
        ),
        (
            lambda: slim.conv3d(tf.ones([1, 5, 5, 2]), 3, [3, 3]),
            ValueError,
            r"conv3d: `inputs` must have rank 5",
        ),
        (
            lambda: slim.conv2d_transpose(tf.ones([1, 5, 5, 2]), -1, 3),
            ValueError,
            r"conv2d_transpose: `num_outputs` must be >= 1, got -1",
        ),
        (
            lambda: slim.conv2d_transpose(tf.ones([1, 5, 5, 2]), 3, 3, data_format="NCDHW"),
            ValueError,
            r"`data_format` must be one of \['NHWC', 'NCHW'\], got 'NCDHW'",
        ),
        (
            lambda: slim.conv3d_transpose(tf.ones([1, 5, 5, 2]), 3, 3),
            ValueError,
            r"conv3d_transpose: `inputs` must have rank 5",
        ),
        (
            lambda: slim.conv2d_transpose(tf.ones([1, 5, 5, 2]), 3, 3, padding="FULL"),
            ValueError,
            r"conv2d_transpose: `padding` must be one of \['SAME', 'VALID'\], got 'FULL'",
        ),
        (
            lambda: slim.conv2d_in_plane(tf.ones([1, 5, 5, 2]), 3, stride=[1, 2]),
            ValueError,
            r"conv2d_in_plane: `stride` must be the same along height and width",
        ),
        (
            lambda: slim.conv2d_in_plane(tf.ones([5, 5, 2]), 3),
            ValueError,
            r"conv2d_in_plane: `inputs` must have rank 4, got shape \(5, 5, 2\)",
        ),
        (
            lambda: slim.separable_conv2d(tf.ones([1, 5, 5, 2]), 0, 3),
            ValueError,
            r"separable_conv2d: `num_outputs` must be >= 1, got 0",
        ),
        (
            lambda: slim.separable_conv2d(tf.ones([1, 5, 5, 2]), "8", 3),
            TypeError,
            r"separable_conv2d: `num_outputs` must be an int, got '8'",
        ),
        (
            lambda: slim.separable_conv2d(tf.ones([1, 5, 5, 2]), 4, 3, depth_multiplier=0),
            ValueError,
            r"`depth_multiplier` must be >= 1, got 0",
        ),
        (
            lambda: slim.separable_conv2d(tf.ones([1, 5, 5, 2]), 4, 3, stride=2, rate=2),
            ValueError,
            r"separable_conv2d: `stride` must be 1 when `rate` > 1",
        ),
        (
            lambda: slim.separable_conv2d(tf.ones([1, 5, 5, 2]), 4, 3, data_format="NCW"),
            ValueError,
            r"`data_format` must be one of \['NHWC', 'NCHW'\], got 'NCW'",
        ),
    ],
    ids=[
        "unknown-channels",
        "convolution-rank",
        "conv_dims-mismatch",
        "conv_dims-4",
        "conv1d-rank",
        "conv3d-rank",
        "transpose-num_outputs",
        "transpose-data_format",
        "transpose3d-rank",
        "transpose-padding",
        "in_plane-unequal-strides",
        "in_plane-rank",
        "separable-num_outputs",
        "separable-num_outputs-str",
        "separable-depth_multiplier",
        "separable-rate-and-stride",
        "separable-data_format",
    ],
)
def test_conv_layers_reject_bad_arguments(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda x: slim.convolution(x, 2, 3),
        lambda x: slim.conv2d(x, 2, 3),
        lambda x: slim.conv2d_in_plane(x, 3),
        lambda x: slim.conv2d_transpose(x, 2, 3),
        lambda x: slim.separable_conv2d(x, 2, 3),
    ],
    ids=["convolution", "conv2d", "in_plane", "transpose", "separable"],
)
def test_eager_call_asks_for_a_graph(call):
    assert tf.executing_eagerly()
    with pytest.raises(RuntimeError, match=r"builds graphs.*tf\.Graph\(\)\.as_default\(\)"):
        call(np.ones([1, 4, 4, 1], np.float32))


# float channel counts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, channels",
    [
        # A width multiplier dividing 16 channels by 0.1 gives the float 160.0.
        (lambda x: slim.conv2d(x, 16 / 0.1, 1), 160),
        (lambda x: slim.conv2d(x, 7.9, 1), 7),
        (lambda x: slim.conv2d_transpose(x, 5.5, 2, stride=2), 5),
        (lambda x: slim.separable_conv2d(x, 6.2, 3), 6),
    ],
)
def test_float_num_outputs_truncates_like_tf_slim(build, channels):
    with tf.Graph().as_default():
        net = build(tf.ones([1, 4, 4, 2]))
        assert net.shape[-1] == channels
        weights = [v for v in slim.get_model_variables() if v.op.name.endswith("weights")]
        assert channels in weights[-1].shape.as_list()
