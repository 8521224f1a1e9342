"""`arg_scope`: default arguments for a set of functions, set for a `with` block.

Semantics follow TF-Slim (nesting merges, an inner scope overrides an outer one,
an argument passed by the caller always wins), with three differences:

* A scoped default is only applied to parameters the caller did not bind, so a
  positional argument never collides with it (TF-Slim raises "got multiple
  values for argument 'stride'" on its own README example).
* Unknown argument names and undecorated functions are rejected when the scope
  is entered, with the accepted names in the message. TF-Slim only fails when the
  function is called, with a TypeError; the early error is a TypeError too (and a
  ValueError, as slimlib raised before).
* The scope stack lives in a `ContextVar`, so threads (web-app sessions) never
  see each other's defaults.

Every scoped default also remembers where its scope was opened, which gives the
argument provenance recorded by the layer trace.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from slimlib._src import _checks, trace

F = TypeVar("F", bound=Callable[..., Any])

# Maps arg_scope_func_key(op) -> the names arg_scope may set for that op.
_DECORATED_OPS: dict[str, tuple[str, ...]] = {}
# Maps arg_scope_func_key(op) -> everything arg_scope needs to validate and trace.
_OP_INFO: dict[str, _OpInfo] = {}


class _OpInfo:
    def __init__(self, func: Callable[..., Any]):
        self.name = func.__name__
        self.signature = inspect.signature(func)
        params = self.signature.parameters.values()
        self.named = tuple(
            p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )
        self.accepts_any_keyword = any(p.kind is p.VAR_KEYWORD for p in params)


class ArgScope(dict):
    """The mapping `arg_scope` yields: `{arg_scope_func_key(op): {arg: value}}`.

    A plain dict for TF-Slim code (it can be stored and re-entered with
    `arg_scope(scope)`), which also carries where each default was set and how
    deeply the `arg_scope` blocks that made it were nested.
    """

    def __init__(
        self,
        defaults=(),
        origins: dict[str, dict[str, trace.ScopeOrigin]] | None = None,
        depth: int = 0,
    ):
        super().__init__(defaults)
        self.origins = origins or {}
        self.depth = depth


_CURRENT: contextvars.ContextVar[ArgScope | None] = contextvars.ContextVar(
    "slimlib_arg_scope", default=None
)


def arg_scope_func_key(op: Callable[..., Any]) -> str:
    """The key under which `op`'s defaults are stored in an arg_scope mapping."""
    return getattr(op, "_key_op", str(op))


def has_arg_scope(func: Callable[..., Any]) -> bool:
    """True when `func` was decorated with `add_arg_scope`."""
    return arg_scope_func_key(func) in _DECORATED_OPS


def arg_scoped_arguments(func: Callable[..., Any]) -> tuple[str, ...]:
    """The argument names of `func` that have a default (those arg_scope is meant to set),
    as a tuple, as in TF-Slim.

    Raises:
      ValueError: If `func` is not decorated with `add_arg_scope`.
    """
    key = arg_scope_func_key(func)
    if key not in _DECORATED_OPS:
        raise ValueError(
            f"arg_scoped_arguments: `func` must be decorated with @add_arg_scope, got {func!r}."
        )
    return _DECORATED_OPS[key]


def current_arg_scope() -> ArgScope:
    """The defaults in effect here, `{arg_scope_func_key(op): {arg: value}}` (empty outside)."""
    scope = _CURRENT.get()
    return scope if scope is not None else ArgScope()


class arg_scope:  # noqa: N801 - a context manager that TF-Slim code calls as a function
    """Sets default arguments of decorated functions inside a `with` block.

    Args:
      list_ops_or_scope: A list or tuple of functions decorated with `add_arg_scope`,
        or a mapping yielded by an earlier `arg_scope` to re-enter it.
      **kwargs: Defaults to set, `name=value`; each must be an argument of every op.

    Yields:
      The merged `ArgScope` mapping now in effect.

    Raises:
      TypeError: If `list_ops_or_scope` is neither a list/tuple nor a mapping, or an
        argument is unknown to an op (an error that is also a ValueError).
      ValueError: If an op is not decorated, or kwargs are given together with a mapping.

    Example:
      >>> import slimlib as slim
      >>> with slim.arg_scope([slim.conv2d], padding="VALID") as sc:
      ...     sc[slim.arg_scope_func_key(slim.conv2d)]["padding"]
      'VALID'
    """

    def __init__(self, list_ops_or_scope: Sequence[Callable[..., Any]] | dict, **kwargs: Any):
        caller = sys._getframe(1)
        self._filename = os.path.basename(caller.f_code.co_filename)
        self._lineno = caller.f_lineno
        self._list_ops_or_scope = list_ops_or_scope
        self._kwargs = kwargs
        _check_arguments(list_ops_or_scope, kwargs)
        self._tokens: list[contextvars.Token] = []

    def __enter__(self) -> ArgScope:
        # The outer scope is read on entry (as TF-Slim's generator does), not on construction.
        new = _merged_scope(self._list_ops_or_scope, self._kwargs, self._filename, self._lineno)
        self._tokens.append(_CURRENT.set(new))
        return new

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._tokens.pop())


def _check_arguments(list_ops_or_scope, kwargs: dict) -> None:
    """Raises for a bad `arg_scope` call: wrong type, kwargs with a mapping, bad op or name."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError(
                "arg_scope: kwargs must be empty when re-entering a scope given as a mapping, "
                f"got {sorted(kwargs)}."
            )
        return
    if not isinstance(list_ops_or_scope, (list, tuple)):
        raise TypeError(
            "arg_scope: `list_ops_or_scope` must be a list or tuple of decorated functions, "
            f"or a scope mapping to re-enter, got {list_ops_or_scope!r}."
        )
    for op in list_ops_or_scope:
        _check_scoped_op(op, kwargs)


def _merged_scope(list_ops_or_scope, kwargs: dict, filename: str, lineno: int) -> ArgScope:
    if isinstance(list_ops_or_scope, dict):
        origins = getattr(list_ops_or_scope, "origins", None)
        depth = getattr(list_ops_or_scope, "depth", 1)
        if origins is None:
            origin = trace.ScopeOrigin(filename, lineno, ("<reused scope>",), depth)
            origins = {
                key: {arg: origin for arg in args} for key, args in list_ops_or_scope.items()
            }
        return ArgScope(
            {key: dict(args) for key, args in list_ops_or_scope.items()},
            {key: dict(args) for key, args in origins.items()},
            depth,
        )
    outer = current_arg_scope()
    ops = list(list_ops_or_scope)
    depth = outer.depth + 1
    origin = trace.ScopeOrigin(
        filename, lineno, tuple(_OP_INFO[_key(op)].name for op in ops), depth
    )
    merged = ArgScope(
        {key: dict(args) for key, args in outer.items()},
        {key: dict(args) for key, args in outer.origins.items()},
        depth,
    )
    for op in ops:
        key = _key(op)
        merged.setdefault(key, {}).update(kwargs)
        merged.origins.setdefault(key, {}).update({arg: origin for arg in kwargs})
    return merged


def _key(op: Callable[..., Any]) -> str:
    return arg_scope_func_key(op)


def _check_scoped_op(op: Callable[..., Any], kwargs: dict) -> None:
    key = _key(op)
    if key not in _OP_INFO:
        name = getattr(op, "__name__", repr(op))
        raise ValueError(
            f"arg_scope: every op must be decorated with @add_arg_scope, got {name!r} "
            f"({op!r}), which is not."
        )
    info = _OP_INFO[key]
    if info.accepts_any_keyword:
        return
    for arg in kwargs:
        if arg not in info.named:
            raise _checks.ArgumentError(
                f"arg_scope: `{arg}` is not an argument of {info.name}, got {arg}="
                f"{kwargs[arg]!r}; {info.name} accepts {list(info.named)}."
                + _checks.did_you_mean(arg, info.named)
            )


def add_arg_scope(func: F) -> F:
    """Decorates `func` so that `arg_scope` can set its default arguments.

    The returned function also records itself in an active `trace_layers()` block.
    """
    return _decorate(func, traced=True)


def add_untraced_arg_scope(func: F) -> F:
    """`add_arg_scope` for helpers that are not layers (variables): never traced."""
    return _decorate(func, traced=False)


def _decorate(func: F, *, traced: bool) -> F:
    info = _OpInfo(func)
    signature = info.signature

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scope = _CURRENT.get()
        scoped = scope.get(key, {}) if scope else {}
        if scoped:
            # Positional arguments are bound first so a scoped default never collides.
            bound_positionally = signature.bind_partial(*args).arguments if args else {}
            defaults = {
                k: v for k, v in scoped.items() if k not in kwargs and k not in bound_positionally
            }
            call_kwargs = {**defaults, **kwargs}
        else:
            defaults = {}
            call_kwargs = kwargs
        if not (traced and trace.is_tracing()):
            return func(*args, **call_kwargs)
        origins = scope.origins.get(key, {}) if scope else {}
        arguments = _provenance(signature, args, kwargs, defaults, origins)
        return trace.run_traced(info.name, func, args, call_kwargs, arguments)

    key = str(wrapper)
    wrapper._key_op = key  # type: ignore[attr-defined]
    _OP_INFO[key] = info
    _DECORATED_OPS[key] = tuple(
        p.name
        for p in signature.parameters.values()
        if p.default is not p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )
    return wrapper  # type: ignore[return-value]


def _provenance(
    signature: inspect.Signature,
    args: tuple,
    kwargs: dict,
    defaults: dict,
    origins: dict[str, trace.ScopeOrigin],
) -> dict[str, trace.Argument]:
    """Every parameter's effective value with its source: call, arg_scope or default."""
    try:
        explicit = signature.bind_partial(*args, **kwargs).arguments
    except TypeError:
        explicit = dict(kwargs)
    result = {}
    for name, param in signature.parameters.items():
        if param.kind is param.VAR_KEYWORD:
            # Names only `**kwargs` takes: passed by the caller, or set by an arg_scope.
            for extra, value in kwargs.items():
                if extra not in signature.parameters:
                    result[extra] = trace.Argument(value, "call")
            for extra, value in defaults.items():
                if extra not in signature.parameters and extra not in kwargs:
                    result[extra] = trace.Argument(value, "arg_scope", origins.get(extra))
            continue
        if name in explicit:
            result[name] = trace.Argument(explicit[name], "call")
        elif name in defaults:
            result[name] = trace.Argument(defaults[name], "arg_scope", origins.get(name))
        elif param.kind is not param.VAR_POSITIONAL:
            value = None if param.default is param.empty else param.default
            result[name] = trace.Argument(value, "default")
    return result
