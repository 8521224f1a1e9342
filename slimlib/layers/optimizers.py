"""TF-Slim's `layers.optimizers`: `optimize_loss` and `adaptive_clipping_fn`."""

from slimlib._src.layers.optimizers import OPTIMIZER_CLS_NAMES as OPTIMIZER_CLS_NAMES
from slimlib._src.layers.optimizers import OPTIMIZER_SUMMARIES as OPTIMIZER_SUMMARIES
from slimlib._src.layers.optimizers import adaptive_clipping_fn as adaptive_clipping_fn
from slimlib._src.layers.optimizers import optimize_loss as optimize_loss

__all__ = ["OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES", "adaptive_clipping_fn", "optimize_loss"]
