"""slim.framework_ops: the graph a list of inputs lives in, and the current name scope."""

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

framework_ops = slim.framework_ops


def test_no_graph_inputs_give_the_default_graph(graph):
    assert framework_ops.get_graph_from_inputs([]) is graph
    assert framework_ops.get_graph_from_inputs([1.0, "text", None]) is graph


def test_the_inputs_graph_wins_over_the_default_graph():
    g0 = tf.Graph()
    with g0.as_default():
        values = [tf.constant(0.0), 2.0, tf.constant(1.0).op]
    with tf.Graph().as_default():
        assert framework_ops.get_graph_from_inputs(values) is g0
        assert framework_ops.get_graph_from_inputs(tuple(values), g0) is g0


def test_inputs_from_another_graph_are_refused():
    g0, g1 = tf.Graph(), tf.Graph()
    with g0.as_default():
        a = tf.constant(0.0, name="a")
    with g1.as_default():
        b = tf.constant(1.0, name="b")
    with pytest.raises(ValueError, match="'b:0'.* must be from the same graph as .*'a:0'"):
        framework_ops.get_graph_from_inputs([a, b])
    with pytest.raises(ValueError, match="'a:0'.* is not from the passed-in graph"):
        framework_ops.get_graph_from_inputs([a], g1)


def test_bad_arguments_are_type_errors():
    with pytest.raises(TypeError, match="`op_input_list` must be a list or tuple, got 3 \\(int\\)"):
        framework_ops.get_graph_from_inputs(3)
    with pytest.raises(TypeError, match="`graph` must be a tf.Graph, got 'g'"):
        framework_ops.get_graph_from_inputs([], "g")


def test_get_name_scope_follows_nested_name_scopes(graph):
    assert framework_ops.get_name_scope() == ""
    with tf.name_scope("scope1"):
        with tf.name_scope("scope2"):
            assert framework_ops.get_name_scope() == "scope1/scope2"
        assert framework_ops.get_name_scope() == "scope1"
