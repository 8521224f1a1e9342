"""Losses (`slim.losses`): weighted losses kept in the `LOSSES` collection, and the total loss."""

from slimlib._src.losses import absolute_difference as absolute_difference
from slimlib._src.losses import add_loss as add_loss
from slimlib._src.losses import compute_weighted_loss as compute_weighted_loss
from slimlib._src.losses import cosine_distance as cosine_distance
from slimlib._src.losses import get_losses as get_losses
from slimlib._src.losses import get_regularization_losses as get_regularization_losses
from slimlib._src.losses import get_total_loss as get_total_loss
from slimlib._src.losses import hinge_loss as hinge_loss
from slimlib._src.losses import log_loss as log_loss
from slimlib._src.losses import mean_pairwise_squared_error as mean_pairwise_squared_error
from slimlib._src.losses import mean_squared_error as mean_squared_error
from slimlib._src.losses import sigmoid_cross_entropy as sigmoid_cross_entropy
from slimlib._src.losses import softmax_cross_entropy as softmax_cross_entropy
from slimlib._src.losses import sparse_softmax_cross_entropy as sparse_softmax_cross_entropy
from slimlib._src.losses import sum_of_squares as sum_of_squares
from slimlib.losses import metric_learning as metric_learning
from slimlib.losses.metric_learning import contrastive_loss as contrastive_loss
from slimlib.losses.metric_learning import lifted_struct_loss as lifted_struct_loss
from slimlib.losses.metric_learning import npairs_loss as npairs_loss
from slimlib.losses.metric_learning import npairs_loss_multilabel as npairs_loss_multilabel
from slimlib.losses.metric_learning import triplet_semihard_loss as triplet_semihard_loss

__all__ = [
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "contrastive_loss",
    "cosine_distance",
    "get_losses",
    "get_regularization_losses",
    "get_total_loss",
    "hinge_loss",
    "lifted_struct_loss",
    "log_loss",
    "mean_pairwise_squared_error",
    "mean_squared_error",
    "metric_learning",
    "npairs_loss",
    "npairs_loss_multilabel",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
    "sum_of_squares",
    "triplet_semihard_loss",
]
