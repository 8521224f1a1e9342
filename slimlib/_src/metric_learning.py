"""Metric-learning losses (`slim.losses.metric_learning`): losses on distances between embeddings.

Each loss takes a batch of embeddings with their labels and returns a scalar: small when
embeddings of the same label are close and embeddings of different labels are far. Unlike
the losses of `slim.losses`, these are not added to the `LOSSES` collection (as in TF-Slim);
pass the result to `slim.losses.add_loss` to have `get_total_loss` include it.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "contrastive_loss",
    "lifted_struct_loss",
    "masked_maximum",
    "masked_minimum",
    "npairs_loss",
    "npairs_loss_multilabel",
    "pairwise_distance",
    "triplet_semihard_loss",
]


def _safe_sqrt(squared: tf.Tensor) -> tf.Tensor:
    """`sqrt` that is 0 with a zero gradient at 0 (plain `sqrt` has an infinite one there)."""
    positive = squared > 0
    return tf.where(positive, tf.sqrt(tf.where(positive, squared, tf.ones_like(squared))), 0.0)


def _embeddings(fn: str, name: str, value) -> tf.Tensor:
    tensor = tf.convert_to_tensor(value)
    if tensor.shape.rank is not None and tensor.shape.rank != 2:
        raise ValueError(
            f"{fn}: `{name}` must be a 2-D tensor [batch, embedding_dim], got shape "
            f"{tensor.shape.as_list()}."
        )
    return tensor


def _labels_column(fn: str, labels) -> tf.Tensor:
    """1-D labels as a `[batch, 1]` column, so that `labels == transpose(labels)` pairs them."""
    labels = tf.convert_to_tensor(labels)
    if labels.shape.rank is not None and labels.shape.rank != 1:
        raise ValueError(
            f"{fn}: `labels` must be a 1-D tensor [batch], got shape {labels.shape.as_list()}."
        )
    return tf.reshape(labels, [-1, 1])


def pairwise_distance(feature, squared: bool = False) -> tf.Tensor:
    """Euclidean distances between all rows of `feature`: `out[i, j] = |f[i] - f[j]|`.

    Computed as `|a|^2 + |b|^2 - 2 a.b`, with rounding errors below zero set to zero and
    an exact zero diagonal.

    Args:
      feature: Tensor `[n, d]`.
      squared: Return squared distances (default False).

    Returns:
      Tensor `[n, n]` with the dtype of `feature`.

    Raises:
      ValueError: If `feature` is not 2-D.

    Example:
      >>> import tensorflow as tf
      >>> import slimlib as slim
      >>> points = tf.constant([[0.0, 0.0], [3.0, 4.0]])
      >>> slim.losses.metric_learning.pairwise_distance(points).numpy().tolist()
      [[0.0, 5.0], [5.0, 0.0]]
    """
    feature = _embeddings("pairwise_distance", "feature", feature)
    squared_norms = tf.reduce_sum(tf.square(feature), axis=1)
    distances = (
        squared_norms[:, None]
        + squared_norms[None, :]
        - 2.0 * tf.matmul(feature, feature, transpose_b=True)
    )
    distances = tf.maximum(distances, 0.0)
    distances = tf.linalg.set_diag(distances, tf.zeros_like(squared_norms))
    return distances if squared else _safe_sqrt(distances)


def contrastive_loss(labels, embeddings_anchor, embeddings_positive, margin: float = 1.0):
    """Contrastive loss of pairs: pull same-label pairs together, push others `margin` apart.

    For each pair at distance `d`: `d**2` when its label is 1 (same class), else
    `max(margin - d, 0)**2`; the loss is the mean over the pairs. See Hadsell, Chopra and
    LeCun, "Dimensionality Reduction by Learning an Invariant Mapping", CVPR 2006,
    http://yann.lecun.com/exdb/publis/pdf/hadsell-chopra-lecun-06.pdf

    Args:
      labels: Tensor `[batch]` of 1 (same class) or 0 (different), any numeric dtype.
      embeddings_anchor: Tensor `[batch, dim]`, one side of each pair (L2-normalised).
      embeddings_positive: Tensor `[batch, dim]`, the other side.
      margin: Distance beyond which different-label pairs cost nothing.

    Returns:
      Scalar tensor.

    Raises:
      ValueError: If `labels` is not 1-D or an embedding is not 2-D.

    Example:
      >>> import tensorflow as tf
      >>> import slimlib as slim
      >>> anchor = tf.constant([[0.0, 0.0], [0.0, 0.0]])
      >>> other = tf.constant([[0.6, 0.8], [0.3, 0.4]])  # distances 1.0 and 0.5
      >>> loss = slim.losses.metric_learning.contrastive_loss([1, 0], anchor, other)
      >>> round(float(loss), 4)  # mean of 1.0**2 and (1 - 0.5)**2
      0.625
    """
    fn = "contrastive_loss"
    labels = _labels_column(fn, labels)[:, 0]
    anchor = _embeddings(fn, "embeddings_anchor", embeddings_anchor)
    positive = _embeddings(fn, "embeddings_positive", embeddings_positive)
    squared = tf.reduce_sum(tf.math.squared_difference(anchor, positive), axis=1)
    distances = _safe_sqrt(squared)
    same = tf.cast(labels, squared.dtype)
    per_pair = same * squared + (1.0 - same) * tf.square(tf.maximum(margin - distances, 0.0))
    return tf.reduce_mean(per_pair, name="contrastive_loss")


def masked_maximum(data, mask, dim: int = 1) -> tf.Tensor:
    """The maximum of `data` along `dim` over the entries where `mask` is set.

    Args:
      data: Tensor `[n, m]`.
      mask: Tensor `[n, m]`, bool or 0/1 numbers.
      dim: Axis to reduce (default 1).

    Returns:
      Tensor with `dim` kept at size 1. Where `mask` selects nothing, the minimum of
      `data` along `dim` (as in TF-Slim).
    """
    data = tf.convert_to_tensor(data)
    floor = tf.reduce_min(data, dim, keepdims=True)
    chosen = tf.where(tf.cast(mask, tf.bool), data, floor)
    return tf.reduce_max(chosen, dim, keepdims=True)


def masked_minimum(data, mask, dim: int = 1) -> tf.Tensor:
    """The minimum of `data` along `dim` over the entries where `mask` is set.

    Args:
      data: Tensor `[n, m]`.
      mask: Tensor `[n, m]`, bool or 0/1 numbers.
      dim: Axis to reduce (default 1).

    Returns:
      Tensor with `dim` kept at size 1. Where `mask` selects nothing, the maximum of
      `data` along `dim` (as in TF-Slim).
    """
    data = tf.convert_to_tensor(data)
    ceiling = tf.reduce_max(data, dim, keepdims=True)
    chosen = tf.where(tf.cast(mask, tf.bool), data, ceiling)
    return tf.reduce_min(chosen, dim, keepdims=True)


def _pairs(labels: tf.Tensor, dtype) -> tuple[tf.Tensor, tf.Tensor]:
    """`(different-label mask, same-label pairs i != j as 0/1 of dtype)` of a label column."""
    same = tf.equal(labels, tf.transpose(labels))
    positives = tf.linalg.set_diag(tf.cast(same, dtype), tf.zeros_like(labels[:, 0], dtype))
    return tf.logical_not(same), positives


def triplet_semihard_loss(labels, embeddings, margin: float = 1.0) -> tf.Tensor:
    """Triplet loss with semi-hard negatives, over every same-label pair of the batch.

    For each anchor `a` and positive `p` (same label, `a != p`) the negative `n` is the
    closest one farther from `a` than `p` is (semi-hard); when there is none, the farthest
    negative. The pair costs `max(margin + d(a, p) - d(a, n), 0)` with squared distances,
    and the loss is the mean over the pairs (0 when the batch has none). See Schroff,
    Kalenichenko and Philbin, "FaceNet", CVPR 2015, https://arxiv.org/abs/1503.03832

    Args:
      labels: Tensor `[batch]` of class labels.
      embeddings: Tensor `[batch, dim]` (L2-normalised).
      margin: The gap wanted between positive and negative squared distances.

    Returns:
      Scalar tensor.

    Raises:
      ValueError: If `labels` is not 1-D or `embeddings` is not 2-D.
    """
    fn = "triplet_semihard_loss"
    labels = _labels_column(fn, labels)
    embeddings = _embeddings(fn, "embeddings", embeddings)
    distances = pairwise_distance(embeddings, squared=True)
    different, positives = _pairs(labels, distances.dtype)

    # Axis 0: anchor a, axis 1: positive p, axis 2: candidate negative n.
    semi_hard = tf.logical_and(different[:, None, :], distances[:, None, :] > distances[:, :, None])
    to_negative = tf.broadcast_to(distances[:, None, :], tf.shape(semi_hard))
    closest_semi_hard = masked_minimum(to_negative, semi_hard, dim=2)[:, :, 0]
    farthest = masked_maximum(distances, different, dim=1)  # [a, 1]
    has_semi_hard = tf.reduce_any(semi_hard, axis=2)
    negative = tf.where(has_semi_hard, closest_semi_hard, farthest)

    per_pair = tf.maximum(margin + distances - negative, 0.0) * positives
    return tf.math.divide_no_nan(
        tf.reduce_sum(per_pair), tf.reduce_sum(positives), name="triplet_semihard_loss"
    )


def _npairs(fn, similarity, targets, anchor, positive, reg_lambda, print_losses):
    """`reg_lambda/4 * (mean |anchor|^2 + mean |positive|^2) + mean softmax cross-entropy`."""
    l2 = tf.multiply(
        0.25 * reg_lambda,
        tf.reduce_mean(tf.reduce_sum(tf.square(anchor), 1))
        + tf.reduce_mean(tf.reduce_sum(tf.square(positive), 1)),
        name="l2loss",
    )
    targets = targets / tf.reduce_sum(targets, axis=1, keepdims=True)
    xent = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=similarity),
        name="xentropy",
    )
    if print_losses:
        with tf.control_dependencies([tf.print(f"{fn}: cross entropy:", xent, "l2loss:", l2)]):
            xent = tf.identity(xent)
    return l2 + xent


def npairs_loss(
    labels,
    embeddings_anchor,
    embeddings_positive,
    reg_lambda: float = 0.002,
    print_losses: bool = False,
) -> tf.Tensor:
    """N-pairs loss: each anchor should be most similar to the positives of its own label.

    Row `i` of the similarity matrix `anchor @ positive.T` is the logits of a softmax whose
    target spreads evenly over the positives with the label of anchor `i`. The loss is the
    mean cross-entropy plus `reg_lambda / 4` times the mean squared norms of both
    embeddings. See Sohn, "Improved Deep Metric Learning with Multi-class N-pair Loss
    Objective", NIPS 2016, https://papers.nips.cc/paper/6200

    Args:
      labels: Tensor `[batch]` of class labels, one per (anchor, positive) pair.
      embeddings_anchor: Tensor `[batch, dim]` (not normalised: the norm is regularised).
      embeddings_positive: Tensor `[batch, dim]`.
      reg_lambda: Weight of the L2 term.
      print_losses: Print both terms each time the loss is computed.

    Returns:
      Scalar tensor.

    Raises:
      ValueError: If `labels` is not 1-D or an embedding is not 2-D.
    """
    fn = "npairs_loss"
    labels = _labels_column(fn, labels)
    anchor = _embeddings(fn, "embeddings_anchor", embeddings_anchor)
    positive = _embeddings(fn, "embeddings_positive", embeddings_positive)
    similarity = tf.matmul(anchor, positive, transpose_b=True)
    targets = tf.cast(tf.equal(labels, tf.transpose(labels)), similarity.dtype)
    return _npairs(fn, similarity, targets, anchor, positive, reg_lambda, print_losses)


def npairs_loss_multilabel(
    sparse_labels,
    embeddings_anchor,
    embeddings_positive,
    reg_lambda: float = 0.002,
    print_losses: bool = False,
) -> tf.Tensor:
    """N-pairs loss where each pair has a set of labels; targets weigh shared labels.

    As `npairs_loss`, with the target of anchor `i` spread over the positives `j` in
    proportion to the number of labels `i` and `j` share.

    Args:
      sparse_labels: List of `batch` 1-D `tf.SparseTensor`s of dense shape
        `[num_classes]`, one per pair; an entry that is present and non-zero is a label.
        Every pair needs at least one label.
      embeddings_anchor: Tensor `[batch, dim]`.
      embeddings_positive: Tensor `[batch, dim]`.
      reg_lambda: Weight of the L2 term.
      print_losses: Print both terms each time the loss is computed.

    Returns:
      Scalar tensor.

    Raises:
      TypeError: If `sparse_labels` is not a list of `SparseTensor`s.
      ValueError: If an embedding is not 2-D.
    """
    fn = "npairs_loss_multilabel"
    if not isinstance(sparse_labels, (list, tuple)) or not all(
        isinstance(item, tf.SparseTensor) for item in sparse_labels
    ):
        # Keeps TF-Slim's wording ("sparse_labels must be a list of SparseTensors").
        raise TypeError(
            f"{fn}: sparse_labels must be a list of SparseTensors (one per pair), got "
            f"{sparse_labels!r}."
        )
    with tf.name_scope("NpairsLossMultiLabel"):
        anchor = _embeddings(fn, "embeddings_anchor", embeddings_anchor)
        positive = _embeddings(fn, "embeddings_positive", embeddings_positive)
        similarity = tf.matmul(anchor, positive, transpose_b=True)
        rows = [
            tf.cast(tf.not_equal(tf.sparse.to_dense(tf.sparse.reorder(item)), 0), similarity.dtype)
            for item in sparse_labels
        ]
        label_matrix = tf.stack(rows)
        shared = tf.matmul(label_matrix, label_matrix, transpose_b=True)
        return _npairs(fn, similarity, shared, anchor, positive, reg_lambda, print_losses)


def lifted_struct_loss(labels, embeddings, margin: float = 1.0) -> tf.Tensor:
    """Lifted structured loss: every same-label pair against all negatives of both ends.

    For a same-label pair `(i, j)` at distance `d_ij`, `J = log(sum exp(margin - d_ik) +
    sum exp(margin - d_jl)) + d_ij` over the negatives `k` of `i` and `l` of `j`; the
    loss is `sum max(J, 0)**2 / (2 * number of pairs)` over ordered pairs `i != j` (0 when
    the batch has none). See Oh Song et al., "Deep Metric Learning via Lifted Structured
    Feature Embedding", CVPR 2016, https://arxiv.org/abs/1511.06452

    Args:
      labels: Tensor `[batch]` of class labels.
      embeddings: Tensor `[batch, dim]` (not normalised).
      margin: The margin in `margin - distance` of the negatives.

    Returns:
      Scalar tensor.

    Raises:
      ValueError: If `labels` is not 1-D or `embeddings` is not 2-D.
    """
    fn = "lifted_struct_loss"
    labels = _labels_column(fn, labels)
    embeddings = _embeddings(fn, "embeddings", embeddings)
    distances = pairwise_distance(embeddings)
    different, positives = _pairs(labels, distances.dtype)

    # A finite stand-in for log(0) keeps the gradients finite where a row has no negative.
    very_negative = tf.cast(distances.dtype.min / 4, distances.dtype)
    gaps = tf.where(different, margin - distances, very_negative)
    per_row = tf.reduce_logsumexp(gaps, axis=1)  # log sum_k exp(margin - d_ik)
    both_ends = tf.reduce_logsumexp(tf.stack(tf.meshgrid(per_row, per_row, indexing="ij")), 0)
    per_pair = tf.square(tf.maximum(both_ends + distances, 0.0)) * positives
    return tf.math.divide_no_nan(
        0.5 * tf.reduce_sum(per_pair), tf.reduce_sum(positives), name="liftedstruct_loss"
    )
