"""Golden layer summary of TF-Slim's LeNet, every number checkable by hand."""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest
import tensorflow as tf

from workbench.models import layer_summary
from workbench.models.layer_summary import LENET_INPUT_SHAPE, lenet, summarize

# (scope, op, output shape, params, FLOPs). Params of a layer with weights and biases are
# kernel_h * kernel_w * in_channels * out_channels + out_channels:
#   conv1: 5*5*1*32 + 32 = 832        conv2: 5*5*32*64 + 64 = 51,264
#   fc3: (7*7*64) * 1024 + 1024 = 3,212,288 (two 2x2 stride-2 pools: 28 -> 14 -> 7)
#   fc4: 1024*10 + 10 = 10,250
# FLOPs count 2 per multiply-add and 1 per bias add for each output value, and one comparison
# per window element for max pooling; reshapes, dropout and ReLU count 0:
#   conv1: 28*28*32 outputs * (2*5*5*1 + 1) = 1,279,488
#   pool1: 14*14*32 outputs * 2*2 = 25,088
#   conv2: 14*14*64 outputs * (2*5*5*32 + 1) = 20,082,944
#   pool2: 7*7*64 outputs * 2*2 = 12,544
#   fc3: 1024 outputs * (2*3136 + 1) = 6,423,552
#   fc4: 10 outputs * (2*1024 + 1) = 20,490
LENET_GOLDEN = [
    ("conv1", "convolution2d", (1, 28, 28, 32), 832, 1_279_488),
    ("pool1", "max_pool2d", (1, 14, 14, 32), 0, 25_088),
    ("conv2", "convolution2d", (1, 14, 14, 64), 51_264, 20_082_944),
    ("pool2", "max_pool2d", (1, 7, 7, 64), 0, 12_544),
    ("Flatten", "flatten", (1, 3136), 0, 0),
    ("fc3", "fully_connected", (1, 1024), 3_212_288, 6_423_552),
    ("dropout3", "dropout", (1, 1024), 0, 0),
    ("fc4", "fully_connected", (1, 10), 10_250, 20_490),
]
LENET_TOTAL_PARAMS = 832 + 51_264 + 3_212_288 + 10_250  # 3,274,634


@pytest.fixture(scope="module")
def lenet_summary() -> layer_summary.LayerSummary:
    return summarize(lenet, LENET_INPUT_SHAPE)


def test_lenet_rows_match_golden(lenet_summary):
    got = [
        (row["scope"], row["op"], row["output_shape"], row["params"], row["flops"])
        for row in lenet_summary.rows
    ]
    assert got == LENET_GOLDEN


def test_lenet_rows_are_top_level_and_chain_shapes(lenet_summary):
    rows = lenet_summary.rows
    assert [row["depth"] for row in rows] == [0] * len(LENET_GOLDEN)
    assert rows[0]["input_shape"] == LENET_INPUT_SHAPE
    for previous, row in zip(rows, rows[1:]):
        assert row["input_shape"] == previous["output_shape"], row["scope"]


def test_lenet_totals(lenet_summary):
    assert lenet_summary.total_params == LENET_TOTAL_PARAMS == 3_274_634
    assert lenet_summary.trainable_params == LENET_TOTAL_PARAMS
    assert lenet_summary.total_flops == sum(flops for *_, flops in LENET_GOLDEN) == 27_844_106


def test_lenet_text_summary_lists_every_scope_and_the_totals(lenet_summary):
    for scope, *_ in LENET_GOLDEN:
        assert scope in lenet_summary.text
    assert "Total params: 3,274,634" in lenet_summary.text
    assert "Total FLOPs: 27,844,106" in lenet_summary.text


def test_summarize_builds_in_its_own_graph():
    with tf.Graph().as_default() as graph:
        summarize(lenet, LENET_INPUT_SHAPE)
        assert graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES) == []


@pytest.mark.parametrize("num_classes, params", [(2, 1024 * 2 + 2), (100, 1024 * 100 + 100)])
def test_lenet_logits_layer_follows_num_classes(num_classes, params):
    summary = summarize(lambda images: lenet(images, num_classes), LENET_INPUT_SHAPE)
    assert summary.rows[-1]["output_shape"] == (1, num_classes)
    assert summary.rows[-1]["params"] == params


def test_docstring_examples_run():
    result = doctest.testmod(layer_summary, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_model_module_loads_no_ui_package():
    code = (
        "import sys, workbench.models.layer_summary; "
        "print(sorted(m for m in ('panel', 'ipywidgets', 'bokeh') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
