"""Writes a design as idiomatic slimlib Python: the code a person would write by hand.

The module has the imports it needs, then `def model(inputs, is_training=True):` that
builds the design and returns `(net, end_points)`: nested `with slim.arg_scope(...)`,
`slim.repeat` / `slim.stack` with TF-Slim's positional argument lists, `tf.variable_scope`
around residual and parallel blocks, and `nets_factory` for whole nets. The call layout
comes from `calls`, as for `build`, so running the code creates exactly the variables
`build_design` creates. The text is laid out as `ruff format` would (see `pysource`).
"""

from __future__ import annotations

import re
from typing import Any

from workbench.models.design import calls, choices, kinds, pysource
from workbench.models.design.catalogue import ArgSpec, OpSpec, catalogue, nets
from workbench.models.design.pysource import Atom, Call, ListExpr, TupleExpr
from workbench.models.design.validate import Analysis, analyze
from workbench.problems import DesignError

_DOC_UNSAFE = re.compile(r"[^\w .,:;!?()\[\]{}<>+*/=&%#@'-]")


def generate_code(design: dict, *, function_name: str = "model", line_length: int = 100) -> str:
    """The slimlib Python module that builds `design`.

    Args:
      design: A valid design dict.
      function_name: Name of the model function, a Python identifier. Default "model".
      line_length: Longest line, as `ruff format`'s `line-length`. Default 100.

    Returns:
      The module's source text, ending with a newline.

    Raises:
      DesignError: If the design has problems.
      ValueError: If `function_name` is not an identifier or `line_length` < 40.

    Example:
      >>> from workbench.models.design.spec import layer, new_design
      >>> code = generate_code(new_design("mlp", [4], [layer("fully_connected", "fc",
      ...     num_outputs=3, activation_fn=None)]))
      >>> print(code[code.index("def"):])
      def model(inputs, is_training=True):
          \"\"\"Builds the design on `inputs` `[batch, 4]`; returns `(net, end_points)`.\"\"\"
          end_points = {}
          net = slim.fully_connected(inputs, 3, activation_fn=None, scope="fc")
          end_points["fc"] = net
          return net, end_points
      <BLANKLINE>
    """
    fn = "generate_code"
    if not isinstance(function_name, str) or not function_name.isidentifier():
        raise ValueError(
            f"{fn}: `function_name` must be a Python identifier, got {function_name!r}."
        )
    if isinstance(line_length, bool) or not isinstance(line_length, int) or line_length < 40:
        raise ValueError(f"{fn}: `line_length` must be an int >= 40, got {line_length!r}.")
    analysis = analyze(design)
    if analysis.problems:
        raise DesignError(fn, analysis.problems)
    writer = _Writer(analysis, line_length)
    shape = ", ".join(str(d) for d in design["input"]["shape"])
    body: list[str] = ["end_points = {}"]
    training = analysis.training_ops
    if training:
        ops = ListExpr(tuple(Atom(f"slim.{op}") for op in training))
        scope = Call("slim.arg_scope", (ops,), (("is_training", Atom("is_training")),))
        body += pysource.statement("with ", scope, ":", indent=0, width=line_length - 4)
        lines, result = writer.blocks(design["blocks"], "blocks", "inputs", "net", 1, ())
        body += lines or [pysource.INDENT + "pass"]
    else:
        lines, result = writer.blocks(design["blocks"], "blocks", "inputs", "net", 0, ())
        body += lines
    if result != "net":
        body.append(f"net = {result}")
    body.append("return net, end_points")
    text = "\n".join(body)
    imports = []
    if re.search(r"\btf\.", text):
        imports.append("import tensorflow.compat.v1 as tf")
    first_party = []
    if re.search(r"\bslim\.", text):
        first_party.append("import slimlib as slim")
    if "nets_factory." in text:
        first_party.append("from slimlib.nets import nets_factory")
    header = [f'"""{_doc_line(design, line_length)}"""', ""]
    if imports:
        header += imports + [""]
    if first_party:
        header += first_party + [""]
    doc = f'"""Builds the design on `inputs` `[batch, {shape}]`; returns `(net, end_points)`."""'
    if len(doc) + 4 > line_length:
        doc = '"""Builds the design on `inputs`; returns `(net, end_points)`."""'
    function = [f"def {function_name}(inputs, is_training=True):", pysource.INDENT + doc]
    function += [pysource.INDENT + line if line else line for line in body]
    return "\n".join([*header, "", *function]) + "\n"


def _doc_line(design: dict, line_length: int) -> str:
    name = _DOC_UNSAFE.sub("", str(design.get("name", "")))[:60].strip() or "design"
    line = f"Model {name!r}, written by Slim Workbench from its design."
    if len(line) + 6 > line_length:
        line = "Model written by Slim Workbench from its design."
    return line


class _Writer:
    def __init__(self, analysis: Analysis, width: int):
        self.analysis = analysis
        self.width = width
        # Residual and branches blocks inside one another get their own variable names.
        self.depth = 0

    def statement(
        self, prefix: str, expr: pysource.Expr, indent: int, suffix: str = ""
    ) -> list[str]:
        # The function body adds one level; lines here are relative to it.
        lines = pysource.statement(prefix, expr, suffix, indent=indent, width=self.width - 4)
        return lines

    def blocks(
        self, blocks: list, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> tuple[list[str], str]:
        lines: list[str] = []
        current = src
        for index, block in enumerate(blocks):
            more, current = self.block(block, f"{path}[{index}]", current, dst, indent, frames)
            lines += more
        return lines, current

    def block(
        self, block: dict, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> tuple[list[str], str]:
        return WRITE_STEPS[block["kind"]](self, block, path, src, dst, indent, frames)

    def end_point(self, path: str, dst: str, indent: int) -> str:
        """The line keeping `dst` as the end point of the block at `path`."""
        key = pysource.string(self.analysis.blocks[path].scope)
        return pysource.INDENT * indent + f"end_points[{key}] = {dst}"

    def call_block(
        self, block: dict, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> tuple[list[str], str]:
        """A block written as one call (`layer`, `repeat`, `stack`) and its end point."""
        call = CALLS[block["kind"]](self, block, src, frames)
        lines = self.statement(f"{dst} = ", call, indent)
        return [*lines, self.end_point(path, dst, indent)], dst

    def nested_block(
        self, block: dict, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> tuple[list[str], str]:
        """A `residual` or `branches` block (a `with` statement) and its end point."""
        write = self.residual if block["kind"] == "residual" else self.branches
        lines = write(block, path, src, dst, indent, frames)
        return [*lines, self.end_point(path, dst, indent)], dst

    def net_block(
        self, block: dict, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> tuple[list[str], str]:
        return self.net(block, src, dst, indent), dst

    @staticmethod
    def keywords(block: dict) -> list[tuple[str, pysource.Expr]]:
        """The block's fields that go to its call as keyword arguments (its `scope`)."""
        return [(name, pysource.literal(v)) for name, v in kinds.call_keywords(block).items()]

    def _values(
        self,
        op: OpSpec,
        pairs: list[tuple[str, Any]],
        args: dict,
        frames: tuple[dict, ...],
    ) -> list[tuple[str, pysource.Expr]]:
        norm = calls.normalizer_context(args, *reversed(frames))
        return [(name, calls.code_value(op.arg(name), value, norm)) for name, value in pairs]

    def layer(self, block: dict, src: str, frames: tuple[dict, ...]) -> Call:
        op = catalogue()[block["op"]]
        args = block.get("args") or {}
        positional, keyword = calls.split_args(op, args)
        kwargs = self._values(op, keyword, args, frames)
        kwargs += self.keywords(block)
        values = tuple(v for _, v in self._values(op, positional, args, frames))
        return Call(f"slim.{op.name}", (Atom(src), *values), tuple(kwargs))

    def repeat(self, block: dict, src: str, frames: tuple[dict, ...]) -> Call:
        inner = block["block"]
        op = catalogue()[inner["op"]]
        args = inner.get("args") or {}
        positional, keyword = calls.split_args(op, args)
        values = tuple(v for _, v in self._values(op, positional, args, frames))
        kwargs = self._values(op, keyword, args, frames)
        kwargs += self.keywords(block)
        head = (Atom(src), Atom(str(block["count"])), Atom(f"slim.{op.name}"))
        return Call("slim.repeat", (*head, *values), tuple(kwargs))

    def stack(self, block: dict, src: str, frames: tuple[dict, ...]) -> Call:
        op = catalogue()[block["op"]]
        args = block.get("args") or {}
        entries = []
        for entry in block["per_layer"]:
            pairs = calls.stack_entry(op, entry)
            values = [v for _, v in self._values(op, pairs, {**args, **entry}, frames)]
            raw = [value for _, value in pairs]
            # One plain value stands alone ([32, 64]); a list value or several values go in a
            # tuple, since stack spreads a list or tuple over the positional arguments.
            if len(values) == 1 and not isinstance(raw[0], list):
                entries.append(values[0])
            else:
                entries.append(TupleExpr(tuple(values)))
        kwargs = self._values(op, list(args.items()), args, frames)
        kwargs += self.keywords(block)
        return Call(
            "slim.stack",
            (Atom(src), Atom(f"slim.{op.name}"), ListExpr(tuple(entries))),
            tuple(kwargs),
        )

    def arg_scope(
        self, block: dict, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> tuple[list[str], str]:
        ops = [catalogue()[name] for name in block["ops"]]
        defaults = block.get("defaults") or {}
        norm = calls.normalizer_context(defaults, *reversed(frames))
        kwargs = tuple(
            (name, calls.code_value(_arg_of(ops, name), value, norm))
            for name, value in defaults.items()
        )
        op_list = ListExpr(tuple(Atom(f"slim.{op.name}") for op in ops))
        lines = self.statement("with ", Call("slim.arg_scope", (op_list,), kwargs), indent, ":")
        inner, result = self.blocks(
            block["blocks"], f"{path}.blocks", src, dst, indent + 1, (*frames, defaults)
        )
        return lines + (inner or [pysource.INDENT * (indent + 1) + "pass"]), result

    def _scope_call(self, scope: str | None, default_name: str) -> Call:
        if scope is not None:
            return Call("tf.variable_scope", (Atom(pysource.string(scope)),))
        return Call(
            "tf.variable_scope",
            (Atom("None"),),
            (("default_name", Atom(pysource.string(default_name))),),
        )

    def residual(
        self, block: dict, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> list[str]:
        suffix = f"_{self.depth}" if self.depth else ""
        self.depth += 1
        lines = self.statement(
            "with ", self._scope_call(block.get("scope"), "Residual"), indent, ":"
        )
        shortcut_var = src
        if block.get("shortcut"):
            more, shortcut_var = self.blocks(
                block["shortcut"], f"{path}.shortcut", src, f"shortcut{suffix}", indent + 1, frames
            )
            lines += more
        more, main_var = self.blocks(
            block["blocks"], f"{path}.blocks", src, f"residual{suffix}", indent + 1, frames
        )
        lines += more
        total: pysource.Expr = Atom(f"{shortcut_var} + {main_var}")
        activation = block.get("activation")
        if activation is not None:
            total = Call(choices.to_code("activation", activation).flat(), (total,))
        lines += self.statement(f"{dst} = ", total, indent + 1)
        self.depth -= 1
        return lines

    def branches(
        self, block: dict, path: str, src: str, dst: str, indent: int, frames: tuple[dict, ...]
    ) -> list[str]:
        prefix = f"branch{self.depth}" if self.depth else "branch"
        self.depth += 1
        lines = self.statement(
            "with ", self._scope_call(block.get("scope"), "Branches"), indent, ":"
        )
        outputs = []
        for index, branch in enumerate(block["branches"]):
            if not branch:
                outputs.append(Atom(src))
                continue
            var = f"{prefix}_{index}"
            lines += self.statement(
                "with ",
                Call("tf.variable_scope", (Atom(pysource.string(f"Branch_{index}")),)),
                indent + 1,
                ":",
            )
            more, result = self.blocks(
                branch, f"{path}.branches[{index}]", src, var, indent + 2, frames
            )
            lines += more
            outputs.append(Atom(result))
        axis = Atom(str(kinds.value_of(block, "axis")))
        concat = Call("tf.concat", (ListExpr(tuple(outputs)), axis))
        lines += self.statement(f"{dst} = ", concat, indent + 1)
        self.depth -= 1
        return lines

    def net(self, block: dict, src: str, dst: str, indent: int) -> list[str]:
        op = nets()[block["name"]]
        num_classes, weight_decay, options = calls.net_call(op, block.get("options") or {})
        factory_kwargs = []
        if weight_decay is not None:
            factory_kwargs.append(("weight_decay", pysource.literal(weight_decay)))
        factory_kwargs.append(("is_training", Atom("is_training")))
        factory = Call(
            "nets_factory.get_network_fn",
            (Atom(pysource.string(op.name)), pysource.literal(num_classes)),
            tuple(factory_kwargs),
        )
        kwargs = [(name, calls.code_value(op.arg(name), value)) for name, value in options.items()]
        kwargs += self.keywords(block)
        lines = self.statement("network_fn = ", factory, indent)
        lines += self.statement(
            f"{dst}, net_end_points = ", Call("network_fn", (Atom(src),), tuple(kwargs)), indent
        )
        lines.append(pysource.INDENT * indent + "end_points.update(net_end_points)")
        return lines


#: How each block kind is written: `step(writer, block, path, src, dst, indent, frames)`
#: returns the lines and the variable holding the block's output.
WRITE_STEPS = {
    "layer": _Writer.call_block,
    "repeat": _Writer.call_block,
    "stack": _Writer.call_block,
    "arg_scope": _Writer.arg_scope,
    "residual": _Writer.nested_block,
    "branches": _Writer.nested_block,
    "net": _Writer.net_block,
}
#: The call that `layer`, `repeat` and `stack` blocks are written as.
CALLS = {"layer": _Writer.layer, "repeat": _Writer.repeat, "stack": _Writer.stack}


def _arg_of(ops: list[OpSpec], name: str) -> ArgSpec | None:
    return next((op.arg(name) for op in ops if op.arg(name) is not None), None)
