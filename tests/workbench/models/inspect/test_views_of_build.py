"""A build's layer table, diagram and collections are made once per graph, trace, outputs and
places, and go with the graph; a checkpoint's listing is never shared."""

from __future__ import annotations

import gc

import slimlib as slim
from workbench.models.inspect.build import build_traced
from workbench.models.inspect.views_of_build import build_views, kept_count


def _model(x):
    return slim.fully_connected(x, 4, scope="fc")


def test_the_same_build_gets_the_same_views_and_another_build_its_own():
    built = build_traced(_model, [2, 3])
    views = build_views(built.graph, built.trace, outputs={"logits": built.logits})
    assert build_views(built.graph, built.trace, outputs={"logits": built.logits}) is views
    assert views.table.totals["params"] == 3 * 4 + 4 and views.error == ""
    # Other outputs, or another trace of the same graph, make other views.
    assert build_views(built.graph, built.trace) is not views
    again = build_traced(_model, [2, 3])
    other = build_views(again.graph, again.trace, outputs={"logits": again.logits})
    assert other is not views and other.table.totals == views.table.totals


def test_views_with_a_checkpoint_are_made_each_time_and_say_what_failed(tmp_path):
    built = build_traced(_model, [2, 3])
    missing = str(tmp_path / "nothing")
    first = build_views(built.graph, built.trace, checkpoint=missing)
    assert first is not build_views(built.graph, built.trace, checkpoint=missing)
    assert "nothing" in first.error and first.collections


def test_the_views_go_with_their_graph():
    gc.collect()  # Graphs of earlier tests no one holds any more go first.
    before = kept_count()
    built = build_traced(_model, [2, 3])
    build_views(built.graph, built.trace)
    assert kept_count() == before + 1
    del built
    gc.collect()
    assert kept_count() == before
