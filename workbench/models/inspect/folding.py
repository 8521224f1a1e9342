"""Folding a diagram's scopes: a folded scope is drawn as one node with its totals.

Inception v3 has 211 layer calls; drawn at once they fill a page that shows nothing useful
until zoomed. Folding a scope (`InceptionV3/Mixed_5b`) replaces every node under it with
one node saying how many layer calls, parameters and FLOPs it holds; its edges join the
folded node. `default_folded` picks the scopes to fold so a big net first shows a few dozen
nodes, its blocks in order, and a small one everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.models.inspect.diagram import Diagram, DiagramEdge, DiagramNode
from workbench.problems import did_you_mean

#: At most this many nodes are drawn at first (unless folding every top scope is not enough).
DEFAULT_NODE_LIMIT = 40


def _check_paths(diagram: Diagram, paths: Iterable[str]) -> tuple[str, ...]:
    known = [cluster.path for cluster in diagram.clusters]
    checked = tuple(paths)
    for path in checked:
        if path not in known:
            raise KeyError(
                f"fold: every folded path must be a scope of the diagram, got {path!r}."
                + did_you_mean(path, known)
            )
    return checked


def _inside(cluster: str, path: str) -> bool:
    return cluster == path or cluster.startswith(path + "/")


def fold(diagram: Diagram, paths: Iterable[str]) -> Diagram:
    """`diagram` with every scope in `paths` drawn as one `folded` node.

    The folded node's `scope` is the scope's path, its `cluster` the enclosing scope, and
    its `params`, `flops` and `calls` the totals of every layer under it; its shape is that
    of the first edge leaving the scope. A scope inside a folded one is folded with it.

    Raises:
      KeyError: If a path is not a scope of the diagram (with the closest as a hint).

    Example:
      >>> from workbench.models.inspect.build import build_traced
      >>> from workbench.models.inspect.diagram import build_diagram
      >>> import slimlib as slim
      >>> def model(x):
      ...     x = slim.repeat(x, 2, slim.fully_connected, 3, scope="block")
      ...     return slim.fully_connected(x, 2, scope="out")
      >>> m = build_traced(model, [1, 3])
      >>> folded = fold(build_diagram(m.graph, m.trace), ["block"])
      >>> folded.edge_scopes(), folded.node("block").params
      ([('inputs', 'block'), ('block', 'out')], 24)
    """
    paths = _check_paths(diagram, paths)
    # The outermost folded scope holding each node: nested folds collapse into it.
    outermost = [p for p in paths if not any(q != p and _inside(p, q) for q in paths)]
    by_path = {c.path: (index, c) for index, c in enumerate(diagram.clusters)}
    group_of: dict[str, str] = {}
    for node in diagram.nodes:
        for path in outermost:
            if node.cluster and _inside(node.cluster, path):
                group_of[node.id] = path
    folded_ids = {path: f"s{by_path[path][0]}" for path in outermost}

    def target(node_id: str) -> str:
        group = group_of.get(node_id)
        return node_id if group is None else folded_ids[group]

    edges: dict[tuple[str, str], DiagramEdge] = {}
    for edge in diagram.edges:
        source, dest = target(edge.source), target(edge.target)
        if source != dest and (source, dest) not in edges:
            edges[(source, dest)] = DiagramEdge(source, dest, edge.shape)

    nodes: list[DiagramNode] = []
    placed: set[str] = set()
    for node in diagram.nodes:
        group = group_of.get(node.id)
        if group is None:
            nodes.append(node)
            continue
        if group in placed:
            continue
        placed.add(group)
        members = [n for n in diagram.nodes if group_of.get(n.id) == group]
        node_id = folded_ids[group]
        leaving = next((e for e in edges.values() if e.source == node_id), None)
        cluster = by_path[group][1]
        nodes.append(
            DiagramNode(
                id=node_id,
                kind="folded",
                label=cluster.label,
                op=f"{sum(n.calls for n in members)} layer calls",
                scope=group,
                shape=leaving.shape if leaving else None,
                cluster=cluster.parent,
                params=sum(n.params for n in members),
                flops=sum(n.flops for n in members),
                calls=sum(n.calls for n in members),
            )
        )
    clusters = tuple(
        c for c in diagram.clusters if not any(_inside(c.path, path) for path in outermost)
    )
    return Diagram(tuple(nodes), tuple(edges.values()), clusters, folded=tuple(outermost))


def depth(path: str) -> int:
    """Number of components of a scope path: `a/b` is 2."""
    return path.count("/") + 1


def default_folded(diagram: Diagram, limit: int = DEFAULT_NODE_LIMIT) -> tuple[str, ...]:
    """The scopes to fold at first: none when the diagram has at most `limit` nodes; else
    every scope at the deepest level that keeps the drawing within `limit` nodes (the top
    scopes when none does).

    Example:
      >>> default_folded(Diagram((), (), ()))
      ()
    """
    if len(diagram.nodes) <= limit or not diagram.clusters:
        return ()
    deepest = max(depth(c.path) for c in diagram.clusters)
    chosen: tuple[str, ...] = ()
    for level in range(1, deepest + 1):
        at_level = tuple(c.path for c in diagram.clusters if depth(c.path) == level)
        # Scopes above `level` stay open; those at it fold (and everything under them).
        count = len(fold(diagram, at_level).nodes)
        if count > limit and chosen:
            break
        chosen = at_level
        if count > limit:  # Even the top scopes folded are too many: that is the best.
            break
    return chosen
