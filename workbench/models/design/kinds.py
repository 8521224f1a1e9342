"""The block kinds of the design format: one record per kind, and everything derived from it.

`KIND_TABLE` is the one place that says which fields a `layer`, `repeat`, `stack`,
`arg_scope`, `residual`, `branches` or `net` block has: which are required, what an optional
one defaults to, which hold other blocks, which the editor may set, which is the block's
argument dict, whether it takes a `scope`, and what the palette says about it. From it come:

- the format's constants (`FORMAT`, `VERSION`, `KINDS`, `KIND_FIELDS`, `CHILD_FIELDS`,
  `SETTABLE_FIELDS`, `ARGUMENT_FIELDS`, ...), read by `spec`, the editor and the analysis;
- `new_block` (a fresh block of a kind) and `iter_blocks` (every block of a design);
- the structural JSON Schema (`design.schema`), which the editor and the analysis check;
- `canvas_layout`, the per-kind drawing instructions the canvas sends to the browser;
- `call_keywords`, the fields the build and the generated code pass to the slim call.

What a block *means* (shapes, scopes, arguments) is the analysis's business
(`design.analysis`); how it is built or written as code, `build` and `codegen`.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

from workbench.problems import did_you_mean

FORMAT = "slim-workbench-design"
VERSION = 1

#: What a field holds, for the schema, the editor's property rows and the canvas:
#: `"op"` a layer op name, `"net"` a net name, `"activation"` an activation name or null,
#: `"scope"` a scope name or null, `"arguments"` a dict of argument values, `"argument_list"`
#: a list of such dicts, `"count"` an int >= 1, `"int"` any int, `"op_list"` op names (each
#: once), `"text"` any str, `"layer"` one layer block, `"blocks"` a list of blocks and
#: `"block_lists"` a list of lists of blocks.
FIELD_TYPES = (
    "op",
    "net",
    "activation",
    "scope",
    "arguments",
    "argument_list",
    "count",
    "int",
    "op_list",
    "text",
    "layer",
    "blocks",
    "block_lists",
)
#: The field types that hold blocks.
CHILD_TYPES = ("layer", "blocks", "block_lists")

#: The layer `repeat` and `stack` use when `new_block` is not told one: TF-Slim's README
#: examples repeat `conv2d` and stack `fully_connected`.
DEFAULT_REPEAT_OP = "conv2d"
DEFAULT_STACK_OP = "fully_connected"
#: Largest `count` of a repeat block.
MAX_REPEAT = 256
#: Largest input rank, batch left out (3-D convolutions take `[depth, height, width, c]`).
MAX_INPUT_RANK = 4


@dataclasses.dataclass(frozen=True)
class Field:
    """One field of a block kind (besides `kind`).

    Attributes:
      name: The key in the block dict.
      type: One of `FIELD_TYPES`.
      required: Whether every block of the kind has it.
      default: What an optional field means when it is left out.
      new: What `new_block` puts there (`None`: `new_block` leaves it out, unless required).
      settable: Whether `DesignEditor.set_field` may change it.
      call_keyword: Whether its value goes to the slim call as the keyword argument of the
        same name (a block's `scope`); the build and the generated code pass it when set.
      head: How the canvas shows it in the block's header: `""` (not at all), `"value"`,
        `"length"` (the number of items) or `"list"` (the items, bracketed).
      template: The header text, `{}` standing for what `head` says.
      title: The canvas's column title for a list of blocks.
      hint: What an empty list of blocks says on the canvas.
      doc: One line for the property editor.
      expected: What a good value is, in words, for messages (default: from `type`).
      maximum: The largest value a number may have (None: no limit).
      min_items: The fewest items a list must have for the design to be analysed; the
        editor allows fewer (a new `arg_scope` lists no ops yet).
    """

    name: str
    type: str
    required: bool = False
    default: Any = None
    new: Any = None
    settable: bool = False
    call_keyword: bool = False
    head: str = ""
    template: str = "{}"
    title: str = ""
    hint: str = ""
    doc: str = ""
    expected: str = ""
    maximum: int | None = None
    min_items: int = 0

    @property
    def holds_blocks(self) -> bool:
        return self.type in CHILD_TYPES


@dataclasses.dataclass(frozen=True)
class Kind:
    """One block kind.

    Attributes:
      name: The `kind` value, e.g. `"residual"`.
      fields: Its fields besides `kind`, in the order a new block lists them.
      arguments: The field `DesignEditor.update_args` writes (`"args"`, `"options"`), or
        None when the kind takes no arguments of its own.
      group: The palette group: `"layer"` (one layer op), `"structure"` or `"net"`.
      doc: The palette's one-line description.
    """

    name: str
    fields: tuple[Field, ...]
    arguments: str | None = None
    group: str = "structure"
    doc: str = ""

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def scoped(self) -> bool:
        """Whether blocks of this kind take an optional `scope`."""
        return self.field("scope") is not None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if not f.required)

    @property
    def children(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.holds_blocks)

    @property
    def settable(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.settable)


_SCOPE = Field(
    "scope",
    "scope",
    settable=True,
    call_keyword=True,
    doc="Variable scope name; empty for the op's default name.",
)
# Residual and branches blocks open their scope themselves (`tf.variable_scope`).
_OWN_SCOPE = dataclasses.replace(_SCOPE, call_keyword=False)
_LIST_HINT = "Drop layers here"

#: Every block kind, in the order a palette lists them.
KIND_TABLE: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "layer",
            (
                Field("op", "op", required=True, settable=True, head="value"),
                Field("args", "arguments", default={}, new={}),
                _SCOPE,
            ),
            arguments="args",
            group="layer",
            doc="One slimlib layer call.",
        ),
        Kind(
            "repeat",
            (
                Field("count", "count", required=True, new=2, settable=True, head="value",
                      template="\u00d7 {}", doc="How many times the layer is called.",
                      maximum=MAX_REPEAT, expected=f"an int from 1 to {MAX_REPEAT}"),
                Field("block", "layer", required=True, settable=True),
                _SCOPE,
            ),
            doc="Call one layer `count` times (slim.repeat).",
        ),
        Kind(
            "stack",
            (
                Field("op", "op", required=True, settable=True, head="value"),
                Field("args", "arguments", default={}, new={}),
                _SCOPE,
                Field("per_layer", "argument_list", required=True, new=[{}, {}], settable=True,
                      head="length", template="\u00d7 {}",
                      doc="One argument dict per call, leading positional arguments only, "
                      'e.g. [{"num_outputs": 32}, {"num_outputs": 64}].', min_items=1,
                      expected="a non-empty list of argument dicts, one per call"),
            ),
            arguments="args",
            doc="Call one layer with a list of arguments (slim.stack).",
        ),
        Kind(
            "arg_scope",
            (
                Field("ops", "op_list", required=True, new=[], settable=True, head="list",
                      template="{}", hint="[no ops yet]",
                      doc="The ops whose defaults this scope sets; fully_connected's also "
                          "reach linear, relu and relu6.", min_items=1,
                      expected="a non-empty list of layer op names, each once"),
                Field("defaults", "arguments", default={}, new={}, settable=True),
                Field("blocks", "blocks", required=True, new=[], hint=_LIST_HINT),
            ),
            doc="Default arguments for the ops inside (slim.arg_scope).",
        ),
        Kind(
            "residual",
            (
                Field("blocks", "blocks", required=True, new=[], title="main path",
                      hint=_LIST_HINT),
                Field("shortcut", "blocks", default=[], new=[], title="shortcut",
                      hint="Identity shortcut: drop layers here to project it"),
                _OWN_SCOPE,
                Field("activation", "activation", settable=True,
                      doc="Applied to the sum of the main path and the shortcut."),
            ),
            doc="Blocks added to a shortcut (identity when empty).",
        ),
        Kind(
            "branches",
            (
                Field("branches", "block_lists", required=True, new=[[], []],
                      hint="Empty branch: drop layers here", min_items=1,
                      expected="a non-empty list of lists of blocks"),
                _OWN_SCOPE,
                Field("axis", "int", default=3, new=3, settable=True, head="value",
                      template="concat axis {}", doc="Axis the branches are joined on.",
                      expected="an int (3: channels of a `[batch, h, w, c]` tensor)"),
            ),
            doc="Parallel branches concatenated along `axis`.",
        ),
        Kind(
            "net",
            (
                Field("name", "net", required=True, settable=True, head="value"),
                Field("options", "arguments", default={}, new={}, settable=True),
                _SCOPE,
            ),
            arguments="options",
            group="net",
            doc="A whole slimlib net (nets_factory).",
        ),
    )
}  # fmt: skip


def kind(name: str) -> Kind:
    """The record of the block kind `name`.

    Raises:
      ValueError: If `name` is not a block kind.
    """
    found = KIND_TABLE.get(name) if isinstance(name, str) else None
    if found is None:
        raise ValueError(
            f"kind: `name` must be one of {', '.join(KIND_TABLE)}, got {name!r}."
            + did_you_mean(name, KIND_TABLE)
        )
    return found


# The constants other modules read, derived from the table. Functions rather than copies
# where a test may change the table (`kinds()`...), plain values where the table is fixed.


def kinds() -> tuple[str, ...]:
    """Every block kind, in palette order."""
    return tuple(KIND_TABLE)


def kind_fields() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """`{kind: (required fields, optional fields)}`."""
    return {k.name: (k.required, k.optional) for k in KIND_TABLE.values()}


def child_fields() -> dict[str, tuple[str, ...]]:
    """`{kind: fields holding blocks}` for the kinds that hold blocks."""
    return {k.name: k.children for k in KIND_TABLE.values() if k.children}


def settable_fields() -> dict[str, tuple[str, ...]]:
    """`{kind: fields DesignEditor.set_field may change}`; `""` is the design itself."""
    return {"": ("name", "input"), **{k.name: k.settable for k in KIND_TABLE.values()}}


def argument_fields() -> dict[str, str]:
    """`{kind: its argument dict field}` for the kinds that take arguments."""
    return {k.name: k.arguments for k in KIND_TABLE.values() if k.arguments}


def field_defaults(kind_name: str) -> dict[str, Any]:
    """What each optional field of a kind means when left out."""
    return {f.name: copy.deepcopy(f.default) for f in kind(kind_name).fields if not f.required}


def structure_kinds() -> tuple[str, ...]:
    """The kinds the palette's "structure" group offers."""
    return tuple(k.name for k in KIND_TABLE.values() if k.group == "structure")


KINDS = kinds()
KIND_FIELDS = kind_fields()
CHILD_FIELDS = child_fields()
SETTABLE_FIELDS = settable_fields()
ARGUMENT_FIELDS = argument_fields()
STRUCTURE_KINDS = structure_kinds()
SCOPED_KINDS = tuple(k.name for k in KIND_TABLE.values() if k.scoped)

#: Fields of the design itself: (required, optional).
DESIGN_FIELDS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("format", "version", "name", "input", "blocks"),
    ("description",),
)
#: Input dtypes a design may declare.
DTYPES = ("float32", "float16", "float64", "int32", "int64")


def value_of(block: dict, field: str) -> Any:
    """`block[field]`, or the field's default when the block leaves it out."""
    if field in block:
        return block[field]
    found = KIND_TABLE[block["kind"]].field(field)
    return copy.deepcopy(found.default) if found is not None else None


def new_block(kind_name: str, **given: Any) -> dict:
    """A fresh block of a kind: the given fields, then each other field's `new` value.

    Required fields without a `new` value must be given (`op` of a layer, `name` of a net).

    Raises:
      ValueError: If `kind_name` is not a kind, a field is not one of the kind's, or a
        required field is missing.

    Example:
      >>> new_block("layer", op="flatten")
      {'kind': 'layer', 'op': 'flatten', 'args': {}}
      >>> new_block("branches")
      {'kind': 'branches', 'branches': [[], []], 'axis': 3}
    """
    record = kind(kind_name)
    unknown = [name for name in given if record.field(name) is None]
    if unknown:
        raise ValueError(
            f"new_block: a {kind_name!r} block has no field {unknown[0]!r}; its fields are "
            f"{', '.join(f.name for f in record.fields)}."
        )
    block: dict[str, Any] = {"kind": kind_name}
    for f in record.fields:
        if f.name in given:
            block[f.name] = copy.deepcopy(given[f.name])
        elif f.new is not None:
            block[f.name] = copy.deepcopy(f.new)
        elif f.required:
            raise ValueError(f"new_block: a {kind_name!r} block needs `{f.name}`.")
    return block


def call_keywords(block: dict) -> dict[str, Any]:
    """The fields of `block` passed to its slim call as keyword arguments (its `scope`...).

    Example:
      >>> call_keywords({"kind": "layer", "op": "flatten", "scope": "flat"})
      {'scope': 'flat'}
      >>> call_keywords({"kind": "layer", "op": "flatten"})
      {}
    """
    record = KIND_TABLE[block["kind"]]
    return {
        f.name: block[f.name]
        for f in record.fields
        if f.call_keyword and block.get(f.name) is not None
    }


def iter_blocks(design: Any) -> Iterator[tuple[str, dict]]:
    """Yields `(path, block)` for every block dict in `design`, parents first.

    Malformed parts (a block that is not a dict, a list of blocks that is not a list, an
    unknown kind's fields) are skipped, so this never raises.

    Example:
      >>> d = {"blocks": [{"kind": "residual", "blocks": [{"kind": "layer", "op": "relu"}]}]}
      >>> [path for path, _ in iter_blocks(d)]
      ['blocks[0]', 'blocks[0].blocks[0]']
    """
    if isinstance(design, dict):
        yield from _walk_list(design.get("blocks"), "blocks", 0)


def _walk_list(blocks: Any, path: str, depth: int) -> Iterator[tuple[str, dict]]:
    if not isinstance(blocks, list) or depth > 64:
        return
    for index, block in enumerate(blocks):
        yield from _walk_block(block, f"{path}[{index}]", depth)


def _walk_block(block: Any, path: str, depth: int) -> Iterator[tuple[str, dict]]:
    if not isinstance(block, dict):
        return
    yield path, block
    record = KIND_TABLE.get(block.get("kind")) if isinstance(block.get("kind"), str) else None
    for f in record.fields if record is not None else ():
        value = block.get(f.name)
        if f.type == "layer":
            yield from _walk_block(value, f"{path}.{f.name}", depth + 1)
        elif f.type == "blocks":
            yield from _walk_list(value, f"{path}.{f.name}", depth + 1)
        elif f.type == "block_lists" and isinstance(value, list):
            for index, branch in enumerate(value):
                yield from _walk_list(branch, f"{path}.{f.name}[{index}]", depth + 1)


# How a header item looks: names like an op, numbers like a count, lists of ops.
_HEAD_STYLES = {"count": "count", "int": "count", "argument_list": "count", "op_list": "ops"}


def canvas_layout() -> dict[str, dict[str, Any]]:
    """How the canvas draws each kind, as plain data for the browser.

    Returns:
      `{kind: {"badge", "head", "chips", "body", "defaults", "fields", "group", "doc"}}`:
      `badge` whether the header starts with the kind's name (all but layers); `head` the
      header items `{"field", "show", "style", "template", "empty"}` (`style`: `"op"`,
      `"count"` or `"ops"`); `chips` the argument dict shown
      as chips; `body` the parts holding blocks or argument sets, each `{"field", "type",
      "title", "hint"}` with `type` one of `"layer"`, `"blocks"`, `"block_lists"`,
      `"argument_list"`; `defaults` the optional fields' defaults; `fields` every field.
    """
    layout = {}
    for record in KIND_TABLE.values():
        chips = record.arguments or next(
            (f.name for f in record.fields if f.type == "arguments"), None
        )
        layout[record.name] = {
            "badge": record.group != "layer",
            "head": [
                {
                    "field": f.name,
                    "show": f.head,
                    "style": _HEAD_STYLES.get(f.type, "op"),
                    "template": f.template,
                    "empty": f.hint,
                }
                for f in record.fields
                if f.head
            ],
            "chips": chips,
            "body": [
                {"field": f.name, "type": f.type, "title": f.title, "hint": f.hint}
                for f in record.fields
                if f.holds_blocks or f.type == "argument_list"
            ],
            "defaults": {f.name: f.default for f in record.fields if not f.required},
            "fields": [f.name for f in record.fields],
            "group": record.group,
            "doc": record.doc,
        }
    return layout
