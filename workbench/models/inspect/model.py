"""`InspectModel`: a model (function or built graph) and everything the inspect views show.

Set `model_fn` and `input_shape` (the model is then built in its own traced graph), or set
`graph` and `trace` directly; the layer table, totals, diagram (dot source and SVG) and the
collections listing follow as parameters that views bind to. Problems are reported in
`error` (building, reading the checkpoint) and `svg_error` (rendering) rather than raised,
so a view can show them next to whatever could still be computed.
"""

from __future__ import annotations

from typing import Any

import param
import tensorflow as tf

import slimlib as slim
from workbench.models.design.provenance import DesignPlaces
from workbench.models.inspect.build import TracedModel, build_traced, check_input_shape
from workbench.models.inspect.diagram import Diagram
from workbench.models.inspect.folding import default_folded, fold
from workbench.models.inspect.graph_collections import CollectionListing
from workbench.models.inspect.layer_table import LayerTable
from workbench.models.inspect.render import check_node_count, render_svg
from workbench.models.inspect.views_of_build import build_views
from workbench.problems import did_you_mean


class InspectModel(param.Parameterized):
    """A model to inspect: its layer table, totals, diagram and collections.

    Example:
      >>> def model(x):
      ...     return slim.fully_connected(x, 4, scope="fc")
      >>> inspected = InspectModel(model_fn=model, input_shape=[2, 3], render=False)
      >>> inspected.totals["params"], [r.scope for r in inspected.table.rows]
      (16, ['fc'])
      >>> inspected.input_shape = [2, 5]
      >>> inspected.totals["params"]
      24
    """

    model_fn = param.Callable(
        default=None,
        allow_None=True,
        doc="Model function `fn(inputs) -> logits or (logits, end_points)`; setting it (or "
        "`input_shape`) rebuilds `graph` and `trace`. None: inspect `graph` as given.",
    )
    input_shape = param.List(
        default=[1, 28, 28, 1],
        doc="Static input shape for `model_fn`, e.g. `[batch, height, width, channels]`; "
        "ints >= 1, None for an unknown dimension. Default MNIST-sized `[1, 28, 28, 1]`.",
    )
    graph = param.ClassSelector(
        class_=tf.Graph,
        default=None,
        allow_None=True,
        doc="Graph being inspected: built from `model_fn`, or any graph set directly.",
    )
    trace = param.ClassSelector(
        class_=slim.tracing.LayerTrace,
        default=None,
        allow_None=True,
        doc="Layer trace recorded while `graph` was built; None: no table or diagram.",
    )
    outputs = param.Dict(
        default={},
        doc="Output tensors drawn as end nodes of the diagram, `{name: tensor}` "
        "(`{'logits': ...}` when built from `model_fn`).",
    )
    places = param.ClassSelector(
        class_=DesignPlaces,
        default=None,
        allow_None=True,
        doc="For a design, the places its build notes (`build_design(places=...)`): the "
        "layer table then names the design block that set each argument. Set it with "
        "`model_fn`; None: arguments name the file and line that set them.",
    )
    checkpoint = param.String(
        default=None,
        allow_None=True,
        doc="Optional checkpoint prefix or directory; the collections then say which "
        "variables it holds.",
    )
    rankdir = param.Selector(
        default="TB",
        objects=["TB", "LR"],
        doc="Diagram direction: top to bottom (TB, default) or left to right (LR).",
    )
    folded = param.List(
        default=[],
        item_type=str,
        doc="Scopes drawn as one node with their totals (`folding.fold`). A new model "
        "starts with `folding.default_folded`: a big net folded to a few dozen nodes.",
    )
    building = param.Boolean(
        default=False,
        doc="Whether a new build of the model is under way (made elsewhere, then shown with "
        "`show_built`); what is shown meanwhile is the build before.",
    )
    render = param.Boolean(
        default=True,
        doc="Render `svg` with Graphviz whenever the diagram changes (False: dot only).",
    )

    table = param.ClassSelector(
        class_=LayerTable,
        default=None,
        allow_None=True,
        constant=True,
        doc="Layer table of `trace`; None without a trace.",
    )
    totals = param.Dict(
        default={},
        constant=True,
        doc="`{'params', 'trainable_params', 'non_trainable_params', 'flops', 'layers'}` "
        "of the trace; `{}` without one.",
    )
    diagram = param.ClassSelector(
        class_=Diagram,
        default=None,
        allow_None=True,
        constant=True,
        doc="Nodes, edges and clusters of the model diagram; None without a trace.",
    )
    dot = param.String(
        default="", constant=True, doc="Graphviz source of `diagram`, `folded` as asked."
    )
    svg = param.String(
        default="", constant=True, doc="`dot` rendered to SVG; '' when not rendered."
    )
    svg_error = param.String(
        default="", constant=True, doc="Why `svg` is empty (e.g. Graphviz missing); '' if none."
    )
    collections = param.List(
        default=[],
        item_type=CollectionListing,
        constant=True,
        doc="Every collection of `graph` with its members (`inspect_collections`).",
    )
    error = param.String(
        default="",
        constant=True,
        doc="Why building the model or reading the checkpoint failed; '' when all went well.",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        if self.model_fn is not None:
            self._build()
        else:
            self._refresh()

    @classmethod
    def from_graph(
        cls,
        graph: tf.Graph,
        trace: slim.tracing.LayerTrace | None = None,
        *,
        outputs: dict[str, tf.Tensor] | None = None,
        **params: Any,
    ) -> InspectModel:
        """An `InspectModel` of an already built graph (and the trace recorded building it)."""
        return cls(graph=graph, trace=trace, outputs=dict(outputs or {}), **params)

    @param.depends("model_fn", "input_shape", watch=True)
    def _build(self) -> None:
        if self.model_fn is None:
            return
        try:
            check_input_shape("InspectModel", self.input_shape)
            built = build_traced(self.model_fn, self.input_shape)
        except Exception as err:  # A user's model function may raise anything; show it.
            with param.edit_constant(self):
                self.param.update(error=f"{type(err).__name__}: {err}")
            self.param.update(graph=None, trace=None, outputs={})
            return
        outputs = {"logits": built.logits} if built.logits is not None else {}
        self.param.update(graph=built.graph, trace=built.trace, outputs=outputs)

    def show_built(self, built: TracedModel, *, places: DesignPlaces | None = None) -> None:
        """Inspects `built`, a model built elsewhere (and maybe shown elsewhere too: it is
        only read), with the design `places` its build noted."""
        outputs = {"logits": built.logits} if built.logits is not None else {}
        self._failed = False
        self.param.update(
            model_fn=None, places=places, graph=built.graph, trace=built.trace, outputs=outputs
        )

    def show_failure(self, message: str) -> None:
        """Shows that building the model failed, with `message`, and nothing built."""
        self._failed = True  # `_refresh` keeps the error while nothing is built.
        with param.edit_constant(self):
            self.param.update(error=message)
        self.param.update(model_fn=None, places=None, graph=None, trace=None, outputs={})

    @param.depends("graph", "trace", "outputs", "checkpoint", watch=True)
    def _refresh(self) -> None:
        error = ""
        failed = self.model_fn is not None or getattr(self, "_failed", False)
        if failed and self.graph is None:
            error = self.error  # Keep the build error.
        table = diagram = None
        folded = []
        listing: list[CollectionListing] = []
        if self.graph is not None:
            # Shared with every model showing this build (a build shared between sessions).
            views = build_views(
                self.graph,
                self.trace,
                outputs=self.outputs,
                places=self.places,
                checkpoint=self.checkpoint or None,
            )
            table, diagram, listing = views.table, views.diagram, list(views.collections)
            error = views.error or error
            if diagram is not None:
                folded = self._folds_for(diagram)
        with param.edit_constant(self):
            self.param.update(
                table=table,
                totals=table.totals if table is not None else {},
                diagram=diagram,
                collections=listing,
                error=error,
            )
        if folded != self.folded:
            self.folded = folded  # Draws the diagram (`_draw`).
        else:
            self._draw()

    def _folds_for(self, diagram: Diagram) -> list[str]:
        """The folds kept from the diagram before when it has the same scopes (a rebuild in
        the other mode), else the default folds of the new one."""
        old = self.diagram
        if old is not None and [c.path for c in old.clusters] == [c.path for c in diagram.clusters]:
            return list(self.folded)
        return list(default_folded(diagram))

    @param.depends("folded", "rankdir", watch=True)
    def _draw(self) -> None:
        dot = ""
        self._drawn_nodes = 0
        if self.diagram is not None:
            drawn = fold(self.diagram, self.folded)
            self._drawn_nodes = len(drawn.nodes)
            dot = drawn.to_dot(rankdir=self.rankdir)
        with param.edit_constant(self):
            self.dot = dot
        self._render()

    def toggle(self, scope: str) -> None:
        """Folds `scope` when it is drawn open, unfolds it (and the scopes inside it) when
        it is folded.

        Raises:
          KeyError: If `scope` is not a scope of the diagram (with the closest as a hint).
        """
        known = [c.path for c in self.diagram.clusters] if self.diagram else []
        if scope not in known:
            raise KeyError(
                f"InspectModel.toggle: `scope` must be a scope of the diagram, got {scope!r}."
                + did_you_mean(scope, known)
            )
        if scope in self.folded:
            self.folded = [p for p in self.folded if p != scope and not p.startswith(scope + "/")]
        else:
            inside = [p for p in self.folded if not p.startswith(scope + "/")]
            self.folded = [*inside, scope]

    def fold_all(self, fold_everything: bool) -> None:
        """Folds every top scope (True), or unfolds everything (False)."""
        if self.diagram is None or not fold_everything:
            self.folded = []
            return
        self.folded = [c.path for c in self.diagram.clusters if not c.parent]

    @param.depends("render", watch=True)
    def _render(self) -> None:
        svg = svg_error = ""
        if self.render and self.dot:
            try:
                check_node_count(getattr(self, "_drawn_nodes", 0))
                svg = render_svg(self.dot)
            except (RuntimeError, ValueError, TimeoutError) as err:
                svg_error = str(err)
        with param.edit_constant(self):
            self.param.update(svg=svg, svg_error=svg_error)

    def collection(self, label_or_key: str) -> CollectionListing:
        """The listing of one collection, by label (`"MODEL_VARIABLES"`) or key.

        Raises:
          KeyError: If the graph has no such collection (with the closest name as a hint).
        """
        for listing in self.collections:
            if label_or_key in (listing.label, listing.key):
                return listing
        names = [c.label for c in self.collections]
        hint = did_you_mean(label_or_key, names)
        raise KeyError(
            f"InspectModel.collection: `label_or_key` must name a collection of the graph, "
            f"got {label_or_key!r}.{hint}"
        )
