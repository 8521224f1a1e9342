"""Variables: creation with devices and collections, lookup, and restoring values.

TF-Slim's `variables` module on `tf.compat.v1` graph APIs. Model variables are
the parameters of a model (layer weights, batch-norm statistics); they live in
`MODEL_VARIABLES` besides `GLOBAL_VARIABLES`, and are what a checkpoint restores.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.arg_scope import add_untraced_arg_scope

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = [
    "VariableDeviceChooser",
    "add_model_variable",
    "assert_global_step",
    "assert_or_get_global_step",
    "assign_from_checkpoint",
    "assign_from_checkpoint_fn",
    "assign_from_values",
    "assign_from_values_fn",
    "create_global_step",
    "filter_variables",
    "get_global_step",
    "get_local_variables",
    "get_model_variables",
    "get_or_create_global_step",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variable_full_name",
    "get_variables",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_variables_to_restore",
    "global_variable",
    "local_variable",
    "model_variable",
    "variable",
    "zero_initializer",
]


def zero_initializer(ref: tf.Variable, use_locking: bool = True, name: str = "zero_initializer"):
    """Returns an op that sets every element of `ref` to zero."""
    return v1.assign(ref, tf.zeros_like(ref), use_locking=use_locking, name=name)


def assert_global_step(global_step_tensor: Any) -> None:
    """Raises TypeError unless `global_step_tensor` is a scalar integer variable or tensor."""
    v1.train.assert_global_step(global_step_tensor)


def assert_or_get_global_step(graph: tf.Graph | None = None, global_step_tensor=None):
    """Checks `global_step_tensor` if given, else returns the graph's global step (or None)."""
    if global_step_tensor is None:
        return get_global_step(graph)
    assert_global_step(global_step_tensor)
    return global_step_tensor


def get_global_step(graph: tf.Graph | None = None):
    """The graph's global step variable, or None when there is none."""
    return v1.train.get_global_step(graph)


def create_global_step(graph: tf.Graph | None = None):
    """Creates an int64 `global_step` variable; raises ValueError if one exists."""
    return v1.train.create_global_step(graph)


def get_or_create_global_step(graph: tf.Graph | None = None):
    """The graph's global step, created (int64, zero, non-trainable) when missing."""
    return v1.train.get_or_create_global_step(graph)


def local_variable(initial_value, validate_shape: bool = True, name=None, use_resource=None):
    """A non-trainable variable in `LOCAL_VARIABLES` (not saved in checkpoints)."""
    _checks.require_graph("local_variable")
    return v1.Variable(
        initial_value,
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES],
        validate_shape=validate_shape,
        name=name,
        use_resource=use_resource,
    )


def global_variable(initial_value, validate_shape: bool = True, name=None, use_resource=None):
    """A non-trainable variable in `GLOBAL_VARIABLES` (saved in checkpoints)."""
    _checks.require_graph("global_variable")
    return v1.Variable(
        initial_value,
        trainable=False,
        collections=[GraphKeys.GLOBAL_VARIABLES],
        validate_shape=validate_shape,
        name=name,
        use_resource=use_resource,
    )


def _makes_resource_variable(use_resource: bool | None) -> bool:
    """Whether `get_variable` will make a resource variable (else a ref `VariableV2`)."""
    if use_resource is None:
        use_resource = v1.get_variable_scope().use_resource
    if use_resource is None:
        use_resource = v1.resource_variables_enabled()
    return bool(use_resource)


def _device_for(
    device: str | Callable | None, name: str, use_resource: bool | None = None
) -> str | Callable:
    """Resolves `device`; a callable (like `VariableDeviceChooser`) gets a stand-in op.

    The stand-in has the type of the op `get_variable` will make: device functions that
    place only ops whose type starts with "Variable" (as model_deploy's parameter-server
    chooser does) then see a ref variable under `disable_v2_behavior` as TF-Slim's did.
    """
    if not callable(device):
        return device or ""
    op_type = "VarHandleOp" if _makes_resource_variable(use_resource) else "VariableV2"

    class _VariableOp:  # What a device function sees for a variable about to be made.
        def __init__(self, op_name: str):
            self.name = op_name
            self.type = op_type
            self.device = ""
            # `replica_device_setter` reads the op type from the NodeDef.
            self.node_def = v1.NodeDef(name=op_name, op=self.type)

    return device(_VariableOp(name))


@add_untraced_arg_scope
def variable(
    name,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=True,
    collections=None,
    caching_device=None,
    device=None,
    partitioner=None,
    custom_getter=None,
    use_resource=None,
    synchronization=tf.VariableSynchronization.AUTO,
    aggregation=tf.VariableAggregation.NONE,
):
    """Gets an existing variable or creates a new one, with TF-Slim's defaults.

    Args:
      name: Variable name inside the current variable scope.
      shape: Shape of a new variable.
      dtype: Default `tf.float32`.
      initializer: Initializer of a new variable (default: glorot uniform, as `get_variable`).
      regularizer: `fn(variable) -> loss`; the loss goes to `REGULARIZATION_LOSSES`.
      trainable: Also add to `TRAINABLE_VARIABLES`.
      collections: Collections to add to; default `[GLOBAL_VARIABLES]`.
      device: Device string or function (e.g. `VariableDeviceChooser`) to place it on.

    Returns:
      The variable.

    Raises:
      RuntimeError: When called eagerly, outside a graph.
    """
    _checks.require_graph("variable")
    collections = list(collections if collections is not None else [GraphKeys.GLOBAL_VARIABLES])
    collections = list(dict.fromkeys(collections))  # A variable is added to each only once.
    getter = v1.get_variable
    if custom_getter is not None:
        # TF-Slim's meaning: `custom_getter` replaces `get_variable` (same signature, plus
        # `reuse`); it is not `get_variable`'s own `custom_getter(getter, name, ...)`.
        getter = functools.partial(custom_getter, reuse=v1.get_variable_scope().reuse)
    op_name = f"{v1.get_variable_scope().name}/{name}".lstrip("/")
    with tf.device(_device_for(device, op_name, use_resource)):
        return getter(
            name,
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            regularizer=regularizer,
            trainable=trainable,
            collections=collections,
            caching_device=caching_device,
            partitioner=partitioner,
            use_resource=use_resource,
            synchronization=synchronization,
            aggregation=aggregation,
        )


@add_untraced_arg_scope
def model_variable(
    name,
    shape=None,
    dtype=tf.float32,
    initializer=None,
    regularizer=None,
    trainable=True,
    collections=None,
    caching_device=None,
    device=None,
    partitioner=None,
    custom_getter=None,
    use_resource=None,
    synchronization=tf.VariableSynchronization.AUTO,
    aggregation=tf.VariableAggregation.NONE,
):
    """Like `variable`, and also adds it to `MODEL_VARIABLES` (saved, restored, fine-tuned)."""
    _checks.require_graph("model_variable")
    collections = list(collections or []) + [
        GraphKeys.GLOBAL_VARIABLES,
        GraphKeys.MODEL_VARIABLES,
    ]
    return variable(
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        device=device,
        partitioner=partitioner,
        custom_getter=custom_getter,
        use_resource=use_resource,
        synchronization=synchronization,
        aggregation=aggregation,
    )


def add_model_variable(var: tf.Variable) -> None:
    """Adds `var` to `MODEL_VARIABLES` unless it is already there."""
    if not any(v is var for v in v1.get_collection(GraphKeys.MODEL_VARIABLES)):
        v1.add_to_collection(GraphKeys.MODEL_VARIABLES, var)


def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES) -> list:
    """Variables of `collection` whose names start with `scope` and end with `suffix`.

    Args:
      scope: A scope name (string or `VariableScope`); a regex matched at the start.
      suffix: Variable name ending, without the `:0`.
      collection: Collection to search; default `GLOBAL_VARIABLES`.
    """
    if isinstance(scope, v1.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return v1.get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None) -> list:
    """`get_variables` over `MODEL_VARIABLES`."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_local_variables(scope=None, suffix=None) -> list:
    """`get_variables` over `LOCAL_VARIABLES`."""
    return get_variables(scope, suffix, GraphKeys.LOCAL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None) -> list:
    """`get_variables` over `TRAINABLE_VARIABLES`."""
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_to_restore(include=None, exclude=None) -> list:
    """Variables to restore: those under the `include` scopes, minus the `exclude` scopes.

    Args:
      include: Scope names to keep (default: every variable).
      exclude: Scope names to drop.
    """
    if include is None:
        candidates = get_variables()
    else:
        if not isinstance(include, (list, tuple)):
            raise TypeError(
                f"get_variables_to_restore: `include` must be a list or tuple of scopes, "
                f"got {include!r}."
            )
        candidates = [var for scope in include for var in get_variables(scope)]
    excluded = set()
    if exclude is not None:
        if not isinstance(exclude, (list, tuple)):
            raise TypeError(
                f"get_variables_to_restore: `exclude` must be a list or tuple of scopes, "
                f"got {exclude!r}."
            )
        excluded = {id(var) for scope in exclude for var in get_variables(scope)}
    # Overlapping include scopes must not list a variable twice (a Saver rejects duplicates).
    unique = {id(var): var for var in candidates if id(var) not in excluded}
    return list(unique.values())


def get_variables_by_suffix(suffix: str, scope=None) -> list:
    """Variables whose names end with `suffix`."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name: str, scope=None) -> list:
    """Variables whose last name component is `given_name` (e.g. every `weights`)."""
    # The group keeps `scope` applying to both branches (TF-Slim's bare `|` let any top-level
    # variable named `given_name` match whatever the scope).
    suffix = "(?:/" + given_name + ":|^" + given_name + ":)"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name: str):
    """The variable named exactly `var_op_name` (`get_variables` alone matches prefixes).

    Raises:
      ValueError: If no variable in `GLOBAL_VARIABLES` has that name.
    """
    candidates = get_variables(scope=re.escape(var_op_name))
    found = [var for var in candidates if var.op.name == var_op_name]
    if not found:
        names = [var.op.name for var in get_variables()]
        raise ValueError(
            f"get_unique_variable: `var_op_name` must name a variable in GLOBAL_VARIABLES, "
            f"got {var_op_name!r}." + _checks.did_you_mean(var_op_name, names)
        )
    # Op names are unique in a graph, so every match is the same variable.
    return found[0]


def get_variable_full_name(var) -> str:
    """The name a variable is saved under (`var.op.name`, or its partition's full name)."""
    save_info = getattr(var, "_save_slice_info", None)
    if save_info:
        return save_info.full_name
    return var.op.name


def filter_variables(
    var_list, include_patterns=None, exclude_patterns=None, reg_search: bool = True
) -> list:
    """Keeps variables matching any include pattern and no exclude pattern.

    Patterns are regular expressions matched against `var.name` (with its `:0`), anywhere
    in the name (`re.search`) or, with `reg_search=False`, from its start (`re.match`).

    Raises:
      TypeError: If a pattern list is a single string instead of a list of strings.
    """
    for arg, patterns in (
        ("include_patterns", include_patterns),
        ("exclude_patterns", exclude_patterns),
    ):
        if isinstance(patterns, str):
            raise TypeError(
                f"filter_variables: `{arg}` must be a list of regular expressions, "
                f"got the string {patterns!r}; wrap it in a list."
            )
    search = re.search if reg_search else re.match

    def matches(name: str, patterns) -> bool:
        return any(search(p, name) for p in patterns)

    kept = []
    for var in var_list:
        name = var.name
        if include_patterns is not None and not matches(name, include_patterns):
            continue
        if exclude_patterns is not None and matches(name, exclude_patterns):
            continue
        kept.append(var)
    return kept


def _slices(value) -> list:
    """The variables behind one `var_list` value: a variable, a list of slices, or partitions."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if not isinstance(value, tf.Variable) and hasattr(value, "_get_variable_list"):
        return list(value)  # A PartitionedVariable: restored part by part.
    return [value]


def _grouped_by_name(var_list, fn: str) -> dict[str, list]:
    """Normalises a list or dict of variables into `{checkpoint name: [variables]}`.

    Slices of one partitioned variable share their checkpoint name (TF-Slim's grouping).
    """
    grouped: dict[str, list] = {}
    if isinstance(var_list, dict):
        for name, value in var_list.items():
            grouped[name] = _slices(value)
        return grouped
    if isinstance(var_list, (list, tuple)):
        for value in var_list:
            for var in _slices(value):
                grouped.setdefault(get_variable_full_name(var), []).append(var)
        return grouped
    raise TypeError(
        f"{fn}: `var_list` must be a list of variables or a dict of name -> variable, "
        f"got {var_list!r}."
    )


def _full_shape(var) -> list[int | None]:
    """The shape of the whole variable a checkpoint entry holds (a slice knows its full shape)."""
    save_info = getattr(var, "_save_slice_info", None)
    if save_info:
        return list(save_info.full_shape)
    return var.shape.as_list()


def _resolve_checkpoint(model_path: str, fn: str) -> str:
    """`model_path` itself, or the latest checkpoint when it is a directory.

    A path that is a directory *and* a checkpoint prefix (`<path>.index` exists, as when
    `saver.save(sess, folder)` is given a folder) is the checkpoint, as in TF-Slim.
    """
    if not isinstance(model_path, str):
        raise TypeError(f"{fn}: `model_path` must be a str path, got {model_path!r}.")
    if tf.io.gfile.isdir(model_path) and not tf.io.gfile.exists(model_path + ".index"):
        latest = tf.train.latest_checkpoint(model_path)
        if latest is None:
            raise ValueError(
                f"{fn}: `model_path` must be a checkpoint prefix or a directory holding a "
                f"`checkpoint` file, got the directory {model_path!r}, which has none."
            )
        return latest
    return model_path


def _read_checkpoint(model_path: str, fn: str):
    try:
        # The prefix itself: `tf.train.load_checkpoint` would take a folder for its latest.
        return v1.train.NewCheckpointReader(model_path)
    except (tf.errors.OpError, ValueError) as err:
        raise ValueError(
            f"{fn}: `model_path` must name a readable checkpoint, got {model_path!r} ({err})."
        ) from err


def _check_against_checkpoint(
    fn: str,
    model_path: str,
    reader,
    grouped: dict[str, list],
    ignore_missing_vars: bool,
    reshape_variables: bool | None,
    check_dtypes: bool,
) -> dict[str, list]:
    """Compares every requested entry with the checkpoint; raises one error listing every misfit.

    Returns:
      `grouped` without the entries the checkpoint lacks (when `ignore_missing_vars`).

    Raises:
      ValueError: The report of `_misfits`, when there is one.
    """
    kept, report, _ = _misfits(
        fn, model_path, reader, grouped, ignore_missing_vars, reshape_variables, check_dtypes
    )
    if report:
        raise ValueError(report)
    return kept


def _misfits(
    fn: str,
    model_path: str,
    reader,
    grouped: dict[str, list],
    ignore_missing_vars: bool,
    reshape_variables: bool | None,
    check_dtypes: bool,
) -> tuple[dict[str, list], str | None, bool]:
    """Compares every requested entry with the checkpoint.

    Returns:
      `(kept, report, missing)`: `grouped` without the entries the checkpoint lacks (when
      `ignore_missing_vars`); None or one message listing each variable the checkpoint
      lacks (unless ignored) and each whose shape differs (beyond a reshape of the same
      size, when `reshape_variables`) or whose dtype differs (when `check_dtypes`); and
      whether a variable is missing. `reshape_variables=None` means the caller has no such
      option, so the report does not suggest it.
    """
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    kept: dict[str, list] = {}
    problems: list[str] = []
    missing = reshapeable = False
    for ckpt_name, variables in grouped.items():
        names = sorted({v.op.name for v in variables})
        label = (
            repr(ckpt_name) if names == [ckpt_name] else f"{ckpt_name!r} (for {', '.join(names)})"
        )
        if ckpt_name not in shapes:
            if not ignore_missing_vars:
                missing = True
                problems.append(
                    f"  {label}: not in checkpoint." + _checks.did_you_mean(ckpt_name, shapes)
                )
            continue
        kept[ckpt_name] = variables
        ckpt_shape = list(shapes[ckpt_name])
        var_shape = _full_shape(variables[0])
        if not tf.TensorShape(var_shape).is_compatible_with(ckpt_shape):
            same_size = None not in var_shape and np.prod(var_shape) == np.prod(ckpt_shape)
            if not (reshape_variables and same_size):
                reshapeable |= bool(same_size) and reshape_variables is not None
                problems.append(
                    f"  {label}: variable shape {var_shape}, checkpoint shape {ckpt_shape}."
                )
                continue
        var_dtype = variables[0].dtype.base_dtype
        if check_dtypes and var_dtype != dtypes[ckpt_name]:
            problems.append(
                f"  {label}: variable dtype {var_dtype.name}, checkpoint dtype "
                f"{dtypes[ckpt_name].name}."
            )
    if problems:
        hints = []
        if missing:
            hints.append("pass ignore_missing_vars=True to skip variables the checkpoint lacks")
        if reshapeable:
            hints.append("pass reshape_variables=True to restore a value of the same size")
        hint = f"\nHint: {'; '.join(hints)}." if hints else ""
        report = (
            f"{fn}: every variable must be in checkpoint {model_path!r} with its shape and "
            "dtype, "
            f"got {len(problems)} that do not fit:\n" + "\n".join(problems) + hint
        )
        return kept, report, missing
    return kept, None, False


def assign_from_values(var_names_to_values: dict[str, Any]):
    """An op that assigns values to variables by name, fed through placeholders.

    Args:
      var_names_to_values: `{variable name (var.op.name): value}`; a value is reshaped to its
        variable's shape when its size matches (as TF-Slim does).

    Returns:
      `(assign_op, feed_dict)` to run as `sess.run(assign_op, feed_dict)`.

    Raises:
      RuntimeError: When called eagerly.
      ValueError: If a name matches no variable in `GLOBAL_VARIABLES`, or a value's size
        differs from its variable's.
    """
    fn = "assign_from_values"
    _checks.require_graph(fn)
    feed_dict = {}
    assign_ops = []
    for name, value in var_names_to_values.items():
        matches = [v for v in get_variables(re.escape(name)) if v.op.name == name]
        if not matches:
            names = [v.op.name for v in get_variables()]
            raise ValueError(
                f"{fn}: every name must be a variable in GLOBAL_VARIABLES, got {name!r}."
                + _checks.did_you_mean(name, names)
            )
        var = matches[0]
        value = np.asarray(value)
        shape = var.shape.as_list()
        if None in shape or int(np.prod(shape)) != value.size:
            raise ValueError(
                f"{fn}: the value for {name!r} must have shape {shape}, got {list(value.shape)}."
            )
        placeholder = v1.placeholder(
            var.dtype.base_dtype, shape=var.shape, name="placeholder/" + var.op.name
        )
        assign_ops.append(var.assign(placeholder))
        feed_dict[placeholder] = value.reshape(shape)
    return tf.group(*assign_ops), feed_dict


def assign_from_values_fn(var_names_to_values: dict[str, Any]) -> Callable:
    """`assign_from_values` as a callback `fn(session)` (e.g. a training `init_fn`).

    Raises:
      RuntimeError: When called eagerly.
      ValueError: As `assign_from_values`, when this function is called.
    """
    assign_op, feed_dict = assign_from_values(var_names_to_values)

    def callback(session):
        return session.run(assign_op, feed_dict)

    return callback


def assign_from_checkpoint(model_path: str, var_list, ignore_missing_vars: bool = False):
    """An op that loads variables from a checkpoint, fed through placeholders.

    Args:
      model_path: Checkpoint prefix (or a directory holding a `checkpoint` file).
      var_list: Variables (saved under `var.op.name`, or a partitioned variable's full
        name) or `{checkpoint name: variable or list of slices}`.
      ignore_missing_vars: Skip variables the checkpoint lacks instead of raising.

    Returns:
      `(assign_op, feed_dict)`.

    Raises:
      RuntimeError: When called eagerly.
      TypeError: If `var_list` is neither a list nor a dict.
      ValueError: If `model_path` is no checkpoint, or listing every variable the checkpoint
        lacks (and that is not ignored) or holds with another shape.
    """
    fn = "assign_from_checkpoint"
    _checks.require_graph(fn)
    grouped = _grouped_by_name(var_list, fn)
    model_path = _resolve_checkpoint(model_path, fn)
    reader = _read_checkpoint(model_path, fn)
    grouped = _check_against_checkpoint(
        fn, model_path, reader, grouped, ignore_missing_vars, None, check_dtypes=False
    )
    feed_dict = {}
    assign_ops = []
    for ckpt_name, variables in grouped.items():
        value = reader.get_tensor(ckpt_name)
        for var in variables:
            placeholder = v1.placeholder(
                var.dtype.base_dtype, shape=var.shape, name="placeholder/" + var.op.name
            )
            assign_ops.append(var.assign(placeholder))
            save_info = getattr(var, "_save_slice_info", None)
            if save_info:
                index = tuple(
                    slice(start, start + size)
                    for start, size in zip(save_info.var_offset, save_info.var_shape)
                )
                feed_dict[placeholder] = value[index].reshape(save_info.var_shape)
            else:
                feed_dict[placeholder] = value
    return tf.group(*assign_ops), feed_dict


def assign_from_checkpoint_fn(
    model_path: str,
    var_list,
    ignore_missing_vars: bool = False,
    reshape_variables: bool = False,
    *,
    check_first: bool = False,
) -> Callable | None:
    """A callback `fn(session)` that restores `var_list` from a checkpoint with a Saver.

    As in TF-Slim, a variable the checkpoint lacks (or holds with another shape or dtype)
    makes the callback raise when it runs, before restoring anything:
    `tf.errors.NotFoundError` when one is missing, else `tf.errors.InvalidArgumentError`;
    the message lists every variable that does not fit. With `check_first=True` that
    comparison happens here instead, and one `ValueError` reports every misfit. Extra entries in the checkpoint
    (`global_step`, `vgg_16/mean_rgb`) are ignored.

    Args:
      model_path: Checkpoint prefix, or a directory holding a `checkpoint` file (its latest
        checkpoint is used).
      var_list: Variables or `{checkpoint name: variable}`.
      ignore_missing_vars: Skip variables the checkpoint lacks (they keep their values).
      reshape_variables: Let the Saver reshape values whose shapes differ but whose sizes match.
      check_first: Compare every name, shape and dtype with the checkpoint now and raise
        `ValueError` (default False: the callback raises, as in TF-Slim).

    Returns:
      The callback, or None when `ignore_missing_vars` leaves nothing to restore.

    Raises:
      RuntimeError: When called eagerly.
      TypeError: If `var_list` is neither a list nor a dict.
      ValueError: If `var_list` is empty or `model_path` is no checkpoint; with
        `check_first`, listing every variable the checkpoint lacks (and that is not
        ignored) or holds with another shape (beyond a same-size reshape with
        `reshape_variables`) or dtype.
    """
    fn = "assign_from_checkpoint_fn"
    _checks.require_graph(fn)
    if not isinstance(var_list, (list, tuple, dict)):
        _grouped_by_name(var_list, fn)  # Raises the TypeError.
    if not var_list:
        raise ValueError(f"{fn}: `var_list` must not be empty, got {var_list!r}.")
    grouped = _grouped_by_name(var_list, fn)
    model_path = _resolve_checkpoint(model_path, fn)
    reader = _read_checkpoint(model_path, fn)
    if check_first:
        grouped = _check_against_checkpoint(
            fn,
            model_path,
            reader,
            grouped,
            ignore_missing_vars,
            reshape_variables,
            check_dtypes=True,
        )
    elif ignore_missing_vars:
        for name in [name for name in grouped if not reader.has_tensor(name)]:
            v1.logging.warning("%s: %r is not in checkpoint %s; skipped.", fn, name, model_path)
            del grouped[name]
    if not grouped:
        v1.logging.warning("%s: no variable to restore from %s.", fn, model_path)
        return None
    named = {
        name: variables if getattr(variables[0], "_save_slice_info", None) else variables[0]
        for name, variables in grouped.items()
    }
    saver = v1.train.Saver(named, reshape=reshape_variables)

    def callback(session):
        if not check_first:
            _, report, missing = _misfits(
                fn, model_path, reader, grouped, False, reshape_variables, check_dtypes=True
            )
            if report:
                # TF-Slim's Saver raises these classes here; this project's report is the
                # message. (A resource variable would even take a value of another shape.)
                error = tf.errors.NotFoundError if missing else tf.errors.InvalidArgumentError
                raise error(None, None, report)
        saver.restore(session, model_path)

    return callback


class VariableDeviceChooser:
    """A device function that places variables round-robin over parameter-server tasks.

    Args:
      num_tasks: Number of ps tasks; 0 places everything on the local device.
      job_name: Job of the ps tasks.
      device_type: "CPU" or "GPU".
      device_index: Index of the device within a task.
      replica: Replica id, or None.
    """

    def __init__(
        self,
        num_tasks: int = 0,
        job_name: str = "ps",
        device_type: str = "CPU",
        device_index: int = 0,
        replica: int | None = None,
    ):
        self._job_name = job_name
        self._device_type = device_type
        self._device_index = device_index
        self._replica = replica
        self._num_tasks = num_tasks
        self._next_task_id = 0

    def __call__(self, op) -> str:
        device_spec = tf.DeviceSpec(
            replica=self._replica,
            device_type=self._device_type,
            device_index=self._device_index,
        )
        if self._num_tasks > 0:
            task_id = self._next_task_id
            self._next_task_id = (self._next_task_id + 1) % self._num_tasks
            device_spec = device_spec.replace(job=self._job_name, task=task_id)
        return device_spec.to_string()
