"""The design format: versioned JSON describing a model as nested blocks.

A design is plain data (dicts, lists, strings, numbers, booleans, null)::

    {"format": "slim-workbench-design", "version": 1, "name": "mlp",
     "input": {"shape": [28, 28, 1], "dtype": "float32"},
     "blocks": [{"kind": "layer", "op": "flatten"},
                {"kind": "stack", "op": "fully_connected", "per_layer": [{"num_outputs": 64},
                 {"num_outputs": 10, "activation_fn": null}], "scope": "fc"}]}

`input.shape` leaves out the batch dimension. Block kinds (fields after `kind`; the ones
in brackets are optional, with the default shown; `kinds.KIND_TABLE` is where they are
defined, and `schema.py` checks them):

- `layer`: `op` (a slimlib layer such as `"conv2d"`), [`args` {}], [`scope`].
- `repeat`: `count`, `block` (a `layer` block without scope), [`scope`] -> `slim.repeat`.
- `stack`: `op`, `per_layer` (one argument dict per call), [`args` {} for every call],
  [`scope`] -> `slim.stack`.
- `arg_scope`: `ops` (layer names), `blocks`, [`defaults` {}] -> `slim.arg_scope`.
- `residual`: `blocks` (the main path), [`shortcut` [] (identity when empty)],
  [`activation` null], [`scope`]: shortcut and main path added, then the activation.
- `branches`: `branches` (lists of blocks, run on the same input), [`axis` 3], [`scope`]:
  outputs concatenated along `axis`.
- `net`: `name` (a key of `slimlib.nets.nets_factory.networks_map`), [`options` {}],
  [`scope`]: a whole slimlib net.

A missing `scope` is generated the way slimlib names it (`Conv`, `Conv_1`, ...). Argument
values are JSON literals; functions are chosen by name (see `choices`). Nothing here
imports TensorFlow: reading and writing designs stays cheap.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from workbench.models.design import choices, kinds
from workbench.problems import DesignError, Problem, problem

# The format's constants come from the kind table (`kinds.py`), the one place that says
# which fields each block kind has.
FORMAT = kinds.FORMAT
VERSION = kinds.VERSION
KINDS = kinds.KINDS
KIND_FIELDS = kinds.KIND_FIELDS
DESIGN_FIELDS = kinds.DESIGN_FIELDS
DTYPES = kinds.DTYPES
#: Largest design text `loads` reads (a 5,000-block design is about 1.5 MB).
MAX_TEXT_BYTES = 4 * 2**20
#: Deepest nesting of JSON arrays and objects `loads` reads (32 levels of nested blocks
#: take about 70).
MAX_JSON_DEPTH = 100
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")

#: Upgrades from one version to the next: `MIGRATIONS[v]` turns a version-`v` design dict
#: into a version-`v + 1` one. Register with `register_migration`.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


def register_migration(from_version: int) -> Callable[[Callable[[dict], dict]], Callable]:
    """Decorates `fn(design) -> design` as the upgrade from `from_version` to the next.

    The function gets a deep copy of a design of version `from_version` and returns the
    same design in the next version's format (setting `version` is done for it).

    Example:
      >>> @register_migration(0)
      ... def _rename_layers(design):
      ...     design["blocks"] = design.pop("layers")
      ...     return design
      >>> migrate({"format": FORMAT, "version": 0, "name": "m",
      ...          "input": {"shape": [4], "dtype": "float32"}, "layers": []})["blocks"]
      []
      >>> del MIGRATIONS[0]
    """

    def decorate(fn: Callable[[dict], dict]) -> Callable[[dict], dict]:
        MIGRATIONS[from_version] = fn
        return fn

    return decorate


def migrate(data: Any) -> dict:
    """Brings a design dict of any known version up to `VERSION`.

    Args:
      data: A design dict, e.g. just parsed from JSON. It is not modified.

    Returns:
      A new design dict with `version == VERSION`.

    Raises:
      DesignError: If `data` is not a dict with this format, its version is not an int,
        is newer than this workbench knows, or no migration leads from it to `VERSION`.
    """
    fn = "migrate"
    if not isinstance(data, dict):
        raise DesignError(fn, [problem("", "a JSON object (a dict)", data, kind="type")])
    found = data.get("format")
    if found != FORMAT:
        raise DesignError(
            fn,
            [
                problem(
                    "format",
                    f"{FORMAT!r}",
                    found,
                    hint="This file is not a Slim Workbench design.",
                )
            ],
        )
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise DesignError(fn, [problem("version", "an int", version, kind="type")])
    if version > VERSION:
        raise DesignError(
            fn,
            [
                problem(
                    "version",
                    f"at most {VERSION}",
                    version,
                    hint="The design was written by a newer Slim Workbench; upgrade to open it.",
                )
            ],
        )
    design = copy.deepcopy(data)
    while version < VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise DesignError(
                fn,
                [
                    problem(
                        "version",
                        f"a version with a migration to {VERSION} "
                        f"(known: {sorted(MIGRATIONS) + [VERSION]})",
                        version,
                    )
                ],
            )
        design = step(design)
        version += 1
        design["version"] = version
    # Not a version step: old and new names never meant different things, so any version
    # may hold the short initializer names (`"xavier"`) that became function names.
    return choices.upgrade_initializer_names(design)


def loads(text: str | bytes) -> dict:
    """Parses design JSON and migrates it to the current version.

    Only the envelope is checked (JSON syntax, `format`, `version`); call
    `validate.validate` for everything else, so that a design with mistakes can still be
    opened and fixed.

    Args:
      text: The JSON text (str or UTF-8 bytes).

    Returns:
      The design dict, at `VERSION`.

    Raises:
      DesignError: If `text` is not JSON, holds NaN or Infinity, is larger than
        `MAX_TEXT_BYTES` or nested deeper than `MAX_JSON_DEPTH`, or is not a design (see
        `migrate`).

    Example:
      >>> loads('{"format": "slim-workbench-design", "version": 1, "name": "m", '
      ...       '"input": {"shape": [4], "dtype": "float32"}, "blocks": []}')["name"]
      'm'
    """
    fn = "loads"
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise DesignError(
                fn, [problem("", "UTF-8 encoded JSON", f"bytes ({err.reason})", kind="type")]
            ) from None
    if not isinstance(text, str):
        raise DesignError(fn, [problem("", "JSON text (a str)", text, kind="type")])

    _check_size(fn, text)

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        raise DesignError(
            fn,
            [
                Problem(
                    path="",
                    message=f"The design is not valid JSON: {err.msg} at {where}.",
                    value=text[max(0, err.pos - 20) : err.pos + 20],
                    expected="JSON text",
                    kind="structure",
                )
            ],
        ) from None
    except (ValueError, RecursionError) as err:
        raise DesignError(
            fn,
            [
                Problem(
                    path="",
                    message=f"The design is not valid JSON: {err}.",
                    value=None,
                    expected="JSON text with finite numbers",
                    kind="value",
                )
            ],
        ) from None
    return migrate(data)


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON `text` (strings skipped)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _check_size(fn: str, text: str) -> None:
    """Refuses design text too large, or nested too deep, to read and check in good time."""
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise DesignError(
            fn,
            [
                Problem(
                    path="",
                    message=f"The design text has {size:,} bytes; at most {MAX_TEXT_BYTES:,} "
                    "are read.",
                    value=size,
                    expected=f"at most {MAX_TEXT_BYTES:,} bytes",
                    kind="value",
                )
            ],
        )
    depth = _json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise DesignError(
            fn,
            [
                Problem(
                    path="",
                    message=f"The design nests JSON arrays and objects {depth} levels deep; at "
                    f"most {MAX_JSON_DEPTH} are read.",
                    value=depth,
                    expected=f"at most {MAX_JSON_DEPTH} levels of nesting",
                    kind="structure",
                )
            ],
        )


def dumps(design: dict) -> str:
    """Writes a design as indented JSON (2 spaces, keys in their order, newline at the end).

    Raises:
      DesignError: If `design` is not a dict or holds a value JSON cannot represent
        (NaN, Infinity, a set, a function, ...).
    """
    fn = "dumps"
    if not isinstance(design, dict):
        raise DesignError(fn, [problem("", "a design dict", design, kind="type")])
    try:
        return json.dumps(design, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    except (TypeError, ValueError, RecursionError) as err:
        raise DesignError(
            fn,
            [
                Problem(
                    path="",
                    message=f"The design cannot be written as JSON: {err}.",
                    value=None,
                    expected="JSON values only (dict, list, str, finite numbers, bool, None)",
                    kind="type",
                )
            ],
        ) from None


def iter_blocks(design: Any) -> Iterator[tuple[str, dict]]:
    """Yields `(path, block)` for every block dict in `design`, parents first.

    Malformed parts (a block that is not a dict, a list that is not a list) are skipped,
    so this never raises. The walk follows the kind table's fields that hold blocks.

    Example:
      >>> d = new_design("m", [8, 8, 1], [residual([layer("conv2d", num_outputs=1,
      ...     kernel_size=3)])])
      >>> [path for path, _ in iter_blocks(d)]
      ['blocks[0]', 'blocks[0].blocks[0]']
    """
    return kinds.iter_blocks(design)


# Builders: the same dicts, written from Python (templates, tests, notebooks). Tuples
# become lists, so what they return is exactly what JSON would give back.


def new_design(
    name: str,
    input_shape: Sequence[int],
    blocks: Sequence[dict] = (),
    *,
    dtype: str = "float32",
    description: str | None = None,
) -> dict:
    """A design dict; `input_shape` leaves out the batch dimension.

    Example:
      >>> new_design("m", (28, 28, 1))["input"]
      {'shape': [28, 28, 1], 'dtype': 'float32'}
    """
    design = {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "input": {"shape": _plain(input_shape), "dtype": dtype},
        "blocks": _plain(blocks),
    }
    if description is not None:
        design["description"] = description
    return design


def layer(op: str, scope: str | None = None, **args: Any) -> dict:
    """A `layer` block: `layer("conv2d", "conv1", num_outputs=32, kernel_size=[3, 3])`."""
    return _scoped({"kind": "layer", "op": op, "args": _plain(args)}, scope)


def repeat(count: int, block: dict, scope: str | None = None) -> dict:
    """A `repeat` block calling the layer `block` `count` times (`slim.repeat`)."""
    return _scoped({"kind": "repeat", "count": count, "block": _plain(block)}, scope)


def stack(op: str, per_layer: Sequence[dict], scope: str | None = None, **args: Any) -> dict:
    """A `stack` block: `op` once per dict of `per_layer`, `args` in every call (`slim.stack`)."""
    block = {"kind": "stack", "op": op, "args": _plain(args), "per_layer": _plain(per_layer)}
    return _scoped(block, scope)


def arg_scope(ops: Sequence[str], blocks: Sequence[dict], **defaults: Any) -> dict:
    """An `arg_scope` block: `defaults` for the layers `ops` inside `blocks`."""
    return {
        "kind": "arg_scope",
        "ops": _plain(ops),
        "defaults": _plain(defaults),
        "blocks": _plain(blocks),
    }


def residual(
    blocks: Sequence[dict],
    shortcut: Sequence[dict] = (),
    scope: str | None = None,
    activation: str | None = None,
) -> dict:
    """A `residual` block: `activation(shortcut(x) + blocks(x))`, identity shortcut if empty."""
    block = {
        "kind": "residual",
        "blocks": _plain(blocks),
        "shortcut": _plain(shortcut),
        "activation": activation,
    }
    return _scoped(block, scope)


def branches(
    branch_list: Sequence[Sequence[dict]], axis: int = 3, scope: str | None = None
) -> dict:
    """A `branches` block: each list of blocks runs on the input; outputs concatenated."""
    return _scoped({"kind": "branches", "branches": _plain(branch_list), "axis": axis}, scope)


def net(name: str, scope: str | None = None, **options: Any) -> dict:
    """A `net` block building the slimlib net `name` with `options` (e.g. `num_classes`)."""
    return _scoped({"kind": "net", "name": name, "options": _plain(options)}, scope)


def _scoped(block: dict, scope: str | None) -> dict:
    if scope is not None:
        block["scope"] = scope
    return block


def _plain(value: Any) -> Any:
    """`value` with tuples turned into lists and containers copied (JSON's own types)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
