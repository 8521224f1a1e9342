"""The structure of a design as a JSON Schema, generated from the kind table.

`design_schema()` says what a schema can say about a design: the envelope (`format`,
`version`, `name`, `input`, `blocks`), each block's `kind`, its required fields, the type of
every field (names, counts, lists of blocks, argument dicts of JSON values). `problems()`
checks a value against it with `jsonschema` and returns *every* mismatch as a `Problem`
naming its path. The editor refuses an edit that breaks the structure
(`editor.blocks.check_*`); the analysis reports the same problems and goes on with what a
schema cannot say: ops and arguments, shapes, scopes (`design.analysis`).

`strict=False` (the editor) keeps fields it does not know, so notes written into a design
survive editing; `strict=True` (the analysis) reports them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

import jsonschema

from workbench.models.design import kinds
from workbench.problems import Problem, did_you_mean, join_path, problem

_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
_LITERAL = "a JSON value (null, bool, finite number, str, list or dict)"


def _is_integer(checker: Any, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(checker: Any, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def _kind_test(if_schema: Any) -> Any:
    """The `kind` an `if` schema of the form the block schema uses tests for, else None."""
    if not isinstance(if_schema, dict) or set(if_schema) != {"type", "properties", "required"}:
        return None
    properties = if_schema["properties"]
    if (
        if_schema["type"] != "object"
        or if_schema["required"] != ["kind"]
        or list(properties) != ["kind"]
        or list(properties["kind"]) != ["const"]
    ):
        return None
    return properties["kind"]["const"]


def _if(validator: Any, if_schema: Any, instance: Any, schema: dict) -> Any:
    """JSON Schema's `if`, answering "is this a block of kind K?" without building errors.

    A block is tested against every kind's `if` (seven per block); the general `if` builds
    a validator and an error for each miss, which made checking a 50-block design take
    ~100 ms. Other `if`s are evaluated as usual.
    """
    kind = _kind_test(if_schema)
    if kind is not None and isinstance(kind, str):
        matched = isinstance(instance, dict) and instance.get("kind") == kind
    else:
        matched = validator.evolve(schema=if_schema).is_valid(instance)
    if matched:
        if "then" in schema:
            yield from validator.descend(instance, schema["then"], schema_path="then")
    elif "else" in schema:
        yield from validator.descend(instance, schema["else"], schema_path="else")


# JSON's own types as Python has them: bools are not numbers, 1.0 is not an integer, and
# NaN or Infinity is not a number at all (JSON cannot write them).
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    validators={"if": _if},
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}
    ),
)


def _name(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": _NAME_PATTERN, "description": description}


def _field_schema(field: kinds.Field, strict: bool = False) -> dict[str, Any]:
    """The schema of one field: its type's, with the field's own limits and wording."""
    schema = _type_schema(field)
    if field.expected:
        schema["description"] = field.expected
    if field.maximum is not None:
        schema["maximum"] = field.maximum
    if strict and field.min_items:
        schema["minItems"] = field.min_items
    return schema


def _type_schema(field: kinds.Field) -> dict[str, Any]:
    """The schema of one field type."""
    kind_type = field.type
    if kind_type in ("op", "net"):
        example = "'vgg_16'" if kind_type == "net" else "'conv2d'"
        return _name(f"a name such as {example}")
    if kind_type == "activation":
        return {
            "type": ["string", "null"],
            "pattern": _NAME_PATTERN,
            "description": "an activation name such as 'relu', or null",
        }
    if kind_type == "scope":
        return {"type": ["string", "null"], "pattern": r"\S", "description": "a non-empty str"}
    if kind_type == "arguments":
        return {"$ref": "#/$defs/arguments"}
    if kind_type == "argument_list":
        return {
            "type": "array",
            "items": {"$ref": "#/$defs/arguments"},
            "description": "a list of argument dicts",
        }
    if kind_type == "count":
        return {"type": "integer", "minimum": 1, "description": "an int >= 1"}
    if kind_type == "int":
        return {"type": "integer", "description": "an int"}
    if kind_type == "op_list":
        return {
            "type": "array",
            "items": _name("an op name such as 'conv2d'"),
            "uniqueItems": True,
            "description": "a list of op names, each once",
        }
    if kind_type == "text":
        return {"type": "string", "description": "a str"}
    if kind_type == "layer":
        return {
            "$ref": "#/$defs/block",
            "properties": {
                "kind": {
                    "const": "layer",
                    "description": "'layer' (repeat calls one layer `count` times)",
                },
                "scope": {
                    "not": {},
                    "description": "left out: repeat names its calls (set the repeat "
                    "block's `scope`)",
                },
            },
        }
    if kind_type == "blocks":
        return {"$ref": "#/$defs/blocks"}
    if kind_type == "block_lists":
        return {
            "type": "array",
            "items": {"$ref": "#/$defs/blocks"},
            "description": "a list of block lists",
        }
    raise ValueError(f"_field_schema: unknown field type {kind_type!r} of {field.name!r}.")


def _kind_schema(record: kinds.Kind, strict: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(record.required),
        "properties": {"kind": {}, **{f.name: _field_schema(f, strict) for f in record.fields}},
        "description": f"a {record.name!r} block",
        "x-what": f"a {record.name!r} block",
    }
    if strict:
        schema["additionalProperties"] = False
    elif not record.scoped:
        # Kept for notes, but never a scope: it would look like one and do nothing.
        schema["properties"]["scope"] = {
            "not": {},
            "description": f"left out: a {record.name!r} block takes no scope",
        }
    return schema


def _defs(strict: bool) -> dict[str, Any]:
    table = kinds.KIND_TABLE
    return {
        "literal": {
            "type": ["null", "boolean", "number", "string", "array", "object"],
            "items": {"$ref": "#/$defs/literal"},
            "propertyNames": {"type": "string", "description": "a dict with str keys"},
            "additionalProperties": {"$ref": "#/$defs/literal"},
            "description": _LITERAL,
        },
        "arguments": {
            "type": "object",
            "propertyNames": {
                "type": "string",
                "pattern": _NAME_PATTERN,
                "description": "a dict whose keys are argument names such as 'num_outputs'",
            },
            "additionalProperties": {"$ref": "#/$defs/literal"},
            "description": "a dict of arguments",
        },
        "block": {
            "type": "object",
            "required": ["kind"],
            "properties": {
                "kind": {"enum": list(table), "description": f"one of {', '.join(table)}"}
            },
            "allOf": [
                {
                    "if": {
                        "type": "object",
                        "properties": {"kind": {"const": name}},
                        "required": ["kind"],
                    },
                    "then": _kind_schema(record, strict),
                }
                for name, record in table.items()
            ],
            "description": 'a block dict such as {"kind": "layer", "op": "conv2d", "args": {}}',
            "x-what": "a block",
        },
        "blocks": {
            "type": "array",
            "items": {"$ref": "#/$defs/block"},
            "description": "a list of blocks",
        },
    }


def design_schema(*, strict: bool = False) -> dict[str, Any]:
    """The JSON Schema of a whole design (a plain dict; `json.dumps` writes it).

    Args:
      strict: Whether fields not in the kind table are errors, and the analysis's limits
        apply (an input of rank 1 to 4 and a known dtype, no empty lists of ops or calls).
    """
    required, optional = kinds.DESIGN_FIELDS
    size: dict[str, Any] = {"type": ["integer", "null"], "minimum": 1}
    shape: dict[str, Any] = {"type": "array", "items": size}
    dtype: dict[str, Any] = {"type": "string", "description": "a dtype name such as 'float32'"}
    if strict:
        rank = kinds.MAX_INPUT_RANK
        size = {"type": "integer", "minimum": 1, "maximum": 2**31}
        shape = {"type": "array", "items": size, "minItems": 1, "maxItems": rank}
        shape["description"] = f"a list of 1 to {rank} sizes without the batch, such as [28, 28, 1]"
        dtype = {"enum": list(kinds.DTYPES), "description": f"one of {list(kinds.DTYPES)}"}
    size["description"] = "an int >= 1"
    shape.setdefault("description", "a list of sizes such as [28, 28, 1]")
    properties: dict[str, Any] = {
        "format": {"const": kinds.FORMAT},
        "version": {
            "const": kinds.VERSION,
            "x-older": "Load it with `spec.loads` or `spec.migrate` to upgrade it.",
        },
        "name": {"type": "string", "pattern": r"\S", "description": "a non-empty str"},
        "input": {
            "type": "object",
            "required": ["shape"],
            "properties": {"shape": shape, "dtype": dtype},
            "additionalProperties": False if strict else {"$ref": "#/$defs/literal"},
            "description": 'a dict such as {"shape": [28, 28, 1], "dtype": "float32"}',
            "x-what": "`input`",
        },
        "blocks": {"$ref": "#/$defs/blocks"},
        "description": {"type": "string", "description": "a str"},
    }
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": _defs(strict),
        "type": "object",
        "required": list(required),
        "properties": {name: properties[name] for name in (*required, *optional)},
        "description": "a design dict (a JSON object)",
        "x-what": "the design",
    }
    if strict:
        schema["additionalProperties"] = False
    return schema


def part_schema(part: str, *, strict: bool = False) -> dict[str, Any]:
    """The schema of one part of a design, checked on its own.

    Args:
      part: `"block"`, `"blocks"`, `"literal"`, `"arguments"`, or `"KIND.FIELD"` for one
        field of a block kind (`"repeat.count"`).
      strict: Whether fields not in the kind table are errors.
    """
    defs = _defs(strict)
    if "." in part:
        kind_name, field_name = part.split(".", 1)
        field = kinds.kind(kind_name).field(field_name)
        if field is None:
            raise ValueError(f"part_schema: {kind_name!r} blocks have no field {field_name!r}.")
        return {"$defs": defs, **_field_schema(field, strict)}
    if part not in defs:
        raise ValueError(f"part_schema: `part` must be one of {', '.join(defs)}, got {part!r}.")
    return {"$defs": defs, "$ref": f"#/$defs/{part}"}


@functools.lru_cache(maxsize=64)
def _validator(part: str, strict: bool, table_id: int) -> Any:
    schema = design_schema(strict=strict) if part == "design" else part_schema(part, strict=strict)
    return _Validator(schema)


def problems(
    value: Any, part: str = "design", *, path: str = "", strict: bool = False
) -> list[Problem]:
    """Every way `value` breaks the structure of `part`, as `Problem`s with their paths.

    Args:
      value: A design, or the part of one named by `part`.
      part: `"design"`, or a part as `part_schema` takes it.
      path: Where `value` sits, prefixed to every problem's path (`"blocks[2]"`).
      strict: Whether fields not in the kind table are problems.

    Example:
      >>> for p in problems({"kind": "repeat", "count": 0}, "block", path="blocks[0]"):
      ...     print(p)
      `blocks[0].block` must be given (a 'repeat' block needs 'count', 'block'), got None.
      `blocks[0].count` must be an int from 1 to 256, got 0.
    """
    table = hash(tuple((name, id(record)) for name, record in kinds.KIND_TABLE.items()))
    blocks = value.get("blocks") if isinstance(value, dict) else None
    if part != "design" or not isinstance(blocks, list):
        return _dedupe(_check(_validator(part, strict, table), value, path))
    # The envelope, then each top-level block on its own: a block whose text was checked
    # before gives the same problems again without a second check (an edit changes one
    # block; the app checks the whole design after each).
    envelope = {**value, "blocks": []}
    found = _check(_validator("design", strict, table), envelope, path)
    block_validator = _validator("block", strict, table)
    for index, block in enumerate(blocks):
        where = f"{join_path(path, 'blocks')}[{index}]"
        try:
            key = (strict, table, where, repr(block))
        except (RecursionError, ValueError):
            found += _check(block_validator, block, where)
            continue
        if key not in _BLOCK_CACHE:
            if len(_BLOCK_CACHE) >= _BLOCK_CACHE_SIZE:
                _BLOCK_CACHE.pop(next(iter(_BLOCK_CACHE)))
            _BLOCK_CACHE[key] = tuple(_check(block_validator, block, where))
        found += _BLOCK_CACHE[key]
    return _dedupe(found)


# Problems of blocks already checked, by (strict, kind table, path, repr of the block). A
# block's repr tells apart everything the schema does (1 and "1", lists and tuples, NaN).
_BLOCK_CACHE: dict[tuple, tuple[Problem, ...]] = {}
_BLOCK_CACHE_SIZE = 4096


def _check(validator: Any, value: Any, path: str) -> list[Problem]:
    return [
        item
        for error in sorted(validator.iter_errors(value), key=_order)
        for item in _translate(error, path)
    ]


def _dedupe(found: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for item in found:
        if (item.path, item.message) not in seen:
            seen.add((item.path, item.message))
            out.append(item)
    return out


def _order(error: jsonschema.ValidationError) -> tuple:
    # Document order for lists; a block's own problems (missing fields) before its fields'.
    return tuple((0, s) if isinstance(s, int) else (1, str(s)) for s in error.absolute_path)


def _translate(error: jsonschema.ValidationError, base: str) -> Iterable[Problem]:
    path = base
    for step in error.absolute_path:
        path = join_path(path, step)
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected = schema.get("description", "")
    value = error.instance
    what = schema.get("x-what", "it")
    if error.validator == "required":
        needs = error.validator_value
        for name in needs:
            if isinstance(value, dict) and name not in value:
                yield problem(
                    join_path(path, name),
                    f"given ({what} needs {', '.join(map(repr, needs))})",
                    None,
                    kind="structure",
                )
    elif error.validator == "additionalProperties":
        required = list(schema.get("required", []))
        others = [k for k in schema.get("properties", {}) if k != "kind" and k not in required]
        allowed = [k for k in required if k != "kind"] + others
        for key in value:
            if key not in schema.get("properties", {}):
                yield problem(
                    join_path(path, key) if isinstance(key, str) else path,
                    f"one of the fields of {what} ({', '.join(allowed)})",
                    key,
                    kind="unknown",
                    hint=did_you_mean(key, allowed),
                )
    elif error.validator == "enum":
        choices = error.validator_value
        yield problem(
            path,
            expected or f"one of {', '.join(map(str, choices))}",
            value,
            kind="unknown",
            hint=did_you_mean(value, choices),
        )
    elif error.validator == "const":
        older = _is_integer(None, value) and _is_integer(None, error.validator_value)
        hint = schema.get("x-older", "") if older and value < error.validator_value else ""
        yield problem(path, expected or repr(error.validator_value), value, hint=hint)
    elif error.validator == "type":
        yield problem(path, expected or f"of type {error.validator_value}", value, kind="type")
    elif error.validator == "propertyNames":
        yield problem(path, expected or "a dict with str keys", value, kind="type")
    else:
        yield problem(path, expected or error.message, value)
