"""How a design's blocks become slimlib calls: argument order and argument values.

`build` (which calls slimlib) and `codegen` (which writes the same calls as Python) both
take the call layout from here, so the graph built from a design and the graph the
generated code builds are made by the same calls:

- a layer's required arguments go by position, in signature order, as TF-Slim code writes
  them (`slim.conv2d(net, 64, [3, 3], padding="VALID", scope="conv1")`); the rest by
  keyword, in the design's order;
- a stack's per-layer arguments are its positional list, TF-Slim style: `[32, 64]` for one
  argument per call, `[(32, [3, 3]), (64, [1, 1])]` for several;
- a value is turned into Python (`python_value`) or into code (`code_value`) by its
  argument's type in the catalogue: named functions through `choices`, numbers of float
  arguments as floats, everything else as the JSON literal it is.
"""

from __future__ import annotations

from typing import Any

from workbench.models.design import choices, pysource
from workbench.models.design.catalogue import ArgSpec, OpSpec, catalogue

_FAMILY_TYPES = ("activation", "initializer", "regularizer", "normalizer")


def split_args(
    op: OpSpec, args: dict[str, Any]
) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """`(positional, keyword)` pairs `(name, value)` of a layer call's arguments.

    Positional are the leading required arguments present in `args` (in signature order).

    Example:
      >>> conv = catalogue()["conv2d"]
      >>> split_args(conv, {"padding": "VALID", "kernel_size": [3, 3], "num_outputs": 64})
      ([('num_outputs', 64), ('kernel_size', [3, 3])], [('padding', 'VALID')])
    """
    positional = []
    for name in op.positional:
        spec = op.arg(name)
        if spec is None or not spec.required or name not in args:
            break
        positional.append((name, args[name]))
    taken = {name for name, _ in positional}
    keyword = [(name, value) for name, value in args.items() if name not in taken]
    return positional, keyword


def stack_entry(op: OpSpec, entry: dict[str, Any]) -> list[tuple[str, Any]]:
    """A stack entry's `(name, value)` pairs in positional order."""
    return [(name, entry[name]) for name in op.positional if name in entry]


def normalizer_context(*arg_dicts: dict[str, Any] | None) -> OpSpec:
    """The normalizer whose argument types `normalizer_params` follow.

    The first `normalizer_fn` named in `arg_dicts`, else `batch_norm` (the usual one; the
    types only matter for initializer and regularizer entries).
    """
    for args in arg_dicts:
        name = (args or {}).get("normalizer_fn")
        if isinstance(name, str) and name in catalogue():
            return catalogue()[name]
    return catalogue()["batch_norm"]


def python_value(arg: ArgSpec | None, value: Any, normalizer: OpSpec | None = None) -> Any:
    """The Python value slimlib gets for a (valid) design value of `arg`."""
    kind = arg.type if arg is not None else "literal"
    if kind in _FAMILY_TYPES:
        return choices.to_python(kind, value)
    if value is None:
        return None
    if kind in ("float", "probability"):
        return float(value)
    if kind == "initializer_map":
        return {k: choices.to_python("initializer", v) for k, v in value.items()}
    if kind == "regularizer_map":
        return {k: choices.to_python("regularizer", v) for k, v in value.items()}
    if kind == "normalizer_params":
        norm = normalizer or catalogue()["batch_norm"]
        return {k: python_value(norm.arg(k), v) for k, v in value.items()}
    return value


def code_value(arg: ArgSpec | None, value: Any, normalizer: OpSpec | None = None) -> pysource.Expr:
    """The expression generated code writes for a (valid) design value of `arg`."""
    kind = arg.type if arg is not None else "literal"
    if kind in _FAMILY_TYPES:
        return choices.to_code(kind, value)
    if value is None:
        return pysource.Atom("None")
    if kind in ("float", "probability"):
        return pysource.literal(float(value))
    if kind in ("initializer_map", "regularizer_map"):
        family = "initializer" if kind == "initializer_map" else "regularizer"
        return pysource.DictExpr(tuple((k, choices.to_code(family, v)) for k, v in value.items()))
    if kind == "normalizer_params":
        norm = normalizer or catalogue()["batch_norm"]
        return pysource.DictExpr(tuple((k, code_value(norm.arg(k), v)) for k, v in value.items()))
    return pysource.literal(value)


def net_call(op: OpSpec, options: dict[str, Any]) -> tuple[Any, float | None, dict[str, Any]]:
    """`(num_classes, weight_decay or None, other options)` of a net block's options."""
    options = dict(options)
    num_classes_arg = op.arg("num_classes")
    default = num_classes_arg.default if num_classes_arg is not None else None
    num_classes = options.pop("num_classes", default)
    weight_decay = options.pop("weight_decay", None)
    return num_classes, None if weight_decay is None else float(weight_decay), options
