"""`InspectModel` and `build_traced`: parameters follow the model, problems are reported."""

from __future__ import annotations

import doctest
import shutil
import subprocess
import sys

import param
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models import inspect as inspect_package
from workbench.models.inspect import InspectModel, build, build_traced, model


def _dense(x):
    return slim.fully_connected(x, 4, scope="fc")


def test_build_traced_returns_graph_trace_and_outputs(small_model):
    model_fn, input_shape, _ = small_model
    with tf.Graph().as_default() as outer:
        built = build_traced(model_fn, input_shape)
        assert outer.get_operations() == []  # Built in its own graph.
    assert built.inputs.graph is built.graph and built.inputs.shape.as_list() == [1, 4, 4, 1]
    assert built.logits.shape.as_list() == [1, 3]
    assert list(built.end_points) == ["logits"]
    assert [r.scope for r in built.trace.records][0] == "conv1"


@pytest.mark.parametrize(
    "model_fn, shape, exc, match",
    [
        ("not callable", [1, 2], TypeError, r"`model_fn` must be a callable"),
        (_dense, 5, TypeError, r"`input_shape` must be a list or tuple of ints"),
        (_dense, [], ValueError, r"`input_shape` must be .*, got an empty shape"),
        (_dense, [1, 0], ValueError, r"`input_shape` must be .*, got \[1, 0\]"),
        (_dense, [1, 2.5], TypeError, r"`input_shape` must be .*, got \[1, 2.5\]"),
    ],
    ids=["model_fn", "shape-type", "empty", "zero", "float"],
)
def test_build_traced_rejects_bad_arguments(model_fn, shape, exc, match):
    with pytest.raises(exc, match="build_traced: " + match):
        build_traced(model_fn, shape)


def test_parameters_follow_the_model_function(small_model):
    model_fn, input_shape, _ = small_model
    inspected = InspectModel(model_fn=model_fn, input_shape=list(input_shape), render=False)
    assert inspected.totals["params"] == 59 and inspected.totals["flops"] == 1011
    assert inspected.error == "" and inspected.svg == ""
    assert "conv2 (repeat)" in inspected.dot
    assert inspected.collection("TRAINABLE_VARIABLES").count == 8
    seen = []
    inspected.param.watch(
        lambda *events: seen.extend(e.name for e in events), ["table", "dot", "collections"]
    )
    inspected.model_fn = _dense
    inspected.input_shape = [2, 3]
    # fc 3 -> 4: 3*4 + 4 = 16 params; FLOPs count one example: 4 outputs * (2*3 + 1) = 28.
    assert inspected.totals == {
        "params": 16,
        "trainable_params": 16,
        "non_trainable_params": 0,
        "flops": 28,
        "layers": 1,
    }
    assert inspected.diagram.edge_scopes() == [("inputs", "fc"), ("fc", "fc/Relu:0")]
    assert set(seen) == {"table", "dot", "collections"}


def test_an_already_built_graph_can_be_inspected(graph):
    with slim.trace_layers() as trace:
        logits = _dense(tf.placeholder(tf.float32, [1, 3], name="x"))
    inspected = InspectModel.from_graph(graph, trace, outputs={"logits": logits}, render=False)
    assert [r.scope for r in inspected.table.rows] == ["fc"]
    assert inspected.diagram.edge_scopes() == [("x", "fc"), ("fc", "fc/Relu:0")]
    assert inspected.diagram.node("fc/Relu:0").label == "logits"
    # Without a trace: collections only.
    bare = InspectModel.from_graph(graph, render=False)
    assert bare.table is None and bare.dot == "" and bare.totals == {}
    assert bare.collection("model_variables").names() == ["fc/weights", "fc/biases"]


def test_build_errors_are_reported_not_raised():
    def broken(x):
        raise ValueError("no such layer")

    inspected = InspectModel(model_fn=_dense, input_shape=[1, 3], render=False)
    inspected.model_fn = broken
    assert inspected.error == "ValueError: no such layer"
    assert inspected.table is None and inspected.collections == [] and inspected.graph is None
    inspected.model_fn = _dense
    assert inspected.error == "" and inspected.totals["params"] == 16
    inspected.input_shape = [1, 0]
    assert "`input_shape` must be a list or tuple of ints >= 1" in inspected.error


def test_a_bad_checkpoint_is_reported_and_collections_still_listed(tmp_path):
    missing = str(tmp_path / "model.ckpt")
    inspected = InspectModel(model_fn=_dense, input_shape=[1, 3], checkpoint=missing, render=False)
    assert "which does not exist" in inspected.error
    assert inspected.collection("GLOBAL_VARIABLES").members[0].in_checkpoint is None


def test_unknown_collection_gets_a_hint():
    inspected = InspectModel(model_fn=_dense, input_shape=[1, 3], render=False)
    with pytest.raises(KeyError, match="Did you mean 'MODEL_VARIABLES'"):
        inspected.collection("MODEL_VARIABLE")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_is_rendered_and_follows_rankdir():
    inspected = InspectModel(model_fn=_dense, input_shape=[1, 3])
    assert "<svg" in inspected.svg and inspected.svg_error == ""
    before = inspected.svg
    inspected.rankdir = "LR"
    assert "rankdir=LR" in inspected.dot and inspected.svg != before


def test_missing_dot_is_reported_in_svg_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    inspected = InspectModel(model_fn=_dense, input_shape=[1, 3])
    assert inspected.svg == "" and inspected.dot
    assert "the Graphviz `dot` program must be on PATH" in inspected.svg_error


def test_every_parameter_has_a_doc():
    undocumented = [
        name for name, p in InspectModel.param.objects().items() if name != "name" and not p.doc
    ]
    assert undocumented == []
    assert issubclass(InspectModel, param.Parameterized)


@pytest.mark.parametrize("module", [build, model, inspect_package], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0 or module is inspect_package


def test_inspect_and_restore_plan_load_no_ui_package():
    code = (
        "import sys, workbench.models.inspect, workbench.models.restore_plan; "
        "print(sorted(m for m in ('panel', 'ipywidgets', 'bokeh') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
