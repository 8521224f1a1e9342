"""Weight regularizers (`slim.regularizers`)."""

from slimlib._src.regularizers import apply_regularization as apply_regularization
from slimlib._src.regularizers import l1_l2_regularizer as l1_l2_regularizer
from slimlib._src.regularizers import l1_regularizer as l1_regularizer
from slimlib._src.regularizers import l2_regularizer as l2_regularizer
from slimlib._src.regularizers import sum_regularizer as sum_regularizer

__all__ = [
    "apply_regularization",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "sum_regularizer",
]
