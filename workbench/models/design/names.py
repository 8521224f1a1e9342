"""Predicts the scope names slimlib gives layers, without building anything.

TensorFlow names a scope in two ways, and slimlib layers use both:

- a *variable scope* (`tf.compat.v1.variable_scope(scope, default_name)`): an explicit
  name is used as is; a default name is made unique among the variable scopes opened so
  far in the enclosing one (`Conv`, `Conv_1`, ...). Leaving a named scope forgets the
  counts of the scopes inside it. Variable names follow variable scopes.
- a *name scope* (`tf.compat.v1.name_scope`, which a variable scope also opens): every
  name, explicit or default, is made unique among the names used so far in the enclosing
  name scope, case-insensitively. Pooling, `flatten` and `one_hot_encoding` only open
  one, so their scope in a layer trace is the name scope.

`ScopeNamer` replays these rules (TensorFlow's `Graph.unique_name` and
`_get_unique_variable_scope`) for a fresh graph whose input placeholder is named
`inputs`, as `build.build_graph` makes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class ScopeNamer:
    """The naming state of one graph: counts of variable scopes and names in use.

    Example:
      >>> namer = ScopeNamer()
      >>> namer.variable_scope(None, "Conv"), namer.variable_scope(None, "Conv")
      ('Conv', 'Conv_1')
      >>> namer.name_scope(None, "MaxPool2D"), namer.name_scope("pool", "MaxPool2D")
      ('MaxPool2D', 'pool')
    """

    def __init__(self, reserved: tuple[str, ...] = ("inputs",)):
        # TensorFlow's variable_scopes_count: full variable scope name -> times opened.
        self._var_counts: dict[str, int] = {}
        # Full variable scope name -> the scopes opened inside it (at any depth), so that
        # closing a scope resets them without a scan of every scope (which made checking
        # a design quadratic in its blocks).
        self._inside: dict[str, list[str]] = {}
        # TensorFlow's Graph._names_in_use: lower-cased full name -> count.
        self._names: dict[str, int] = {}
        self._var_scope = ""
        self._name_scope = ""
        for name in reserved:
            self._unique_name(name)

    @property
    def current(self) -> str:
        """The current variable scope's full name (`""` at the top)."""
        return self._var_scope

    def variable_scope(self, scope: str | None, default_name: str) -> str:
        """Opens and closes a variable scope at once (a layer call); returns its full name."""
        with self.open_variable_scope(scope, default_name) as name:
            return name

    def name_scope(self, scope: str | None, default_name: str) -> str:
        """Opens and closes a name scope (pooling, flatten); returns its full name."""
        return self._unique_name(default_name if scope is None else scope)

    @contextlib.contextmanager
    def open_variable_scope(self, scope: str | None, default_name: str) -> Iterator[str]:
        """Enters a variable scope for the blocks inside; yields its full name."""
        name_scope = self._unique_name(default_name if scope is None else scope)
        relative = self._unique_variable_scope(default_name) if scope is None else scope
        full = f"{self._var_scope}/{relative}" if self._var_scope else relative
        if full not in self._var_counts:
            parts = full.split("/")
            for end in range(1, len(parts)):
                self._inside.setdefault("/".join(parts[:end]), []).append(full)
        self._var_counts[full] = self._var_counts.get(full, 0) + 1
        outer = (self._var_scope, self._name_scope)
        self._var_scope, self._name_scope = full, name_scope
        try:
            yield full
        finally:
            self._var_scope, self._name_scope = outer
            for key in self._inside.get(full, ()):
                self._var_counts[key] = 0

    def _unique_variable_scope(self, prefix: str) -> str:
        base = f"{self._var_scope}/{prefix}" if self._var_scope else prefix
        if self._var_counts.get(base, 0) == 0:
            return prefix
        index = 1
        while self._var_counts.get(f"{base}_{index}", 0) > 0:
            index += 1
        return f"{prefix}_{index}"

    def _unique_name(self, name: str) -> str:
        full = f"{self._name_scope}/{name}" if self._name_scope else name
        key = full.lower()
        count = self._names.get(key, 0)
        self._names[key] = count + 1
        if count == 0:
            return full
        base = key
        while key in self._names:
            key = f"{base}_{count}"
            count += 1
        self._names[key] = 1
        return f"{full}_{count - 1}"
