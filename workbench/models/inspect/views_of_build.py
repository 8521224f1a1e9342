"""What Inspect shows of a built graph (layer table, diagram, collections), made once per
build and shared by every inspect model showing that build.

These are frozen dataclasses computed from the graph, its trace, its outputs and the design
places alone, so sessions shown one shared build (`shared_builds`) can share them too: for
inception_v3 they take about 0.3 s a session. They are kept while the graph lives (a weak
reference to it), and only for builds inspected without a checkpoint, whose listing is the
same for everyone.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from workbench.models.inspect.diagram import Diagram, build_diagram
from workbench.models.inspect.graph_collections import CollectionListing, inspect_collections
from workbench.models.inspect.initializers import name_initializers, variable_initializers
from workbench.models.inspect.layer_table import LayerTable, tabulate_layers


@dataclasses.dataclass(frozen=True)
class BuildViews:
    """The parts of a build Inspect shows.

    Attributes:
      table: The layer table (None without a trace).
      diagram: The full diagram, nothing folded (None without a trace).
      collections: Every collection with its members, initializers named by the trace.
      error: Why the checkpoint could not be read ('' when it could, or none was given).
    """

    table: LayerTable | None
    diagram: Diagram | None
    collections: tuple[CollectionListing, ...]
    error: str


_lock = threading.Lock()
# Graph -> [(trace, output names, places, views)]: the views made for that very trace and
# places, held by weak references (the trace holds the graph's tensors, so a strong one would
# keep the graph alive for ever), and the outputs by their tensors' names; the views go with
# the graph.
_kept: weakref.WeakKeyDictionary[tf.Graph, list[tuple]] = weakref.WeakKeyDictionary()


def _ref(obj: Any) -> Callable[[], Any]:
    """A weak reference to `obj` (None stays None)."""
    return (lambda: None) if obj is None else weakref.ref(obj)


def _output_names(outputs: dict[str, tf.Tensor]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, getattr(t, "name", repr(t))) for k, t in outputs.items()))


def _same(entry: tuple, trace: Any, outputs: tuple, places: Any) -> bool:
    kept_trace, kept_outputs, kept_places, _ = entry
    return kept_trace() is trace and kept_places() is places and kept_outputs == outputs


def build_views(
    graph: tf.Graph,
    trace: Any,
    *,
    outputs: dict[str, tf.Tensor] | None = None,
    places: Any = None,
    checkpoint: str | None = None,
) -> BuildViews:
    """The layer table, diagram and collections of `graph` (built with `trace`), the ones
    made before for the same graph, trace, outputs and places when there is no checkpoint.

    Example:
      >>> from workbench.models.inspect.build import build_traced
      >>> import slimlib as slim
      >>> built = build_traced(lambda x: slim.fully_connected(x, 4, scope="fc"), [2, 3])
      >>> views = build_views(built.graph, built.trace)
      >>> views.table.totals["params"], views is build_views(built.graph, built.trace)
      (16, True)
    """
    outputs = dict(outputs or {})
    if checkpoint:
        return _make(graph, trace, outputs, places, checkpoint)
    names = _output_names(outputs)
    with _lock:
        found = [e for e in _kept.get(graph, ()) if _same(e, trace, names, places)]
    if found:
        return found[0][3]
    views = _make(graph, trace, outputs, places, None)
    with _lock:
        entries = _kept.setdefault(graph, [])
        found = [e for e in entries if _same(e, trace, names, places)]
        if found:  # Made meanwhile by another thread: everyone gets the same.
            return found[0][3]
        entries.append((_ref(trace), names, _ref(places), views))
    return views


def kept_count() -> int:
    """How many graphs have views kept (they go when their graph is collected)."""
    with _lock:
        return len(_kept)


def _make(graph, trace, outputs, places, checkpoint) -> BuildViews:
    table = diagram = None
    if trace is not None:
        table = tabulate_layers(trace, places=places)
        diagram = build_diagram(graph, trace, outputs=outputs or None)
    error = ""
    try:
        listing = list(inspect_collections(graph, checkpoint=checkpoint or None))
    except (TypeError, ValueError) as err:
        error = str(err)
        listing = list(inspect_collections(graph))
    if trace is not None:
        listing = name_initializers(listing, variable_initializers(trace))
    return BuildViews(table, diagram, tuple(listing), error)
