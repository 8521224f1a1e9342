"""Generated slimlib code: its text, ruff's verdict, and the same variables as the build."""

from __future__ import annotations

import doctest
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workbench.models.design.design_support import (
    graph_variables,
    random_design,
    run_generated,
)
from workbench.models.design import (
    DesignError,
    build_graph,
    codegen,
    generate_code,
    net_design,
    pysource,
    template,
    templates,
)
from workbench.models.design.pysource import Atom, Call, ListExpr, TupleExpr, statement
from workbench.models.design.spec import (
    arg_scope,
    branches,
    layer,
    net,
    new_design,
    repeat,
    residual,
    stack,
)
from workbench.models.design.validate import analyze

ROOT = Path(__file__).resolve().parents[4]
PYPROJECT = ROOT / "pyproject.toml"

GOLDEN_DESIGN = new_design(
    "demo",
    [32, 32, 3],
    [
        arg_scope(
            ["conv2d", "fully_connected"],
            [
                repeat(2, layer("conv2d", num_outputs=64, kernel_size=[3, 3]), "conv1"),
                layer("max_pool2d", "pool1", kernel_size=[2, 2]),
                residual(
                    [layer("conv2d", "conv", num_outputs=64, kernel_size=3, activation_fn=None)],
                    [],
                    "block1",
                    "relu",
                ),
                branches(
                    [[layer("conv2d", "b0", num_outputs=8, kernel_size=1)], []],
                    scope="mixed",
                ),
                layer("flatten"),
                stack(
                    "fully_connected",
                    [{"num_outputs": 32}, {"num_outputs": 10, "activation_fn": None}],
                    "fc",
                ),
                layer("dropout", "dropout", keep_prob=0.5),
            ],
            activation_fn="relu",
            weights_initializer={
                "name": "truncated_normal_initializer",
                "mean": 0.0,
                "stddev": 0.01,
            },
            weights_regularizer={"name": "l2_regularizer", "scale": 0.0005},
        )
    ],
)

GOLDEN_CODE = '''"""Model 'demo', written by Slim Workbench from its design."""

import tensorflow.compat.v1 as tf

import slimlib as slim


def model(inputs, is_training=True):
    """Builds the design on `inputs` `[batch, 32, 32, 3]`; returns `(net, end_points)`."""
    end_points = {}
    with slim.arg_scope([slim.dropout], is_training=is_training):
        with slim.arg_scope(
            [slim.conv2d, slim.fully_connected],
            activation_fn=tf.nn.relu,
            weights_initializer=tf.truncated_normal_initializer(mean=0.0, stddev=0.01),
            weights_regularizer=slim.l2_regularizer(0.0005),
        ):
            net = slim.repeat(inputs, 2, slim.conv2d, 64, [3, 3], scope="conv1")
            end_points["conv1"] = net
            net = slim.max_pool2d(net, [2, 2], scope="pool1")
            end_points["pool1"] = net
            with tf.variable_scope("block1"):
                residual = slim.conv2d(net, 64, 3, activation_fn=None, scope="conv")
                end_points["block1/conv"] = residual
                net = tf.nn.relu(net + residual)
            end_points["block1"] = net
            with tf.variable_scope("mixed"):
                with tf.variable_scope("Branch_0"):
                    branch_0 = slim.conv2d(net, 8, 1, scope="b0")
                    end_points["mixed/Branch_0/b0"] = branch_0
                net = tf.concat([branch_0, net], 3)
            end_points["mixed"] = net
            net = slim.flatten(net)
            end_points["Flatten"] = net
            net = slim.stack(net, slim.fully_connected, [32, (10, None)], scope="fc")
            end_points["fc"] = net
            net = slim.dropout(net, keep_prob=0.5, scope="dropout")
            end_points["dropout"] = net
    return net, end_points
'''


def test_golden_code():
    assert generate_code(GOLDEN_DESIGN) == GOLDEN_CODE


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed")
    return found


def _ruff_clean(folder: Path, *options: str) -> None:
    config = ["--config", str(PYPROJECT), *options]
    checked = subprocess.run(
        [_ruff(), "check", "--no-cache", *config, str(folder)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = subprocess.run(
        [_ruff(), "format", "--check", "--diff", "--no-cache", *config, str(folder)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def _cases() -> dict[str, dict]:
    cases = {f"template_{name}": template(name) for name in templates()}
    cases["net_lenet"] = net_design("lenet", num_classes=4, dropout_keep_prob=0.8)
    cases["net_cifarnet"] = net_design("cifarnet")
    # A net in its own scope, inside a residual block, followed by layers of the design.
    cases["net_nested"] = new_design(
        "nested",
        [28, 28, 1],
        [
            residual([net("lenet", "backbone", num_classes=28 * 28)], [layer("flatten")]),
            layer("fully_connected", "head", num_outputs=3),
        ],
    )
    cases["golden"] = GOLDEN_DESIGN
    return cases


CASES = _cases()


def test_generated_code_is_ruff_clean_and_formatted(tmp_path):
    for name, design in CASES.items():
        (tmp_path / f"{name}.py").write_text(generate_code(design))
    (tmp_path / "narrow.py").write_text(generate_code(template("resnet_small"), line_length=60))
    _ruff_clean(tmp_path / "narrow.py", "--line-length", "60")
    (tmp_path / "narrow.py").unlink()
    _ruff_clean(tmp_path)


@pytest.mark.parametrize("name", list(CASES))
def test_generated_code_creates_the_variables_of_the_build(name):
    design = CASES[name]
    built = build_graph(design)
    graph, net, end_points = run_generated(generate_code(design), design["input"]["shape"])
    assert graph_variables(graph) == graph_variables(built.graph)
    assert list(end_points) == list(built.end_points)
    assert net.shape.as_list() == built.logits.shape.as_list()


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_random_designs_give_the_same_variables_both_ways(data):
    design = random_design(data)
    analysis = analyze(design)
    if analysis.problems:
        # Scope names drawn from a small pool can clash; nothing else may go wrong.
        assert {p.kind for p in analysis.problems} == {"name"}, analysis.problems
        with pytest.raises(DesignError):
            generate_code(design)
        return
    code = generate_code(design)
    built = build_graph(design)
    graph, net, end_points = run_generated(code, design["input"]["shape"])
    assert graph_variables(graph) == graph_variables(built.graph)
    assert list(end_points) == list(built.end_points)
    assert tuple(net.shape.as_list()[1:]) == analysis.output_shape
    formatted = subprocess.run(
        [_ruff(), "format", "--check", "--config", str(PYPROJECT), "--stdin-filename", "m.py", "-"],
        input=code,
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, code


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            {"function_name": "2model"},
            ValueError,
            r"`function_name` must be a Python identifier, got '2model'",
        ),
        ({"line_length": 30}, ValueError, r"`line_length` must be an int >= 40, got 30"),
    ],
    ids=["function-name", "line-length"],
)
def test_generate_code_rejects_bad_options(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        generate_code(GOLDEN_DESIGN, **kwargs)


def test_generate_code_refuses_an_invalid_design():
    with pytest.raises(
        DesignError, match=r"generate_code: the design has 1 problem:\n  - `blocks\[0\].op`"
    ):
        generate_code(new_design("m", [4], [layer("flaten")]))


def test_empty_design_returns_its_input():
    code = generate_code(new_design("empty", [4], []))
    assert "    net = inputs\n    return net, end_points\n" in code
    assert "import" not in code


def test_function_name_option():
    code = generate_code(new_design("m", [4], [layer("flatten")]), function_name="build_mlp")
    assert "def build_mlp(inputs, is_training=True):" in code


def test_statement_layout_follows_ruff():
    call = Call(
        "slim.conv2d",
        (Atom("net"), Atom("64"), ListExpr((Atom("3"), Atom("3")))),
        (("scope", Atom('"conv1"')),),
    )
    assert statement("net = ", call) == ['net = slim.conv2d(net, 64, [3, 3], scope="conv1")']
    assert statement("net = ", call, width=40) == [
        "net = slim.conv2d(",
        '    net, 64, [3, 3], scope="conv1"',
        ")",
    ]
    assert statement("net = ", call, width=30) == [
        "net = slim.conv2d(",
        "    net,",
        "    64,",
        "    [3, 3],",
        '    scope="conv1",',
        ")",
    ]
    assert TupleExpr((Atom("1"),)).flat() == "(1,)"
    assert (
        pysource.literal({"a": [1, 2.5, None, True, "x"]}).flat()
        == '{"a": [1, 2.5, None, True, "x"]}'
    )


@pytest.mark.parametrize(
    "value, exc, match",
    [
        (float("nan"), ValueError, "must be a finite number"),
        (object(), TypeError, "must be a JSON value"),
    ],
    ids=["nan", "object"],
)
def test_literal_rejects_what_is_not_json(value, exc, match):
    with pytest.raises(exc, match=match):
        pysource.literal(value)


def test_doctests():
    for module in (codegen, pysource):
        assert doctest.testmod(module).failed == 0, module.__name__
