"""slim.model_analyzer: element and byte counts checked by hand."""

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim


def test_analyze_vars_counts_elements_and_bytes(graph, capsys):
    w = tf.get_variable("w", [3, 4])  # 12 float32 = 48 bytes
    b = tf.get_variable("b", [4], dtype=tf.float64)  # 4 float64 = 32 bytes
    step = tf.train.get_or_create_global_step()  # 1 int64 = 8 bytes
    assert slim.model_analyzer.analyze_vars([w, b, step]) == (17, 88)
    assert capsys.readouterr().out == ""


def test_analyze_vars_prints_one_line_per_variable_and_the_totals(graph, capsys):
    w = tf.get_variable("w", [3, 4])
    slim.model_analyzer.analyze_vars([w], print_info=True)
    out = capsys.readouterr().out
    assert "w:0 (float32 3x4) [12, bytes: 48]" in out
    assert "Total size of variables: 12" in out
    assert "Total bytes of variables: 48" in out


def test_analyze_vars_of_nothing_is_zero():
    assert slim.model_analyzer.analyze_vars([]) == (0, 0)


def test_analyze_vars_rejects_what_is_not_a_variable():
    with pytest.raises(TypeError, match=r"analyze_vars: `variables` must hold variables .*'w'"):
        slim.model_analyzer.analyze_vars(["w"])


def test_analyze_ops_sums_known_outputs_and_counts_unknown_as_zero(graph, capsys):
    tf.constant([[1.0, 2.0, 3.0]], name="c")  # 3 elements
    tf.placeholder(tf.float32, [None, 5], name="p")  # unknown batch: 0
    tf.placeholder(tf.float32, [2, 2], name="q")  # 4 elements
    assert slim.model_analyzer.analyze_ops(graph, print_info=True) == 7
    out = capsys.readouterr().out
    assert "c \t-> (float32 1x3) [3]" in out
    assert "p \t-> (float32 Nonex5) [0]" in out


def test_analyze_ops_rejects_what_is_not_a_graph():
    with pytest.raises(TypeError, match=r"analyze_ops: `graph` must be a tf.Graph, got None"):
        slim.model_analyzer.analyze_ops(None)


def test_tensor_description_of_a_scalar_has_no_dimensions(graph):
    assert slim.model_analyzer.tensor_description(tf.constant(1)) == "(int32 )"


def test_docstring_examples_run():
    import doctest

    import slimlib._src.model_analyzer as module

    assert doctest.testmod(module).failed == 0
