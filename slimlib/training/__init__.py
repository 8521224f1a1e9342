"""Hook-based training (`slim.training`): `create_train_op` and a `MonitoredTrainingSession` loop.

TF-Slim's newer training API: stopping, saving and restoring are decided by session-run
hooks and a scaffold. `slim.training.evaluation` is its evaluation partner.
"""

from slimlib._src.training import add_gradients_summaries as add_gradients_summaries
from slimlib._src.training import clip_gradient_norms as clip_gradient_norms
from slimlib._src.training import clip_gradient_norms_fn as clip_gradient_norms_fn
from slimlib._src.training import create_train_op as create_train_op
from slimlib._src.training import multiply_gradients as multiply_gradients
from slimlib._src.training import train as train
from slimlib.training import evaluation as evaluation

__all__ = [
    "add_gradients_summaries",
    "clip_gradient_norms",
    "clip_gradient_norms_fn",
    "create_train_op",
    "evaluation",
    "multiply_gradients",
    "train",
]
