"""slim.tfexample_decoder: TFExampleDecoder and every item handler, on hand-made examples."""

import doctest

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib.data.tfexample_decoder as tfexample_decoder
from slimlib._src.data import tfexample_decoder as tfexample_decoder_src

FIXED_STR = tf.io.FixedLenFeature((), tf.string, default_value="")
VAR_INT = tf.io.VarLenFeature(tf.int64)
VAR_FLOAT = tf.io.VarLenFeature(tf.float32)


def _decode(serialized, keys_to_features, items_to_handlers, items=None):
    """Builds the decoder in the current graph and returns the evaluated items."""
    decoder = tfexample_decoder.TFExampleDecoder(keys_to_features, items_to_handlers)
    tensors = decoder.decode(tf.constant(serialized), items)
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        return sess.run(tensors)


def _encode(kind, pixels):
    """PNG or JPEG (quality 100) bytes of a uint8 image, encoded in a graph of its own."""
    with tf.Graph().as_default(), tf.Session() as sess:
        if kind == "png":
            return sess.run(tf.io.encode_png(pixels))
        return sess.run(tf.io.encode_jpeg(pixels, quality=100))


def _image_features(image_format):
    return {
        "image/encoded": FIXED_STR,
        "image/format": tf.io.FixedLenFeature((), tf.string, default_value=image_format),
    }


# 2 x 3 RGB image whose pixels are their own index: pixel (r, c), channel k -> 3 * (3r + c) + k.
PIXELS = np.arange(18, dtype=np.uint8).reshape([2, 3, 3])


def test_doctests():
    result = doctest.testmod(tfexample_decoder_src)
    assert result.failed == 0 and result.attempted > 0


def test_list_items_keeps_the_handler_order():
    decoder = tfexample_decoder.TFExampleDecoder(
        {"a": VAR_INT, "b": VAR_INT},
        {"second": tfexample_decoder.Tensor("b"), "first": tfexample_decoder.Tensor("a")},
    )
    assert decoder.list_items() == ["second", "first"]


def test_tensor_reshapes_to_a_fixed_shape(graph, example):
    serialized = example(values=[1, 2, 3, 4, 5, 6])
    features = {"values": tf.io.FixedLenFeature([6], tf.int64)}
    handlers = {"grid": tfexample_decoder.Tensor("values", shape=[2, 3])}
    [grid] = _decode(serialized, features, handlers)
    np.testing.assert_array_equal(grid, [[1, 2, 3], [4, 5, 6]])


def test_tensor_reshapes_to_shape_keys_read_from_the_example(graph, example):
    serialized = example(values=[1, 2, 3, 4, 5, 6], rows=3, cols=2)
    features = {"values": VAR_INT, "rows": VAR_INT, "cols": VAR_INT}
    handlers = {"grid": tfexample_decoder.Tensor("values", shape_keys=["rows", "cols"])}
    [grid] = _decode(serialized, features, handlers)
    np.testing.assert_array_equal(grid, [[1, 2], [3, 4], [5, 6]])


def test_tensor_densifies_a_sparse_feature(graph, example):
    serialized = example(values=[7, 8])
    [values] = _decode(serialized, {"values": VAR_INT}, {"v": tfexample_decoder.Tensor("values")})
    np.testing.assert_array_equal(values, [7, 8])


def test_tensor_rejects_both_shape_and_shape_keys():
    with pytest.raises(ValueError, match="give `shape_keys` or `shape`, not both"):
        tfexample_decoder.Tensor("values", shape_keys="rows", shape=[2])


@pytest.mark.parametrize("kind", ["png", "jpeg"], ids=["png", "jpeg"])
def test_image_decodes_png_and_jpeg(graph, example, kind):
    # A flat color keeps JPEG (nearly) lossless, so the values can be checked by hand.
    pixels = PIXELS if kind == "png" else np.full([8, 8, 3], 100, np.uint8)
    serialized = example(image__encoded=_encode(kind, pixels), image__format=kind.encode())
    handlers = {"image": tfexample_decoder.Image()}
    [image] = _decode(serialized, _image_features(kind), handlers)
    assert image.dtype == np.uint8
    np.testing.assert_allclose(image, pixels, atol=1 if kind == "jpeg" else 0)


def test_image_decodes_raw_bytes_with_a_shape(graph, example):
    serialized = example(image__encoded=PIXELS.tobytes(), image__format=b"raw")
    handlers = {"image": tfexample_decoder.Image(shape=[2, 3, 3])}
    [image] = _decode(serialized, _image_features("raw"), handlers)
    np.testing.assert_array_equal(image, PIXELS)


def test_image_converts_channels_and_dtype(graph, example):
    gray = np.array([[[0], [255]]], np.uint8)  # 1 x 2 gray image.
    serialized = example(image__encoded=_encode("png", gray), image__format=b"png")
    handlers = {"image": tfexample_decoder.Image(channels=3, dtype=tf.float32)}
    [image] = _decode(serialized, _image_features("png"), handlers)
    assert image.dtype == np.float32
    np.testing.assert_array_equal(image, [[[0, 0, 0], [255, 255, 255]]])


def test_image_static_shape_comes_from_channels_and_shape(graph, example):
    decoder = tfexample_decoder.TFExampleDecoder(
        _image_features("png"),
        {
            "any": tfexample_decoder.Image(channels=1),
            "fixed": tfexample_decoder.Image(shape=[2, 3, 3]),
        },
    )
    any_size, fixed = decoder.decode(tf.constant(example(image__encoded=b"")))
    assert any_size.shape.as_list() == [None, None, 1]
    assert fixed.shape.as_list() == [2, 3, 3]


def test_image_decodes_a_repeated_feature(graph, example):
    first, second = PIXELS, 255 - PIXELS
    serialized = example(
        image__encoded=[_encode("png", first), _encode("png", second)], image__format=b"png"
    )
    features = {
        "image/encoded": tf.io.FixedLenFeature([2], tf.string),
        "image/format": tf.io.FixedLenFeature((), tf.string),
    }
    handlers = {"images": tfexample_decoder.Image(repeated=True)}
    [images] = _decode(serialized, features, handlers)
    np.testing.assert_array_equal(images, np.stack([first, second]))


def test_image_of_the_wrong_size_names_expected_and_decoded_shape(graph, example):
    serialized = example(image__encoded=_encode("png", PIXELS), image__format=b"png")
    handlers = {"image": tfexample_decoder.Image(shape=[4, 4, 3])}
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"must have 48 values to fit `shape` \[4, 4, 3\]; the decoded image has shape.*2 3 3",
    ):
        _decode(serialized, _image_features("png"), handlers)


def test_raw_image_with_the_wrong_channel_count_is_reported(graph, example):
    serialized = example(image__encoded=PIXELS.tobytes(), image__format=b"raw")
    handlers = {"image": tfexample_decoder.Image(shape=[2, 3, 1], channels=1)}
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"must have 6 values"):
        _decode(serialized, _image_features("raw"), handlers)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"shape": [8, 8, 3], "channels": 1},
            r"`shape` \[8, 8, 3\] has 3 channels but `channels` is 1",
        ),
        ({"channels": 2}, "`channels` must be 0, 1, 3 or 4, got 2"),
    ],
    ids=["shape-vs-channels", "bad-channels"],
)
def test_image_rejects_inconsistent_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tfexample_decoder.Image(**kwargs)


def test_bounding_box_stacks_coordinates_per_box(graph, example):
    serialized = example(
        bbox__ymin=[0.1, 0.5], bbox__xmin=[0.2, 0.6], bbox__ymax=[0.3, 0.7], bbox__xmax=[0.4, 0.8]
    )
    features = {f"bbox/{side}": VAR_FLOAT for side in ("ymin", "xmin", "ymax", "xmax")}
    handlers = {"boxes": tfexample_decoder.BoundingBox(prefix="bbox/")}
    [boxes] = _decode(serialized, features, handlers)
    np.testing.assert_allclose(boxes, [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]])


def test_bounding_box_needs_four_keys():
    with pytest.raises(ValueError, match="must hold 4 names"):
        tfexample_decoder.BoundingBox(keys=["ymin", "xmin", "ymax"])


def test_lookup_tensor_maps_text_to_ids(graph, example):
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(["cat", "dog"], tf.constant([0, 1], tf.int64)), -1
    )
    serialized = example(name=[b"dog", b"cat", b"cow"])
    handlers = {"ids": tfexample_decoder.LookupTensor("name", table)}
    [ids] = _decode(serialized, {"name": tf.io.VarLenFeature(tf.string)}, handlers)
    np.testing.assert_array_equal(ids, [1, 0, -1])


def test_sparse_tensor_places_values_at_their_ids(graph, example):
    serialized = example(indices=[1, 3], values=[0.5, 2.0])
    features = {"indices": VAR_INT, "values": VAR_FLOAT}
    handlers = {
        "sparse": tfexample_decoder.SparseTensor(shape=[5]),
        "dense": tfexample_decoder.SparseTensor(shape=[5], densify=True, default_value=-1.0),
    }
    sparse, dense = _decode(serialized, features, handlers)
    np.testing.assert_array_equal(sparse.indices, [[1], [3]])
    np.testing.assert_array_equal(sparse.dense_shape, [5])
    np.testing.assert_allclose(dense, [-1.0, 0.5, -1.0, 2.0, -1.0])


@pytest.mark.parametrize(
    "primary, expected", [([], [9, 9]), ([4], [4])], ids=["empty-uses-backup", "primary"]
)
def test_backup_handler_falls_back_when_the_item_is_empty(graph, example, primary, expected):
    serialized = example(a=primary, b=[9, 9]) if primary else example(b=[9, 9])
    handler = tfexample_decoder.BackupHandler(
        tfexample_decoder.Tensor("a"), tfexample_decoder.Tensor("b")
    )
    [item] = _decode(serialized, {"a": VAR_INT, "b": VAR_INT}, {"item": handler})
    np.testing.assert_array_equal(item, expected)


def test_backup_handler_rejects_a_non_handler():
    with pytest.raises(ValueError, match="`backup` must be an ItemHandler, got 'b'"):
        tfexample_decoder.BackupHandler(tfexample_decoder.Tensor("a"), "b")


def test_item_handler_callback_gets_the_parsed_features(graph, example):
    serialized = example(height=3, width=4)
    features = {k: tf.io.FixedLenFeature((), tf.int64) for k in ("height", "width")}
    handler = tfexample_decoder.ItemHandlerCallback(
        ["height", "width"], lambda parsed: parsed["height"] * parsed["width"]
    )
    [area] = _decode(serialized, features, {"area": handler})
    assert area == 12


def test_decode_all_items_by_default_and_a_subset_on_request(graph, example):
    serialized = example(a=1, b=2)
    features = {k: tf.io.FixedLenFeature((), tf.int64) for k in ("a", "b")}
    handlers = {"a": tfexample_decoder.Tensor("a"), "b": tfexample_decoder.Tensor("b")}
    assert _decode(serialized, features, handlers) == [1, 2]
    assert _decode(serialized, features, handlers, items=["b"]) == [2]


def test_decode_names_an_unknown_item(graph):
    decoder = tfexample_decoder.TFExampleDecoder(
        {"x": VAR_INT}, {"image": tfexample_decoder.Tensor("x")}
    )
    with pytest.raises(ValueError, match=r"item 'imag' is not decoded.*Did you mean 'image'\?"):
        decoder.decode(tf.constant(b""), ["imag"])


def test_decode_names_a_feature_key_missing_from_keys_to_features(graph):
    decoder = tfexample_decoder.TFExampleDecoder(
        {"image/encoded": FIXED_STR}, {"image": tfexample_decoder.Image()}
    )
    with pytest.raises(
        ValueError,
        match=r"item 'image' needs feature key 'image/format', which is not in "
        r"`keys_to_features` \(keys: \['image/encoded'\]\)",
    ):
        decoder.decode(tf.constant(b""))


def test_a_feature_missing_from_the_data_is_named_at_run_time(graph, example):
    features = {"image/class/label": tf.io.FixedLenFeature((), tf.int64)}
    handlers = {"label": tfexample_decoder.Tensor("image/class/label")}
    with pytest.raises(tf.errors.InvalidArgumentError, match="image/class/label"):
        _decode(example(other=1), features, handlers)


@pytest.mark.parametrize(
    "features, handlers, match",
    [
        ({"x": "int64"}, {}, r"`keys_to_features\['x'\]` must be a tf.io feature spec"),
        ({"x": VAR_INT}, {"item": "x"}, r"`items_to_handlers\['item'\]` must be an ItemHandler"),
        ([("x", VAR_INT)], {}, "`keys_to_features` must be a dict"),
    ],
    ids=["bad-spec", "bad-handler", "not-a-dict"],
)
def test_decoder_rejects_bad_arguments(features, handlers, match):
    with pytest.raises(TypeError, match=match):
        tfexample_decoder.TFExampleDecoder(features, handlers)


def test_bounding_box_of_scalar_features_is_one_box(graph, example):
    serialized = example(ymin=0.1, xmin=0.2, ymax=0.3, xmax=0.4)
    features = {k: tf.io.FixedLenFeature((), tf.float32) for k in ("ymin", "xmin", "ymax", "xmax")}
    [box] = _decode(serialized, features, {"box": tfexample_decoder.BoundingBox()})
    np.testing.assert_allclose(box, [0.1, 0.2, 0.3, 0.4])
