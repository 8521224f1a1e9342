"""Variables: creation with devices and collections, lookup, and restoring values.

TF-Slim's `variables` module on `tf.compat.v1` graph APIs. Model variables are
the parameters of a model (layer weights, batch-norm statistics); they live in
`MODEL_VARIABLES` besides `GLOBAL_VARIABLES`, and are what a checkpoint restores.
"""

from __future__ import annotations

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


def _device_for(device: str | Callable | None, name: str) -> str | Callable:
    """Resolves `device`; a callable (like `VariableDeviceChooser`) gets a stand-in op."""
    if not callable(device):
        return device or ""

    class _VariableOp:  # What a device function sees for a variable about to be made.
        def __init__(self, op_name: str):
            self.name = op_name
            self.type = "VariableV2"
            self.device = ""

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
    op_name = f"{v1.get_variable_scope().name}/{name}".lstrip("/")
    with tf.device(_device_for(device, op_name)):
        return v1.get_variable(
            name,
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            regularizer=regularizer,
            trainable=trainable,
            collections=collections,
            caching_device=caching_device,
            partitioner=partitioner,
            custom_getter=custom_getter,
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
    if var not in v1.get_collection(GraphKeys.MODEL_VARIABLES):
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
    return [var for var in candidates if id(var) not in excluded]


def get_variables_by_suffix(suffix: str, scope=None) -> list:
    """Variables whose names end with `suffix`."""
    return get_variables(scope=scope, suffix=suffix)


def get_variables_by_name(given_name: str, scope=None) -> list:
    """Variables whose last name component is `given_name` (e.g. every `weights`)."""
    suffix = "/" + given_name + ":|^" + given_name + ":"
    return get_variables(scope=scope, suffix=suffix)


def get_unique_variable(var_op_name: str):
    """The one variable named exactly `var_op_name`.

    Raises:
      ValueError: If no variable, or more than one, has that name.
    """
    candidates = get_variables(scope=re.escape(var_op_name))
    found = [var for var in candidates if var.op.name == var_op_name]
    if not found:
        names = [var.op.name for var in get_variables()]
        raise ValueError(
            f"get_unique_variable: no variable named {var_op_name!r}."
            + _checks.did_you_mean(var_op_name, names)
        )
    if len(found) > 1:
        raise ValueError(
            f"get_unique_variable: {len(found)} variables are named {var_op_name!r}."
        )
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
    """Keeps variables matching any include pattern and no exclude pattern (regex or substring)."""

    def matches(name: str, patterns) -> bool:
        if reg_search:
            return any(re.search(p, name) for p in patterns)
        return any(p in name for p in patterns)

    kept = []
    for var in var_list:
        name = var.op.name
        if include_patterns is not None and not matches(name, include_patterns):
            continue
        if exclude_patterns is not None and matches(name, exclude_patterns):
            continue
        kept.append(var)
    return kept


def _variables_by_name(var_list, fn: str) -> dict[str, Any]:
    """Normalises a list or dict of variables into `{checkpoint name: variable}`."""
    if isinstance(var_list, dict):
        return dict(var_list)
    if isinstance(var_list, (list, tuple)):
        out = {}
        for var in var_list:
            out[get_variable_full_name(var)] = var
        return out
    raise TypeError(
        f"{fn}: `var_list` must be a list of variables or a dict of name -> variable, "
        f"got {var_list!r}."
    )


def assign_from_values(var_names_to_values: dict[str, Any]):
    """An op that assigns values to model variables by name, fed through placeholders.

    Args:
      var_names_to_values: `{model variable name: numpy value}`.

    Returns:
      `(assign_op, feed_dict)` to run as `sess.run(assign_op, feed_dict)`.

    Raises:
      ValueError: If a name matches no model variable or a value has the wrong shape.
    """
    feed_dict = {}
    assign_ops = []
    for name, value in var_names_to_values.items():
        matches = get_variables(re.escape(name), collection=GraphKeys.MODEL_VARIABLES)
        matches = [v for v in matches if v.op.name == name]
        if not matches:
            names = [v.op.name for v in get_model_variables()]
            raise ValueError(
                f"assign_from_values: no model variable named {name!r}."
                + _checks.did_you_mean(name, names)
            )
        var = matches[0]
        value = np.asarray(value)
        if not var.shape.is_compatible_with(value.shape):
            raise ValueError(
                f"assign_from_values: value for {name!r} must have shape {var.shape}, "
                f"got {value.shape}."
            )
        placeholder = v1.placeholder(
            var.dtype.base_dtype, shape=var.shape, name="placeholder/" + var.op.name
        )
        assign_ops.append(var.assign(placeholder))
        feed_dict[placeholder] = value.reshape(var.shape.as_list())
    return tf.group(*assign_ops), feed_dict


def assign_from_values_fn(var_names_to_values: dict[str, Any]) -> Callable:
    """`assign_from_values` as a callback `fn(session)` (e.g. a training `init_fn`)."""
    assign_op, feed_dict = assign_from_values(var_names_to_values)

    def callback(session):
        return session.run(assign_op, feed_dict)

    return callback


def _read_checkpoint(model_path: str, fn: str):
    try:
        return tf.train.load_checkpoint(model_path)
    except (tf.errors.NotFoundError, ValueError) as err:
        raise ValueError(
            f"{fn}: `model_path` must name a readable checkpoint, got {model_path!r} ({err})."
        ) from err


def assign_from_checkpoint(model_path: str, var_list, ignore_missing_vars: bool = False):
    """An op that loads variables from a checkpoint, fed through placeholders.

    Args:
      model_path: Checkpoint prefix (or a directory holding a `checkpoint` file).
      var_list: Variables (saved under `var.op.name`) or `{checkpoint name: variable}`.
      ignore_missing_vars: Skip variables the checkpoint lacks instead of raising.

    Returns:
      `(assign_op, feed_dict)`.

    Raises:
      ValueError: If a variable is missing (and not ignored) or a shape differs.
    """
    fn = "assign_from_checkpoint"
    if tf.io.gfile.isdir(model_path):
        model_path = tf.train.latest_checkpoint(model_path) or model_path
    reader = _read_checkpoint(model_path, fn)
    shapes = reader.get_variable_to_shape_map()
    feed_dict = {}
    assign_ops = []
    for ckpt_name, var in _variables_by_name(var_list, fn).items():
        if ckpt_name not in shapes:
            if ignore_missing_vars:
                continue
            raise ValueError(
                f"{fn}: variable {ckpt_name!r} is not in checkpoint {model_path!r}."
                + _checks.did_you_mean(ckpt_name, shapes)
            )
        value = reader.get_tensor(ckpt_name)
        if not var.shape.is_compatible_with(value.shape):
            raise ValueError(
                f"{fn}: {ckpt_name!r} must have shape {var.shape} to fit "
                f"{var.op.name!r}, got {list(value.shape)} in the checkpoint."
            )
        placeholder = v1.placeholder(
            var.dtype.base_dtype, shape=var.shape, name="placeholder/" + var.op.name
        )
        assign_ops.append(var.assign(placeholder))
        feed_dict[placeholder] = value
    return tf.group(*assign_ops), feed_dict


def assign_from_checkpoint_fn(
    model_path: str, var_list, ignore_missing_vars: bool = False, reshape_variables: bool = False
) -> Callable | None:
    """A callback `fn(session)` that restores `var_list` from a checkpoint with a Saver.

    Extra entries in the checkpoint (`global_step`, `vgg_16/mean_rgb`) are ignored.

    Args:
      model_path: Checkpoint prefix.
      var_list: Variables or `{checkpoint name: variable}`.
      ignore_missing_vars: Skip variables the checkpoint lacks (they keep their values).
      reshape_variables: Let the Saver reshape values whose shapes differ.

    Returns:
      The callback, or None when nothing is left to restore.

    Raises:
      ValueError: If `var_list` is empty or a variable is missing (and not ignored).
    """
    fn = "assign_from_checkpoint_fn"
    if not var_list:
        raise ValueError(f"{fn}: `var_list` must not be empty, got {var_list!r}.")
    named = _variables_by_name(var_list, fn)
    if ignore_missing_vars:
        reader = _read_checkpoint(model_path, fn)
        named = {k: v for k, v in named.items() if reader.has_tensor(k)}
        if not named:
            return None
    saver = v1.train.Saver(named, reshape=reshape_variables)

    def callback(session):
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
