"""Training (`slim.learning`): the train op, gradient helpers, the training loop and its devices."""

from slimlib._src.checkpoint_recovery import recover_checkpoint_state as recover_checkpoint_state
from slimlib._src.learning import add_gradients_summaries as add_gradients_summaries
from slimlib._src.learning import clip_gradient_norms as clip_gradient_norms
from slimlib._src.learning import create_train_op as create_train_op
from slimlib._src.learning import multiply_gradients as multiply_gradients
from slimlib._src.learning import train as train
from slimlib._src.learning import train_step as train_step
from slimlib._src.train_device import mixed_precision_optimizer as mixed_precision_optimizer
from slimlib._src.train_device import session_config as session_config
from slimlib._src.train_device import set_gpu_memory_growth as set_gpu_memory_growth

__all__ = [
    "add_gradients_summaries",
    "clip_gradient_norms",
    "create_train_op",
    "mixed_precision_optimizer",
    "multiply_gradients",
    "recover_checkpoint_state",
    "session_config",
    "set_gpu_memory_growth",
    "train",
    "train_step",
]
