"""slim.summaries: names, collections, values and printing of the summary helpers."""

import pytest
import tensorflow as tf2
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.summaries  # noqa: F401 - binds slim.summaries


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def values_of(summary_tensor):
    """{tag: value} of a serialized scalar summary (or several merged)."""
    with tf.Session() as sess:
        proto = tf.Summary.FromString(sess.run(summary_tensor))
    return {v.tag: v.simple_value for v in proto.value}


@pytest.mark.parametrize(
    "kwargs, tag",
    # With no name or prefix the tag is the op name, already taken by the tensor itself, so
    # TensorFlow's name scope makes it unique with `_1` (as with TF-Slim).
    [({}, "loss_1"), ({"name": "total"}, "total"), ({"prefix": "losses"}, "losses/loss")],
    ids=["op-name", "name", "prefix"],
)
def test_add_scalar_summary_names(graph, kwargs, tag):
    loss = tf.constant(0.5, name="loss")
    op = slim.summaries.add_scalar_summary(loss, **kwargs)
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [op]
    assert values_of(op) == {tag: 0.5}


def test_add_scalar_summary_print_summary_prints_and_is_collected_once(graph, capfd):
    loss = tf.constant(0.25, name="loss")
    op = slim.summaries.add_scalar_summary(loss, prefix="train", print_summary=True)
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [op]
    assert values_of(tf.summary.merge_all()) == {"train/loss": 0.25}
    assert "train/loss 0.25" in capfd.readouterr().err


def test_add_zero_fraction_summary_golden(graph):
    relu = tf.constant([0.0, 0.0, 1.0, 2.0], name="relu")
    op = slim.summaries.add_zero_fraction_summary(relu, prefix="act")
    assert values_of(op) == {"act/relu/Fraction_of_Zero_Values": 0.5}


def test_add_histogram_summary(graph):
    weights = tf.get_variable("fc/weights", [3], initializer=tf.ones_initializer())
    op = slim.summaries.add_histogram_summary(weights, prefix="vars")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        proto = tf.Summary.FromString(sess.run(op))
    (value,) = proto.value
    assert value.tag == "vars/fc/weights"
    assert (value.histo.num, value.histo.sum) == (3, 3.0)


def test_add_image_summary(graph):
    images = tf.zeros([2, 4, 4, 3], name="images")
    op = slim.summaries.add_image_summary(images, name="digits", print_summary=True)
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [op]
    with tf.Session() as sess:
        proto = tf.Summary.FromString(sess.run(op))
    assert [v.tag for v in proto.value] == ["digits/image/0", "digits/image/1"]
    assert (proto.value[0].image.height, proto.value[0].image.width) == (4, 4)


def test_list_helpers_add_one_summary_per_tensor(graph):
    a = tf.constant(1.0, name="a")
    b = tf.constant(0.0, name="b")
    scalars = slim.summaries.add_scalar_summaries([a, b], prefix="p")
    histograms = slim.summaries.add_histogram_summaries([a, b])
    zeros = slim.summaries.add_zero_fraction_summaries([a, b])
    images = slim.summaries.add_image_summaries([tf.zeros([1, 2, 2, 1], name="im")])
    assert [len(scalars), len(histograms), len(zeros), len(images)] == [2, 2, 2, 1]
    assert len(tf.get_collection(tf.GraphKeys.SUMMARIES)) == 7
    assert values_of(tf.summary.merge(scalars)) == {"p/a": 1.0, "p/b": 0.0}
    assert values_of(tf.summary.merge(zeros)) == {
        "a/Fraction_of_Zero_Values": 0.0,
        "b/Fraction_of_Zero_Values": 1.0,
    }


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda: slim.summaries.add_image_summary(tf.zeros([4, 4, 3])),
            ValueError,
            r"`tensor` must have rank 4, got shape \(4, 4, 3\)",
        ),
        (
            lambda: slim.summaries.add_scalar_summaries(tf.zeros([2])),
            TypeError,
            "`tensors` must be a list of tensors",
        ),
    ],
    ids=["image-rank", "single-tensor"],
)
def test_summary_errors(graph, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_summaries_eagerly_say_how_to_fix():
    with pytest.raises(RuntimeError, match=r"tf.Graph\(\).as_default\(\)"):
        slim.summaries.add_scalar_summary(tf2.constant(1.0), name="x")
