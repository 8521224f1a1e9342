"""Folding a diagram's scopes, the default folds of a big net, branches drawn in their order,
and the inspect model's fold state. Every count is checkable by hand."""

from __future__ import annotations

import doctest
import shutil

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
from workbench.models.inspect import InspectModel, build_diagram, build_traced, folding
from workbench.models.inspect.folding import default_folded, fold
from workbench.models.inspect.formatting import compact_count

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


def blocks_net(x: tf.Tensor, count: int = 6) -> tf.Tensor:
    """`count` blocks of two scopes of two dense layers 2 -> 2 (6 params each)."""
    for b in range(count):
        with tf.variable_scope(f"block{b}"):
            for part in ("a", "b"):
                x = slim.repeat(x, 2, slim.fully_connected, 2, scope=part)
    return x


def four_branches(x: tf.Tensor) -> tf.Tensor:
    """Four branches; the third is the longest, so Graphviz alone draws it last."""
    with tf.variable_scope("mixed"):
        outs = []
        for index, length in enumerate((1, 2, 4, 2)):
            with tf.variable_scope(f"Branch_{index}"):
                net = x
                for k in range(length):
                    net = slim.fully_connected(net, 2, scope=f"fc{k}")
                outs.append(net)
        return tf.concat(outs, axis=1)


@pytest.fixture(scope="module")
def blocks():
    built = build_traced(blocks_net, [1, 2])
    return build_diagram(built.graph, built.trace, outputs=[built.logits])


def test_a_folded_scope_is_one_node_with_its_totals(blocks):
    folded = fold(blocks, ["block0", "block1/a"])
    node = folded.node("block0")
    # 2 scopes x 2 layers x (2x2 weights + 2 biases).
    assert (node.kind, node.params, node.calls, node.shape) == ("folded", 24, 4, (1, 2))
    assert node.flops == sum(n.flops for n in blocks.nodes if n.cluster.startswith("block0/"))
    assert folded.node("block1/a").cluster == "block1"
    assert folded.edge_scopes()[:3] == [
        ("inputs", "block0"),
        ("block0", "block1/a"),
        ("block1/a", "block1/b/b_1"),
    ]
    assert [c.path for c in folded.clusters][:2] == ["block1", "block1/b"]
    assert folded.folded == ("block0", "block1/a")


def test_a_scope_inside_a_folded_one_folds_with_it(blocks):
    folded = fold(blocks, ["block2/a", "block2"])
    assert [n.scope for n in folded.nodes if n.kind == "folded"] == ["block2"]
    assert folded.node("block2").params == 24
    assert folded.folded == ("block2",)


def test_folding_an_unknown_scope_names_the_closest(blocks):
    with pytest.raises(KeyError, match=r"got 'block0/c'. Did you mean 'block0/b'"):
        fold(blocks, ["block0/c"])


def test_a_big_net_folds_at_the_deepest_level_that_fits(blocks):
    # 6 blocks x 4 layers + input + output = 26 nodes.
    assert len(blocks.nodes) == 26
    assert default_folded(blocks, limit=26) == ()
    # Folding the 12 `blockN/x` scopes leaves 12 + 2 nodes.
    assert default_folded(blocks, limit=14) == tuple(
        f"block{b}/{part}" for b in range(6) for part in ("a", "b")
    )
    # Then only the 6 blocks fit; with fewer still, the top scopes are the best there is.
    assert default_folded(blocks, limit=13) == tuple(f"block{b}" for b in range(6))
    assert default_folded(blocks, limit=3) == tuple(f"block{b}" for b in range(6))


def test_compact_counts_read_at_a_glance():
    counts = (0, 9_999, 10_000, 999_499, 999_999, 3_274_634, 11_489_728_392)
    assert [compact_count(n) for n in counts] == [
        "0",
        "9,999",
        "10K",
        "999K",
        "1M",
        "3.27M",
        "11.5G",
    ]


@needs_dot
def test_branches_are_drawn_in_their_order():
    built = build_traced(four_branches, [1, 2])
    drawn = build_diagram(built.graph, built.trace)
    layout = drawn.to_digraph().pipe(format="plain", encoding="utf-8")
    x_of = {
        line.split()[1]: float(line.split()[2])
        for line in layout.splitlines()
        if line.startswith("node ")
    }
    heads = [drawn.node(f"mixed/Branch_{i}/fc0").id for i in range(4)]
    xs = [x_of[h] for h in heads]
    assert xs == sorted(xs) and len(set(xs)) == 4
    # Folded branches keep their order too.
    folded = fold(drawn, [f"mixed/Branch_{i}" for i in range(4)])
    layout = folded.to_digraph().pipe(format="plain", encoding="utf-8")
    x_of = {
        line.split()[1]: float(line.split()[2])
        for line in layout.splitlines()
        if line.startswith("node ")
    }
    xs = [x_of[folded.node(f"mixed/Branch_{i}").id] for i in range(4)]
    assert xs == sorted(xs) and len(set(xs)) == 4


def test_a_variable_scope_opened_twice_keeps_one_scope_box():
    """As in Inception v3: ops without variables are named `Net/Net/...`; they belong in
    the `Net` box with the layers, not in a `Net/Net` box of their own."""

    def model(x):
        with tf.variable_scope("Net") as scope:
            with tf.variable_scope(scope):
                a = slim.fully_connected(x, 2, scope="a")
                b = slim.fully_connected(x, 2, scope="b")
                net = tf.concat([a, b], axis=1)
                return slim.flatten(net, scope="Flatten")

    built = build_traced(model, [1, 2])
    drawn = build_diagram(built.graph, built.trace)
    assert [c.path for c in drawn.clusters] == ["Net"]
    merge = next(n for n in drawn.nodes if n.kind == "merge")
    assert (merge.cluster, merge.scope) == ("Net", "Net/Net/concat")
    assert drawn.node("Net/Net/Flatten").cluster == "Net"


def test_the_inspect_model_folds_a_big_net_and_toggles_scopes():
    inspected = InspectModel(model_fn=blocks_net, input_shape=[1, 2], render=False)
    assert inspected.folded == []  # 26 nodes: within the default limit of 40.
    inspected.toggle("block1")
    assert inspected.folded == ["block1"] and 'label="block1 [+]' in inspected.dot
    inspected.toggle("block1/a")
    assert inspected.folded == ["block1", "block1/a"]
    inspected.toggle("block1")  # Opening a scope opens what it holds.
    assert inspected.folded == [] and "[+]" not in inspected.dot
    inspected.fold_all(True)
    assert inspected.folded == [f"block{b}" for b in range(6)]
    inspected.input_shape = [1, 2]  # Same scopes: the folds stay.
    assert inspected.folded == [f"block{b}" for b in range(6)]
    inspected.fold_all(False)
    assert inspected.folded == []
    with pytest.raises(KeyError, match=r"`scope` must be a scope of the diagram, got 'blok1'"):
        inspected.toggle("blok1")


def test_a_new_big_model_starts_folded():
    inspected = InspectModel(
        model_fn=lambda x: blocks_net(x, count=12), input_shape=[1, 2], render=False
    )
    # 12 x 4 + 2 = 50 nodes; the 24 `blockN/x` scopes fold to 26 nodes.
    assert len(inspected.folded) == 24 and inspected.dot.count("[+]") == 24


def test_docstring_examples_run():
    result = doctest.testmod(folding)
    assert result.attempted > 0 and result.failed == 0
