"""Losses (`slim.losses`): weighted loss functions kept in the `LOSSES` collection.

TF-Slim's loss functions on `tf.compat.v1` graph APIs. They take predictions (or
logits) first and labels second, the reverse of `tf.losses`. Every weighted loss
returns a scalar mean and adds it to `LOSSES`, so `get_total_loss()` can sum
them with the regularization losses.

How `weights` work (shared by every weighted loss):

* A scalar multiplies the mean loss.
* A tensor `[batch]` (or `[batch, 1]`) weights each example; a tensor with the
  shape of the per-element losses weights each element; in general any shape that
  is a prefix of the losses' shape, where a dimension of 1 broadcasts.
* The result is `sum(weights * losses) / num_present`, where `num_present` counts
  the loss elements whose weight is non-zero: a weight of 0 masks elements out of
  the mean instead of pulling it towards 0.
"""

from __future__ import annotations

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.arg_scope import add_untraced_arg_scope

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = [
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "cosine_distance",
    "get_losses",
    "get_regularization_losses",
    "get_total_loss",
    "hinge_loss",
    "log_loss",
    "mean_pairwise_squared_error",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
    "sum_of_squares",
]


def _shape(tensor: tf.Tensor) -> str:
    """A static shape as `[2, None]`, or `<unknown>` when even the rank is unknown."""
    shape = tensor.shape
    return "<unknown>" if shape.rank is None else str(shape.as_list())


def _required(fn: str, name: str, value: object) -> tf.Tensor:
    """Converts a required tensor argument, rejecting `None` (TF-Slim's defaults are None)."""
    if value is None:
        raise ValueError(f"{fn}: `{name}` must be a tensor, got None.")
    return _checks.to_tensor(fn, name, value)


def _check_same_shape(fn: str, ref_name: str, ref: tf.Tensor, name: str, other: tf.Tensor):
    if not ref.shape.is_compatible_with(other.shape):
        raise ValueError(
            f"{fn}: `{name}` must have shape {_shape(ref)} (the shape of `{ref_name}`), "
            f"got {_shape(other)}."
        )


def _check_label_smoothing(fn: str, value: object) -> object:
    """A Python number in [0, 1]; a tensor is accepted unchecked (applied as given)."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{fn}: `label_smoothing` must be a number in [0, 1], got {value!r}.")
    if not 0 <= value <= 1:
        raise ValueError(f"{fn}: `label_smoothing` must be in [0, 1], got {value!r}.")
    return value


def _weights_tensor(fn: str, weights: object) -> tf.Tensor:
    if weights is None:
        raise ValueError(
            f"{fn}: `weights` must be a number or a tensor, got None (use 1.0 for no weighting)."
        )
    weights = tf.cast(_checks.to_tensor(fn, "weights", weights), tf.float32)
    if weights.shape.rank is None:
        raise ValueError(f"{fn}: `weights` must have a known rank, got shape <unknown>.")
    return weights


def _align_weights(fn: str, weights: tf.Tensor, losses: tf.Tensor) -> tf.Tensor:
    """Squeezes a trailing 1 (`[batch, 1]` -> `[batch]`) and checks `weights` fits `losses`.

    `weights` must have rank <= the rank of `losses` and each of its dimensions must
    be 1 or the size of the same dimension of `losses`.
    """
    if weights.shape.rank > 1 and weights.shape[-1] == 1:
        weights = tf.squeeze(weights, [-1])
    elif weights.shape.rank > max(losses.shape.rank, 1) and weights.shape[-1] is None:
        # Only a `[batch, 1]` fed at run time can fit (TF-Slim squeezes any dimension that
        # may be 1): check that it is 1 when the graph runs.
        last = tf.shape(weights)[-1]
        check = tf.debugging.assert_equal(
            last,
            1,
            message=f"{fn}: `weights` of shape {_shape(weights)} must be fed as [batch, 1] "
            f"to weigh losses of shape {losses.shape.as_list()}; its last dimension is",
        )
        with tf.control_dependencies([check]):
            weights = tf.squeeze(weights, [-1])
    w_dims = weights.shape.as_list()
    l_dims = losses.shape.as_list()
    fits = len(w_dims) <= len(l_dims) and all(
        w is None or d is None or w in (1, d) for w, d in zip(w_dims, l_dims)
    )
    if not fits:
        raise ValueError(
            f"{fn}: `weights` must be a scalar, `[batch]`, `[batch, 1]` or a prefix of the "
            f"losses' shape {l_dims} (dimensions of 1 broadcast), got {_shape(weights)}."
        )
    return weights


def _weighted_sum(losses: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """`sum(weights * losses)`, with `weights` broadcast over the trailing loss dimensions."""
    trailing = list(range(weights.shape.rank, losses.shape.rank))
    per_weight = tf.reduce_sum(losses, axis=trailing) if trailing else losses
    return tf.reduce_sum(per_weight * weights)


def _num_present(losses: tf.Tensor, weights: tf.Tensor, per_batch: bool = False) -> tf.Tensor:
    """How many loss elements have a non-zero weight (in total, or per example `[batch]`)."""
    if weights.shape.rank == 0:
        present = tf.cast(tf.not_equal(weights, 0.0), tf.float32)
        if not per_batch:
            return present * tf.cast(tf.size(losses), tf.float32)
        batch = tf.shape(losses)[0]
        per_example = tf.cast(tf.size(losses), tf.float32) / tf.cast(batch, tf.float32)
        return tf.ones(tf.reshape(batch, [1])) * per_example * present
    rank = weights.shape.rank
    loss_shape = tf.shape(losses)
    nonzero = tf.cast(tf.not_equal(tf.broadcast_to(weights, loss_shape[:rank]), 0.0), tf.float32)
    # Each weight covers every element of the loss dimensions it does not have.
    covered = tf.cast(tf.reduce_prod(loss_shape[rank:]), tf.float32)
    if per_batch:
        return tf.reduce_sum(nonzero, axis=list(range(1, rank))) * covered
    return tf.reduce_sum(nonzero) * covered


def _weighted_mean(fn: str, losses: tf.Tensor, weights: object, scope: str | None) -> tf.Tensor:
    """The weighted mean of `losses` (see the module docstring), added to `LOSSES`."""
    _checks.require_graph(fn)
    with v1.name_scope(scope, "weighted_loss", [losses, weights]):
        losses = _checks.to_tensor(fn, "losses", losses)
        input_dtype = losses.dtype
        losses = tf.cast(losses, tf.float32)
        if losses.shape.rank is None:
            raise ValueError(f"{fn}: the losses must have a known rank, got shape <unknown>.")
        weights = _align_weights(fn, _weights_tensor(fn, weights), losses)
        total = _weighted_sum(losses, weights)
        mean = tf.math.divide_no_nan(total, _num_present(losses, weights), name="value")
        mean = tf.cast(mean, input_dtype)
        add_loss(mean)
        return mean


def compute_weighted_loss(losses, weights=1.0, scope: str | None = None) -> tf.Tensor:
    """The weighted mean of `losses`, added to the `LOSSES` collection.

    Args:
      losses: Tensor `[batch, d1, ..., dN]` of per-element losses.
      weights: Scalar, `[batch]`, `[batch, 1]` or `[batch, d1, ..., dK]` (K <= N); default 1.
      scope: Name scope; default `"weighted_loss"`.

    Returns:
      Scalar tensor `sum(weights * losses) / num_present` in the dtype of `losses`
      (0 when every weight is 0).

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      ValueError: If `weights` is None, a rank is unknown, or `weights` does not fit `losses`.

    Example:
      >>> import tensorflow as tf
      >>> from slimlib import losses
      >>> with tf.Graph().as_default():
      ...     loss = losses.compute_weighted_loss([[1.0, 3.0], [5.0, 7.0]], weights=[1.0, 0.0])
      ...     print(tf.compat.v1.Session().run(loss))
      2.0
    """
    return _weighted_mean("compute_weighted_loss", losses, weights, scope)


@add_untraced_arg_scope
def add_loss(loss: tf.Tensor, loss_collection: str | None = GraphKeys.LOSSES) -> None:
    """Adds a loss computed elsewhere to `loss_collection` (default `LOSSES`; None: nowhere).

    `get_total_loss()` then includes it.
    """
    if loss_collection:
        v1.add_to_collection(loss_collection, loss)


def get_losses(scope: str | None = None, loss_collection: str = GraphKeys.LOSSES) -> list:
    """The losses in `loss_collection` whose names start with `scope` (a regex)."""
    return v1.get_collection(loss_collection, scope)


def get_regularization_losses(scope: str | None = None) -> list:
    """The losses in `REGULARIZATION_LOSSES` (from `weights_regularizer`) under `scope`."""
    return v1.get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss") -> tf.Tensor:
    """The sum of every loss in `LOSSES`, plus the regularization losses by default.

    Args:
      add_regularization_losses: Also add `REGULARIZATION_LOSSES`. Default True.
      name: Name of the returned tensor.

    Returns:
      Scalar tensor.

    Raises:
      ValueError: If there is no loss to sum.
    """
    losses = get_losses()
    if add_regularization_losses:
        losses += get_regularization_losses()
    if not losses:
        where = "LOSSES and REGULARIZATION_LOSSES" if add_regularization_losses else "LOSSES"
        raise ValueError(
            f"get_total_loss: there must be at least one loss to sum, got none in {where}. "
            "Call a loss function (e.g. `slim.losses.softmax_cross_entropy`) or "
            "`slim.losses.add_loss` first."
        )
    return tf.add_n(losses, name=name)


def absolute_difference(
    predictions, labels=None, weights=1.0, scope: str | None = None
) -> tf.Tensor:
    """Weighted mean of `|predictions - labels|`, added to `LOSSES`.

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`.
      weights: See the module docstring; default 1.
      scope: Name scope; default `"absolute_difference"`.

    Returns:
      Scalar float32 tensor.

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      ValueError: If `labels` is None or the shapes differ, or `weights` does not fit.
    """
    fn = "absolute_difference"
    with v1.name_scope(scope, fn, [predictions, labels, weights]) as scope:
        predictions = _required(fn, "predictions", predictions)
        labels = _required(fn, "labels", labels)
        _check_same_shape(fn, "predictions", predictions, "labels", labels)
        diff = tf.cast(predictions, tf.float32) - tf.cast(labels, tf.float32)
        return _weighted_mean(fn, tf.abs(diff), weights, scope)


def mean_squared_error(
    predictions, labels=None, weights=1.0, scope: str | None = None
) -> tf.Tensor:
    """Weighted mean of `(predictions - labels) ** 2`, added to `LOSSES`.

    Args:
      predictions: Float tensor of any shape.
      labels: Tensor with the shape of `predictions`.
      weights: See the module docstring; default 1.
      scope: Name scope; default `"mean_squared_error"`.

    Returns:
      Scalar float32 tensor.

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      ValueError: If `labels` is None or the shapes differ, or `weights` does not fit.
    """
    return _squared_error("mean_squared_error", predictions, labels, weights, scope)


def sum_of_squares(predictions, labels=None, weights=1.0, scope: str | None = None) -> tf.Tensor:
    """`mean_squared_error` under the name the TF-Slim README uses (and contrib's first name).

    Despite the name it is the weighted *mean* of the squared differences, as it was
    in TF-Slim. Default scope `"sum_of_squares_loss"`.
    """
    return _squared_error("sum_of_squares", predictions, labels, weights, scope)


def _squared_error(fn: str, predictions, labels, weights, scope) -> tf.Tensor:
    default_scope = "sum_of_squares_loss" if fn == "sum_of_squares" else fn
    with v1.name_scope(scope, default_scope, [predictions, labels, weights]) as scope:
        predictions = _required(fn, "predictions", predictions)
        labels = _required(fn, "labels", labels)
        _check_same_shape(fn, "predictions", predictions, "labels", labels)
        losses = tf.math.squared_difference(
            tf.cast(predictions, tf.float32), tf.cast(labels, tf.float32)
        )
        return _weighted_mean(fn, losses, weights, scope)


def log_loss(
    predictions, labels=None, weights=1.0, epsilon: float = 1e-7, scope: str | None = None
) -> tf.Tensor:
    """Weighted mean binary cross entropy of probabilities, added to `LOSSES`.

    Each element is `-labels * log(p + epsilon) - (1 - labels) * log(1 - p + epsilon)`.

    Args:
      predictions: Probabilities in [0, 1], any shape.
      labels: Tensor with the shape of `predictions`, values in [0, 1].
      weights: See the module docstring; default 1.
      epsilon: Added inside the logs to avoid `log(0)`; default 1e-7.
      scope: Name scope; default `"log_loss"`.

    Returns:
      Scalar float32 tensor.

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      ValueError: If `labels` is None or the shapes differ, or `weights` does not fit.
    """
    fn = "log_loss"
    with v1.name_scope(scope, fn, [predictions, labels, weights]) as scope:
        predictions = _required(fn, "predictions", predictions)
        labels = _required(fn, "labels", labels)
        _check_same_shape(fn, "predictions", predictions, "labels", labels)
        p = tf.cast(predictions, tf.float32)
        y = tf.cast(labels, tf.float32)
        losses = -y * tf.math.log(p + epsilon) - (1.0 - y) * tf.math.log(1.0 - p + epsilon)
        return _weighted_mean(fn, losses, weights, scope)


def hinge_loss(logits, labels=None, scope: str | None = None) -> tf.Tensor:
    """Per-element hinge loss `max(0, 1 - (2 * labels - 1) * logits)`, unweighted.

    As in TF-Slim this returns the element-wise losses (not a scalar) and does not
    add them to `LOSSES`; reduce them and call `add_loss` to train on them.

    Args:
      logits: Float tensor; > 0 predicts the positive class.
      labels: Tensor with the shape of `logits`, values 0 or 1.
      scope: Name scope; default `"hinge_loss"`.

    Returns:
      Tensor with the shape of `logits`.

    Raises:
      ValueError: If `labels` is None or the shapes differ.
    """
    fn = "hinge_loss"
    with v1.name_scope(scope, fn, [logits, labels]):
        logits = _required(fn, "logits", logits)
        labels = _required(fn, "labels", labels)
        _check_same_shape(fn, "logits", logits, "labels", labels)
        signs = 2.0 * tf.cast(labels, logits.dtype) - 1.0
        return tf.nn.relu(1.0 - signs * logits)


def sigmoid_cross_entropy(
    logits, multi_class_labels, weights=1.0, label_smoothing=0, scope: str | None = None
) -> tf.Tensor:
    """Weighted mean sigmoid cross entropy (independent binary labels), added to `LOSSES`.

    With `label_smoothing = s > 0` the labels move towards 1/2:
    `labels * (1 - s) + 0.5 * s`.

    Args:
      logits: Float tensor `[batch, num_classes]`.
      multi_class_labels: Tensor with the shape of `logits`, values in [0, 1].
      weights: Scalar, `[batch]` or `[batch, num_classes]`; default 1.
      label_smoothing: Number in [0, 1]; default 0 (none).
      scope: Name scope; default `"sigmoid_cross_entropy_loss"`.

    Returns:
      Scalar tensor in the dtype of `logits`.

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      TypeError: If `label_smoothing` is not a number.
      ValueError: If the shapes differ, `label_smoothing` is outside [0, 1] or `weights`
        does not fit.
    """
    fn = "sigmoid_cross_entropy"
    label_smoothing = _check_label_smoothing(fn, label_smoothing)
    with v1.name_scope(
        scope, "sigmoid_cross_entropy_loss", [logits, multi_class_labels, weights]
    ) as scope:
        logits = _required(fn, "logits", logits)
        labels = _required(fn, "multi_class_labels", multi_class_labels)
        _check_same_shape(fn, "logits", logits, "multi_class_labels", labels)
        labels = tf.cast(labels, logits.dtype)
        if isinstance(label_smoothing, tf.Tensor) or label_smoothing > 0:
            smoothing = tf.cast(label_smoothing, logits.dtype)
            labels = labels * (1.0 - smoothing) + 0.5 * smoothing
        losses = tf.nn.sigmoid_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return _weighted_mean(fn, losses, weights, scope)


def softmax_cross_entropy(
    logits, onehot_labels, weights=1.0, label_smoothing=0, scope: str | None = None
) -> tf.Tensor:
    """Weighted mean softmax cross entropy against one-hot labels, added to `LOSSES`.

    With `label_smoothing = s > 0` the labels move towards uniform:
    `onehot_labels * (1 - s) + s / num_classes`. No gradient flows into the labels.

    Args:
      logits: Float tensor `[batch, num_classes]`.
      onehot_labels: Tensor `[batch, num_classes]` (one-hot, or a distribution).
      weights: Scalar, `[batch]` or `[batch, 1]`; default 1.
      label_smoothing: Number in [0, 1]; default 0 (none).
      scope: Name scope; default `"softmax_cross_entropy_loss"`.

    Returns:
      Scalar tensor in the dtype of `logits`.

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      TypeError: If `label_smoothing` is not a number.
      ValueError: If the shapes differ, `label_smoothing` is outside [0, 1] or `weights`
        does not fit.

    Example:
      >>> import tensorflow as tf
      >>> from slimlib import losses
      >>> with tf.Graph().as_default():
      ...     loss = losses.softmax_cross_entropy([[0.0, 0.0]], [[1.0, 0.0]])
      ...     print(round(float(tf.compat.v1.Session().run(loss)), 4))
      0.6931
    """
    fn = "softmax_cross_entropy"
    label_smoothing = _check_label_smoothing(fn, label_smoothing)
    with v1.name_scope(
        scope, "softmax_cross_entropy_loss", [logits, onehot_labels, weights]
    ) as scope:
        logits = _required(fn, "logits", logits)
        labels = _required(fn, "onehot_labels", onehot_labels)
        _check_same_shape(fn, "logits", logits, "onehot_labels", labels)
        labels = tf.cast(labels, logits.dtype)
        if isinstance(label_smoothing, tf.Tensor) or label_smoothing > 0:
            smoothing = tf.cast(label_smoothing, logits.dtype)
            num_classes = tf.cast(tf.shape(labels)[-1], logits.dtype)
            labels = labels * (1.0 - smoothing) + smoothing / num_classes
        losses = tf.nn.softmax_cross_entropy_with_logits(
            labels=tf.stop_gradient(labels), logits=logits, name="xentropy"
        )
        return _weighted_mean(fn, losses, weights, scope)


def sparse_softmax_cross_entropy(
    logits, labels, weights=1.0, scope: str | None = None
) -> tf.Tensor:
    """Weighted mean softmax cross entropy against class indices, added to `LOSSES`.

    Args:
      logits: Float tensor `[batch, num_classes]`.
      labels: Integer tensor `[batch]` or `[batch, 1]`, values in `[0, num_classes)`.
      weights: Scalar, `[batch]` or `[batch, 1]`; default 1.
      scope: Name scope; default `"sparse_softmax_cross_entropy_loss"`.

    Returns:
      Scalar tensor in the dtype of `logits`.

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      TypeError: If `labels` is not an integer tensor.
      ValueError: If `logits` is not rank 2, `labels` is not `[batch]` / `[batch, 1]` with
        the batch size of `logits`, or `weights` does not fit.
    """
    fn = "sparse_softmax_cross_entropy"
    with v1.name_scope(
        scope, "sparse_softmax_cross_entropy_loss", [logits, labels, weights]
    ) as scope:
        logits = _required(fn, "logits", logits)
        labels = _required(fn, "labels", labels)
        if not labels.dtype.is_integer:
            raise TypeError(
                f"{fn}: `labels` must be an integer tensor of class indices, got dtype "
                f"{labels.dtype.name}. For one-hot labels use `softmax_cross_entropy`."
            )
        if logits.shape.rank not in (None, 2):
            raise ValueError(
                f"{fn}: `logits` must have shape [batch, num_classes], got {_shape(logits)}."
            )
        batch = logits.shape[0] if logits.shape.rank else None
        if not _is_batch_vector(labels, batch):
            raise ValueError(
                f"{fn}: `labels` must have shape [{batch}] or [{batch}, 1] (the batch of "
                f"`logits`), got {_shape(labels)}."
            )
        labels = tf.reshape(labels, [tf.shape(labels)[0]])
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits, name="xentropy"
        )
        return _weighted_mean(fn, losses, weights, scope)


def _is_batch_vector(labels: tf.Tensor, batch: int | None) -> bool:
    """Whether `labels` is statically compatible with `[batch]` or `[batch, 1]`."""
    if labels.shape.rank is None:
        return True
    return labels.shape.is_compatible_with([batch]) or labels.shape.is_compatible_with([batch, 1])


def mean_pairwise_squared_error(
    predictions, labels=None, weights=1.0, scope: str | None = None
) -> tf.Tensor:
    """Squared error of the pairwise differences within each example, added to `LOSSES`.

    For one example with differences `d = predictions - labels` over its `n` weighted
    elements, the loss is `2 * mean(d ** 2) - 2 * mean(d) ** 2`, i.e. the mean over
    all ordered pairs `(i, j)` of `(d_i - d_j) ** 2`. Pairs never span examples. As in
    TF-Slim the per-example losses are multiplied by `weights` and *summed* over the
    batch.

    Args:
      predictions: Float tensor `[batch, d0, ..., dN]`.
      labels: Tensor with the shape of `predictions`.
      weights: Scalar, `[batch]` or `[batch, 1]`; default 1.
      scope: Name scope; default `"mean_pairwise_squared_error"`.

    Returns:
      Scalar float32 tensor (0 when every weight is 0).

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      ValueError: If `labels` is None, the shapes differ, `predictions` has rank 0 or an
        unknown rank, or `weights` is not a scalar or per-example.
    """
    fn = "mean_pairwise_squared_error"
    _checks.require_graph(fn)
    with v1.name_scope(scope, fn, [predictions, labels, weights]):
        predictions = _required(fn, "predictions", predictions)
        labels = _required(fn, "labels", labels)
        _check_same_shape(fn, "predictions", predictions, "labels", labels)
        if predictions.shape.rank in (None, 0):
            raise ValueError(
                f"{fn}: `predictions` must have shape [batch, ...], got {_shape(predictions)}."
            )
        weights = _weights_tensor(fn, weights)
        if weights.shape.rank == 2 and weights.shape[-1] == 1:
            weights = tf.squeeze(weights, [-1])
        if weights.shape.rank > 1 or not weights.shape.is_compatible_with(
            predictions.shape[:1] if weights.shape.rank else []
        ):
            raise ValueError(
                f"{fn}: `weights` must be a scalar, `[batch]` or `[batch, 1]` with batch "
                f"{predictions.shape[0]}, got {_shape(weights)}."
            )
        diffs = tf.cast(predictions, tf.float32) - tf.cast(labels, tf.float32)
        axes = list(range(1, diffs.shape.rank))
        count = _num_present(diffs, weights, per_batch=True)
        mean_square = tf.math.divide_no_nan(tf.reduce_sum(tf.square(diffs), axis=axes), count)
        mean = tf.math.divide_no_nan(tf.reduce_sum(diffs, axis=axes), count)
        per_example = 2.0 * mean_square - 2.0 * tf.square(mean)
        total = tf.reduce_sum(per_example * weights)
        loss = tf.where(tf.reduce_sum(count) > 0, total, tf.zeros_like(total), name="value")
        add_loss(loss)
        return loss


def cosine_distance(
    predictions,
    labels=None,
    axis: int | None = None,
    weights=1.0,
    scope: str | None = None,
    dim: int | None = None,
) -> tf.Tensor:
    """Weighted mean of `1 - sum(predictions * labels, axis)`, added to `LOSSES`.

    Both inputs are assumed to be unit-normalized along `axis`.

    Args:
      predictions: Float tensor.
      labels: Tensor with the shape of `predictions`.
      axis: The dimension holding the vectors (required).
      weights: Fits the losses, which have the shape of `predictions` without `axis`.
      scope: Name scope; default `"cosine_distance_loss"`.
      dim: Old name of `axis`.

    Returns:
      Scalar float32 tensor.

    Raises:
      RuntimeError: If called eagerly (slimlib builds graphs).
      ValueError: If neither `axis` nor `dim` is given, both are given and differ,
        `labels` is None or the shapes differ.
    """
    fn = "cosine_distance"
    if axis is not None and dim is not None and axis != dim:
        raise ValueError(
            f"{fn}: `axis` and its old name `dim` must agree when both are given, "
            f"got axis={axis!r} and dim={dim!r}."
        )
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError(f"{fn}: `axis` must be the dimension of the vectors, got None.")
    with v1.name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        predictions = _required(fn, "predictions", predictions)
        labels = _required(fn, "labels", labels)
        _check_same_shape(fn, "predictions", predictions, "labels", labels)
        products = tf.cast(predictions, tf.float32) * tf.cast(labels, tf.float32)
        losses = 1.0 - tf.reduce_sum(products, axis=[axis])
        return _weighted_mean(fn, losses, weights, scope)
