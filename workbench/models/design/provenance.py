"""Where an argument of a built design came from, named by the design's own blocks.

The layer trace records an `arg_scope` default by the file and line that opened the scope.
For a design that line is the builder's own (`build.py:234`), which tells a person nothing:
they set the value in a block of the design. `DesignPlaces` is filled while a design is
built: every `arg_scope` block records the scope it opened, every layer block its variable
scope, so an argument can be named the way the canvas names blocks (`arg_scope 1`,
`conv2d 'conv1' in arg_scope 1`).
"""

from __future__ import annotations

from typing import Any

import slimlib as slim
from workbench.models.design.places import place_words


class DesignPlaces:
    """The blocks of one design build, found again from what the layer trace recorded.

    Example:
      >>> import tensorflow as tf
      >>> from workbench.models.design.build import build_graph
      >>> from workbench.models.design.spec import arg_scope, layer, new_design
      >>> fc = layer("fully_connected", "fc", num_outputs=3)
      >>> design = new_design("m", [4], [arg_scope(["fully_connected"], [fc], activation_fn=None)])
      >>> places = DesignPlaces(design)
      >>> record = build_graph(design, places=places).trace.records[0]
      >>> places.argument_place("fc", record.arguments["activation_fn"])
      'arg_scope 1'
      >>> places.argument_place("fc", record.arguments["num_outputs"])
      "fully_connected 'fc' in arg_scope 1"
    """

    def __init__(self, design: dict):
        self.design = design
        # id(ScopeOrigin) -> (the origin, kept alive so its id stays its own; its words).
        self._origins: dict[int, tuple[slim.tracing.ScopeOrigin, str]] = {}
        self._scopes: dict[str, str] = {}  # Variable scope of a block -> its path.

    def opened(self, scope: Any, words: str | None = None, *, path: str | None = None) -> None:
        """Notes the `ArgScope` mapping that an `arg_scope` entered at design block `path`
        yielded (or one the builder opened itself, named by `words`)."""
        if words is None and path is not None:
            words = place_words(self.design, path)
        if not words:
            return
        for by_argument in getattr(scope, "origins", {}).values():
            for origin in by_argument.values():
                if origin.depth == scope.depth:  # Set by this scope, not an outer one.
                    self._origins[id(origin)] = (origin, words)

    def block(self, scope: str | None, path: str) -> None:
        """Notes that the block at `path` builds under variable scope `scope`."""
        if scope:
            self._scopes.setdefault(scope, path)

    def argument_place(self, scope: str, argument: slim.tracing.Argument) -> str | None:
        """The design block that set `argument` of the call traced under `scope`, in words:
        the `arg_scope` block for an arg_scope default, the layer (or repeat, stack) block
        for a value the call was given; None for a default or a place outside the design."""
        if argument.source == "arg_scope":
            found = self._origins.get(id(argument.origin))
            return found[1] if found and found[0] is argument.origin else None
        if argument.source != "call":
            return None
        parts = scope.split("/")
        for k in range(len(parts), 0, -1):  # `conv3/conv3_1` was made by the repeat `conv3`.
            path = self._scopes.get("/".join(parts[:k]))
            if path is not None:
                return place_words(self.design, path)
        return None
