"""The property sheet of a selected layer: each argument with its value, default and scope.

A property editor shows, for the selected layer, every hyper-parameter of its op (from the
op catalogue): the value the block sets, the value an enclosing `arg_scope` sets (a *scoped
default*, shown as such), and the function's default. Values are typed as JSON literals
(`64`, `[3, 3]`, `"relu"`, `{"name": "l2_regularizer", "scale": 0.0005}`) or as the Python
literals a TF-Slim call would show (`(3, 3)`, `None`, `True`, `'relu'`); text is parsed,
never executed.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
from typing import Any

from workbench.models.design import choices
from workbench.models.design.catalogue import ArgSpec, op_spec
from workbench.models.editor.paths import format_path, get_at, parse_path

#: Argument types whose values are picked from a list rather than typed.
PICKED = ("choice", "bool", "activation", "normalizer")
#: Argument types that name a choice with parameters: picked by name, then edited as JSON.
NAMED = ("initializer", "regularizer")
# A required scale starts at the weight decay of TF-Slim's README, `l2_regularizer(0.0005)`.
_STARTING_SCALE = 0.0005


def starting_value(family: str, name: str) -> Any:
    """The value a named initializer or regularizer starts from when picked: its name, or
    a dict of its name and parameters (defaults; a required scale at 0.0005).

    Example:
      >>> starting_value("regularizer", "l2_regularizer")
      {'name': 'l2_regularizer', 'scale': 0.0005}
      >>> starting_value("initializer", "truncated_normal_initializer")
      {'name': 'truncated_normal_initializer', 'mean': 0.0, 'stddev': 1.0}
      >>> starting_value("initializer", "zeros_initializer")
      'zeros_initializer'
    """
    params = {}
    for param in choices.get(family, name).params:
        if param.default is not None:
            params[param.name] = param.default
        elif param.required:
            params[param.name] = _STARTING_SCALE
    return {"name": name, **params} if params else name


def picked_name(value: Any) -> str | None:
    """The choice a named-choice value picks (`{"name": "l2_regularizer", ...}` ->
    `"l2_regularizer"`), None for anything else."""
    name = value.get("name") if isinstance(value, dict) else value
    return name if isinstance(name, str) else None


@dataclasses.dataclass(frozen=True)
class PropertyRow:
    """One argument of the selected layer.

    Attributes:
      name: The keyword.
      type: The catalogue's argument type (`int`, `int_or_list`, `choice`, `activation`...).
      value: What the block sets, or `None` when it does not set it (`is_set` tells apart).
      is_set: Whether the block sets this argument itself.
      default: The function's default, as a design value.
      scoped: `(value, arg_scope block path)` of the innermost enclosing scope setting it.
      options: The values to pick from for `PICKED` types.
      required: Whether the call needs it.
      doc: One line of documentation.
    """

    name: str
    type: str
    value: Any
    is_set: bool
    default: Any
    scoped: tuple[Any, str] | None
    options: tuple[Any, ...]
    required: bool
    doc: str

    @property
    def effective(self) -> tuple[Any, str]:
        """`(value, source)`: source is `"call"`, `"arg_scope"` or `"default"`."""
        if self.is_set:
            return self.value, "call"
        if self.scoped is not None:
            return self.scoped[0], "arg_scope"
        return self.default, "default"


def option_values(arg: ArgSpec) -> tuple[Any, ...]:
    if arg.type == "choice":
        return tuple(arg.choices)
    if arg.type == "bool":
        return (True, False)
    if arg.type in ("activation", "normalizer"):
        return (*choices.names(arg.type), None)
    return ()


def scoped_defaults(design: dict, path: str, op: str) -> dict[str, tuple[Any, str]]:
    """`{argument: (value, arg_scope path)}` set for `op` by the arg_scopes around `path`."""
    steps = parse_path(path)
    found: dict[str, tuple[Any, str]] = {}
    spec = op_spec(op)
    names = {op, spec.arg_scope_op or op}
    for depth in range(1, len(steps)):
        prefix = steps[:depth]
        block = get_at(design, prefix)
        if isinstance(block, dict) and block.get("kind") == "arg_scope":
            if names & set(block.get("ops") or ()):
                where = format_path(prefix)
                for key, value in (block.get("defaults") or {}).items():
                    found[key] = (value, where)  # an inner scope overrides an outer one
    return found


#: Where a block kind keeps its arguments, and the field naming its op.
_ARGUMENTS = {"layer": ("args", "op"), "stack": ("args", "op"), "net": ("options", "name")}


def property_rows(design: dict, path: str) -> list[PropertyRow]:
    """The property sheet of the layer at `path` (a layer block or a repeat's `.block`), of a
    stack (the arguments every call gets) or of a net (its options).

    Raises:
      ValueError: If `path` does not name a layer, stack or net block.
      KeyError: If the block's op or net is not in the catalogue.
    """
    block = get_at(design, path)
    kind = block.get("kind") if isinstance(block, dict) else None
    if kind not in _ARGUMENTS:
        raise ValueError(
            f"property_rows: `path` must name a layer, stack or net block, got {path!r}."
        )
    field, name_field = _ARGUMENTS[kind]
    spec = op_spec(block.get(name_field))
    args = block.get(field) or {}
    scoped = scoped_defaults(design, path, spec.name)
    return [
        PropertyRow(
            name=arg.name,
            type=arg.type,
            value=args.get(arg.name),
            is_set=arg.name in args,
            default=arg.default,
            scoped=scoped.get(arg.name),
            options=option_values(arg),
            required=arg.required,
            doc=arg.doc,
        )
        for arg in spec.args
        if arg.role == "hyper"
    ]


def parse_value(text: str) -> Any:
    """A typed value as a JSON or Python literal; a bare word is taken as a string (`SAME`).

    Python literals (tuples, `None`, `True`, `False`, quoted strings) are read with
    `ast.literal_eval`, which evaluates nothing but literals; tuples become lists, as JSON
    has none. Sets, bytes, complex numbers and dicts with keys that are not strings are
    refused, as a design (a JSON file) cannot hold them.

    Raises:
      ValueError: If the text starts like a literal (`[`, `(`, `{`, a quote, a digit) but
        is not a valid one, or is a literal a design cannot hold.

    Example:
      >>> parse_value("[3, 3]"), parse_value("relu"), parse_value("0.5"), parse_value("null")
      ([3, 3], 'relu', 0.5, None)
      >>> parse_value("(3, 3)"), parse_value("None"), parse_value("True"), parse_value("'VALID'")
      ([3, 3], None, True, 'VALID')
    """
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError as err:
        problem = str(err)
    if len(text) <= _MAX_PYTHON_TEXT:
        try:
            found = ast.literal_eval(text)
        except SyntaxError as err:
            # Python's account is the clearer one for what only Python writes.
            problem = err.msg if text[:1] and text[:1] in "('" else problem
        except (ValueError, TypeError, MemoryError, RecursionError):
            problem = "only literals are read; an expression is not computed"
        else:
            return _json_value(found, text)
    if text[:1] in "[({\"'-+.0123456789" or not text:
        raise ValueError(
            f'property value must be a JSON or Python literal (64, [3, 3], (3, 3), "relu", '
            f"null, None, True), got {text!r}: {problem}."
        )
    return text


# Longer text is not read as a Python literal (its parser's memory grows with nesting).
_MAX_PYTHON_TEXT = 10_000


def _json_value(value: Any, text: str) -> Any:
    """`value` (from `ast.literal_eval`) as JSON data: tuples as lists; what JSON cannot
    hold refused."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        refused = "a number too large for a design"
    elif isinstance(value, list | tuple):
        return [_json_value(item, text) for item in value]
    elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _json_value(item, text) for key, item in value.items()}
    elif isinstance(value, dict):
        refused = "a dict whose keys are not all strings"
    else:
        refused = f"a {type(value).__name__}"
    raise ValueError(
        f"property value must be a literal a design can hold (a number, string, True, False, "
        f"None, a list, tuple or dict with string keys), got {text!r}, which holds {refused}."
    )


def format_value(value: Any) -> str:
    """A design value as the text a property field shows (JSON)."""
    return json.dumps(value)


def python_text(value: Any) -> str:
    """A design value as Python writes it, for hints and placeholders: the generated code and
    the canvas say `None` and `'SAME'`, and a field reads that back as it reads JSON.

    Example:
      >>> python_text(None), python_text("SAME"), python_text([5, 5]), python_text(True)
      ('None', "'SAME'", '[5, 5]', 'True')
    """
    return repr(value)
