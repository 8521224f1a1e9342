"""Smoke tests of the layer summary page (no browser; tests/ui/ drives the real one)."""

from __future__ import annotations

import panel as pn

from workbench.models.layer_summary import LayerSummary
from workbench.views.panel.summary_page import COLUMNS, SummaryView, layer_frame, summary_page

# A hand-made summary: a `repeat` call (depth 0) with two conv children, then a dense layer
# with an unknown batch dimension.
SUMMARY = LayerSummary(
    rows=[
        {"scope": "conv", "op": "repeat", "depth": 0, "input_shape": (2, 4, 4, 1),
         "output_shape": (2, 4, 4, 8), "params": 664, "trainable_params": 664, "flops": 10},
        {"scope": "conv/conv_1", "op": "convolution2d", "depth": 1, "input_shape": (2, 4, 4, 1),
         "output_shape": (2, 4, 4, 8), "params": 80, "trainable_params": 80, "flops": 4},
        {"scope": "conv/conv_2", "op": "convolution2d", "depth": 1, "input_shape": (2, 4, 4, 8),
         "output_shape": (2, 4, 4, 8), "params": 584, "trainable_params": 584, "flops": 6},
        {"scope": "fc", "op": "fully_connected", "depth": 0, "input_shape": (None, 128),
         "output_shape": None, "params": 1290, "trainable_params": 1290, "flops": 7},
    ],
    total_params=1954,
    trainable_params=1954,
    total_flops=17,
    text="Total params: 1,954",
)  # fmt: skip


def test_layer_frame_indents_children_and_writes_shapes():
    frame = layer_frame(SUMMARY)
    assert list(frame.columns) == COLUMNS
    assert list(frame["Layer"]) == ["conv", "\u2003conv/conv_1", "\u2003conv/conv_2", "fc"]
    assert list(frame["Input shape"])[-1] == "[?, 128]"
    assert list(frame["Output shape"]) == ["[2, 4, 4, 8]"] * 3 + ["-"]
    assert list(frame["Params"]) == [664, 80, 584, 1290]


def test_summary_view_renders_totals_table_and_text():
    view = SummaryView(summary=SUMMARY, description="A test model.")
    column = view.__panel__()
    assert isinstance(column, pn.Column)
    numbers = [obj for obj in column.select(pn.indicators.Number)]
    assert [(n.name, n.value) for n in numbers] == [
        ("Total params", 1954),
        ("Trainable params", 1954),
        ("FLOPs (forward)", 17),
        ("Layer calls", 4),
    ]
    (table,) = column.select(pn.widgets.Tabulator)
    assert len(table.value) == 4
    (text,) = column.select(pn.pane.Str)
    assert text.object == "Total params: 1,954"


def test_summary_page_is_a_titled_template():
    page = summary_page(SUMMARY, description="A test model.")
    assert isinstance(page, pn.template.BaseTemplate)
    assert page.title == "Slim Workbench"
