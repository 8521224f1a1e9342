"""Model diagram: data-flow edges, scope clusters, dot source and SVG rendering."""

from __future__ import annotations

import doctest
import shutil

import graphviz
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.inspect import build_diagram, build_traced, diagram, render
from workbench.models.inspect.diagram import Diagram, DiagramNode, label
from workbench.models.inspect.render import GraphvizNotFoundError, render_svg

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


@pytest.fixture(scope="module")
def small(small_model):
    model_fn, input_shape, _ = small_model
    built = build_traced(model_fn, input_shape)
    return build_diagram(built.graph, built.trace, outputs={"logits": built.logits})


@pytest.fixture(scope="module")
def branchy(branchy_model):
    built = build_traced(*branchy_model)
    return build_diagram(built.graph, built.trace, outputs=[built.logits])


def test_chain_edges_follow_the_data(small):
    assert small.edge_scopes() == [
        ("inputs", "conv1"),
        ("conv1", "conv2/conv2_1"),
        ("conv2/conv2_1", "conv2/conv2_2"),
        ("conv2/conv2_2", "pool"),
        ("pool", "flatten"),
        ("flatten", "logits"),
        ("logits", "logits/BiasAdd:0"),
    ]


def test_edges_are_labelled_with_the_source_output_shape(small):
    shapes = {(e.source, e.target): e.shape for e in small.edges}
    conv1, pool, flatten = (small.node(s).id for s in ("conv1", "pool", "flatten"))
    assert shapes[(pool, flatten)] == (1, 2, 2, 2)
    assert shapes[(small.node("inputs").id, conv1)] == (1, 4, 4, 1)


def test_repeat_is_a_cluster_around_its_calls(small):
    assert [(c.path, c.label, c.parent) for c in small.clusters] == [
        ("conv2", "conv2 (repeat)", "")
    ]
    inner = small.node("conv2/conv2_1")
    assert (inner.kind, inner.label, inner.op, inner.cluster, inner.row) == (
        "layer",
        "conv2_1",
        "convolution2d",
        "conv2",
        2,
    )
    assert [n.kind for n in small.nodes].count("layer") == 6  # conv2 itself is no node.


def test_branches_concat_and_residual_add_become_merge_nodes(branchy):
    assert branchy.edge_scopes() == [
        ("inputs", "stem"),
        ("stem", "mixed/left"),
        ("stem", "mixed/right"),
        ("mixed/left", "mixed/concat"),
        ("mixed/right", "mixed/concat"),
        ("mixed/concat", "block/conv"),
        ("block/conv", "block/add"),
        ("mixed/concat", "block/add"),
        ("block/add", "pool"),
        ("pool", "squeeze:0"),  # Through the untraced squeeze to the output node.
    ]
    add = branchy.node("block/add")
    assert (add.kind, add.op, add.shape, add.cluster) == ("merge", "AddV2", (1, 4, 4, 4), "block")
    assert branchy.node("squeeze:0").kind == "output"
    assert branchy.node("squeeze:0").label == "output"
    assert [c.path for c in branchy.clusters] == ["mixed", "block"]


def test_normalizer_is_merged_into_its_layer(graph):
    with slim.trace_layers() as trace:
        x = tf.placeholder(tf.float32, [1, 2, 2, 3], name="x")
        net = slim.conv2d(x, 2, [1, 1], normalizer_fn=slim.batch_norm, scope="conv")
        slim.fully_connected(slim.flatten(net), 2, scope="fc")
    drawn = build_diagram(graph, trace)
    assert drawn.node("conv").op == "convolution2d + batch_norm"
    # No node for conv/BatchNorm, and the fc edge comes from the conv node.
    assert [n.scope for n in drawn.nodes if n.kind == "layer"] == ["conv", "Flatten", "fc"]
    assert drawn.edge_scopes() == [("x", "conv"), ("conv", "Flatten"), ("Flatten", "fc")]


def test_a_layer_called_again_with_reuse_gets_its_own_node_and_edges(graph):
    # A siamese pair: both calls share conv1's variables; the second call's ops are
    # named conv1_1/..., and its node must still be wired from b and into the distance.
    with slim.trace_layers() as trace:
        a = tf.placeholder(tf.float32, [None, 4, 4, 1], name="a")
        b = tf.placeholder(tf.float32, [None, 4, 4, 1], name="b")
        left = slim.conv2d(a, 2, [3, 3], scope="conv1")
        right = slim.conv2d(b, 2, [3, 3], scope="conv1", reuse=True)
        distance = tf.reduce_sum(tf.square(left - right), name="distance")
    drawn = build_diagram(graph, trace, outputs={"distance": distance})
    first, second = [n for n in drawn.nodes if n.kind == "layer"]
    assert (first.label, second.label) == ("conv1", "conv1 (reused)")
    by_label = {n.id: n.label for n in drawn.nodes}
    assert [(by_label[e.source], by_label[e.target]) for e in drawn.edges] == [
        ("a", "conv1"),
        ("b", "conv1 (reused)"),
        ("conv1", "sub"),
        ("conv1 (reused)", "sub"),
        ("sub", "distance"),
    ]


def test_dot_source_nests_clusters_and_quotes_labels(small):
    dot = small.to_dot(rankdir="LR")
    assert dot.startswith("digraph model {")
    assert "rankdir=LR" in dot
    assert "subgraph cluster_0 {" in dot and 'label="conv2 (repeat)"' in dot
    conv1 = small.node("conv1").id
    assert f'{conv1} [label="conv1\\nconvolution2d\\n[1, 4, 4, 2]"' in dot
    assert f'{small.node("pool").id} -> {small.node("flatten").id} [label="[1, 2, 2, 2]"]' in dot


@pytest.mark.parametrize(
    "lines, written",
    [
        (['a "b"'], '"a \\"b\\""'),
        (["a\\b"], '"a\\\\b"'),
        (["a\nb"], '"a\\nb"'),
        (["a", "b"], '"a\\nb"'),
        (["{x}; <y>"], '"{x}; <y>"'),
        (["<b>"], '"<b>"'),
    ],
    ids=["quotes", "backslash", "newline", "two-lines", "braces", "not-html"],
)
def test_labels_are_plain_text_for_graphviz(lines, written):
    dot = graphviz.Digraph()
    dot.node("n1", label=label(*lines))
    assert f"n1 [label={written}]" in dot.source


@needs_dot
def test_node_ids_are_safe_for_any_scope_name():
    weird = 'a "quoted" {scope}; -> <b>\\'
    node = DiagramNode(id="n0", kind="layer", label=weird, op="op", scope=weird, shape=(1, None))
    drawing = Diagram(nodes=(node,), edges=(), clusters=())
    svg = render_svg(drawing.to_dot(name=weird))
    assert "<svg" in svg and "[1, ?]" in svg
    assert "&quot;quoted&quot;" in svg or '"quoted"' in svg


@needs_dot
def test_render_svg_draws_the_model(small):
    svg = render_svg(small.to_dot())
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    for scope in ("conv1", "conv2_1", "conv2 (repeat)", "logits"):
        assert scope in svg


def test_render_svg_without_dot_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # An empty folder: no `dot` anywhere.
    with pytest.raises(GraphvizNotFoundError, match=r"render_svg: the Graphviz `dot` program"):
        render_svg("digraph { a -> b }")
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        render.find_dot()


@needs_dot
def test_render_svg_reports_bad_source():
    with pytest.raises(ValueError, match=r"`dot_source` must be valid Graphviz source.*syntax"):
        render_svg("digraph { a -> }")


def test_errors_name_the_argument(small):
    with pytest.raises(TypeError, match=r"render_svg: `dot_source` must be a str"):
        render_svg(b"digraph {}")
    with pytest.raises(TypeError, match=r"build_diagram: `graph` must be a tf.Graph"):
        build_diagram(None, slim.tracing.LayerTrace())
    with pytest.raises(TypeError, match=r"build_diagram: `trace` must be a slim.tracing"):
        build_diagram(tf.Graph(), [])
    with pytest.raises(ValueError, match=r"`rankdir` must be one of \['TB', 'LR', 'BT', 'RL'\]"):
        small.to_dot(rankdir="XY")
    with pytest.raises(KeyError, match="Did you mean 'conv1'"):
        small.node("conv_1")


def test_a_graph_without_layers_draws_nothing(graph):
    tf.placeholder(tf.float32, [1], name="x")
    assert build_diagram(graph, slim.tracing.LayerTrace()) == Diagram((), (), ())


@pytest.mark.parametrize("module", [diagram, render], ids=["diagram", "render"])
def test_docstring_examples_run(module):
    if module is render and shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
