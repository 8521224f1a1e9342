"""A page with only the model canvas, served by tests/ui/test_canvas_browser.py.

`panel serve tests/ui/canvas_page.py`, then open /canvas_page. Under the canvas, a
`<pre id="design-json">` shows the server's `editor.design` as JSON, so the browser test can
check what the server holds after each drag.

The status here is a stand-in for the design package's validation, small enough to check by
hand: it follows the top-level layers (and an arg_scope's layers) with stride-1 "SAME"
convolutions, 2x2/2 pooling, flatten and dense layers, reports a conv2d or fully_connected
without `num_outputs` as an error, and says nothing about other kinds of block.
"""

from __future__ import annotations

import html
import json

import panel as pn

from workbench.models.editor import DesignEditor
from workbench.views.panel.canvas import editor_view

pn.extension()

PALETTE = [
    {"group": "convolution", "op": "conv2d", "doc": "2-D convolution, slim.conv2d."},
    {"group": "convolution", "op": "separable_conv2d", "doc": "Depthwise + pointwise conv."},
    {"group": "convolution", "op": "conv2d_transpose", "doc": "Transposed 2-D convolution."},
    {"group": "pooling", "op": "max_pool2d", "doc": "Max pooling, slim.max_pool2d."},
    {"group": "pooling", "op": "avg_pool2d", "doc": "Average pooling, slim.avg_pool2d."},
    {"group": "core", "op": "fully_connected", "doc": "Dense layer, slim.fully_connected."},
    {"group": "core", "op": "flatten", "doc": "Flattens all but the batch dimension."},
    {"group": "core", "op": "dropout", "doc": "Dropout while training."},
    {"group": "normalization", "op": "batch_norm", "doc": "Batch normalization."},
    {"group": "nets", "kind": "net", "op": "vgg_16", "doc": "VGG-16 (slim.nets.vgg)."},
]

START = {
    "format": "slim-workbench-design",
    "version": 1,
    "name": "small_convnet",
    "input": {"shape": [28, 28, 1], "dtype": "float32"},
    "blocks": [
        {"kind": "layer", "op": "conv2d", "args": {"num_outputs": 16, "kernel_size": [5, 5]}, "scope": "conv1"},
        {"kind": "layer", "op": "max_pool2d", "args": {"kernel_size": [2, 2]}, "scope": "pool1"},
        {"kind": "arg_scope", "ops": ["conv2d"], "defaults": {"padding": "SAME"}, "blocks": []},
        {"kind": "layer", "op": "flatten", "args": {}, "scope": "flatten"},
        {"kind": "layer", "op": "fully_connected", "args": {"num_outputs": 10}, "scope": "logits"},
    ],
}  # fmt: skip


def status(design: dict) -> dict:
    """`{path: {"shape": [...], "error": ...}}` for the layers this stand-in understands."""
    result: dict = {}
    shape = list(design["input"]["shape"])

    def follow(blocks: list, prefix: str) -> None:
        nonlocal shape
        for index, block in enumerate(blocks):
            path = f"{prefix}[{index}]"
            if block["kind"] == "arg_scope":
                follow(block["blocks"], path + ".blocks")
                result[path] = {"shape": list(shape)}
                continue
            op, args = block.get("op"), block.get("args", {})
            if block["kind"] != "layer":
                continue  # repeat, branches, ...: beyond this stand-in, so no shape shown
            if op in ("conv2d", "fully_connected") and "num_outputs" not in args:
                result[path] = {"error": f"{op}: `num_outputs` is required."}
                continue
            if op == "conv2d" and len(shape) == 3:
                shape = [*shape[:2], args["num_outputs"]]
            elif op == "max_pool2d" and len(shape) == 3:
                shape = [shape[0] // 2, shape[1] // 2, shape[2]]
            elif op == "flatten":
                shape = [shape[0] * shape[1] * shape[2]] if len(shape) == 3 else shape
            elif op == "fully_connected":
                shape = [args["num_outputs"]]
            result[path] = {"shape": list(shape)}

    follow(design["blocks"], "blocks")
    return result


editor = DesignEditor(START)
canvas = editor_view(editor, PALETTE, status, height=600)


def design_json(design: dict) -> str:
    style = "white-space: pre-wrap; word-break: break-all; margin: 0"
    return f'<pre id="design-json" style="{style}">{html.escape(json.dumps(design))}</pre>'


dump = pn.pane.HTML(
    pn.bind(design_json, editor.param.design),
    sizing_mode="stretch_width",
    styles={"font-size": "10px", "color": "#5f6b7a"},
)
pn.Column(canvas, dump, sizing_mode="stretch_width").servable(title="Design canvas")
