"""The fields of a selected block besides its layer arguments, and an arg_scope's defaults.

A property editor shows, above a layer's arguments, the fields of the block itself: its
scope, a repeat's count, a stack's per-layer argument sets, the ops an `arg_scope` sets
defaults for, a residual's activation, a branches block's axis; with nothing selected, the
design's name and input. Which fields a kind has, their order and their one-line docs come
from the kind table (`design.kinds`). An `arg_scope`'s defaults are edited like a layer's
arguments: one row per argument that every listed op takes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from workbench.models.design import choices, kinds, spec
from workbench.models.design.catalogue import catalogue, op_spec
from workbench.models.editor.paths import get_at
from workbench.models.editor.properties import PropertyRow, option_values, scoped_defaults


@dataclasses.dataclass(frozen=True)
class FieldRow:
    """One field of a block (or of the design).

    Attributes:
      name: The field, as `DesignEditor.set_field` takes it (`"scope"`, `"count"`...); the
        design's input is two rows, `"input.shape"` and `"input.dtype"`.
      type: How it is edited: `"text"` (a name), `"int"`, `"json"` (a JSON or Python literal),
        `"choice"` (one of `options`) or `"ops"` (several of `options`).
      value: The current value; None when the block leaves it out.
      options: What `"choice"` and `"ops"` pick from.
      doc: One line saying what the field does.
    """

    name: str
    type: str
    value: Any
    options: tuple[Any, ...] = ()
    doc: str = ""


#: How a field of each type is edited (see `FieldRow.type`).
_ROW_TYPES = {
    "scope": "text",
    "text": "text",
    "count": "int",
    "int": "int",
    "argument_list": "json",
    "op_list": "ops",
    "activation": "choice",
}


def arg_scope_ops() -> tuple[str, ...]:
    """The layer ops an `arg_scope` block can list (those that take scoped defaults)."""
    return tuple(name for name, op in catalogue().items() if op.arg_scope_op and not op.fixed)


#: What the design's name does. The generated function is always `model`: the name is not it.
NAME_DOC = "Names the design's training jobs (lenet-digits) and heads its generated code."


def block_fields(design: dict, path: str) -> list[FieldRow]:
    """The fields of the block at `path`, or of the design when `path` is `""`.

    Raises:
      ValueError: If `path` names no block of `design`.
    """
    if path == "":
        shape = (design.get("input") or {}).get("shape")
        dtype = (design.get("input") or {}).get("dtype", "float32")
        return [
            FieldRow("name", "text", design.get("name"), doc=NAME_DOC),
            FieldRow(
                "input.shape", "json", shape, doc="Input shape without the batch, e.g. [28, 28, 1]."
            ),
            FieldRow("input.dtype", "choice", dtype, spec.DTYPES, "Input dtype."),
        ]
    block = get_at(design, path)
    if not isinstance(block, dict) or block.get("kind") not in kinds.KIND_TABLE:
        raise ValueError(f"block_fields: `path` must name a block, got {path!r}.")
    rows = []
    # The kind table's settable fields, in its order, but for those edited elsewhere: the
    # op or net (from the palette), a repeat's layer (on the canvas), argument dicts (rows
    # of their own).
    for field in kinds.kind(block["kind"]).fields:
        if not field.settable or field.type not in _ROW_TYPES:
            continue
        value = kinds.value_of(block, field.name)
        options: tuple[Any, ...] = ()
        if field.type == "op_list":
            value, options = list(value or []), arg_scope_ops()
        elif field.type == "activation":
            options = (*choices.names("activation"), None)
        rows.append(FieldRow(field.name, _ROW_TYPES[field.type], value, options, field.doc))
    return rows


def arg_scope_rows(design: dict, path: str) -> list[PropertyRow]:
    """The defaults of the `arg_scope` at `path`: a row per argument every listed op takes.

    A row's `default` is the ops' own default when they share it (else None), and `scoped`
    what an enclosing `arg_scope` sets for all of them alike.

    Raises:
      ValueError: If `path` does not name an `arg_scope` block.
    """
    block = get_at(design, path)
    if not isinstance(block, dict) or block.get("kind") != "arg_scope":
        raise ValueError(f"arg_scope_rows: `path` must name an arg_scope block, got {path!r}.")
    listed = [op for op in block.get("ops") or [] if op in catalogue()]
    if not listed:
        return []
    specs = [op_spec(op) for op in listed]
    defaults = block.get("defaults") or {}
    outer = [scoped_defaults(design, path, op) for op in listed]  # enclosing scopes only
    rows = []
    for arg in specs[0].args:
        if arg.role != "hyper" or arg.name in specs[0].fixed:
            continue
        others = [s.arg(arg.name) for s in specs[1:]]
        if any(other is None or other.role != "hyper" for other in others):
            continue
        shared_default = all(other.default == arg.default for other in others)
        scoped = [found.get(arg.name) for found in outer]
        rows.append(
            PropertyRow(
                name=arg.name,
                type=arg.type,
                value=defaults.get(arg.name),
                is_set=arg.name in defaults,
                default=arg.default if shared_default else None,
                scoped=scoped[0] if all(s == scoped[0] for s in scoped) else None,
                options=option_values(arg),
                required=False,
                doc=arg.doc,
            )
        )
    return rows
