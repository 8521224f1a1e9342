"""What Inception v1, v2 and v3 share: their arg_scope and the pieces they are built from.

Szegedy et al., "Going Deeper with Convolutions", https://arxiv.org/abs/1409.4842
(v1); Ioffe & Szegedy, "Batch Normalization", https://arxiv.org/abs/1502.03167
(v2); Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
https://arxiv.org/abs/1512.00567 (v3).

Each net's base is a table of end points: single layers (`Conv`, `SeparableConv`,
`Pool`) and `Mixed` blocks, whose branches (variable scopes `Branch_0`, ...) run
side by side on the same input and are concatenated along the channels. The nets
feed the table to `build_base` and put the head of `logits_head` on top.

Example:
  >>> import tensorflow as tf, slimlib as slim
  >>> from slimlib.nets import inception_utils
  >>> scope = inception_utils.inception_arg_scope(weight_decay=0.0)
  >>> defaults = scope[slim.arg_scope_func_key(slim.conv2d)]
  >>> defaults["normalizer_fn"] is slim.batch_norm, defaults["normalizer_params"]["decay"]
  (True, 0.9997)
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Sequence

import tensorflow as tf

from slimlib import initializers, layers, regularizers
from slimlib._src import _checks
from slimlib._src.arg_scope import ArgScope, arg_scope
from slimlib.nets._classifier import squeeze_spatial

v1 = tf.compat.v1

Kernel = int | tuple[int, int]


def inception_arg_scope(
    weight_decay: float = 0.00004,
    use_batch_norm: bool = True,
    batch_norm_decay: float = 0.9997,
    batch_norm_epsilon: float = 0.001,
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
    batch_norm_updates_collections: str | list[str] | None = v1.GraphKeys.UPDATE_OPS,
    batch_norm_scale: bool = False,
    batch_norm_var_collection: str | None = "moving_vars",
) -> ArgScope:
    """The arg_scope the Inception nets are trained with.

    Convolutions: variance-scaling (He) initialization, L2 weight decay, the
    activation, and batch norm in place of biases (the papers of v1 had no batch
    norm; TF-Slim adds it to all three nets). Fully connected layers get the
    weight decay only. Separable convolutions (v2's first layer) are left alone,
    so they keep their biases and no regularizer.

    Args:
      weight_decay: Scale of the L2 regularizer of the kernels, >= 0. Default 0.00004.
      use_batch_norm: Whether convolutions are batch-normalized. Default True.
      batch_norm_decay: Moving-average decay of batch norm. Default 0.9997.
      batch_norm_epsilon: Variance epsilon of batch norm. Default 0.001.
      activation_fn: Activation of the convolutions. Default ReLU.
      batch_norm_updates_collections: Where batch norm puts its moving-average
        updates. Default `UPDATE_OPS`.
      batch_norm_scale: Whether batch norm has a `gamma`. Default False (the
        model-zoo checkpoints have none).
      batch_norm_var_collection: Extra collection the moving mean and variance
        are added to, as TF-Slim's own Inception arg_scopes do; None adds none.
        Default "moving_vars".

    Returns:
      A scope mapping to enter with `slim.arg_scope(...)`.
    """
    batch_norm_params = {
        "decay": batch_norm_decay,
        "epsilon": batch_norm_epsilon,
        "updates_collections": batch_norm_updates_collections,
        "scale": batch_norm_scale,
    }
    if batch_norm_var_collection is not None:
        batch_norm_params["variables_collections"] = {
            "beta": None,
            "gamma": None,
            "moving_mean": [batch_norm_var_collection],
            "moving_variance": [batch_norm_var_collection],
        }
    with arg_scope(
        [layers.conv2d, layers.fully_connected],
        weights_regularizer=regularizers.l2_regularizer(weight_decay),
    ):
        with arg_scope(
            [layers.conv2d],
            weights_initializer=initializers.variance_scaling_initializer(),
            activation_fn=activation_fn,
            normalizer_fn=layers.batch_norm if use_batch_norm else None,
            normalizer_params=batch_norm_params if use_batch_norm else {},
        ) as sc:
            return sc


# Building blocks of the base tables.


@dataclasses.dataclass(frozen=True)
class Conv:
    """One `conv2d` to `depth` channels (before the net's depth multiplier).

    `padding=None` keeps the stage's padding; `stddev` sets a truncated-normal
    initializer, None keeps the arg_scope's.
    """

    scope: str
    depth: int
    kernel: Kernel
    stride: int = 1
    padding: str | None = None
    stddev: float | None = None


@dataclasses.dataclass(frozen=True)
class SeparableConv:
    """One `separable_conv2d`: `depthwise_multiplier` filters per input channel, then 1x1."""

    scope: str
    depth: int
    kernel: Kernel
    depthwise_multiplier: int
    stride: int = 1
    stddev: float | None = None


@dataclasses.dataclass(frozen=True)
class Pool:
    """One `max_pool2d` (`kind="max"`) or `avg_pool2d` (`kind="avg"`)."""

    kind: str
    scope: str
    kernel: Kernel
    stride: int = 1
    padding: str | None = None


@dataclasses.dataclass(frozen=True)
class Split:
    """Two convolutions of the same input, concatenated (v3's 1x3 and 3x1 pairs)."""

    first: Conv
    second: Conv


Layer = Conv | SeparableConv | Pool | Split


@dataclasses.dataclass(frozen=True)
class Mixed:
    """An Inception block: each branch is a chain of layers in scope `Branch_<i>`."""

    scope: str
    branches: tuple[tuple[Layer, ...], ...]


EndPoint = Conv | SeparableConv | Pool | Mixed


@dataclasses.dataclass(frozen=True)
class Stage:
    """End points built under one default padding ("SAME" or "VALID")."""

    padding: str
    end_points: Sequence[EndPoint]


def _pair(kernel: Kernel) -> list[int]:
    return [kernel, kernel] if isinstance(kernel, int) else list(kernel)


def _truncated_normal(stddev: float | None) -> dict:
    if stddev is None:
        return {}
    return {"weights_initializer": v1.truncated_normal_initializer(0.0, stddev)}


def _apply(net: tf.Tensor, layer: Layer, depth: Callable[[int], int], axis: int) -> tf.Tensor:
    if isinstance(layer, Conv):
        kwargs = _truncated_normal(layer.stddev)
        if layer.padding is not None:
            kwargs["padding"] = layer.padding
        return layers.conv2d(
            net,
            depth(layer.depth),
            _pair(layer.kernel),
            stride=layer.stride,
            scope=layer.scope,
            **kwargs,
        )
    if isinstance(layer, SeparableConv):
        return layers.separable_conv2d(
            net,
            depth(layer.depth),
            _pair(layer.kernel),
            depth_multiplier=layer.depthwise_multiplier,
            stride=layer.stride,
            padding="SAME",
            scope=layer.scope,
            **_truncated_normal(layer.stddev),
        )
    if isinstance(layer, Split):
        parts = [_apply(net, conv, depth, axis) for conv in (layer.first, layer.second)]
        return tf.concat(parts, axis)
    pool = layers.max_pool2d if layer.kind == "max" else layers.avg_pool2d
    kwargs = {} if layer.padding is None else {"padding": layer.padding}
    return pool(net, _pair(layer.kernel), stride=layer.stride, scope=layer.scope, **kwargs)


def _mixed(net: tf.Tensor, block: Mixed, depth: Callable[[int], int], axis: int) -> tf.Tensor:
    with v1.variable_scope(block.scope):
        outputs = []
        for i, branch in enumerate(block.branches):
            with v1.variable_scope(f"Branch_{i}"):
                out = net
                for layer in branch:
                    out = _apply(out, layer, depth, axis)
            outputs.append(out)
        return tf.concat(outputs, axis)


def end_point_names(stages: Sequence[Stage]) -> list[str]:
    """The end points of `stages`, in build order."""
    return [point.scope for stage in stages for point in stage.end_points]


def build_base(
    inputs: tf.Tensor,
    stages: Sequence[Stage],
    final_endpoint: str,
    depth: Callable[[int], int],
    concat_axis: int = 3,
) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
    """Builds `stages` in the current variable scope, up to and including `final_endpoint`.

    Convolutions and pools default to stride 1 and the stage's padding.

    Args:
      inputs: Tensor `[batch, height, width, channels]` (or NCHW, see `concat_axis`).
      stages: The net's table.
      final_endpoint: Name of the last end point to build; must be one of
        `end_point_names(stages)` (the caller checks it).
      depth: Maps a table depth to the depth built (depth multiplier, minimum).
      concat_axis: Channel axis the branches of a `Mixed` block are joined on.

    Returns:
      `(net, end_points)`: the output of `final_endpoint` and a dict from each end
      point built so far to its output, in build order.
    """
    end_points: dict[str, tf.Tensor] = {}
    net = inputs
    for stage in stages:
        with arg_scope(
            [layers.conv2d, layers.max_pool2d, layers.avg_pool2d],
            stride=1,
            padding=stage.padding,
        ):
            for point in stage.end_points:
                if isinstance(point, Mixed):
                    net = _mixed(net, point, depth, concat_axis)
                else:
                    net = _apply(net, point, depth, concat_axis)
                end_points[point.scope] = net
                if point.scope == final_endpoint:
                    return net, end_points
    raise AssertionError(f"unreachable: {final_endpoint!r} was checked against the table")


# Argument checks and depth.


def check_final_endpoint(fn: str, final_endpoint: object, stages: Sequence[Stage]) -> str:
    """Returns `final_endpoint` if it names an end point of `stages`; raises otherwise."""
    return _checks.check_choice(fn, "final_endpoint", final_endpoint, end_point_names(stages))


def depth_fn(fn: str, depth_multiplier: float, min_depth: int) -> Callable[[int], int]:
    """`d -> max(int(d * depth_multiplier), min_depth)`, after checking the multiplier.

    Raises:
      TypeError: If `depth_multiplier` is not a real number.
      ValueError: If `depth_multiplier <= 0`.
    """
    if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, numbers.Real):
        raise TypeError(
            f"{fn}: `depth_multiplier` must be a number > 0, got {depth_multiplier!r} "
            f"({type(depth_multiplier).__name__})."
        )
    if depth_multiplier <= 0:
        raise ValueError(f"{fn}: `depth_multiplier` must be > 0, got {depth_multiplier!r}.")
    return lambda d: max(int(d * depth_multiplier), min_depth)


def reduced_kernel_size_for_small_input(
    input_tensor: tf.Tensor, kernel_size: Sequence[int]
) -> list[int]:
    """`kernel_size` clipped to the spatial size of `input_tensor` (`[batch, h, w, c]`).

    Smaller inputs than the nets' default size leave maps smaller than the final
    pooling window; the window shrinks to fit. An unknown size keeps `kernel_size`.
    """
    height, width = input_tensor.shape[1], input_tensor.shape[2]
    if height is None or width is None:
        return list(kernel_size)
    return [min(height, kernel_size[0]), min(width, kernel_size[1])]


# The classifier head.


def logits_head(
    net: tf.Tensor,
    end_points: dict[str, tf.Tensor],
    *,
    num_classes: int | None,
    dropout_keep_prob: float,
    spatial_squeeze: bool,
    global_pool: bool,
    pool_kernel: Sequence[int],
    pool_stride: int,
    pool_scope: str,
    global_pool_name: str,
    dropout_scope: str,
    logits_scope: str,
    pre_logits: bool = False,
) -> tf.Tensor:
    """Average pool -> [features returned here] -> dropout -> 1x1 logits [-> squeeze].

    Call inside the net's `Logits` variable scope (with `is_training` already in
    the dropout arg_scope). The pool is global (end point `global_pool`) or the
    "VALID" `pool_kernel` window. Without classes the pooled features are
    returned; otherwise the logits, and `pre_logits` adds the dropout output as
    end point `PreLogits`.
    """
    if global_pool:
        net = tf.reduce_mean(net, [1, 2], keepdims=True, name=global_pool_name)
        end_points["global_pool"] = net
    else:
        net = layers.avg_pool2d(
            net, list(pool_kernel), stride=pool_stride, padding="VALID", scope=pool_scope
        )
    if not num_classes:
        return net
    net = layers.dropout(net, dropout_keep_prob, scope=dropout_scope)
    if pre_logits:
        end_points["PreLogits"] = net
    logits = layers.conv2d(
        net, num_classes, [1, 1], activation_fn=None, normalizer_fn=None, scope=logits_scope
    )
    if spatial_squeeze:
        logits = squeeze_spatial(logits, "SpatialSqueeze")
    return logits


__all__ = ["inception_arg_scope"]
