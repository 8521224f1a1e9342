"""Builds a design into the current TensorFlow graph by calling slimlib directly.

`build_design` validates first and refuses an invalid design with every problem in one
`DesignError`. The blocks become the calls a person would write: `slim.conv2d`,
`slim.repeat`, `slim.stack`, `with slim.arg_scope(...)`, `tf.compat.v1.variable_scope`
around residual and parallel blocks, and `nets_factory.get_network_fn` for whole nets.
`codegen.generate_code` writes the same calls as Python, so both make the same variables.

`build_graph` builds into a fresh graph under `slim.trace_layers()`, for the app's layer
table and diagram.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import tensorflow as tf

import slimlib as slim
from workbench.models.design import calls, choices, kinds
from workbench.models.design.catalogue import ArgSpec, OpSpec, catalogue, nets
from workbench.models.design.provenance import DesignPlaces
from workbench.models.design.validate import Analysis, analyze
from workbench.models.frozen_norms import build_net
from workbench.problems import DesignError, problem

v1 = tf.compat.v1


@dataclasses.dataclass(frozen=True)
class BuiltDesign:
    """A design built in its own graph.

    Attributes:
      graph: The `tf.Graph` holding the model.
      inputs: The float placeholder `[batch, *input shape]` named `inputs`.
      logits: The design's output tensor.
      end_points: Every block's output, by the block's scope (see `build_design`).
      trace: The `slim.trace_layers()` record of every slimlib layer call.
      analysis: The static analysis the build was checked with.
    """

    graph: tf.Graph
    inputs: tf.Tensor
    logits: tf.Tensor
    end_points: dict[str, tf.Tensor]
    trace: Any
    analysis: Analysis


def build_design(
    design: dict,
    inputs: tf.Tensor,
    is_training: bool = True,
    *,
    places: DesignPlaces | None = None,
    inference_batch_norms: tuple[str, ...] = (),
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Builds `design` on `inputs` in the current graph.

    Dropout and batch norm get `is_training` through
    `slim.arg_scope([slim.batch_norm, slim.dropout], is_training=is_training)` around the
    whole design (a layer or arg_scope of the design that sets `is_training` wins); nets
    get it from `nets_factory.get_network_fn`. Defaults of an `arg_scope` the caller has
    opened apply, as for any slimlib code.

    Args:
      design: A design dict (see `spec`).
      inputs: Tensor `[batch, *design["input"]["shape"]]` of the design's dtype.
      is_training: Whether dropout and batch norm run in training mode. Default True.
      places: Filled, when given, with the block that opened each arg_scope and the scope
        of each block, so the layer trace's arguments can be named by the design's blocks.
      inference_batch_norms: Scopes of batch norms (`"conv1/BatchNorm"`, `"bn1"`) to build
        with `is_training=False` whatever `is_training` says: a layer, repeat or stack
        block holding one is built inside `slim.arg_scope([slim.batch_norm],
        is_training=False)`, so it normalises with its moving statistics and never updates
        them (a frozen scope of a fine-tuning job). In a block of `net` kind, named by
        variable scope (`"resnet_v1_50/block1"`), see `frozen_norms.build_net`.

    Returns:
      `(net, end_points)`: the last block's output and a dict from each block's scope
      (`"conv1"`, `"block1"`, `"Residual/Conv"`, the net's own end points for `net`
      blocks) to its output, in build order.

    Raises:
      DesignError: If the design has problems (all of them are listed), or `inputs` does
        not match the design's input.
      RuntimeError: When called eagerly (slimlib builds graphs).

    Example:
      >>> from workbench.models.design.spec import layer, new_design
      >>> design = new_design("m", [4], [layer("fully_connected", "fc", num_outputs=3)])
      >>> with tf.Graph().as_default():
      ...     net, end_points = build_design(design, v1.placeholder(tf.float32, [None, 4]))
      ...     net.shape.as_list(), list(end_points)
      ([None, 3], ['fc'])
    """
    fn = "build_design"
    if not isinstance(is_training, bool):
        raise TypeError(f"{fn}: `is_training` must be a bool, got {is_training!r}.")
    analysis = analyze(design, is_training=is_training)
    if analysis.problems:
        raise DesignError(fn, analysis.problems)
    _check_inputs(fn, design, inputs)
    builder = _Builder(analysis, is_training, places, tuple(inference_batch_norms))
    training = [getattr(slim, name) for name in analysis.training_ops]
    if training:
        with slim.arg_scope(training, is_training=is_training) as scope:
            if places is not None:
                mode = "training" if is_training else "inference"
                places.opened(scope, f"the build's {mode} mode (is_training={is_training})")
            net = builder.blocks(design["blocks"], "blocks", inputs, ())
    else:
        net = builder.blocks(design["blocks"], "blocks", inputs, ())
    return net, builder.end_points


def build_graph(
    design: dict,
    *,
    batch_size: int | None = None,
    is_training: bool = True,
    places: DesignPlaces | None = None,
) -> BuiltDesign:
    """Builds `design` into a fresh graph on a placeholder, with a layer trace.

    Args:
      design: A design dict.
      batch_size: Static batch size of the placeholder; None leaves it unknown.
      is_training: Passed to `build_design`.
      places: Passed to `build_design`.

    Returns:
      A `BuiltDesign` with the graph, placeholder, output, end points and trace.

    Raises:
      DesignError: If the design has problems.
    """
    analysis = analyze(design, is_training=is_training)
    if analysis.problems:
        raise DesignError("build_graph", analysis.problems)
    spec_input = design["input"]
    with tf.Graph().as_default() as graph:
        inputs = v1.placeholder(
            spec_input.get("dtype", "float32"), [batch_size, *spec_input["shape"]], name="inputs"
        )
        with slim.trace_layers() as trace:
            logits, end_points = build_design(design, inputs, is_training, places=places)
    return BuiltDesign(graph, inputs, logits, end_points, trace, analysis)


def _check_inputs(fn: str, design: dict, inputs: Any) -> None:
    if not isinstance(inputs, (tf.Tensor, tf.Variable)):
        raise TypeError(f"{fn}: `inputs` must be a graph tensor, got {inputs!r}.")
    spec_input = design["input"]
    expected = tf.TensorShape([None, *spec_input["shape"]])
    dtype = spec_input.get("dtype", "float32")
    if not expected.is_compatible_with(inputs.shape) or inputs.shape.rank is None:
        raise DesignError(
            fn,
            [
                problem(
                    "input.shape",
                    f"the shape of `inputs` without its batch axis, {inputs.shape.as_list()[1:] if inputs.shape.rank else inputs.shape}",
                    spec_input["shape"],
                    kind="shape",
                )
            ],
        )
    if inputs.dtype.base_dtype.name != dtype:
        raise DesignError(
            fn,
            [
                problem(
                    "input.dtype", f"the dtype of `inputs`, {inputs.dtype.base_dtype.name!r}", dtype
                )
            ],
        )


class _Builder:
    def __init__(
        self,
        analysis: Analysis,
        is_training: bool,
        places: DesignPlaces | None,
        inference_batch_norms: tuple[str, ...] = (),
    ):
        self.analysis = analysis
        self.is_training = is_training
        self.places = places
        self.inference_batch_norms = inference_batch_norms
        self.end_points: dict[str, tf.Tensor] = {}

    def blocks(
        self, blocks: list, path: str, net: tf.Tensor, frames: tuple[dict, ...]
    ) -> tf.Tensor:
        for index, block in enumerate(blocks):
            net = self.block(block, f"{path}[{index}]", net, frames)
        return net

    def block(self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]) -> tf.Tensor:
        step = BUILD_STEPS[block["kind"]]
        if block["kind"] in ("layer", "repeat", "stack") and self._holds_inference_norm(path):
            with slim.arg_scope([slim.batch_norm], is_training=False):
                return step(self, block, path, net, frames)
        return step(self, block, path, net, frames)

    def _holds_inference_norm(self, path: str) -> bool:
        scope = self.analysis.blocks[path].scope
        return bool(scope) and any(
            norm == scope or norm.startswith(scope + "/") for norm in self.inference_batch_norms
        )

    def end_point(self, path: str, net: tf.Tensor) -> tf.Tensor:
        """Keeps `net` as the end point of the block at `path` (named by its scope)."""
        scope = self.analysis.blocks[path].scope
        self.end_points[scope] = net
        if self.places is not None:
            self.places.block(scope, path)
        return net

    def _kwargs(
        self,
        op: OpSpec,
        pairs: list[tuple[str, Any]],
        args: dict,
        frames: tuple[dict, ...],
    ) -> dict[str, Any]:
        norm = calls.normalizer_context(args, *reversed(frames))
        return {name: calls.python_value(op.arg(name), value, norm) for name, value in pairs}

    def layer(self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]) -> tf.Tensor:
        op = catalogue()[block["op"]]
        args = block.get("args") or {}
        positional, keyword = calls.split_args(op, args)
        kwargs = self._kwargs(op, keyword, args, frames)
        values = self._kwargs(op, positional, args, frames).values()
        kwargs.update(kinds.call_keywords(block))
        return self.end_point(path, op.function(net, *values, **kwargs))

    def repeat(self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]) -> tf.Tensor:
        inner = block["block"]
        op = catalogue()[inner["op"]]
        args = inner.get("args") or {}
        positional, keyword = calls.split_args(op, args)
        values = self._kwargs(op, positional, args, frames).values()
        kwargs = self._kwargs(op, keyword, args, frames)
        kwargs.update(kinds.call_keywords(block))
        net = slim.repeat(net, block["count"], op.function, *values, **kwargs)
        return self.end_point(path, net)

    def stack(self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]) -> tf.Tensor:
        op = catalogue()[block["op"]]
        args = block.get("args") or {}
        kwargs = self._kwargs(op, list(args.items()), args, frames)
        entries = [
            tuple(
                self._kwargs(op, calls.stack_entry(op, entry), {**args, **entry}, frames).values()
            )
            for entry in block["per_layer"]
        ]
        kwargs.update(kinds.call_keywords(block))
        return self.end_point(path, slim.stack(net, op.function, entries, **kwargs))

    def arg_scope(
        self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]
    ) -> tf.Tensor:
        ops = [catalogue()[name] for name in block["ops"]]
        defaults = block.get("defaults") or {}
        norm = calls.normalizer_context(defaults, *reversed(frames))
        kwargs = {
            name: calls.python_value(_arg_of(ops, name), value, norm)
            for name, value in defaults.items()
        }
        with slim.arg_scope([op.function for op in ops], **kwargs) as scope:
            if self.places is not None:
                self.places.opened(scope, path=path)
            return self.blocks(block["blocks"], f"{path}.blocks", net, (*frames, defaults))

    def residual(
        self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]
    ) -> tf.Tensor:
        with v1.variable_scope(block.get("scope"), default_name="Residual"):
            shortcut = net
            if block.get("shortcut"):
                shortcut = self.blocks(block["shortcut"], f"{path}.shortcut", net, frames)
            main = self.blocks(block["blocks"], f"{path}.blocks", net, frames)
            out = shortcut + main
            activation = choices.to_python("activation", block.get("activation"))
            return self.end_point(path, out if activation is None else activation(out))

    def branches(
        self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]
    ) -> tf.Tensor:
        with v1.variable_scope(block.get("scope"), default_name="Branches"):
            outputs = []
            for index, branch in enumerate(block["branches"]):
                if not branch:
                    outputs.append(net)
                    continue
                with v1.variable_scope(f"Branch_{index}"):
                    outputs.append(self.blocks(branch, f"{path}.branches[{index}]", net, frames))
            return self.end_point(path, tf.concat(outputs, kinds.value_of(block, "axis")))

    def net(self, block: dict, path: str, net: tf.Tensor, frames: tuple[dict, ...]) -> tf.Tensor:
        op = nets()[block["name"]]
        num_classes, weight_decay, options = calls.net_call(op, block.get("options") or {})
        extra = {} if weight_decay is None else {"weight_decay": weight_decay}
        kwargs = {name: calls.python_value(op.arg(name), value) for name, value in options.items()}
        kwargs.update(kinds.call_keywords(block))
        net, net_end_points = build_net(
            op.name,
            num_classes,
            net,
            is_training=self.is_training,
            frozen_batch_norms=self.inference_batch_norms,
            **extra,
            **kwargs,
        )
        self.end_points.update(net_end_points)
        return net


#: How each block kind is built: `step(builder, block, path, net, frames) -> output`.
BUILD_STEPS = {
    "layer": _Builder.layer,
    "repeat": _Builder.repeat,
    "stack": _Builder.stack,
    "arg_scope": _Builder.arg_scope,
    "residual": _Builder.residual,
    "branches": _Builder.branches,
    "net": _Builder.net,
}


def _arg_of(ops: list[OpSpec], name: str) -> ArgSpec | None:
    return next((op.arg(name) for op in ops if op.arg(name) is not None), None)
