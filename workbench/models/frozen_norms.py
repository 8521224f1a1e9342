"""Builds a `slimlib.nets` net for training with some of its batch norms frozen: those
normalise with their moving statistics and nothing updates them, the rest train.

A net takes one `is_training` and sets it on `slim.batch_norm` with an arg_scope of its
own, which beats any arg_scope opened around the net. Most of a net's batch norms are,
though, the `normalizer_fn` of a convolution or fully connected layer, called inside that
layer's variable scope with the layer's `normalizer_params`. So, inside the net's
arg_scope (where `nets_factory.get_network_fn` opens it), one more arg_scope gives those
layers a normalizer that calls `slim.batch_norm` with `is_training` passed explicitly,
False under a frozen scope: an argument passed by the caller beats every arg_scope.

A batch norm the net calls itself (ResNet v2's `preact` and `postnorm`) takes the net's
one mode. When all of those are frozen and the net has no dropout, the net is built with
`is_training=False` and the normalizer passes `is_training=True` to the layers' batch
norms that are not frozen; any other mix is refused, never left in training mode. A first
build in a scratch graph finds which batch norms the net calls itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

import slimlib as slim
from slimlib.nets import nets_factory

v1 = tf.compat.v1

__all__ = ["build_net", "build_with_frozen_norms"]

NetFn = Callable[..., tuple[tf.Tensor, dict]]


def _in_scope(name: str, scope: str) -> bool:
    """Whether `name` lies in `scope` (a whole path component, not a prefix)."""
    return name == scope or name.startswith(scope + "/")


def build_net(
    name: str,
    num_classes: int | None,
    images: tf.Tensor,
    *,
    is_training: bool,
    weight_decay: float = 0.0,
    frozen_batch_norms: Sequence[str] = (),
    **kwargs: Any,
) -> tuple[tf.Tensor, dict]:
    """Builds the net `name` of `nets_factory` on `images`, as `get_network_fn` does, with
    the batch norms under `frozen_batch_norms` in inference mode when training.

    Args:
      name: A net of `nets_factory.networks_map`.
      num_classes: Passed to the net.
      images: The net's input.
      is_training: The net's mode; False builds every batch norm in inference mode anyway.
      weight_decay: Passed to the net's arg_scope function.
      frozen_batch_norms: Variable scopes (`"resnet_v1_50/conv1/BatchNorm"`, or a scope
        holding batch norms, `"resnet_v1_50/block1"`), as variable names start.
      **kwargs: Further arguments of the net (e.g. `spatial_squeeze=False`).

    Returns:
      `(logits, end_points)` of the net.

    Raises:
      ValueError: If `name` is unknown, or frozen batch norms the net calls itself cannot
        be kept in inference mode (see `build_with_frozen_norms`).
    """
    network_fn = nets_factory.get_network_fn(
        name, num_classes, weight_decay=weight_decay, is_training=is_training
    )
    if not is_training or not frozen_batch_norms:
        return network_fn(images, **kwargs)
    net_fn = functools.partial(nets_factory.networks_map[name], num_classes=num_classes, **kwargs)
    defaults = nets_factory.arg_scopes_map[name](weight_decay=weight_decay)
    return build_with_frozen_norms(name, net_fn, defaults, images, frozen_batch_norms)


@dataclasses.dataclass
class _Norms:
    """What one build made: batch norms through the layers' normalizer (frozen or not),
    every batch norm's scope, and the dropout layers' scopes."""

    frozen: list[str] = dataclasses.field(default_factory=list)
    trained: list[str] = dataclasses.field(default_factory=list)
    every: list[str] = dataclasses.field(default_factory=list)
    dropouts: list[str] = dataclasses.field(default_factory=list)

    @property
    def own(self) -> list[str]:
        """The batch norms the net calls itself, not through a layer's normalizer."""
        through = set(self.frozen) | set(self.trained)
        return [scope for scope in self.every if scope not in through]


def build_with_frozen_norms(
    what: str,
    net_fn: NetFn,
    defaults: dict,
    images: tf.Tensor,
    frozen_batch_norms: Sequence[str],
) -> tuple[tf.Tensor, dict]:
    """Builds `net_fn(images, is_training=...)` inside `slim.arg_scope(defaults)` for
    training, with the batch norms under `frozen_batch_norms` in inference mode.

    Args:
      what: The net's name, for error messages.
      net_fn: Builds the net: `net_fn(images, is_training=bool) -> (logits, end_points)`.
      defaults: The net's arg_scope (a mapping `slim.arg_scope` yields).
      images: The net's input.
      frozen_batch_norms: Variable scopes whose batch norms stay in inference mode.

    Returns:
      `(logits, end_points)` of the net.

    Raises:
      ValueError: If the net calls frozen batch norms itself and either calls unfrozen ones
        itself too or has dropout (they all take the net's one mode).
    """
    frozen = tuple(frozen_batch_norms)
    scope = v1.get_variable_scope().name
    # The same variable names as here, in a graph that is thrown away.
    outer = v1.variable_scope(scope) if scope else contextlib.nullcontext()
    with tf.Graph().as_default(), outer, slim.trace_layers() as trace:
        probe = v1.placeholder(images.dtype, images.shape)
        _, norms = _build(net_fn, defaults, probe, frozen, net_training=True)
        norms.dropouts = [r.scope for r, _ in trace.walk() if r.op == "dropout"]
    own = norms.own
    own_frozen = [s for s in own if _frozen(s, frozen)]
    net_training = True
    if own_frozen:
        unfrozen = [s for s in own if s not in own_frozen]
        if unfrozen:
            raise ValueError(
                f"build_net: {what} calls the batch norms {own} itself, with its one "
                "is_training, so the frozen batch norms must hold all of them or none; got "
                f"{own_frozen} frozen but not {unfrozen}."
            )
        if norms.dropouts:
            raise ValueError(
                f"build_net: {what} calls the batch norms {own} itself, with its one "
                "is_training, which also switches its dropout "
                f"{norms.dropouts}; keeping them frozen would turn the dropout off in "
                "training: leave them out of the frozen batch norms."
            )
        net_training = False  # Only the net's own batch norms and none of its dropout.
    outputs, built = _build(net_fn, defaults, images, frozen, net_training=net_training)
    expected = sorted(s for s in norms.every if _frozen(s, frozen) and s not in own)
    if sorted(built.frozen) != expected:
        # The scratch build and this one must agree, else a frozen one could be missed.
        raise ValueError(
            f"build_net: {what} built the frozen batch norms {sorted(built.frozen)} in "
            f"inference mode, expected {expected}."
        )
    return outputs


def _frozen(scope: str, frozen: Sequence[str]) -> bool:
    return any(_in_scope(scope, entry) for entry in frozen)


def _build(
    net_fn: NetFn,
    defaults: dict,
    images: tf.Tensor,
    frozen: tuple[str, ...],
    *,
    net_training: bool,
) -> tuple[tuple[tf.Tensor, dict], _Norms]:
    norms = _Norms()

    def normalizer(inputs: tf.Tensor, **params: Any) -> tf.Tensor:
        # Called inside the layer's variable scope: the batch norm's scope is below it.
        scope = v1.get_variable_scope().name + "/" + (params.get("scope") or "BatchNorm")
        keep = _frozen(scope, frozen)
        (norms.frozen if keep else norms.trained).append(scope)
        return slim.batch_norm(inputs, **{**params, "is_training": not keep})

    before = {id(var) for var in v1.global_variables()}
    with slim.arg_scope(defaults):
        current = slim.current_arg_scope()
        ops = [
            op
            for op in _normalized_ops()
            if current.get(slim.arg_scope_func_key(op), {}).get("normalizer_fn") is slim.batch_norm
        ]
        replaced = (
            slim.arg_scope(ops, normalizer_fn=normalizer) if ops else contextlib.nullcontext()
        )
        with replaced:
            outputs = net_fn(images, is_training=net_training)
    norms.every = [
        var.op.name[: -len("/moving_mean")]
        for var in v1.global_variables()
        if id(var) not in before and var.op.name.endswith("/moving_mean")
    ]
    return outputs, norms


@functools.cache
def _normalized_ops() -> tuple[Callable, ...]:
    """slimlib's layers that take a `normalizer_fn`, one function per arg_scope key."""
    ops = {}
    for name in slim.__all__:
        op = getattr(slim, name)
        if (
            callable(op)
            and slim.has_arg_scope(op)
            and "normalizer_fn" in slim.arg_scoped_arguments(op)
        ):
            ops.setdefault(slim.arg_scope_func_key(op), op)
    return tuple(ops.values())
