"""Model clones (`slimlib.deployment.model_deploy`): one model on several devices, one update.

TF-Slim's deployment pattern (tensorflow/models, research/slim/deployment/model_deploy.py):
`create_clones` calls `model_fn` once per clone, each time in the name scope `clone_<i>/`
and on the clone's device, with the variables of the first call reused by the others, so
every clone computes on the same weights. `optimize_clones` computes each clone's gradients
on its device, from the clone's losses (the `LOSSES` under its scope) divided by the number
of clones, adds the regularization losses to the first clone only, and sums the gradients
over the clones: one optimizer step then sees the gradient of the mean clone loss plus the
regularization. `deploy` does all of that, applies the gradients, and runs the update ops
(batch-norm moving averages) of the first clone only, as TF-Slim does.

`DeploymentConfig` also places the variables on parameter servers (`num_ps_tasks`) and the
clones on the worker job, for replicas trained with `slim.learning.train(master=...)`.
"""

from __future__ import annotations

import collections
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import arg_scope, variables
from slimlib._src.train_op import _remember_learning_rate, add_gradients_summaries

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = [
    "Clone",
    "DeployedModel",
    "DeploymentConfig",
    "create_clones",
    "deploy",
    "optimize_clones",
]

Clone = collections.namedtuple("Clone", ["outputs", "scope", "device"])
Clone.__doc__ = """One call of `model_fn` made by `create_clones`.

Fields:
  outputs: Whatever `model_fn` returned.
  scope: The name scope of the clone, e.g. `"clone_1/"` (`""` when there is one clone);
    `tf.get_collection(tf.GraphKeys.LOSSES, clone.scope)` gives its losses.
  device: The device the clone was built on, e.g. `"/device:GPU:1"`.
"""

DeployedModel = collections.namedtuple(
    "DeployedModel", ["train_op", "summary_op", "total_loss", "clones"]
)
DeployedModel.__doc__ = """What `deploy` built.

Fields:
  train_op: Scalar tensor, the total loss; fetching it applies the summed gradients and
    runs the first clone's update ops. None when `deploy` got no optimizer.
  summary_op: Merged summaries (those present before `deploy`, the first clone's, the
    loss summaries), or None when there are none.
  total_loss: Scalar tensor, the sum of the scaled clone losses and the regularization.
  clones: The list of `Clone`s.
"""

# Op types that create a variable: reference variables (TF-Slim's time) and resource ones.
_VARIABLE_OPS = ("Variable", "VariableV2", "VarHandleOp")


def _check_int(name: str, value: object, minimum: int) -> int:
    fn = "DeploymentConfig"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fn}: `{name}` must be an int, got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{fn}: `{name}` must be >= {minimum}, got {value}.")
    return int(value)


class _RoundRobinPSDevice:
    """Device function: each new variable goes to the next parameter-server task in turn.

    Ops that already have a device keep it, and ops that are not variables get no device
    from here (the enclosing `tf.device` decides).
    """

    def __init__(self, job: str, num_tasks: int):
        self._job = job
        self._num_tasks = num_tasks
        self._next = 0

    def __call__(self, op) -> str:
        if op.device:
            return op.device
        node_def = op if isinstance(op, v1.NodeDef) else op.node_def
        if node_def.op not in _VARIABLE_OPS:
            return op.device
        task, self._next = self._next, (self._next + 1) % self._num_tasks
        return tf.DeviceSpec(
            job=self._job, task=task, device_type="CPU", device_index=0
        ).to_string()


class DeploymentConfig:
    """Where clones, inputs, the optimizer and the variables of a deployed model go.

    A replica (one worker process) holds `num_clones` clones of the model, on GPUs 0, 1,
    ... (or all on the CPU with `clone_on_cpu`). With `num_ps_tasks > 0` the variables
    live on the `ps_job_name` job, spread round-robin over its tasks, and the clones on
    the `worker_job_name` job.

    Args:
      num_clones: Clones per replica, >= 1. Default 1.
      clone_on_cpu: Put every clone on `/device:CPU:0` instead of one GPU each.
      replica_id: Index of this replica (worker task), 0 <= `replica_id` < `num_replicas`;
        0 is usually the chief. Default 0.
      num_replicas: Number of replicas (worker tasks), >= 1. Default 1.
      num_ps_tasks: Number of parameter-server tasks; 0 (default) keeps the variables in
        this process. Must be >= 1 when `num_replicas > 1`.
      worker_job_name: Job name of the workers in the cluster spec. Default `"worker"`.
      ps_job_name: Job name of the parameter servers. Default `"ps"`.

    Raises:
      TypeError: If a count is not an int.
      ValueError: If a count is out of range, `replica_id >= num_replicas`, replicas come
        without parameter servers, or a job name needed is empty.

    Example:
      >>> from slimlib.deployment import model_deploy
      >>> config = model_deploy.DeploymentConfig(num_clones=2)
      >>> config.clone_scope(1), config.clone_device(1), config.variables_device()
      ('clone_1', '/device:GPU:1', '/device:CPU:0')
    """

    def __init__(
        self,
        num_clones: int = 1,
        clone_on_cpu: bool = False,
        replica_id: int = 0,
        num_replicas: int = 1,
        num_ps_tasks: int = 0,
        worker_job_name: str = "worker",
        ps_job_name: str = "ps",
    ):
        fn = "DeploymentConfig"
        self._num_clones = _check_int("num_clones", num_clones, 1)
        self._num_replicas = _check_int("num_replicas", num_replicas, 1)
        self._replica_id = _check_int("replica_id", replica_id, 0)
        self._num_ps_tasks = _check_int("num_ps_tasks", num_ps_tasks, 0)
        if self._replica_id >= self._num_replicas:
            raise ValueError(
                f"{fn}: `replica_id` must be < `num_replicas` ({num_replicas}), got {replica_id}."
            )
        if self._num_replicas > 1 and self._num_ps_tasks < 1:
            raise ValueError(
                f"{fn}: `num_ps_tasks` must be >= 1 when `num_replicas` > 1 (replicas share "
                f"variables through parameter servers), got {num_ps_tasks}."
            )
        if self._num_replicas > 1 or self._num_ps_tasks > 0:
            for name, value in (("worker_job_name", worker_job_name), ("ps_job_name", ps_job_name)):
                if not isinstance(value, str) or not value:
                    raise ValueError(
                        f"{fn}: `{name}` must be a non-empty job name when replicas or "
                        f"parameter servers are used, got {value!r}."
                    )
        self._clone_on_cpu = bool(clone_on_cpu)
        self._worker_job_name = worker_job_name
        self._ps_job_name = ps_job_name
        self._ps_device = "/job:" + ps_job_name if self._num_ps_tasks > 0 else ""
        self._worker_device = "/job:" + worker_job_name if self._num_ps_tasks > 0 else ""

    def __repr__(self) -> str:
        return (
            f"DeploymentConfig(num_clones={self._num_clones}, clone_on_cpu={self._clone_on_cpu}, "
            f"replica_id={self._replica_id}, num_replicas={self._num_replicas}, "
            f"num_ps_tasks={self._num_ps_tasks}, worker_job_name={self._worker_job_name!r}, "
            f"ps_job_name={self._ps_job_name!r})"
        )

    @property
    def num_clones(self) -> int:
        return self._num_clones

    @property
    def clone_on_cpu(self) -> bool:
        return self._clone_on_cpu

    @property
    def replica_id(self) -> int:
        return self._replica_id

    @property
    def num_replicas(self) -> int:
        return self._num_replicas

    @property
    def num_ps_tasks(self) -> int:
        return self._num_ps_tasks

    @property
    def ps_device(self) -> str:
        """`"/job:<ps_job_name>"` with parameter servers, else `""`."""
        return self._ps_device

    @property
    def worker_device(self) -> str:
        """`"/job:<worker_job_name>"` with parameter servers, else `""`."""
        return self._worker_device

    def _check_clone_index(self, method: str, clone_index: object) -> int:
        if isinstance(clone_index, bool) or not isinstance(clone_index, numbers.Integral):
            raise TypeError(
                f"DeploymentConfig.{method}: `clone_index` must be an int, got {clone_index!r}."
            )
        if not 0 <= clone_index < self._num_clones:
            raise ValueError(
                f"DeploymentConfig.{method}: `clone_index` must be in [0, {self._num_clones}) "
                f"(num_clones={self._num_clones}), got {clone_index}."
            )
        return int(clone_index)

    def caching_device(self) -> Callable | None:
        """Where to cache variables read by the clones: next to the reader with parameter
        servers (a device function returning the op's own device), else None (no cache)."""
        if self._num_ps_tasks > 0:
            return lambda op: op.device
        return None

    def clone_device(self, clone_index: int) -> str:
        """Device of clone `clone_index`, for `tf.device`.

        `/device:CPU:0` with `clone_on_cpu`; `/device:GPU:<clone_index>` with several
        clones; `""` (TensorFlow's choice: the first GPU if there is one) for a single
        clone. Prefixed by the worker job with parameter servers.

        Raises:
          ValueError: If `clone_index` is not in `[0, num_clones)`.
        """
        clone_index = self._check_clone_index("clone_device", clone_index)
        device = self._worker_device
        if self._clone_on_cpu:
            device += "/device:CPU:0"
        elif self._num_clones > 1:
            device += "/device:GPU:%d" % clone_index
        return device

    def clone_scope(self, clone_index: int) -> str:
        """Name scope of clone `clone_index`: `"clone_<i>"`, or `""` for a single clone.

        Raises:
          ValueError: If `clone_index` is not in `[0, num_clones)`.
        """
        clone_index = self._check_clone_index("clone_scope", clone_index)
        return "clone_%d" % clone_index if self._num_clones > 1 else ""

    def optimizer_device(self) -> str:
        """Device of the optimizer and the gradient sums: this worker's CPU."""
        return self._worker_device + "/device:CPU:0"

    def inputs_device(self) -> str:
        """Device to build the input pipeline on: this worker's CPU."""
        return self._worker_device + "/device:CPU:0"

    def variables_device(self) -> str | Callable:
        """Device of the variables: the local CPU, or with parameter servers a device
        function that puts each new variable on the next ps task (round-robin)."""
        if self._num_ps_tasks > 0:
            return _RoundRobinPSDevice(self._ps_job_name, self._num_ps_tasks)
        return "/device:CPU:0"


def create_clones(
    config: DeploymentConfig,
    model_fn: Callable,
    args: Sequence | None = None,
    kwargs: dict | None = None,
) -> list:
    """Builds `config.num_clones` clones of a model by calling `model_fn(*args, **kwargs)`.

    Each call runs in the clone's name scope and on its device; slimlib variables (every
    slim layer's) are placed on `config.variables_device()`. The first call creates the
    variables and the others reuse them, so `model_fn` must create them with
    `tf.get_variable` or slim layers (not `tf.Variable`). Losses that `model_fn` adds to
    `LOSSES` (e.g. with `slim.losses`) belong to the clone whose scope they are in.

    Args:
      config: A `DeploymentConfig`.
      model_fn: Builds the model and its losses; its return value is kept as the
        clone's `outputs`.
      args: Positional arguments for `model_fn`. Default none.
      kwargs: Keyword arguments for `model_fn`. Default none.

    Returns:
      A list of `Clone(outputs, scope, device)`, one per clone, in order.

    Raises:
      TypeError: If `config` is not a `DeploymentConfig` or `model_fn` is not callable.
    """
    _check_config("create_clones", config)
    if not callable(model_fn):
        raise TypeError(f"create_clones: `model_fn` must be callable, got {model_fn!r}.")
    args = list(args or [])
    kwargs = dict(kwargs or {})
    clones = []
    with arg_scope.arg_scope(
        [variables.model_variable, variables.variable], device=config.variables_device()
    ):
        for i in range(config.num_clones):
            with v1.name_scope(config.clone_scope(i)) as clone_scope:
                clone_device = config.clone_device(i)
                with tf.device(clone_device):
                    # Without auxiliary_name_scope=False, re-entering an outer variable scope
                    # `model` would repeat its name: `model/clone_0/model/fc/...`.
                    with v1.variable_scope(
                        v1.get_variable_scope(),
                        reuse=True if i > 0 else None,
                        auxiliary_name_scope=False,
                    ):
                        outputs = model_fn(*args, **kwargs)
                    clones.append(Clone(outputs, clone_scope, clone_device))
    return clones


def _check_config(fn: str, config: object) -> None:
    if not isinstance(config, DeploymentConfig):
        raise TypeError(f"{fn}: `config` must be a DeploymentConfig, got {type(config).__name__}.")


def _scalar_summary(tag: str, value: tf.Tensor) -> tf.Tensor:
    """A scalar summary with exactly this tag, in `SUMMARIES`, named in the current scope.

    `tf.compat.v1.summary.scalar` derives the tag from a unique op name, which turns
    `total_loss` into `total_loss_1` next to the `total_loss` tensor; TF-Slim's tags are kept
    here, and the op still lives in the clone's name scope, where `deploy` looks for it.
    """
    summary = tf.raw_ops.ScalarSummary(tags=tag, values=value, name=tag.rsplit("/", 1)[-1])
    v1.add_to_collection(GraphKeys.SUMMARIES, summary)
    return summary


def _gather_clone_loss(clone: Clone, num_clones: int, regularization_losses):
    """The loss of one clone: its `LOSSES` / `num_clones`, plus `regularization_losses`.

    Also adds the summaries `Losses/<clone scope>/clone_loss` and
    `Losses/regularization_loss`, in the current name scope (the clone's). Returns None
    when there is no loss at all.
    """
    clone_loss = regularization_loss = None
    with tf.device(clone.device):
        parts = []
        clone_losses = v1.get_collection(GraphKeys.LOSSES, clone.scope)
        if clone_losses:
            clone_loss = tf.add_n(clone_losses, name="clone_loss")
            if num_clones > 1:
                clone_loss = tf.math.divide(clone_loss, float(num_clones), name="scaled_clone_loss")
            parts.append(clone_loss)
        if regularization_losses:
            regularization_loss = tf.add_n(regularization_losses, name="regularization_loss")
            parts.append(regularization_loss)
        sum_loss = tf.add_n(parts) if parts else None
    if clone_loss is not None:
        _scalar_summary(
            "/".join(filter(None, ["Losses", clone.scope.rstrip("/"), "clone_loss"])), clone_loss
        )
    if regularization_loss is not None:
        _scalar_summary("Losses/regularization_loss", regularization_loss)
    return sum_loss


def _sum(grads: list, var):
    """Sum of the gradients of `var` from several clones (sparse ones stay sparse)."""
    if len(grads) == 1:
        return grads[0]
    if all(isinstance(g, tf.IndexedSlices) for g in grads):
        return tf.IndexedSlices(
            tf.concat([g.values for g in grads], axis=0),
            tf.concat([g.indices for g in grads], axis=0),
            grads[0].dense_shape,
        )
    dense = [tf.convert_to_tensor(g) for g in grads]
    return tf.add_n(dense, name=var.op.name + "/sum_grads")


def _sum_clones_gradients(clone_grads: list) -> list:
    """`[(sum over clones of the gradient, variable)]`, skipping variables with none."""
    summed = []
    for pairs in zip(*clone_grads):
        var = pairs[0][1]
        if any(other is not var for _, other in pairs):
            raise ValueError(
                "optimize_clones: the clones computed gradients for different variables; "
                "each clone must have the same variables in the same order."
            )
        grads = [grad for grad, _ in pairs if grad is not None]
        if grads:
            summed.append((_sum(grads, var), var))
    return summed


def optimize_clones(
    clones: Sequence,
    optimizer,
    regularization_losses: Sequence | None = None,
    **kwargs: Any,
) -> tuple:
    """Computes the total loss and the gradients summed over `clones`.

    Each clone's loss is the sum of the `LOSSES` in its scope divided by the number of
    clones; the first clone also gets `regularization_losses`. Gradients are computed on
    each clone's device and summed per variable, so they are the gradient of
    `total_loss`: the mean clone loss plus the regularization.

    Args:
      clones: The `Clone`s from `create_clones`.
      optimizer: A `tf.compat.v1.train.Optimizer`; its `compute_gradients` is used.
      regularization_losses: Losses added once; default the `REGULARIZATION_LOSSES`
        collection, `[]` for none.
      **kwargs: Passed on to `optimizer.compute_gradients` (e.g. `var_list`).

    Returns:
      `(total_loss, grads_and_vars)`: a scalar tensor, and a list of `(summed gradient,
      variable)` for every variable with a gradient.

    Raises:
      ValueError: If `clones` is empty or no clone has a loss.
      TypeError: If `optimizer` has no `compute_gradients`.
    """
    fn = "optimize_clones"
    clones = list(clones)
    if not clones:
        raise ValueError(f"{fn}: `clones` must not be empty, got [].")
    if not hasattr(optimizer, "compute_gradients"):
        raise TypeError(
            f"{fn}: `optimizer` must be a tf.compat.v1.train.Optimizer, "
            f"got {type(optimizer).__name__}."
        )
    if regularization_losses is None:
        regularization_losses = v1.get_collection(GraphKeys.REGULARIZATION_LOSSES)
    clone_losses, clone_grads = [], []
    for clone in clones:
        with v1.name_scope(clone.scope):
            loss = _gather_clone_loss(clone, len(clones), regularization_losses)
            if loss is not None:
                with tf.device(clone.device):
                    clone_grads.append(optimizer.compute_gradients(loss, **kwargs))
                clone_losses.append(loss)
        regularization_losses = None  # Only the first clone with a loss carries them.
    if not clone_losses:
        raise ValueError(
            f"{fn}: no clone has a loss: `model_fn` must add its losses to the LOSSES "
            "collection (e.g. with slim.losses.softmax_cross_entropy)."
        )
    total_loss = tf.add_n(clone_losses, name="total_loss")
    return total_loss, _sum_clones_gradients(clone_grads)


def deploy(
    config: DeploymentConfig,
    model_fn: Callable,
    args: Sequence | None = None,
    kwargs: dict | None = None,
    optimizer=None,
    summarize_gradients: bool = False,
) -> DeployedModel:
    """Builds the clones of a model and, given an optimizer, one train op for all of them.

    With an optimizer: the global step is created on the variables device, the gradients
    are summed over the clones (`optimize_clones`) and applied on the optimizer device, and
    `train_op` also runs the `UPDATE_OPS` of the first clone (batch-norm statistics are
    updated from one clone, as in TF-Slim). Pass `train_op` and `summary_op` to
    `slim.learning.train`.

    Args:
      config: A `DeploymentConfig`.
      model_fn: Builds the model and adds its losses; see `create_clones`.
      args: Positional arguments for `model_fn`.
      kwargs: Keyword arguments for `model_fn`.
      optimizer: A `tf.compat.v1.train.Optimizer`; None builds only the losses.
      summarize_gradients: Add a histogram and a norm summary per summed gradient.

    Returns:
      A `DeployedModel(train_op, summary_op, total_loss, clones)`.

    Raises:
      TypeError: If `config` is not a `DeploymentConfig` or `model_fn` is not callable.
      ValueError: If no clone has a loss while an optimizer is given.

    Example:
      >>> import tempfile
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> from slimlib.deployment import model_deploy
      >>> def model_fn(x, y):
      ...     pred = slim.fully_connected(x, 1, activation_fn=None, scope="fc")
      ...     slim.losses.mean_squared_error(pred, y)
      >>> with tf.Graph().as_default():
      ...     config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=True)
      ...     model = model_deploy.deploy(
      ...         config, model_fn, [tf.ones([4, 3]), tf.ones([4, 1])],
      ...         optimizer=tf.train.GradientDescentOptimizer(0.1))
      ...     [clone.scope for clone in model.clones]
      ...     loss = slim.learning.train(model.train_op, tempfile.mkdtemp(), number_of_steps=2,
      ...                                summary_op=model.summary_op)
      ['clone_0/', 'clone_1/']
    """
    _check_config("deploy", config)
    summaries = set(v1.get_collection(GraphKeys.SUMMARIES))
    clones = create_clones(config, model_fn, args, kwargs)
    first_clone = clones[0]
    update_ops = list(v1.get_collection(GraphKeys.UPDATE_OPS, first_clone.scope))

    train_op = total_loss = None
    with tf.device(config.optimizer_device()):
        if optimizer is not None:
            with tf.device(config.variables_device()):
                global_step = variables.get_or_create_global_step()
            _remember_learning_rate(optimizer)
            total_loss, grads_and_vars = optimize_clones(clones, optimizer)
            if grads_and_vars:
                if summarize_gradients:
                    summaries |= set(add_gradients_summaries(grads_and_vars))
                update_ops.append(
                    optimizer.apply_gradients(grads_and_vars, global_step=global_step)
                )
                with tf.control_dependencies([tf.group(*update_ops)]):
                    train_op = tf.identity(total_loss, name="train_op")
        else:
            losses = []
            regularization_losses = v1.get_collection(GraphKeys.REGULARIZATION_LOSSES)
            for clone in clones:
                with v1.name_scope(clone.scope):
                    loss = _gather_clone_loss(clone, len(clones), regularization_losses)
                if loss is not None:
                    losses.append(loss)
                regularization_losses = None
            if losses:
                total_loss = tf.add_n(losses, name="total_loss")

        summaries |= set(v1.get_collection(GraphKeys.SUMMARIES, first_clone.scope))
        if total_loss is not None:
            summaries.add(_scalar_summary("total_loss", total_loss))
        summary_op = None
        if summaries:
            ordered = sorted(summaries, key=lambda summary: summary.name)
            summary_op = v1.summary.merge(ordered, name="summary_op")
    return DeployedModel(train_op, summary_op, total_loss, clones)
