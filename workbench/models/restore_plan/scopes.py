"""Scope tree of a graph's variables, choices made per scope, and the patterns that select them.

Variable names are paths (`vgg_16/conv1/conv1_1/weights`); every prefix is a scope node and
every variable a leaf (a variable can also have children: an optimizer slot
`conv1/weights/Momentum` sits under `conv1/weights`). A choice (restore it? train it?) set on
a node holds for everything below it until a descendant sets its own: a child overrides its
parent. The root `""` holds the default.

`regions()` turns the choices into the few `(include, exclude)` scope lists that select
exactly the chosen variables with TF-Slim's prefix matching, so generated code needs no
per-variable lists.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping

from workbench.problems import did_you_mean


@dataclasses.dataclass(frozen=True)
class ScopeNode:
    """One scope (or variable) of the tree.

    Attributes:
      path: Full name, `""` for the root.
      name: Last component (`""` for the root).
      parent: Path of the parent, `None` for the root.
      children: Paths of the child nodes, in first-seen order.
      variables: Names of every variable at or below this node, in graph order.
      is_variable: Whether `path` itself names a variable.
    """

    path: str
    name: str
    parent: str | None
    children: tuple[str, ...]
    variables: tuple[str, ...]
    is_variable: bool

    @property
    def depth(self) -> int:
        """0 for the root, 1 for a top-level scope, ..."""
        return 0 if not self.path else self.path.count("/") + 1


class ScopeTree:
    """The scope tree of a list of variable names.

    Example:
      >>> tree = ScopeTree(["conv1/weights", "conv1/biases", "fc/weights"])
      >>> tree.node("conv1").children
      ('conv1/weights', 'conv1/biases')
      >>> tree.effective({"": True, "conv1": False}, "conv1/biases")
      False
    """

    def __init__(self, names: Iterable[str]):
        names = list(dict.fromkeys(names))
        children: dict[str, list[str]] = {"": []}
        below: dict[str, list[str]] = {"": []}
        for name in names:
            parts = name.split("/")
            parent = ""
            below[""].append(name)
            for k in range(1, len(parts) + 1):
                path = "/".join(parts[:k])
                if path not in children:
                    children[path] = []
                    below[path] = []
                    children[parent].append(path)
                below[path].append(name)
                parent = path
        variables = set(names)
        self._nodes = {
            path: ScopeNode(
                path=path,
                name=path.rsplit("/", 1)[-1],
                parent=None if path == "" else (path.rsplit("/", 1)[0] if "/" in path else ""),
                children=tuple(kids),
                variables=tuple(below[path]),
                is_variable=path in variables,
            )
            for path, kids in children.items()
        }

    def __contains__(self, path: object) -> bool:
        return path in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    @property
    def paths(self) -> list[str]:
        """Every node path, the root `""` first, parents before children."""
        return [node.path for node, _ in self.walk()]

    def node(self, path: str, *, fn: str = "ScopeTree.node") -> ScopeNode:
        """The node at `path`.

        Raises:
          TypeError: If `path` is not a str.
          ValueError: If no variable is at or under `path` (with the closest scope as a hint).
        """
        if not isinstance(path, str):
            raise TypeError(f"{fn}: `scope` must be a str, got {path!r}.")
        found = self._nodes.get(path.rstrip("/") if path != "/" else path)
        if found is None:
            raise ValueError(
                f"{fn}: `scope` must be a scope or variable of the graph, got {path!r}."
                + did_you_mean(path, [p for p in self._nodes if p])
            )
        return found

    def walk(self, path: str = "") -> Iterator[tuple[ScopeNode, int]]:
        """`(node, depth)` depth-first from `path`, parents before their children."""
        stack = [(self._nodes[path], 0)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((self._nodes[c], depth + 1) for c in reversed(node.children))

    def ancestors(self, path: str) -> list[str]:
        """Paths from the root `""` down to `path` itself."""
        out = [""]
        parts = path.split("/") if path else []
        out += ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
        return out

    def effective(self, choices: Mapping[str, bool], path: str, default: bool = True) -> bool:
        """The choice that holds at `path`: its own, else its nearest ancestor's, else
        `default`."""
        for ancestor in reversed(self.ancestors(path)):
            if ancestor in choices:
                return bool(choices[ancestor])
        return default

    def regions(
        self, choices: Mapping[str, bool], default: bool = True
    ) -> list[tuple[str | None, list[str]]]:
        """`(include, excludes)` node lists whose union selects exactly the chosen variables.

        Each region is every variable under `include` (`None`: under the root, i.e. all)
        except those under one of `excludes`. Regions are disjoint; there is one more region
        for each chosen scope nested inside an unchosen one.
        """

        def value(path: str) -> bool:
            return self.effective(choices, path, default)

        def turning(path: str, want: bool) -> list[str]:
            """Highest descendants of `path` where the choice becomes `want`."""
            found = []
            for child in self._nodes[path].children:
                if value(child) == want:
                    found.append(child)
                else:
                    found.extend(turning(child, want))
            return found

        out: list[tuple[str | None, list[str]]] = []

        def region(root: str) -> None:
            excludes = turning(root, False)
            out.append((root or None, excludes))
            for excluded in excludes:
                for inner in turning(excluded, True):
                    region(inner)

        if value(""):
            region("")
        else:
            for top in turning("", True):
                region(top)
        return out

    def pattern(self, path: str) -> str:
        """A regular expression that `re.match`es the `var.name` (`name:0`) of every variable
        at or under node `path`, and no other: `scope/` for a scope, `name:` for a variable,
        `name[/:]` for a variable with variables under it. Special characters are escaped."""
        node = self._nodes[path]
        escaped = re.escape(path)
        if node.is_variable and node.children:
            return escaped + "[/:]"
        return escaped + (":" if node.is_variable else "/")


def matching_scopes(tree: ScopeTree, pattern: object) -> list[str]:
    """Paths of `tree` (root left out) that the regular expression `pattern` matches whole,
    parents first: `InceptionV3/Mixed_6.*` selects `InceptionV3/Mixed_6a`, everything under
    it and the other `Mixed_6` blocks.

    Raises:
      TypeError: If `pattern` is not a str.
      ValueError: If `pattern` is not a valid regular expression, or matches no path.
    """
    fn = "matching_scopes"
    if not isinstance(pattern, str):
        raise TypeError(f"{fn}: `pattern` must be a str (a regular expression), got {pattern!r}.")
    try:
        compiled = re.compile(pattern.strip())
    except re.error as err:
        raise ValueError(
            f"{fn}: `pattern` must be a regular expression, got {pattern!r} ({err})."
        ) from None
    found = [path for path in tree.paths if path and compiled.fullmatch(path)]
    if not found:
        tops = [node.path for node, depth in tree.walk() if depth in (1, 2)]
        raise ValueError(
            f"{fn}: `pattern` must match at least one scope of the graph (the whole path, "
            f"e.g. 'conv.*' or 'InceptionV3/Mixed_6.*'), got {pattern!r}; scopes near the top: "
            f"{tops[:8]}." + did_you_mean(pattern, [p for p in tree.paths if p])
        )
    return found
