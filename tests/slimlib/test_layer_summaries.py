"""slim.layers.summaries: which summary each tensor gets, and its tag."""

import tensorflow.compat.v1 as tf

from slimlib.layers import summaries


def summary_names():
    return [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]


def test_summarize_tensor_picks_scalar_or_histogram(graph):
    assert summaries.summarize_tensor(tf.constant(1.0, name="one")).op.type == "ScalarSummary"
    assert summaries.summarize_tensor(tf.ones([3], name="v")).op.type == "HistogramSummary"
    assert summaries.summarize_tensor(tf.constant("s")) is None
    assert summary_names() == ["one_summary", "v_summary"]


def test_summarize_activation_of_relu6_adds_zeros_and_sixes(graph):
    summaries.summarize_activation(tf.nn.relu6(tf.ones([2]), name="act"))
    assert summary_names() == ["act/zeros", "act/sixes", "act/activation"]


def test_summarize_collection_filters_by_op_name(graph):
    for name in ("Test2", "Foobar", "Test3"):
        tf.add_to_collection("foo", tf.ones([2], name=name))
    made = summaries.summarize_collection("foo", r"Test[123]")
    assert [s.op.name for s in made] == ["Test2_summary", "Test3_summary"]


def test_summarize_activations_reads_the_activations_collection(graph):
    tf.add_to_collection(tf.GraphKeys.ACTIVATIONS, tf.nn.relu(tf.ones([2]), name="r"))
    summaries.summarize_activations()
    assert summary_names() == ["r/zeros", "r/activation"]
