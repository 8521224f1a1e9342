"""`ScopeNamer` gives the names TensorFlow gives, checked against TensorFlow itself."""

from __future__ import annotations

import contextlib
import doctest

import pytest
import tensorflow as tf

from workbench.models.design import names
from workbench.models.design.names import ScopeNamer

v1 = tf.compat.v1

# Each step: ("var", scope, default) a layer with a variable scope, ("name", scope, default)
# a layer with only a name scope, ("open", scope, default, [steps]) a scope around steps.
SCENARIOS = {
    "defaults count up": [("var", None, "Conv"), ("var", None, "Conv"), ("var", None, "Conv")],
    "explicit name taken by default": [("var", "Conv", "Conv"), ("var", None, "Conv")],
    "explicit _1 skipped": [
        ("var", "Conv_1", "Conv"),
        ("var", None, "Conv"),
        ("var", None, "Conv"),
    ],
    "name scopes unique case-insensitively": [
        ("name", "pool", "MaxPool2D"),
        ("name", "POOL", "MaxPool2D"),
        ("name", None, "MaxPool2D"),
        ("name", None, "maxpool2d"),
    ],
    "variable and name scopes share names": [
        ("var", "a", "Conv"),
        ("name", "a", "MaxPool2D"),
        ("var", None, "a"),
    ],
    "counts restart inside each scope": [
        ("open", "block1", "Residual", [("var", None, "Conv"), ("var", None, "Conv")]),
        ("open", "block2", "Residual", [("var", None, "Conv")]),
        ("open", None, "Residual", [("var", None, "Conv"), ("name", None, "MaxPool2D")]),
        ("open", None, "Residual", [("var", None, "Conv")]),
    ],
    "reopened scope forgets inner counts": [
        ("open", "x", "x", [("var", None, "Conv")]),
        ("open", "x", "x", [("var", None, "Conv")]),
    ],
    "name scope renamed, variable scope not": [
        ("name", "Residual", "MaxPool2D"),
        ("open", None, "Residual", [("name", None, "MaxPool2D"), ("var", None, "Conv")]),
    ],
    "the inputs placeholder holds its name": [
        ("name", "inputs", "MaxPool2D"),
        ("var", "inputs", "Conv"),
    ],
}


def _tensorflow(steps) -> list[str]:
    out: list[str] = []

    def run(steps):
        for step in steps:
            kind, scope, default = step[:3]
            if kind == "var":
                with v1.variable_scope(scope, default) as sc:
                    out.append(sc.name)
            elif kind == "name":
                with v1.name_scope(scope, default) as sc:
                    out.append(sc.rstrip("/"))
            else:
                with v1.variable_scope(scope, default) as sc:
                    out.append(sc.name)
                    run(step[3])

    with tf.Graph().as_default():
        v1.placeholder(tf.float32, [None], name="inputs")
        run(steps)
    return out


def _namer(steps) -> list[str]:
    namer = ScopeNamer()
    out: list[str] = []

    def run(steps):
        for step in steps:
            kind, scope, default = step[:3]
            if kind == "var":
                out.append(namer.variable_scope(scope, default))
            elif kind == "name":
                out.append(namer.name_scope(scope, default))
            else:
                with contextlib.ExitStack() as stack:
                    out.append(stack.enter_context(namer.open_variable_scope(scope, default)))
                    run(step[3])

    run(steps)
    return out


@pytest.mark.parametrize("steps", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_names_match_tensorflow(steps):
    assert _namer(steps) == _tensorflow(steps)


def test_golden_names():
    assert _namer(SCENARIOS["explicit _1 skipped"]) == ["Conv_1", "Conv", "Conv_2"]
    assert _namer(SCENARIOS["name scope renamed, variable scope not"]) == [
        "Residual",
        "Residual",
        "Residual_1/MaxPool2D",
        "Residual/Conv",
    ]


def test_current_tracks_the_open_scope():
    namer = ScopeNamer()
    with namer.open_variable_scope("a", "A"), namer.open_variable_scope(None, "B"):
        assert namer.current == "a/B"
    assert namer.current == ""


def test_doctests():
    assert doctest.testmod(names).failed == 0
