"""Metric-learning losses (`slim.losses.metric_learning`): losses on distances between embeddings."""

from slimlib._src.metric_learning import contrastive_loss as contrastive_loss
from slimlib._src.metric_learning import lifted_struct_loss as lifted_struct_loss
from slimlib._src.metric_learning import masked_maximum as masked_maximum
from slimlib._src.metric_learning import masked_minimum as masked_minimum
from slimlib._src.metric_learning import npairs_loss as npairs_loss
from slimlib._src.metric_learning import npairs_loss_multilabel as npairs_loss_multilabel
from slimlib._src.metric_learning import pairwise_distance as pairwise_distance
from slimlib._src.metric_learning import triplet_semihard_loss as triplet_semihard_loss

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
