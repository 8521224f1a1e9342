"""Model diagram: layer nodes, data-flow edges and scope clusters, as a `graphviz.Digraph`.

Nodes come from the layer trace, so each is a slimlib layer call, not a TensorFlow op: a
`conv2d` with a `batch_norm` normalizer is one node, and a `repeat` or `stack` (a call that
only delegates) is a cluster around the calls it made. Edges come from the graph's data flow:
every op belongs to the layer whose variable scope prefixes its name; an input an op reads
from another layer's op is an edge. Ops no layer owns (`net + shortcut`, `tf.concat`) pass
the data through, or become a small merge node when two or more layer outputs meet there, so
branches, residual adds and concatenations show as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import graphviz
import tensorflow as tf

import slimlib as slim
from workbench.models.inspect.formatting import Shape, compact_count, format_shape
from workbench.problems import did_you_mean

#: Node kinds: the model's placeholder(s), a layer call, an untraced op where two or more
#: layer outputs meet (add, concat), the model's output tensor(s), and a folded scope (see
#: `workbench.models.inspect.folding`).
NODE_KINDS: tuple[str, ...] = ("input", "layer", "merge", "output", "folded")

# Ops that hold state or constants: nothing flows from them along a data edge.
_NO_FLOW_OPS = frozenset(
    {"Const", "VarHandleOp", "VariableV2", "Variable", "ReadVariableOp", "NoOp", "Shape"}
)
_PLACEHOLDERS = frozenset({"Placeholder", "PlaceholderWithDefault"})

_GRAPH_STYLE = {
    "fontname": "Helvetica",
    "fontsize": "10",
    "labeljust": "l",
    "nodesep": "0.3",
    "ranksep": "0.35",
}
_NODE_DEFAULTS = {"fontname": "Helvetica", "fontsize": "10", "margin": "0.12,0.04"}
_EDGE_DEFAULTS = {"fontname": "Helvetica", "fontsize": "8", "color": "#555555"}
_CLUSTER_STYLE = {
    "style": "rounded,filled",
    "fillcolor": "#fafcfe",
    "color": "#8aa4c0",
    "fontcolor": "#2f4f6f",
}
_NODE_STYLE = {
    "input": {"shape": "ellipse", "style": "filled", "fillcolor": "#fdf1d6"},
    "layer": {"shape": "box", "style": "rounded,filled", "fillcolor": "#e8f0f8"},
    "merge": {"shape": "circle", "style": "filled", "fillcolor": "#eeeeee", "fixedsize": "false"},
    "output": {"shape": "ellipse", "style": "filled", "fillcolor": "#dff2df"},
    "folded": {
        "shape": "box",
        "style": "rounded,filled,bold",
        "fillcolor": "#d3e2f1",
        "color": "#2f4f6f",
        "peripheries": "2",
    },
}
#: Prefix of the SVG ids of folded nodes and scope boxes: a click on one folds or unfolds it.
SVG_ID_PREFIX = "wb-"


@dataclasses.dataclass(frozen=True)
class DiagramNode:
    """One box (or ellipse) of the diagram.

    Attributes:
      id: Graphviz node id, `n0`, `n1`, ...: safe whatever the scope name holds.
      kind: One of `NODE_KINDS`.
      label: Short name: last scope component, placeholder name, or output name.
      op: The slimlib function(s) (`convolution2d + batch_norm`) or TensorFlow op type.
      scope: Full variable scope of a layer, or full op name otherwise.
      shape: Static output shape, `None` when unknown.
      cluster: Scope path of the innermost cluster holding the node (`""`: top level).
      row: Index of the layer's row in the layer table (`trace.walk()` order), else `None`.
      params: Parameters of the layer call(s) drawn by the node (a folded scope: all of it).
      flops: Their FLOPs per forward pass.
      calls: Number of layer calls drawn by the node (a layer and its normalizer: 2).
    """

    id: str
    kind: str
    label: str
    op: str
    scope: str
    shape: Shape | None
    cluster: str = ""
    row: int | None = None
    params: int = 0
    flops: int = 0
    calls: int = 0


@dataclasses.dataclass(frozen=True)
class DiagramEdge:
    """Data flowing from one node to another, labelled with the source's output shape."""

    source: str
    target: str
    shape: Shape | None


@dataclasses.dataclass(frozen=True)
class DiagramCluster:
    """A box around the nodes under one scope.

    Attributes:
      id: Graphviz subgraph id, `cluster_0`, ...
      path: The scope, e.g. `"vgg_16/conv1"`.
      label: Its last component, with the delegating op when there is one (`conv1 (repeat)`).
      parent: Path of the enclosing cluster (`""`: top level).
    """

    id: str
    path: str
    label: str
    parent: str


@dataclasses.dataclass(frozen=True)
class Diagram:
    """Nodes, edges and clusters of a model diagram; `to_digraph()` draws it with `graphviz`.

    `folded` lists the scopes drawn as one node (`folding.fold`); empty for a full diagram.
    """

    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    clusters: tuple[DiagramCluster, ...]
    folded: tuple[str, ...] = ()

    def scope_at(self, svg_id: str) -> str | None:
        """The scope of the folded node or scope box whose SVG id is `svg_id`, else None."""
        for node in self.nodes:
            if node.kind == "folded" and svg_id == f"{SVG_ID_PREFIX}{node.id}":
                return node.scope
        for cluster in self.clusters:
            if svg_id == f"{SVG_ID_PREFIX}{cluster.id}":
                return cluster.path
        return None

    def node(self, scope: str) -> DiagramNode:
        """The node whose `scope` (layer scope or op name) is `scope`.

        Raises:
          KeyError: If there is none (with the closest scope as a hint).
        """
        for node in self.nodes:
            if node.scope == scope:
                return node
        hint = did_you_mean(scope, [n.scope for n in self.nodes])
        raise KeyError(f"Diagram.node: `scope` must be a node's scope, got {scope!r}.{hint}")

    def edge_scopes(self) -> list[tuple[str, str]]:
        """Every edge as `(source scope, target scope)`, in order."""
        by_id = {node.id: node.scope for node in self.nodes}
        return [(by_id[e.source], by_id[e.target]) for e in self.edges]

    def to_dot(self, *, rankdir: str = "TB", name: str = "model") -> str:
        """Graphviz `dot` source: one subgraph cluster per scope, nested as the scopes are.

        Args:
          rankdir: Layout direction, `"TB"` (top to bottom, default) or `"LR"`.
          name: Graph name written after `digraph` (any text is safe).

        Raises:
          ValueError: If `rankdir` is not one of `TB`, `LR`, `BT`, `RL`.
        """
        if rankdir not in ("TB", "LR", "BT", "RL"):
            raise ValueError(
                f"Diagram.to_dot: `rankdir` must be one of ['TB', 'LR', 'BT', 'RL'], "
                f"got {rankdir!r}."
            )
        return self.to_digraph(rankdir=rankdir, name=name).source

    def to_digraph(self, *, rankdir: str = "TB", name: str = "model") -> graphviz.Digraph:
        """The diagram as a `graphviz.Digraph` (see `to_dot` for the arguments)."""
        dot = graphviz.Digraph(
            graphviz.escape(name),
            graph_attr={"rankdir": rankdir, **_GRAPH_STYLE},
            node_attr=_NODE_DEFAULTS,
            edge_attr=_EDGE_DEFAULTS,
        )
        children: dict[str, list[DiagramCluster]] = {}
        for cluster in self.clusters:
            children.setdefault(cluster.parent, []).append(cluster)
        members: dict[str, list[DiagramNode]] = {}
        for node in self.nodes:
            members.setdefault(node.cluster, []).append(node)

        def add(graph: graphviz.Digraph, path: str) -> None:
            for node in members.get(path, []):
                extra = {"id": SVG_ID_PREFIX + node.id} if node.kind == "folded" else {}
                graph.node(
                    node.id, label=label(*_node_label(node)), **_NODE_STYLE[node.kind], **extra
                )
            for cluster in children.get(path, []):
                with graph.subgraph(name=cluster.id) as sub:
                    sub.attr(
                        label=label(cluster.label),
                        id=SVG_ID_PREFIX + cluster.id,
                        **_CLUSTER_STYLE,
                    )
                    add(sub, cluster.path)

        add(dot, "")
        for edge in self.edges:
            shape = "" if edge.shape is None else format_shape(edge.shape)
            dot.edge(edge.source, edge.target, label=label(shape))
        rows = self._branch_rows()
        if rows:
            # Graphviz orders sibling clusters to cross fewest edges, which may draw branch
            # 3 before branch 2: the heads of a block's branches share a rank, in order.
            dot.attr(newrank="true")
            for row in rows:
                with dot.subgraph() as same:
                    same.attr(rank="same")
                    for left, right in zip(row, row[1:]):
                        same.edge(left, right, style="invis")
        return dot

    def _branch_rows(self) -> list[list[str]]:
        """For each node feeding two or more sibling scopes (a block's branches), the ids of
        the first node of each, in the order the model made them."""
        by_id = {node.id: node for node in self.nodes}
        targets: dict[str, list[str]] = {}
        for edge in self.edges:
            targets.setdefault(edge.source, []).append(edge.target)
        rows = []
        for heads in targets.values():
            by_parent: dict[str, dict[str, str]] = {}
            for head in heads:
                node = by_id[head]
                key = node.scope if node.kind == "folded" else node.cluster
                if key:
                    parent = key.rsplit("/", 1)[0] if "/" in key else ""
                    by_parent.setdefault(parent, {}).setdefault(key, head)
            for siblings in by_parent.values():
                if len(siblings) >= 2:
                    rows.append(list(siblings.values()))
        return rows


def label(*lines: str) -> str:
    """A Graphviz label showing `lines` one under the other, as plain text: backslashes and
    `<...>` lose their special meaning; a newline inside one starts a new line too.

    Example:
      >>> print(label("conv1", "<b>"))
      conv1\\n<b>
    """
    parts = [graphviz.escape(part) for line in lines for part in line.splitlines() or [""]]
    return graphviz.nohtml("\\n".join(parts))


def _node_label(node: DiagramNode) -> tuple[str, ...]:
    if node.kind == "folded":
        totals = f"{compact_count(node.params)} params, {compact_count(node.flops)} FLOPs"
        return f"{node.label} [+]", node.op, totals, format_shape(node.shape)
    return node.label, node.op, format_shape(node.shape)


def _is_container(record: slim.tracing.LayerRecord) -> bool:
    """A call that only delegates (`repeat`, `stack`, a user block): no variables or FLOPs of
    its own, only its children's."""
    if not record.children or record.flops:
        return False
    child_vars = {v.name for child in record.children for v in child.variables}
    return all(v.name in child_vars for v in record.variables)


def _descendants(record: slim.tracing.LayerRecord) -> Iterable[slim.tracing.LayerRecord]:
    for child in record.children:
        yield child
        yield from _descendants(child)


def _shape_of(tensor: tf.Tensor) -> Shape | None:
    try:
        return tuple(tensor.shape.as_list())
    except ValueError:  # Unknown rank.
        return None


def _flows(tensor: tf.Tensor, index: int) -> bool:
    """Whether an op input carries data: a float tensor, or the integer first input (one-hot
    indices, a cast). Shapes, axes and boolean switches (`is_training`) are not data."""
    dtype = tensor.dtype.base_dtype
    if dtype.is_floating or dtype.is_complex:
        return True
    return index == 0 and dtype.is_integer


class _Builder:
    """Collects the nodes and edges of one diagram."""

    def __init__(self, graph: tf.Graph, trace: slim.tracing.LayerTrace):
        self.graph = graph
        self.nodes: list[DiagramNode] = []
        self.edges: dict[tuple[str, str], DiagramEdge] = {}
        self.owner_by_scope: dict[str, str] = {}  # Scope -> id of the node owning its ops.
        self.containers: dict[str, str] = {}  # Scope of a delegating call -> its op.
        self.by_op: dict[str, str] = {}  # Op name -> id of its input/merge node.
        self.memo: dict[str, frozenset[str]] = {}
        self.scopes_with_variables: set[str] = set()  # A later call there reuses them.
        # A net that opens its variable scope twice (`InceptionV3` in `inception_v3` and in
        # its base) names its ops `InceptionV3/InceptionV3/...`: ops with no variables
        # (pools, concat) would sit in a scope box of their own. Name-scope prefix -> the
        # variable scope it stands for, learnt from the calls that have both.
        self.renamed: dict[tuple[str, ...], tuple[str, ...]] = {}
        for record, _depth in trace.walk():
            self._learn_renaming(record)
        self._add_layers(trace)

    def _new_id(self) -> str:
        return f"n{len(self.nodes)}"

    def _add_layers(self, trace: slim.tracing.LayerTrace) -> None:
        merged: set[int] = set()
        for row, (record, _depth) in enumerate(trace.walk()):
            if id(record) in merged:
                continue
            if _is_container(record):
                self.containers.setdefault(record.scope, record.op)
                continue
            inner = list(_descendants(record))
            merged.update(id(r) for r in inner)
            label = record.scope.rsplit("/", 1)[-1] or record.op
            ops = [record.op] + [r.op for r in inner if r.op != record.op]
            node = DiagramNode(
                id=self._new_id(),
                kind="layer",
                label=label + (" (reused)" if record.scope in self.scopes_with_variables else ""),
                op=" + ".join(dict.fromkeys(ops)),
                scope=record.scope,
                shape=record.output_shape,
                cluster=self.as_variable_scope(
                    record.scope.rsplit("/", 1)[0] if "/" in record.scope else ""
                ),
                row=row,
                params=record.params,
                flops=record.total_flops,
                calls=1 + len(inner),
            )
            self.nodes.append(node)
            if any(r.variables for r in [record, *inner]):
                self.scopes_with_variables.add(record.scope)
            # Ops are named by name scope; a call reusing variables has a name scope of its
            # own (`conv1_1`) under the variable scope it shares (`conv1`).
            scopes = [s for r in [record, *inner] for s in (r.name_scope, r.scope)]
            for scope in scopes:
                if scope:  # A record with no scope cannot own ops by name.
                    self.owner_by_scope.setdefault(scope, node.id)

    def _learn_renaming(self, record: slim.tracing.LayerRecord) -> None:
        if not record.variables or not record.name_scope or not record.scope:
            return
        names, scopes = record.name_scope.split("/"), record.scope.split("/")
        extra = len(names) - len(scopes)
        if extra > 0 and names[extra:] == scopes:
            self.renamed.setdefault(tuple(names[: extra + 1]), tuple(scopes[:1]))

    def as_variable_scope(self, name_scope: str) -> str:
        """`name_scope` with a prefix the variables do not have replaced by theirs."""
        parts = tuple(name_scope.split("/")) if name_scope else ()
        for prefix, scope in self.renamed.items():
            if parts[: len(prefix)] == prefix:
                return "/".join(scope + parts[len(prefix) :])
        return name_scope

    def owner(self, op_name: str) -> str | None:
        """Id of the layer node whose scope is the longest proper prefix of `op_name`."""
        parts = op_name.split("/")
        for k in range(len(parts) - 1, 0, -1):
            found = self.owner_by_scope.get("/".join(parts[:k]))
            if found is not None:
                return found
        return None

    def _node_shape(self, node_id: str) -> Shape | None:
        return self.nodes[int(node_id[1:])].shape

    def add_edge(self, source: str, target: str) -> None:
        if source != target and (source, target) not in self.edges:
            self.edges[(source, target)] = DiagramEdge(source, target, self._node_shape(source))

    def sources(self, op: tf.Operation) -> frozenset[str]:
        """Ids of the nodes whose outputs reach `op`'s data inputs through unowned ops."""
        # Iterative depth-first search: a long chain of plain TensorFlow ops must not hit
        # Python's recursion limit. A cycle (a while loop's back edge) contributes nothing.
        stack: list[tuple[tf.Operation, bool]] = [(op, False)]
        while stack:
            current, expanded = stack.pop()
            if current.name in self.memo and not expanded:
                continue
            direct = self._direct(current)
            if direct is not None:
                self.memo[current.name] = direct
                continue
            inputs = [t.op for i, t in enumerate(current.inputs) if _flows(t, i)]
            if not expanded:
                self.memo[current.name] = frozenset()  # In progress: breaks cycles.
                stack.append((current, True))
                stack.extend((inp, False) for inp in inputs if inp.name not in self.memo)
                continue
            per_input = [self.memo.get(inp.name, frozenset()) for inp in inputs]
            reaching = [s for s in per_input if s]
            if len(reaching) >= 2:
                self.memo[current.name] = frozenset({self._merge_node(current, reaching)})
            else:
                self.memo[current.name] = frozenset().union(*per_input)
        return self.memo[op.name]

    def _direct(self, op: tf.Operation) -> frozenset[str] | None:
        """The answer for ops that need no search: owned, placeholders and state/constants."""
        owner = self.owner(op.name)
        if owner is not None:
            return frozenset({owner})
        if op.type in _PLACEHOLDERS:
            return frozenset({self._input_node(op)})
        if op.type in _NO_FLOW_OPS or not op.inputs:
            return frozenset()
        return None

    def _input_node(self, op: tf.Operation) -> str:
        if op.name not in self.by_op:
            node = DiagramNode(
                id=self._new_id(),
                kind="input",
                label=op.name.rsplit("/", 1)[-1],
                op=op.type,
                scope=op.name,
                shape=_shape_of(op.outputs[0]),
            )
            self.nodes.append(node)
            self.by_op[op.name] = node.id
        return self.by_op[op.name]

    def _merge_cluster(self, op: tf.Operation) -> str:
        """The scope box a merge op is drawn in: its name scope, said as a variable scope."""
        return self.as_variable_scope(op.name.rsplit("/", 1)[0] if "/" in op.name else "")

    def _merge_node(self, op: tf.Operation, reaching: list[frozenset[str]]) -> str:
        if op.name not in self.by_op:
            node = DiagramNode(
                id=self._new_id(),
                kind="merge",
                label=op.name.rsplit("/", 1)[-1],
                op=op.type,
                scope=op.name,
                shape=_shape_of(op.outputs[0]) if op.outputs else None,
                cluster=self._merge_cluster(op),
            )
            self.nodes.append(node)
            self.by_op[op.name] = node.id
            for group in reaching:
                for source in sorted(group, key=lambda i: int(i[1:])):
                    self.add_edge(source, node.id)
        return self.by_op[op.name]

    def connect_layers(self) -> None:
        for op in self.graph.get_operations():
            target = self.owner(op.name)
            if target is None:
                continue
            for index, tensor in enumerate(op.inputs):
                if not _flows(tensor, index) or self.owner(tensor.op.name) == target:
                    continue
                for source in sorted(self.sources(tensor.op), key=lambda i: int(i[1:])):
                    self.add_edge(source, target)

    def add_outputs(self, outputs: Mapping[str, tf.Tensor]) -> None:
        for name, tensor in outputs.items():
            node = DiagramNode(
                id=self._new_id(),
                kind="output",
                label=name,
                op=tensor.op.type,
                scope=tensor.name,
                shape=_shape_of(tensor),
            )
            self.nodes.append(node)
            for source in sorted(self.sources(tensor.op), key=lambda i: int(i[1:])):
                self.add_edge(source, node.id)

    def clusters(self) -> tuple[DiagramCluster, ...]:
        paths: dict[str, None] = {}
        for node in self.nodes:
            if node.cluster:
                parts = node.cluster.split("/")
                for k in range(1, len(parts) + 1):
                    paths.setdefault("/".join(parts[:k]))
        out = []
        for i, path in enumerate(paths):
            last = path.rsplit("/", 1)[-1]
            op = self.containers.get(path)
            out.append(
                DiagramCluster(
                    id=f"cluster_{i}",
                    path=path,
                    label=f"{last} ({op})" if op else last,
                    parent=path.rsplit("/", 1)[0] if "/" in path else "",
                )
            )
        return tuple(out)


def build_diagram(
    graph: tf.Graph,
    trace: slim.tracing.LayerTrace,
    *,
    outputs: Mapping[str, tf.Tensor] | Sequence[tf.Tensor] | None = None,
) -> Diagram:
    """The diagram of a traced model: a node per layer call, edges from the graph's data flow.

    Args:
      graph: The graph the traced layers were built in.
      trace: What `slim.trace_layers()` recorded while building them.
      outputs: Output tensors to draw as end nodes (`{"logits": t}`, or a list named
        `output`, `output_1`, ...), reached through untraced ops such as a final squeeze.

    Returns:
      A `Diagram`; `diagram.to_digraph()` is its `graphviz.Digraph`, `diagram.to_dot()`
      its Graphviz source.

    Raises:
      TypeError: If `graph` is not a `tf.Graph` or `trace` is not a `slim.tracing.LayerTrace`.

    Example:
      >>> from workbench.models.inspect.build import build_traced
      >>> def model(x):
      ...     a = slim.fully_connected(x, 4, scope="a")
      ...     b = slim.fully_connected(x, 4, scope="b")
      ...     return slim.fully_connected(a + b, 2, scope="out")
      >>> m = build_traced(model, [1, 3])
      >>> build_diagram(m.graph, m.trace).edge_scopes()
      [('inputs', 'a'), ('inputs', 'b'), ('a', 'add'), ('b', 'add'), ('add', 'out')]
    """
    if not isinstance(graph, tf.Graph):
        raise TypeError(f"build_diagram: `graph` must be a tf.Graph, got {graph!r}.")
    if not isinstance(trace, slim.tracing.LayerTrace):
        raise TypeError(f"build_diagram: `trace` must be a slim.tracing.LayerTrace, got {trace!r}.")
    builder = _Builder(graph, trace)
    builder.connect_layers()
    if outputs is not None:
        if not isinstance(outputs, Mapping):
            outputs = {("output" if i == 0 else f"output_{i}"): t for i, t in enumerate(outputs)}
        builder.add_outputs(outputs)
    # Edges in the order the graph's ops were created: data flows top to bottom.
    return Diagram(tuple(builder.nodes), tuple(builder.edges.values()), builder.clusters())
