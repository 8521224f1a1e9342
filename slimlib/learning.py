"""Training (`slim.learning`): the train op, gradient helpers and the training loop."""

from slimlib._src.learning import add_gradients_summaries as add_gradients_summaries
from slimlib._src.learning import clip_gradient_norms as clip_gradient_norms
from slimlib._src.learning import create_train_op as create_train_op
from slimlib._src.learning import multiply_gradients as multiply_gradients
from slimlib._src.learning import train as train
from slimlib._src.learning import train_step as train_step

__all__ = [
    "add_gradients_summaries",
    "clip_gradient_norms",
    "create_train_op",
    "multiply_gradients",
    "train",
    "train_step",
]
