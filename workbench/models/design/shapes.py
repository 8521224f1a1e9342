"""Static shape rules: what each slimlib layer makes of an input shape, without TensorFlow.

Given a layer's effective arguments (its own, its `arg_scope` defaults and its function
defaults, merged) and the static input shape, a rule returns the output shape and dtype and
the variables the layer would create, or raises `ShapeError` naming the argument at fault.
The formulas are TensorFlow's:

- "SAME": `out = ceil(in / stride)`;
- "VALID": `out = ceil((in - (kernel - 1) * rate) / stride)`, which needs
  `in >= (kernel - 1) * rate + 1`;
- transposed, "SAME": `out = in * stride`; "VALID": `in * stride + max(kernel - stride, 0)`.

Shapes here include the batch axis (`None`), as the layers see them. A whole slimlib net
has no static rule: `net_output` builds it once in a scratch graph and caches the result.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import json
import math
from collections.abc import Sequence
from typing import Any

from workbench.models.design.catalogue import OpSpec

Shape = tuple[int | None, ...]
#: A variable a layer creates: name relative to the layer's scope, shape, trainable.
Variable = tuple[str, tuple[int, ...], bool]

FLOAT_DTYPES = ("float16", "float32", "float64")


class ShapeError(Exception):
    """A layer cannot take its input; `arg` is the argument to blame (`"inputs"` for none)."""

    def __init__(self, arg: str, expected: str, got: Any, hint: str = ""):
        super().__init__(f"{arg}: must be {expected}, got {got!r}. {hint}".strip())
        self.arg = arg
        self.expected = expected
        self.got = got
        self.hint = hint


@dataclasses.dataclass(frozen=True)
class LayerResult:
    """What a layer call makes: output shape (batch first) and dtype, and its variables."""

    shape: Shape
    dtype: str
    variables: tuple[Variable, ...] = ()


@dataclasses.dataclass(frozen=True)
class Normalizer:
    """The `normalizer_fn` of a layer, with its effective arguments."""

    op: OpSpec
    args: dict[str, Any]


def describe(shape: Sequence[int | None]) -> str:
    """A shape without its batch axis, as designs write it: `[8, 8, 3]`."""
    return "[" + ", ".join("?" if d is None else str(d) for d in list(shape)[1:]) + "]"


def _without_batch(shape: Sequence[int | None]) -> list[int | None]:
    return list(shape)[1:]


def apply(
    op: OpSpec,
    args: dict[str, Any],
    shape: Shape,
    dtype: str,
    *,
    scope: str,
    normalizer: Normalizer | None = None,
    is_training: bool = True,
) -> LayerResult:
    """Applies the rule of `op` to an input of `shape` (batch first) and `dtype`.

    Args:
      op: The catalogue entry of the layer.
      args: Its effective arguments as (valid) design values, every argument present.
      shape: Static input shape, batch axis first.
      dtype: Input dtype name.
      scope: The layer's full scope name (zero-debiased batch norm names variables by it).
      normalizer: The effective normalizer when `normalizer_fn` is set.
      is_training: The build's `is_training` (for batch norm's debias variables).

    Returns:
      The `LayerResult`.

    Raises:
      ShapeError: If the layer cannot take this input with these arguments.
    """
    rule = _RULES[op.name]
    return rule(op, args, tuple(shape), dtype, _Context(scope, normalizer, is_training))


@dataclasses.dataclass(frozen=True)
class _Context:
    scope: str
    normalizer: Normalizer | None
    is_training: bool


def _need_rank(op: OpSpec, shape: Shape, ranks: Sequence[int], what: str = "") -> None:
    if len(shape) not in ranks:
        want = " or ".join(str(r - 1) for r in ranks)
        layout = what or _LAYOUTS.get(len(ranks) == 1 and ranks[0], "")
        hint = ""
        if len(shape) == 2 and min(ranks) > 2:
            hint = (
                "A flatten or fully_connected layer earlier removed the spatial axes; "
                f"{op.name} goes before it."
            )
        raise ShapeError(
            "inputs",
            f"an input of rank {want} {layout}".strip() + " (batch left out)",
            _without_batch(shape),
            hint,
        )


_LAYOUTS = {
    3: "`[width, channels]`",
    4: "`[height, width, channels]`",
    5: "`[depth, height, width, channels]`",
}


def _need_min_rank(op: OpSpec, shape: Shape, rank: int) -> None:
    if len(shape) < rank:
        raise ShapeError(
            "inputs", f"an input of rank >= {rank - 1} (batch left out)", _without_batch(shape)
        )


def _need_float(op: OpSpec, dtype: str) -> None:
    if dtype not in FLOAT_DTYPES:
        raise ShapeError(
            "inputs",
            f"a floating point input for {op.name}",
            dtype,
            "Only one_hot_encoding and flatten take integer inputs.",
        )


def _channels_first(data_format: Any) -> bool:
    return isinstance(data_format, str) and data_format.upper().startswith("NC")


def _ints(args: dict[str, Any], name: str, n: int) -> tuple[int, ...]:
    value = args[name]
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    if isinstance(value, list) and len(value) == n:
        return tuple(value)
    raise ShapeError(name, f"an int or a list of {n} ints (one per spatial axis)", value)


def _spatial(shape: Shape, n: int, first: bool) -> tuple[list[int | None], int]:
    """The spatial sizes and the channel axis of `shape`."""
    if first:
        return list(shape[2 : 2 + n]), 1
    return list(shape[1 : 1 + n]), len(shape) - 1


def _assemble(shape: Shape, sizes: list[int | None], channels: int | None, first: bool) -> Shape:
    if first:
        return (shape[0], channels, *sizes)
    return (shape[0], *sizes, channels)


def _known(value: int | None, what: str, shape: Shape) -> int:
    if value is None:
        raise ShapeError("inputs", f"an input with a known {what}", _without_batch(shape))
    return value


def _window_out(
    sizes: list[int | None],
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    rates: tuple[int, ...],
    padding: str,
    kernel_arg: str,
) -> list[int | None]:
    out: list[int | None] = []
    for size, k, s, r in zip(sizes, kernel, strides, rates):
        if size is None:
            out.append(None)
        elif padding in ("SAME", "CAUSAL"):
            out.append(math.ceil(size / s))
        else:
            span = (k - 1) * r + 1
            if size < span:
                grid = "x".join(str(v) for v in sizes)
                spans = "x".join(str((kk - 1) * rr + 1) for kk, rr in zip(kernel, rates))
                dilated = (
                    f" (the dilated kernel spans {spans})" if any(x > 1 for x in rates) else ""
                )
                raise ShapeError(
                    kernel_arg,
                    f"a window that fits the {grid} input with padding 'VALID'{dilated}",
                    list(kernel),
                    "Use a smaller kernel, padding 'SAME', or less downsampling before.",
                )
            out.append((size - span) // s + 1)
    return out


def _check_rate_stride(strides: tuple[int, ...], rates: tuple[int, ...]) -> None:
    if any(s > 1 for s in strides) and any(r > 1 for r in rates):
        raise ShapeError(
            "rate",
            "1 when a stride is > 1 (an atrous convolution takes stride 1)",
            list(rates),
        )


def _check_equal_strides(strides: tuple[int, ...]) -> None:
    if len(set(strides)) > 1:
        raise ShapeError(
            "stride",
            "the same on both axes (TensorFlow's depthwise convolution needs that)",
            list(strides),
        )


def _bias_or_normalizer(
    args: dict[str, Any], out: Shape, channels: int, dtype: str, ctx: _Context
) -> list[Variable]:
    """Biases `[channels]`, or the normalizer's variables (in its own scope), or none."""
    trainable = bool(args.get("trainable", True))
    if args.get("normalizer_fn") is not None and ctx.normalizer is not None:
        norm = ctx.normalizer
        inner = f"{ctx.scope}/{norm.op.default_scope}"
        try:
            result = apply(
                norm.op,
                norm.args,
                out,
                dtype,
                scope=inner,
                is_training=ctx.is_training,
            )
        except ShapeError as err:
            raise ShapeError(
                "normalizer_fn",
                f"a normalizer that takes the layer's output ({norm.op.name}: must be "
                f"{err.expected}, got {err.got!r})",
                norm.op.name,
                err.hint,
            ) from None
        return [(f"{norm.op.default_scope}/{name}", s, t) for name, s, t in result.variables]
    if args.get("biases_initializer") is not None:
        return [("biases", (channels,), trainable)]
    return []


def _conv(op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context) -> LayerResult:
    n = op.spatial
    if n is None:
        conv_dims = args.get("conv_dims")
        if conv_dims is not None:
            n = conv_dims
        elif len(shape) in (3, 4, 5):
            n = len(shape) - 2
        else:
            raise ShapeError(
                "inputs", "an input of rank 2, 3 or 4 (batch left out)", _without_batch(shape)
            )
    _need_rank(op, shape, (n + 2,))
    _need_float(op, dtype)
    first = _channels_first(args.get("data_format"))
    kernel = _ints(args, "kernel_size", n)
    strides = _ints(args, "stride", n)
    rates = _ints(args, "rate", n)
    _check_rate_stride(strides, rates)
    padding = str(args["padding"]).upper()
    if padding == "CAUSAL" and n != 1:
        raise ShapeError("padding", "'SAME' or 'VALID' ('CAUSAL' is for 1-D inputs)", padding)
    sizes, axis = _spatial(shape, n, first)
    cin = _known(shape[axis], "channel size", shape)
    cout = args["num_outputs"]
    out = _assemble(
        shape, _window_out(sizes, kernel, strides, rates, padding, "kernel_size"), cout, first
    )
    variables = [("weights", (*kernel, cin, cout), bool(args.get("trainable", True)))]
    variables += _bias_or_normalizer(args, out, cout, dtype, ctx)
    return LayerResult(out, dtype, tuple(variables))


def _conv_in_plane(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_rank(op, shape, (4,))
    _need_float(op, dtype)
    kernel = _ints(args, "kernel_size", 2)
    strides = _ints(args, "stride", 2)
    _check_equal_strides(strides)
    padding = str(args["padding"]).upper()
    sizes, axis = _spatial(shape, 2, False)
    channels = _known(shape[axis], "channel size", shape)
    out = _assemble(
        shape, _window_out(sizes, kernel, strides, (1, 1), padding, "kernel_size"), channels, False
    )
    variables = [("weights", (*kernel, 1, 1), bool(args.get("trainable", True)))]
    variables += _bias_or_normalizer(args, out, channels, dtype, ctx)
    return LayerResult(out, dtype, tuple(variables))


def _conv_transpose(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    n = op.spatial or 2
    _need_rank(op, shape, (n + 2,))
    _need_float(op, dtype)
    first = _channels_first(args.get("data_format"))
    kernel = _ints(args, "kernel_size", n)
    strides = _ints(args, "stride", n)
    padding = str(args["padding"]).upper()
    sizes, axis = _spatial(shape, n, first)
    cin = _known(shape[axis], "channel size", shape)
    cout = args["num_outputs"]
    grown = [
        None if size is None else size * s + (0 if padding == "SAME" else max(k - s, 0))
        for size, k, s in zip(sizes, kernel, strides)
    ]
    out = _assemble(shape, grown, cout, first)
    variables = [("weights", (*kernel, cout, cin), bool(args.get("trainable", True)))]
    variables += _bias_or_normalizer(args, out, cout, dtype, ctx)
    return LayerResult(out, dtype, tuple(variables))


def _separable(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_rank(op, shape, (4,))
    _need_float(op, dtype)
    first = _channels_first(args.get("data_format"))
    kernel = _ints(args, "kernel_size", 2)
    strides = _ints(args, "stride", 2)
    rates = _ints(args, "rate", 2)
    _check_rate_stride(strides, rates)
    _check_equal_strides(strides)
    padding = str(args["padding"]).upper()
    sizes, axis = _spatial(shape, 2, first)
    cin = _known(shape[axis], "channel size", shape)
    multiplier = args["depth_multiplier"]
    cout = args["num_outputs"]
    channels = cin * multiplier if cout is None else cout
    out = _assemble(
        shape, _window_out(sizes, kernel, strides, rates, padding, "kernel_size"), channels, first
    )
    trainable = bool(args.get("trainable", True))
    variables = [("depthwise_weights", (*kernel, cin, multiplier), trainable)]
    if cout is not None:
        variables.append(("pointwise_weights", (1, 1, cin * multiplier, cout), trainable))
    variables += _bias_or_normalizer(args, out, channels, dtype, ctx)
    return LayerResult(out, dtype, tuple(variables))


def _pool(op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context) -> LayerResult:
    n = op.spatial or 2
    _need_rank(op, shape, (n + 2,))
    _need_float(op, dtype)
    first = _channels_first(args.get("data_format"))
    kernel = _ints(args, "kernel_size", n)
    strides = _ints(args, "stride", n)
    padding = str(args["padding"]).upper()
    sizes, axis = _spatial(shape, n, first)
    out_sizes = _window_out(sizes, kernel, strides, (1,) * n, padding, "kernel_size")
    return LayerResult(_assemble(shape, out_sizes, shape[axis], first), dtype)


def _fully_connected(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_min_rank(op, shape, 2)
    _need_float(op, dtype)
    depth = _known(shape[-1], "last dimension", shape)
    cout = args["num_outputs"]
    out = (*shape[:-1], cout)
    variables = [("weights", (depth, cout), bool(args.get("trainable", True)))]
    variables += _bias_or_normalizer(args, out, cout, dtype, ctx)
    return LayerResult(out, dtype, tuple(variables))


def _bias_add(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    first = _channels_first(args.get("data_format"))
    if first:
        _need_rank(op, shape, (4,), "`[channels, height, width]` for data_format 'NCHW'")
    _need_min_rank(op, shape, 2)
    _need_float(op, dtype)
    channels = _known(shape[1 if first else -1], "channel size", shape)
    return LayerResult(shape, dtype, (("biases", (channels,), bool(args.get("trainable", True))),))


def _batch_norm(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_float(op, dtype)
    _need_min_rank(op, shape, 2)
    rank = len(shape)
    axis = 1 if str(args.get("data_format")).upper() == "NCHW" else rank - 1
    channels = _known(shape[axis], "channel size", shape)
    trainable = bool(args.get("trainable", True))
    fused = args.get("fused")
    want_fused = True if fused is None else bool(fused)
    debias = bool(args.get("zero_debias_moving_mean"))
    training = args.get("is_training", ctx.is_training)
    # slimlib creates gamma before beta on TF-Slim's Keras path (default update collection,
    # no debiasing, and not the fused 2-D case), beta first otherwise.
    keras_order = (
        args.get("updates_collections") == "update_ops"
        and not debias
        and not (want_fused and rank == 2)
    )
    variables: list[Variable] = []
    for name in ("gamma", "beta") if keras_order else ("beta", "gamma"):
        if name == "beta" and args.get("center"):
            variables.append(("beta", (channels,), trainable))
        if name == "gamma" and args.get("scale"):
            variables.append(("gamma", (channels,), trainable))
    variables += [("moving_mean", (channels,), False), ("moving_variance", (channels,), False)]
    if debias and training is not False:
        # assign_moving_average(zero_debias=True) opens a scope named after the variable.
        variables += [
            (f"{ctx.scope}/moving_mean/biased", (channels,), False),
            (f"{ctx.scope}/moving_mean/local_step", (), False),
        ]
    return LayerResult(shape, dtype, tuple(variables))


def _layer_norm(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_float(op, dtype)
    rank = len(shape)
    for name in ("begin_norm_axis", "begin_params_axis"):
        value = args[name]
        if not -rank <= value < rank:
            raise ShapeError(
                name,
                f"an axis in [{-rank}, {rank}) for an input of rank {rank} (batch included)",
                value,
            )
    params = shape[args["begin_params_axis"] :]
    if any(d is None for d in params):
        raise ShapeError(
            "begin_params_axis",
            "an axis after the batch axis (the parameters' shape must be static)",
            args["begin_params_axis"],
        )
    trainable = bool(args.get("trainable", True))
    variables: list[Variable] = []
    if args.get("center"):
        variables.append(("beta", tuple(params), trainable))
    if args.get("scale"):
        variables.append(("gamma", tuple(params), trainable))
    return LayerResult(shape, dtype, tuple(variables))


def _unit_norm(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_float(op, dtype)
    rank = len(shape)
    if not 0 <= args["dim"] < rank:
        raise ShapeError("dim", f"an axis in [0, {rank}) (batch included)", args["dim"])
    return LayerResult(shape, dtype)


def _dropout(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_float(op, dtype)
    noise = args.get("noise_shape")
    if noise is not None:
        fits = len(noise) == len(shape) and all(
            d is None or n in (1, d) or i == 0 for i, (n, d) in enumerate(zip(noise, shape))
        )
        if not fits:
            raise ShapeError(
                "noise_shape",
                f"a list of {len(shape)} sizes (batch first), each 1 or the input's size "
                f"(input {describe(shape)})",
                noise,
            )
    return LayerResult(shape, dtype)


def _flatten(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_min_rank(op, shape, 2)
    inner = shape[1:]
    size = None if any(d is None for d in inner) else math.prod(inner)
    return LayerResult((shape[0], size), dtype)


def _softmax(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    _need_min_rank(op, shape, 2)
    _need_float(op, dtype)
    _known(shape[-1], "last dimension", shape)
    return LayerResult(shape, dtype)


def _one_hot(
    op: OpSpec, args: dict[str, Any], shape: Shape, dtype: str, ctx: _Context
) -> LayerResult:
    if dtype not in ("int32", "int64"):
        raise ShapeError(
            "inputs",
            "integer class ids (an int32 or int64 input)",
            dtype,
            "Set the design's input dtype.",
        )
    return LayerResult((*shape, args["num_classes"]), "float32")


_RULES = {
    "conv1d": _conv,
    "conv2d": _conv,
    "conv3d": _conv,
    "convolution": _conv,
    "conv2d_in_plane": _conv_in_plane,
    "conv2d_transpose": _conv_transpose,
    "conv3d_transpose": _conv_transpose,
    "separable_conv2d": _separable,
    "max_pool2d": _pool,
    "avg_pool2d": _pool,
    "max_pool3d": _pool,
    "avg_pool3d": _pool,
    "fully_connected": _fully_connected,
    "linear": _fully_connected,
    "relu": _fully_connected,
    "relu6": _fully_connected,
    "bias_add": _bias_add,
    "batch_norm": _batch_norm,
    "layer_norm": _layer_norm,
    "unit_norm": _unit_norm,
    "dropout": _dropout,
    "flatten": _flatten,
    "softmax": _softmax,
    "one_hot_encoding": _one_hot,
}


def net_output(
    name: str, options: dict[str, Any], shape: Shape, dtype: str, *, is_training: bool = True
) -> tuple[LayerResult, str]:
    """Builds the slimlib net `name` in a scratch graph: its output and variables.

    Nets have no static rule here: they are built once per (net, options, input) and the
    result is cached, so validating the same design again costs nothing.

    Returns:
      The output (the logits, or the features when `num_classes` is 0 or None) with the
      net's variables (full names), and the net's top-level scope.

    Raises:
      ShapeError: With the error TensorFlow or slimlib raised, e.g. for an input too small
        for the net's kernels.
    """
    key = json.dumps(options, sort_keys=True)
    # Built in a fresh context: a layer trace the caller has open (Inspect building the
    # design) must not record this scratch build as well, which would count the net twice.
    outcome = contextvars.Context().run(_net_output, name, key, tuple(shape), dtype, is_training)
    if isinstance(outcome, ShapeError):
        raise outcome
    return outcome


@functools.lru_cache(maxsize=64)
def _net_output(
    name: str, options_json: str, shape: Shape, dtype: str, is_training: bool
) -> tuple[LayerResult, str] | ShapeError:
    import tensorflow as tf

    from slimlib.nets import nets_factory

    options = json.loads(options_json)
    num_classes = options.pop("num_classes", _UNSET)
    weight_decay = options.pop("weight_decay", 0.0)
    try:
        with tf.Graph().as_default() as graph:
            images = tf.compat.v1.placeholder(dtype, list(shape), name="inputs")
            network_fn = nets_factory.get_network_fn(
                name,
                _default_classes(name) if num_classes is _UNSET else num_classes,
                weight_decay=float(weight_decay),
                is_training=is_training,
            )
            logits, _ = network_fn(images, **options)
            variables = graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)
            found = tuple((v.op.name, tuple(v.shape.as_list()), v.trainable) for v in variables)
            out = tuple(logits.shape.as_list())
            dtype_out = logits.dtype.base_dtype.name
    except Exception as err:  # noqa: BLE001 - any failure of the net is the design's problem
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        message = message.split(" for '{{node")[0]  # TensorFlow's node details say little here.
        return ShapeError(
            "inputs",
            f"an input {name} can take (building it failed: {message[:300]})",
            _without_batch(shape),
        )
    top = found[0][0].split("/")[0] if found else name
    return LayerResult(out, dtype_out, found), top


_UNSET = object()


def _default_classes(name: str) -> int | None:
    import inspect

    from slimlib.nets import nets_factory

    param = inspect.signature(nets_factory.networks_map[name]).parameters.get("num_classes")
    return None if param is None else param.default
