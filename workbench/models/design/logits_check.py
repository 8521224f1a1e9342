"""Does the layer that gives the logits squash them? Found before Build's user trains.

TF-Slim's `fully_connected` and the convolutions apply `relu` unless told otherwise, and an
enclosing `arg_scope` can give them an activation or a normalizer too. A classifier whose
logits layer keeps one gets logits clipped at zero (or normalized): the loss stalls and the
accuracy stays near chance, with no error anywhere. `logits_layer_warning` finds the layer
that gives the design's output, reads the `activation_fn` and `normalizer_fn` it effectively
gets (its own argument, else the innermost enclosing arg_scope's default, else the
function's default) and, when either is not None, says so with where the value comes from
and the edit that fixes it: both set to None on that layer.

A `net` block ends in its own linear logits, so a design ending in one is fine by
construction; a design ending in anything but a layer (a stack, a residual, a softmax) is
not judged.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from workbench.models.design.catalogue import catalogue

#: Layers that pass the logits through unchanged, looked past to find the logits layer.
_PASS_THROUGH = ("flatten", "dropout")
#: The arguments that must be None on the logits layer, in the order they are named.
_SQUASHING = ("activation_fn", "normalizer_fn")
#: Said by `_last_layer` when the output comes from something other than a layer.
_STOP = object()


@dataclasses.dataclass(frozen=True)
class LogitsWarning:
    """The logits layer applies an activation or a normalizer to the logits.

    Attributes:
      path: The layer block's path, e.g. `"blocks[0].blocks[3]"`.
      message: What is wrong and why it matters, naming the layer and where each value
        comes from.
      fix: The fix in words, for a button.
      applied: The arguments found that are not None, and their values.
      args: The arguments that fix it (`{"activation_fn": None, ...}`), set on `path`.
    """

    path: str
    message: str
    fix: str
    applied: dict[str, Any]
    args: dict[str, Any]


def logits_layer_warning(design: Any) -> LogitsWarning | None:
    """A `LogitsWarning` when the layer giving `design`'s output gets an `activation_fn` or a
    `normalizer_fn` that is not None; None otherwise (and for malformed designs: the
    analysis reports those). Never raises.

    Example:
      >>> from workbench.models.design.spec import layer, new_design
      >>> design = new_design("m", [4], [layer("fully_connected", "fc", num_outputs=3)])
      >>> print(logits_layer_warning(design).message)  # doctest: +NORMALIZE_WHITESPACE
      fully_connected 'fc' (blocks[0]) applies relu (its default) to the logits: the loss
      stalls and the accuracy stays near chance. Logits must be linear: set activation_fn=None.
    """
    if not isinstance(design, dict):
        return None
    found = _last_layer(design.get("blocks"), "blocks", ())
    if found is None or found is _STOP:
        return None
    path, block, scopes = found
    spec = catalogue()[block["op"]]
    own = block.get("args") if isinstance(block.get("args"), dict) else {}
    applied = []  # (argument, value, where it comes from)
    for name in _SQUASHING:
        arg = spec.arg(name)
        if arg is None or name in spec.fixed:
            continue
        value, source = arg.default, "its default"
        for scope_path, keys, defaults in scopes:  # Outer to inner: the inner one wins.
            if spec.arg_scope_op in keys and name in defaults:
                value, source = defaults[name], f"inherited from the arg_scope at {scope_path}"
        if name in own:
            value, source = own[name], "set on the layer"
        if value is not None:
            applied.append((name, value, source))
    if not applied:
        return None
    what = " and ".join(f"{value} ({source})" for _, value, source in applied)
    names = " and ".join(f"{name}=None" for name, _, _ in applied)
    scope = block.get("scope")
    label = f"{block['op']} {scope!r} ({path})" if scope else f"{block['op']} at {path}"
    message = (
        f"{label} applies {what} to the logits: the loss stalls and the accuracy stays near "
        f"chance. Logits must be linear: set {names}."
    )
    fix = f"Set {names} on {scope!r}" if scope else f"Set {names} on the layer at {path}"
    found = {name: value for name, value, _ in applied}
    return LogitsWarning(path, message, fix, found, dict.fromkeys(found))


def _last_layer(blocks: Any, path: str, scopes: tuple) -> Any:
    """`(path, block, enclosing scopes)` of the layer giving the output of `blocks`, looking
    into arg_scopes and past pass-through layers; `_STOP` when the output comes from anything
    else, None when `blocks` hold only pass-through layers (the output is before them). Each
    scope is `(path, arg_scope ops it sets, its defaults)`."""
    if not isinstance(blocks, list):
        return _STOP
    known = catalogue()
    for index in range(len(blocks) - 1, -1, -1):
        block, where = blocks[index], f"{path}[{index}]"
        if not isinstance(block, dict):
            return _STOP
        kind, op = block.get("kind"), block.get("op")
        if kind == "arg_scope":
            defaults = block.get("defaults")
            ops = block.get("ops") if isinstance(block.get("ops"), list) else []
            keys = {known[name].arg_scope_op for name in ops if name in known}
            frame = (where, keys, defaults if isinstance(defaults, dict) else {})
            found = _last_layer(block.get("blocks"), f"{where}.blocks", (*scopes, frame))
            if found is not None:
                return found
            continue  # Nothing but pass-through layers inside: the output is before it.
        if kind == "layer" and op in _PASS_THROUGH:
            continue
        if kind == "layer" and op in known and known[op].arg("activation_fn") is not None:
            return where, block, scopes
        return _STOP
    return None
