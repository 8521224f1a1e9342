"""What arg_scopes give the layers inside them, and defaults an arg_scope can no longer give.

`inherited_arguments` lists, for every layer and stack of a design, the arguments it takes
from enclosing arg_scopes (not set by the block itself), so the canvas can show them beside
the block's own. `stale_defaults` lists the defaults of one arg_scope that some listed op
does not take, e.g. `padding` once `fully_connected` joins `conv2d` in its ops: the property
sheet shows no field for those, so it offers to clear them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from workbench.models.design import kinds
from workbench.models.design.catalogue import catalogue, op_spec
from workbench.models.editor.paths import get_at
from workbench.models.editor.properties import scoped_defaults

#: Block kinds whose `args` an arg_scope fills, and the field naming their op.
_TAKES_SCOPED = {"layer": "op", "stack": "op"}


def inherited_arguments(design: dict) -> dict[str, dict[str, dict[str, Any]]]:
    """`{path: {argument: {"value": value, "from": arg_scope path}}}` for every layer and
    stack given an argument by an enclosing arg_scope and not setting it itself.

    Only arguments the op takes and does not fix count (a `relu` keeps its activation
    whatever the scope says); blocks with an op the catalogue does not know are left out.

    Example:
      >>> from workbench.models.editor import empty_design
      >>> design = empty_design()
      >>> design["blocks"] = [{"kind": "arg_scope", "ops": ["conv2d"],
      ...     "defaults": {"padding": "VALID"},
      ...     "blocks": [{"kind": "layer", "op": "conv2d", "args": {"num_outputs": 8}}]}]
      >>> inherited_arguments(design)
      {'blocks[0].blocks[0]': {'padding': {'value': 'VALID', 'from': 'blocks[0]'}}}
    """
    known = catalogue()
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for path, block in kinds.iter_blocks(design):
        op = block.get(_TAKES_SCOPED.get(block.get("kind"), ""))
        if op not in known:
            continue
        spec = op_spec(op)
        own = block.get("args") or {}
        given = {
            name: {"value": value, "from": where}
            for name, (value, where) in scoped_defaults(design, path, op).items()
            if name not in own and name not in spec.fixed and _hyper(spec, name)
        }
        if given:
            found[path] = given
    return found


@dataclasses.dataclass(frozen=True)
class StaleDefault:
    """A default of an arg_scope that not every listed op takes.

    Attributes:
      name: The argument.
      value: The default set.
      ops: The listed ops that do not take it.
      message: What is wrong, in words.
    """

    name: str
    value: Any
    ops: tuple[str, ...]
    message: str


def stale_defaults(design: dict, path: str) -> list[StaleDefault]:
    """The defaults of the arg_scope at `path` that some listed op does not take.

    Ops the catalogue does not know are not judged (the canvas marks them).

    Raises:
      ValueError: If `path` does not name an arg_scope block.

    Example:
      >>> from workbench.models.editor import empty_design
      >>> design = empty_design()
      >>> design["blocks"] = [{"kind": "arg_scope", "ops": ["conv2d", "fully_connected"],
      ...     "defaults": {"padding": "VALID", "activation_fn": None}, "blocks": []}]
      >>> [(s.name, s.ops) for s in stale_defaults(design, "blocks[0]")]
      [('padding', ('fully_connected',))]
    """
    block = get_at(design, path)
    if not isinstance(block, dict) or block.get("kind") != "arg_scope":
        raise ValueError(f"stale_defaults: `path` must name an arg_scope block, got {path!r}.")
    known = catalogue()
    listed = [op for op in block.get("ops") or () if op in known]
    stale = []
    for name, value in (block.get("defaults") or {}).items():
        missing = tuple(op for op in listed if not _hyper(op_spec(op), name))
        if missing:
            ops = ", ".join(missing)
            verb = "takes" if len(missing) == 1 else "take"
            message = f"{ops} {verb} no {name!r}, so this default no longer fits: clear it."
            stale.append(StaleDefault(name, value, missing, message))
    return stale


def _hyper(spec, name: str) -> bool:
    arg = spec.arg(name)
    return arg is not None and arg.role == "hyper"
