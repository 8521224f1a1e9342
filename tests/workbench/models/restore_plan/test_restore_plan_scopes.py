"""Scope tree: choices inherited by children, and patterns that select exactly the choice."""

from __future__ import annotations

import doctest
import itertools
import re

import pytest

from workbench.models.restore_plan import ScopeTree, scopes

NAMES = [
    "vgg_16/conv1/weights",
    "vgg_16/conv1/weights/Momentum",  # A variable under a variable.
    "vgg_16/conv1/biases",
    "vgg_16/conv10/weights",
    "vgg_16/fc8/weights",
    "vgg_16/fc8_new/weights",
    "global_step",
]


@pytest.fixture(scope="module")
def tree():
    return ScopeTree(NAMES)


def test_nodes_are_every_prefix(tree):
    assert tree.paths == [
        "",
        "vgg_16",
        "vgg_16/conv1",
        "vgg_16/conv1/weights",
        "vgg_16/conv1/weights/Momentum",
        "vgg_16/conv1/biases",
        "vgg_16/conv10",
        "vgg_16/conv10/weights",
        "vgg_16/fc8",
        "vgg_16/fc8/weights",
        "vgg_16/fc8_new",
        "vgg_16/fc8_new/weights",
        "global_step",
    ]
    conv1 = tree.node("vgg_16/conv1/")  # A trailing slash is accepted.
    assert (conv1.name, conv1.parent, conv1.depth, conv1.is_variable) == (
        "conv1",
        "vgg_16",
        2,
        False,
    )
    assert conv1.variables == tuple(NAMES[:3])
    assert tree.node("vgg_16/conv1/weights").is_variable


def test_a_child_overrides_its_parent(tree):
    choices = {"vgg_16": False, "vgg_16/conv1": True, "vgg_16/conv1/weights/Momentum": False}
    got = {name: tree.effective(choices, name) for name in NAMES}
    assert got == {
        "vgg_16/conv1/weights": True,
        "vgg_16/conv1/weights/Momentum": False,
        "vgg_16/conv1/biases": True,
        "vgg_16/conv10/weights": False,
        "vgg_16/fc8/weights": False,
        "vgg_16/fc8_new/weights": False,
        "global_step": True,  # The root default.
    }


@pytest.mark.parametrize(
    "path, pattern",
    [
        ("vgg_16/fc8", "vgg_16/fc8/"),
        ("vgg_16/conv1/biases", "vgg_16/conv1/biases:"),
        ("vgg_16/conv1/weights", "vgg_16/conv1/weights[/:]"),
    ],
    ids=["scope", "variable", "variable-with-children"],
)
def test_patterns_never_catch_a_neighbour(tree, path, pattern):
    assert tree.pattern(path) == pattern
    caught = [n for n in NAMES if re.match(pattern, n + ":0")]
    assert caught == [n for n in NAMES if n == path or n.startswith(path + "/")]


def test_special_characters_are_escaped():
    tree = ScopeTree(["a.b/w", "axb/w"])
    assert [n for n in ["a.b/w:0", "axb/w:0"] if re.match(tree.pattern("a.b"), n)] == ["a.b/w:0"]


def _selected(tree, regions):
    chosen = set()
    for include, excludes in regions:
        inc = None if include is None else tree.pattern(include)
        exc = [tree.pattern(p) for p in excludes]
        for name in NAMES:
            full = name + ":0"
            if (inc is None or re.match(inc, full)) and not any(re.match(p, full) for p in exc):
                assert name not in chosen, "regions must be disjoint"
                chosen.add(name)
    return chosen


def test_regions_select_exactly_the_chosen_variables_for_every_choice(tree):
    # Every combination of True / False / unset on five nodes at different depths.
    nodes = ["", "vgg_16", "vgg_16/conv1", "vgg_16/conv1/weights", "vgg_16/fc8"]
    for values in itertools.product([True, False, None], repeat=len(nodes)):
        choices = {n: v for n, v in zip(nodes, values) if v is not None}
        expected = {n for n in NAMES if tree.effective(choices, n)}
        assert _selected(tree, tree.regions(choices)) == expected, choices


def test_regions_of_common_choices(tree):
    assert tree.regions({}) == [(None, [])]
    assert tree.regions({"vgg_16/fc8": False}) == [(None, ["vgg_16/fc8"])]
    assert tree.regions({"": False, "vgg_16/conv1": True}) == [("vgg_16/conv1", [])]
    assert tree.regions({"vgg_16": False, "vgg_16/conv1": True, "vgg_16/conv1/biases": False}) == [
        (None, ["vgg_16"]),
        ("vgg_16/conv1", ["vgg_16/conv1/biases"]),
    ]


def test_unknown_scope_gets_a_hint(tree):
    with pytest.raises(
        ValueError,
        match=r"`scope` must be a scope or variable of the graph, "
        r"got 'vgg_16/conv_1'. Did you mean 'vgg_16/conv1'\?",
    ):
        tree.node("vgg_16/conv_1")
    with pytest.raises(TypeError, match=r"`scope` must be a str, got 3"):
        tree.node(3)


def test_docstring_examples_run():
    result = doctest.testmod(scopes, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
