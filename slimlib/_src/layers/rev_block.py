"""Reversible residual blocks and recomputed gradients (`slim.layers.rev_block_lib`).

A reversible layer maps `(x1, x2)` to `y1 = x1 + f(x2)`, `y2 = x2 + g(y1)`; its inputs
are recovered from its outputs (`x2 = y2 - g(y1)`, `x1 = y1 - f(x2)`), so a block of
them needs no stored activations for backprop: the gradient pass rebuilds each
layer's inputs from its outputs (Gomez et al., "The Reversible Residual Network",
https://arxiv.org/abs/1707.04585). `recompute_grad` trades compute for memory the
same way for any function: its activations are recomputed in the gradient pass
(Chen et al., https://arxiv.org/abs/1604.06174).

Built on public TensorFlow only: `tf.custom_gradient`, `tf.GradientTape` and
`tf.gradients`. Variables must be resource variables (the default in TensorFlow 2).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import arg_scope as arg_scope_lib

v1 = tf.compat.v1

__all__ = ["RevBlock", "recompute_grad", "rev_block"]

_LAYER_RE = re.compile(r".*revlayer_([0-9]*)/([fg])/.*")
_WRONG_VARS = (
    "recompute_grad: the gradient pass used other variables than the forward pass. The "
    "wrapped function probably opens a variable scope with a default name and was called "
    "twice in the same enclosing scope; call it each time inside its own uniquely named "
    "variable scope (`tf.compat.v1.variable_scope`)."
)


def _call(fn: Callable, x: tf.Tensor, side: Sequence[tf.Tensor]) -> tf.Tensor:
    """`fn(x, side)` when there are side inputs, else `fn(x)`."""
    return fn(x, list(side)) if side else fn(x)


def _in_scope(fn: Callable, scope: str) -> Callable:
    @functools.wraps(fn)
    def scoped(*args, **kwargs):
        with v1.variable_scope(scope):
            return fn(*args, **kwargs)

    return scoped


def _sum_grads(*lists: Sequence[Any]) -> list[Any]:
    """Element-wise sum of gradient lists, where None means zero."""
    out = []
    for parts in zip(*lists):
        present = [p for p in parts if p is not None]
        out.append(tf.add_n(present) if present else None)
    return out


class RevBlock:
    """A block of `num_layers` reversible residual layers; see `rev_block`.

    Args:
      f: `fn(x) -> tensor of x's shape` (or `fn(x, f_side_input)`), or a list of
        `num_layers` of them. It may create variables with `get_variable`.
      g: Like `f`, for the second half.
      num_layers: Number of layers, each with its own variables; default 1.
      f_side_input: Tensors passed to every `f` (gradients flow to them).
      g_side_input: Tensors passed to every `g`.
      use_efficient_backprop: Rebuild activations in the gradient pass (True,
        default) or let TensorFlow keep them (False).
      name: Variable scope of the block; default `"revblock"`.
      reuse: Reuse the variables of an earlier block of the same scope.

    Raises:
      ValueError: If `f` or `g` is a list whose length is not `num_layers`.
    """

    def __init__(
        self,
        f: Callable | list[Callable],
        g: Callable | list[Callable],
        num_layers: int = 1,
        f_side_input: Sequence[tf.Tensor] | None = None,
        g_side_input: Sequence[tf.Tensor] | None = None,
        use_efficient_backprop: bool = True,
        name: str = "revblock",
        reuse: bool | None = None,
    ):
        fns = {}
        for key, value in (("f", f), ("g", g)):
            if isinstance(value, list):
                if len(value) != num_layers:
                    raise ValueError(
                        f"RevBlock: `{key}` must be one function or a list of num_layers="
                        f"{num_layers}, got a list of {len(value)}."
                    )
            else:
                value = [value] * num_layers
            fns[key] = [_in_scope(fn, f"revlayer_{i}/{key}") for i, fn in enumerate(value)]
        self.f, self.g = fns["f"], fns["g"]
        self.num_layers = num_layers
        self.f_side_input = list(f_side_input or [])
        self.g_side_input = list(g_side_input or [])
        self.name = name
        self._use_efficient_backprop = use_efficient_backprop
        self._reuse = reuse
        self._scope: v1.VariableScope | None = None

    def _block_scope(self):
        if self._scope is not None:
            return v1.variable_scope(self._scope, reuse=True)
        if self._reuse:  # A default name cannot be reused: the first block's name is `name`.
            return v1.variable_scope(self.name, reuse=True)
        return v1.variable_scope(None, default_name=self.name, reuse=self._reuse)

    def forward(self, x1: tf.Tensor, x2: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """`(y1, y2)` after every layer, first to last."""
        with self._block_scope() as scope:
            self._scope = scope
            if not self._use_efficient_backprop:
                return self._layers_forward(x1, x2, gate=False)
            return self._forward_with_rebuilding_grad(x1, x2)

    def backward(self, y1: tf.Tensor, y2: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """The inverse of `forward`: `(x1, x2)` whose forward pass gives `(y1, y2)`."""
        with self._block_scope() as scope:
            self._scope = scope
            for f, g in zip(reversed(self.f), reversed(self.g)):
                x2 = y2 - _call(g, y1, self.g_side_input)
                x1 = y1 - _call(f, x2, self.f_side_input)
                y1, y2 = x1, x2
            return y1, y2

    def _layers_forward(self, x1: tf.Tensor, x2: tf.Tensor, gate: bool):
        for f, g in zip(self.f, self.g):
            y1 = x1 + _call(f, x2, self.f_side_input)
            y2 = x2 + _call(g, y1, self.g_side_input)
            # Gating makes each layer's outputs ready together, as the rebuilt pass expects.
            x1, x2 = tf.tuple([y1, y2]) if gate else (y1, y2)
        return x1, x2

    def _forward_with_rebuilding_grad(self, x1: tf.Tensor, x2: tf.Tensor):
        sides = self.f_side_input + self.g_side_input

        @tf.custom_gradient
        def block(*inputs):
            outputs = self._layers_forward(inputs[0], inputs[1], gate=True)

            def grad(*grad_ys, variables=None):
                return self._rebuilding_grad(outputs, grad_ys, inputs[2:], variables or [])

            return outputs, grad

        return block(x1, x2, *sides)

    def _rebuilding_grad(self, ys, grad_ys, side_inputs, variables):
        """Gradients of the block: each layer's inputs are rebuilt from its outputs."""
        layer_vars = {(i, k): [] for i in range(self.num_layers) for k in "fg"}
        positions = {(i, k): [] for i in range(self.num_layers) for k in "fg"}
        for index, var in enumerate(variables):
            match = _LAYER_RE.match(var.name)
            if match is None:
                raise ValueError(
                    f"RevBlock: variable {var.name} was used outside the block's f and g; "
                    "pass tensors in through f_side_input / g_side_input."
                )
            key = (int(match.group(1)), match.group(2))
            layer_vars[key].append(var)
            positions[key].append(index)
        var_grads: list[Any] = [None] * len(variables)
        f_side_grads, g_side_grads = [], []
        y1, y2 = ys
        grad_y1, grad_y2 = grad_ys
        with v1.variable_scope(self._scope, reuse=True):
            for i in reversed(range(self.num_layers)):
                f_vars, g_vars = layer_vars[(i, "f")], layer_vars[(i, "g")]
                # y2 = x2 + g(y1): rebuild x2, then send grad_y2 through g.
                y1_stop = tf.stop_gradient(y1)
                gy1 = _call(self.g[i], y1_stop, self.g_side_input)
                x2 = y2 - gy1
                g_wrt = [y1_stop, *g_vars, *self.g_side_input]
                g_grads = tf.gradients(gy1, g_wrt, grad_y2)
                grad_x1 = grad_y1 if g_grads[0] is None else grad_y1 + g_grads[0]
                # y1 = x1 + f(x2): rebuild x1, then send grad_x1 through f.
                x2_stop = tf.stop_gradient(x2)
                fx2 = _call(self.f[i], x2_stop, self.f_side_input)
                x1 = y1 - fx2
                f_wrt = [x2_stop, *f_vars, *self.f_side_input]
                f_grads = tf.gradients(fx2, f_wrt, grad_x1)
                grad_x2 = grad_y2 if f_grads[0] is None else grad_y2 + f_grads[0]
                for pos, value in zip(positions[(i, "f")], f_grads[1 : 1 + len(f_vars)]):
                    var_grads[pos] = value
                for pos, value in zip(positions[(i, "g")], g_grads[1 : 1 + len(g_vars)]):
                    var_grads[pos] = value
                f_side_grads.append(f_grads[1 + len(f_vars) :])
                g_side_grads.append(g_grads[1 + len(g_vars) :])
                y1, y2, grad_y1, grad_y2 = x1, x2, grad_x1, grad_x2
        side_grads = _sum_grads(*f_side_grads) + _sum_grads(*g_side_grads)
        assert len(side_grads) == len(side_inputs)
        return [grad_y1, grad_y2, *side_grads], var_grads


def rev_block(
    x1: tf.Tensor,
    x2: tf.Tensor,
    f: Callable | list[Callable],
    g: Callable | list[Callable],
    num_layers: int = 1,
    f_side_input: Sequence[tf.Tensor] | None = None,
    g_side_input: Sequence[tf.Tensor] | None = None,
    is_training: bool = True,
) -> tuple[tf.Tensor, tf.Tensor]:
    """A block of reversible residual layers: `y1 = x1 + f(x2)`, `y2 = x2 + g(y1)`, repeated.

    `f` and `g` must keep the shape of their input and must not close over tensors
    (pass those as `f_side_input` / `g_side_input`; then they are called as
    `f(x, side_inputs)`). Each layer makes its own variables, under
    `revblock/revlayer_<i>/f` and `.../g`.

    Args:
      x1: Float tensor, the first half.
      x2: Float tensor, the second half.
      f: Function (or list of `num_layers` functions) applied to the second half.
      g: Function (or list of `num_layers` functions) applied to the first half.
      num_layers: Number of reversible layers; default 1.
      f_side_input: Extra tensors for `f`.
      g_side_input: Extra tensors for `g`.
      is_training: Use the memory-saving gradient (True, default); False keeps the
        activations as usual. Both give the same values and gradients.

    Returns:
      `(y1, y2)`.
    """
    block = RevBlock(
        f,
        g,
        num_layers=num_layers,
        f_side_input=f_side_input,
        g_side_input=g_side_input,
        use_efficient_backprop=is_training,
        reuse=v1.get_variable_scope().reuse,
    )
    return block.forward(x1, x2)


_DEFAULT = object()


def _closed_over_tensors(fn: Callable) -> None:
    for var_name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        try:
            value = cell.cell_contents
        except ValueError:  # An empty cell (a name not bound yet).
            continue
        if isinstance(value, (tf.Tensor, tf.Variable)):
            raise ValueError(
                f"recompute_grad: the function closes over tensor {value.name} (local name "
                f"{var_name!r}); its gradient would not be computed. Pass it as an argument."
            )


def _data_dependency(first: Sequence[Any], then: Sequence[tf.Tensor]) -> list[tf.Tensor]:
    """`then`, each plus a zero computed from every tensor of `first` (so it runs after them).

    XLA ignores control dependencies; a data dependency orders the recomputation there.
    """
    present = [t for t in first if t is not None]
    if not present:
        return list(then)
    zero = tf.add_n([tf.cast(tf.reshape(t, [-1])[:1], tf.float32) for t in present]) * 0.0
    return [t + tf.cast(tf.reshape(zero, []), t.dtype) for t in then]


def recompute_grad(
    fn: Callable | None = None, use_data_dep: Any = _DEFAULT, tupleize_grads: bool = False
) -> Callable:
    """Decorator: `fn`'s activations are dropped and recomputed in the gradient pass.

    Usable bare (`@recompute_grad`) or with options (`@recompute_grad(tupleize_grads=True)`).
    The recomputation re-enters the variable scope and `arg_scope` of the call, so it
    reuses the same variables; `fn` may take `is_recomputing=` to skip state changes
    (such as moving-average updates) the second time.

    Args:
      fn: A function of tensors (positional only) returning a tensor or a tuple of
        them; it must not close over tensors or variables.
      use_data_dep: Order the recomputation after the output gradients with a data
        dependency (True) or a control dependency (False, the default; a data
        dependency is only needed under XLA).
      tupleize_grads: Make all gradients ready together (`tf.tuple`).

    Returns:
      The wrapped function (or, without `fn`, a decorator).

    Raises:
      ValueError: If `fn` closes over a tensor or variable; when called, if an
        argument is not a tensor; in the gradient pass, if the recomputation used
        other variables (e.g. the function was called twice in the same enclosing scope).
    """
    if fn is not None and not callable(fn):
        # Options given positionally, as TF-Slim allows: recompute_grad(True, True)(fn).
        second = use_data_dep
        use_data_dep, fn = fn, None
        if second is not _DEFAULT:
            tupleize_grads = bool(second)
    if fn is None:
        return lambda f: recompute_grad(f, use_data_dep, tupleize_grads)
    _closed_over_tensors(fn)
    takes_flag = "is_recomputing" in inspect.signature(fn).parameters
    data_dep = False if use_data_dep is _DEFAULT else bool(use_data_dep)

    @functools.wraps(fn)
    def wrapped(*args):
        for arg in args:
            if not isinstance(arg, (tf.Tensor, tf.Variable)):
                raise ValueError(
                    f"recompute_grad: every argument of {fn.__name__} must be a tensor, got "
                    f"{arg!r}."
                )
        flag = {"is_recomputing": False} if takes_flag else {}

        @tf.custom_gradient
        def forward(*inputs):
            scope = v1.get_variable_scope()
            scoped = arg_scope_lib.current_arg_scope()
            with tf.GradientTape() as tape:
                outputs = fn(*inputs, **flag)
            used = {v.ref() for v in tape.watched_variables()}

            def grad(*output_grads, variables=None):
                variables = list(variables or [])
                if {v.ref() for v in variables} != used:
                    raise ValueError(_WRONG_VARS)
                again = [tf.identity(x) for x in inputs]
                with tf.control_dependencies([g for g in output_grads if g is not None]):
                    if data_dep:
                        again = _data_dependency(output_grads, again)
                    with arg_scope_lib.arg_scope(scoped):
                        with v1.variable_scope(scope, reuse=True):
                            with tf.GradientTape() as retape:
                                kwargs = {"is_recomputing": True} if takes_flag else {}
                                recomputed = fn(*again, **kwargs)
                if {v.ref() for v in retape.watched_variables()} != used:
                    raise ValueError(_WRONG_VARS)
                recomputed = (
                    list(recomputed) if isinstance(recomputed, (list, tuple)) else [recomputed]
                )
                grads = tf.gradients(
                    recomputed, again + variables, list(output_grads), stop_gradients=again
                )
                if tupleize_grads:
                    grads = _data_dependency(grads, grads) if data_dep else tf.tuple(grads)
                if variables:
                    return grads[: len(again)], grads[len(again) :]
                return grads[: len(again)]

            return outputs, grad

        return forward(*args)

    return wrapped
