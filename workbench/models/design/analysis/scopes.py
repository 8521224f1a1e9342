"""Scope names and variables: a block's `scope`, the scope a layer call opens, and the rule
that no two layers create the same variable (TensorFlow refuses it)."""

from __future__ import annotations

import re

from workbench.models.design.analysis.state import State, Variable, bad
from workbench.models.design.catalogue import OpSpec

# TensorFlow's rule for scope names (ops.py, _VALID_SCOPE_NAME_REGEX), without "/": a
# design's scopes are single path components.
SCOPE_NAME = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.\-]*")


def scope_of(state: State, block: dict, path: str) -> tuple[str | None, bool]:
    """The block's `scope` (None when left out) and whether it is a usable scope name.

    A scope that is not a non-empty str is the schema's to report.
    """
    scope = block.get("scope")
    if scope is None:
        return None, True
    if not isinstance(scope, str) or not scope.strip():
        return None, False
    if len(scope) > 200 or not SCOPE_NAME.fullmatch(scope):
        bad(
            state,
            f"{path}.scope",
            "a scope name of letters, digits and '_', '.', '-' (no '/'), or null",
            scope,
            kind="name",
        )
        return None, False
    return scope, True


def open_layer_scope(state: State, op: OpSpec, scope: str | None) -> str:
    """The full scope a call of `op` opens: a name scope or a variable scope, as slimlib's."""
    if op.scope_kind == "name":
        return state.namer.name_scope(scope, op.default_scope)
    return state.namer.variable_scope(scope, op.default_scope)


def register(
    state: State, variables: list[Variable], path: str, scope_path: str, scope: str | None
) -> None:
    """Adds the variables the block at `path` creates, or reports a name taken before."""
    for name, _, _ in variables:
        if name in state.variables:
            first = state.variables[name][2]
            bad(
                state,
                scope_path,
                f"a scope no earlier layer with variables uses ({first} already creates {name!r})",
                scope,
                kind="name",
                hint="TensorFlow refuses to create a variable twice.",
            )
            return
    for name, shape, trainable in variables:
        state.variables[name] = (shape, trainable, path)
