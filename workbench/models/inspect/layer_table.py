"""Layer table: one row per traced slimlib layer call, with its effective arguments.

Each row says what a call did (scope, op, shapes, parameters, FLOPs) and, for every argument
the call ended up with, where the value came from: the call itself, an `arg_scope` (with the
file and line that opened it and the ops it covers) or the function's default. For a built
design, the place is the design's block that set the value (`arg_scope 1`), not the line of
the builder that opened the scope. Calls made
inside another call (the layers of a `repeat` or `stack`, a `batch_norm` used as
`normalizer_fn`) follow their parent with `depth + 1`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import slimlib as slim
from workbench.models.design.provenance import DesignPlaces
from workbench.models.inspect.formatting import Shape, format_shape, plain_value, value_text
from workbench.problems import did_you_mean

#: Where an effective argument came from, as the layer trace records it.
SOURCES: tuple[str, ...] = ("call", "arg_scope", "default")


@dataclasses.dataclass(frozen=True)
class ArgumentRow:
    """One effective argument of a layer call.

    Attributes:
      name: Argument name, e.g. `"stride"`.
      value: The value as plain data (`plain_value`): numbers, strings, lists, dicts, names.
      text: The value as one line of text.
      source: `"call"`, `"arg_scope"` or `"default"`.
      location: `"file.py:12"` where the `arg_scope` that set it was opened; `""` otherwise.
      scope_ops: The ops that `arg_scope` covers, e.g. `("convolution2d",)`; `()` otherwise.
      scope_depth: Nesting depth of that `arg_scope` (1 for the outermost); `None` otherwise.
      place: The design block that set the value, in words (`arg_scope 1`, `conv2d 'conv1'`);
        `""` for a default or a model that is not a design.
    """

    name: str
    value: Any
    text: str
    source: str
    location: str = ""
    scope_ops: tuple[str, ...] = ()
    scope_depth: int | None = None
    place: str = ""

    @property
    def set_at(self) -> str:
        """Where the value was set: the design block in words, else the file and line."""
        return self.place or self.location

    def describe(self) -> str:
        """`call`, `default`, `arg_scope([convolution2d]) at model.py:12`, or the design block
        that set it (`arg_scope 1`)."""
        if self.source == "arg_scope" and self.place:
            return self.place
        if self.source == "arg_scope":
            return f"arg_scope([{', '.join(self.scope_ops)}]) at {self.location}"
        return self.source


@dataclasses.dataclass(frozen=True)
class LayerRow:
    """One traced layer call.

    Attributes:
      index: Position in the table, parents before their children.
      parent: Index of the enclosing call's row, `None` for a top-level call.
      depth: 0 for a top-level call, parent's depth + 1 for a nested one.
      scope: Variable scope of the call, e.g. `"conv3/conv3_1"`.
      op: The slimlib function, e.g. `"convolution2d"`, `"repeat"`.
      input_shape: Static shape of the first input (`None` entries unknown), or `None`.
      output_shape: Static shape of the output, or `None`.
      params: Scalars in the variables the call created, its children's included.
      trainable_params: The trainable part of `params`.
      flops: FLOPs of one forward pass of the call, its children's included.
      variables: Names of the variables the call created (children's included).
      arguments: Every effective argument, in the function's parameter order.
      num_children: Number of calls made directly inside this one.
    """

    index: int
    parent: int | None
    depth: int
    scope: str
    op: str
    input_shape: Shape | None
    output_shape: Shape | None
    params: int
    trainable_params: int
    flops: int
    variables: tuple[str, ...]
    arguments: tuple[ArgumentRow, ...]
    num_children: int = 0

    def argument(self, name: str) -> ArgumentRow:
        """The effective argument `name`.

        Raises:
          KeyError: If the call has no argument `name`; the message lists the ones it has.
        """
        for arg in self.arguments:
            if arg.name == name:
                return arg
        names = [arg.name for arg in self.arguments]
        raise KeyError(f"LayerRow.argument: `name` must be one of {names}, got {name!r}.")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `json.dumps` (lists, not tuples)."""
        data = dataclasses.asdict(self)
        for key in ("input_shape", "output_shape", "variables"):
            data[key] = None if data[key] is None else list(data[key])
        for arg in data["arguments"]:
            arg["scope_ops"] = list(arg["scope_ops"])
        return data


@dataclasses.dataclass(frozen=True)
class LayerTable:
    """Every traced layer call of a model, and its totals.

    Attributes:
      rows: One `LayerRow` per call, parents before their children.
      total_params: Scalars in every variable the traced calls created.
      trainable_params: Scalars in the trainable ones.
      total_flops: FLOPs of one forward pass, as slimlib's trace counts them.
    """

    rows: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    total_flops: int

    @property
    def non_trainable_params(self) -> int:
        """Scalars in non-trainable variables (batch-norm moving statistics)."""
        return self.total_params - self.trainable_params

    @property
    def totals(self) -> dict[str, int]:
        """`{"params", "trainable_params", "non_trainable_params", "flops", "layers"}`."""
        return {
            "params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "flops": self.total_flops,
            "layers": len(self.rows),
        }

    def row(self, scope: str) -> LayerRow:
        """The first row with variable scope `scope`.

        Raises:
          KeyError: If no call has that scope (with the closest scope as a hint).
        """
        for row in self.rows:
            if row.scope == scope:
                return row
        scopes = [row.scope for row in self.rows]
        raise KeyError(
            f"LayerTable.row: `scope` must be a traced scope, got {scope!r}."
            + did_you_mean(scope, scopes)
        )

    def records(self) -> list[dict[str, Any]]:
        """Flat rows for a data frame: `Layer` (indented by depth), `Op`, shapes as text,
        `Params`, `FLOPs`, and `Arguments set` (those not left at their default, with where
        each came from)."""
        return [
            {
                "Layer": "\u2003" * row.depth + (row.scope or "-"),
                "Op": row.op,
                "Input shape": format_shape(row.input_shape),
                "Output shape": format_shape(row.output_shape),
                "Params": row.params,
                "FLOPs": row.flops,
                "Arguments set": "; ".join(
                    f"{arg.name}={arg.text} ({arg.describe()})"
                    for arg in row.arguments
                    if arg.source != "default" and arg.name not in ("inputs", "scope")
                ),
            }
            for row in self.rows
        ]

    def argument_records(self, index: int) -> list[dict[str, Any]]:
        """The effective arguments of row `index` for a data frame: `Argument`, `Value`,
        `Source` (`call`, `arg_scope` or `default`), `Set at` (the design block in words, or
        file:line) and `Scope ops`.

        Raises:
          IndexError: If `index` is not a row index.
        """
        if not 0 <= index < len(self.rows):
            raise IndexError(
                f"LayerTable.argument_records: `index` must be in [0, {len(self.rows)}), "
                f"got {index}."
            )
        return [
            {
                "Argument": arg.name,
                "Value": arg.text,
                "Source": arg.source,
                "Set at": arg.set_at,
                "Scope ops": ", ".join(arg.scope_ops),
            }
            for arg in self.rows[index].arguments
        ]

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every row as plain data for `json.dumps`."""
        return [row.to_dict() for row in self.rows]


def _location(filename: str, lineno: int) -> str:
    """`model.py:12`, or `notebook cell, line 12` for the numbered file Jupyter runs a cell
    from (e.g. `166767018.py`), whose name tells a reader nothing."""
    if re.fullmatch(r"\d+\.py", filename):
        return f"notebook cell, line {lineno}"
    return f"{filename}:{lineno}"


def argument_row(
    name: str, argument: slim.tracing.Argument, place: str | None = None
) -> ArgumentRow:
    """An `ArgumentRow` from one argument the trace recorded (set at design block `place`)."""
    origin = argument.origin if argument.source == "arg_scope" else None
    return ArgumentRow(
        name=name,
        value=plain_value(argument.value),
        text=value_text(argument.value),
        source=argument.source,
        location=_location(origin.filename, origin.lineno) if origin else "",
        scope_ops=tuple(origin.ops) if origin else (),
        scope_depth=origin.depth if origin else None,
        place=place or "",
    )


def tabulate_layers(
    trace: slim.tracing.LayerTrace, *, places: DesignPlaces | None = None
) -> LayerTable:
    """Tabulates a layer trace: one row per call, children after their parent.

    Args:
      trace: What `slim.trace_layers()` recorded.
      places: For a built design, the places its build noted (`build_design(places=...)`):
        each argument then names the design block that set it.

    Returns:
      A `LayerTable`. Totals count top-level calls only, since a parent's parameters and
      FLOPs already include its children's.

    Raises:
      TypeError: If `trace` is not a `slim.tracing.LayerTrace`.

    Example:
      >>> import tensorflow as tf
      >>> with tf.Graph().as_default(), slim.trace_layers() as trace:
      ...     with slim.arg_scope([slim.fully_connected], activation_fn=None):
      ...         _ = slim.fully_connected(tf.ones([2, 3]), 4, scope="fc")
      >>> table = tabulate_layers(trace)
      >>> row = table.rows[0]
      >>> row.scope, row.params, row.argument("activation_fn").source
      ('fc', 16, 'arg_scope')
    """
    if not isinstance(trace, slim.tracing.LayerTrace):
        raise TypeError(
            f"tabulate_layers: `trace` must be a slim.tracing.LayerTrace, got {trace!r} "
            f"({type(trace).__name__})."
        )
    rows: list[LayerRow] = []
    parents: list[int] = []  # Row index of the open ancestor at each depth.
    for record, depth in trace.walk():
        del parents[depth:]
        index = len(rows)
        rows.append(
            LayerRow(
                index=index,
                parent=parents[-1] if parents else None,
                depth=depth,
                scope=record.scope,
                op=record.op,
                input_shape=record.input_shape,
                output_shape=record.output_shape,
                params=record.params,
                trainable_params=record.trainable_params,
                flops=record.total_flops,
                variables=tuple(v.name for v in record.variables),
                arguments=tuple(
                    argument_row(
                        name, arg, places.argument_place(record.scope, arg) if places else None
                    )
                    for name, arg in record.arguments.items()
                ),
                num_children=len(record.children),
            )
        )
        parents.append(index)
    return LayerTable(
        rows=tuple(rows),
        total_params=trace.total_params,
        trainable_params=trace.trainable_params,
        total_flops=trace.total_flops,
    )
