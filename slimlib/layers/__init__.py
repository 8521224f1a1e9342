"""TF-Slim's layers (`slim.layers`): the public names, implemented in `slimlib._src.layers`.

As in TF-Slim, the submodules `normalization`, `optimizers`, `rev_block_lib`, `sparse_ops`
and `summaries` are reachable here too, and the names of all but `sparse_ops` are also
names of this module, as are those of `slim.initializers` and `slim.regularizers`
(`slim.layers.xavier_initializer`, `slim.layers.l2_regularizer`).
"""

from slimlib._src.layers.conv import conv1d as conv1d
from slimlib._src.layers.conv import conv2d as conv2d
from slimlib._src.layers.conv import conv2d_in_plane as conv2d_in_plane
from slimlib._src.layers.conv import conv2d_transpose as conv2d_transpose
from slimlib._src.layers.conv import conv3d as conv3d
from slimlib._src.layers.conv import conv3d_transpose as conv3d_transpose
from slimlib._src.layers.conv import convolution as convolution
from slimlib._src.layers.conv import convolution1d as convolution1d
from slimlib._src.layers.conv import convolution2d as convolution2d
from slimlib._src.layers.conv import convolution2d_in_plane as convolution2d_in_plane
from slimlib._src.layers.conv import convolution2d_transpose as convolution2d_transpose
from slimlib._src.layers.conv import convolution3d as convolution3d
from slimlib._src.layers.conv import convolution3d_transpose as convolution3d_transpose
from slimlib._src.layers.conv import separable_conv2d as separable_conv2d
from slimlib._src.layers.conv import separable_convolution2d as separable_convolution2d
from slimlib._src.layers.core import bias_add as bias_add
from slimlib._src.layers.core import dropout as dropout
from slimlib._src.layers.core import elu as elu
from slimlib._src.layers.core import flatten as flatten
from slimlib._src.layers.core import fully_connected as fully_connected
from slimlib._src.layers.core import linear as linear
from slimlib._src.layers.core import one_hot_encoding as one_hot_encoding
from slimlib._src.layers.core import relu as relu
from slimlib._src.layers.core import relu6 as relu6
from slimlib._src.layers.core import softmax as softmax
from slimlib._src.layers.gdn import GDN as GDN
from slimlib._src.layers.gdn import gdn as gdn
from slimlib._src.layers.gradients import scale_gradient as scale_gradient
from slimlib._src.layers.group_norm import group_norm as group_norm
from slimlib._src.layers.group_norm import instance_norm as instance_norm
from slimlib._src.layers.legacy import legacy_fully_connected as legacy_fully_connected
from slimlib._src.layers.legacy import legacy_linear as legacy_linear
from slimlib._src.layers.legacy import legacy_relu as legacy_relu
from slimlib._src.layers.maxout import maxout as maxout
from slimlib._src.layers.meta import repeat as repeat
from slimlib._src.layers.meta import stack as stack
from slimlib._src.layers.norm import batch_norm as batch_norm
from slimlib._src.layers.norm import layer_norm as layer_norm
from slimlib._src.layers.norm import unit_norm as unit_norm
from slimlib._src.layers.optimizers import OPTIMIZER_CLS_NAMES as OPTIMIZER_CLS_NAMES
from slimlib._src.layers.optimizers import OPTIMIZER_SUMMARIES as OPTIMIZER_SUMMARIES
from slimlib._src.layers.optimizers import adaptive_clipping_fn as adaptive_clipping_fn
from slimlib._src.layers.optimizers import optimize_loss as optimize_loss
from slimlib._src.layers.poincare import poincare_normalize as poincare_normalize
from slimlib._src.layers.pool import avg_pool2d as avg_pool2d
from slimlib._src.layers.pool import avg_pool3d as avg_pool3d
from slimlib._src.layers.pool import max_pool2d as max_pool  # the name the TF-Slim README uses
from slimlib._src.layers.pool import max_pool2d as max_pool2d
from slimlib._src.layers.pool import max_pool3d as max_pool3d
from slimlib._src.layers.pool import pool as pool
from slimlib._src.layers.rev_block import RevBlock as RevBlock
from slimlib._src.layers.rev_block import recompute_grad as recompute_grad
from slimlib._src.layers.rev_block import rev_block as rev_block
from slimlib._src.layers.sequence import images_to_sequence as images_to_sequence
from slimlib._src.layers.sequence import sequence_to_images as sequence_to_images
from slimlib._src.layers.sparse_ops import dense_to_sparse as dense_to_sparse
from slimlib._src.layers.spatial_softmax import spatial_softmax as spatial_softmax
from slimlib._src.layers.summarize import summarize_activation as summarize_activation
from slimlib._src.layers.summarize import summarize_activations as summarize_activations
from slimlib._src.layers.summarize import summarize_biases as summarize_biases
from slimlib._src.layers.summarize import summarize_collection as summarize_collection
from slimlib._src.layers.summarize import summarize_tensor as summarize_tensor
from slimlib._src.layers.summarize import summarize_tensors as summarize_tensors
from slimlib._src.layers.summarize import summarize_variables as summarize_variables
from slimlib._src.layers.summarize import summarize_weights as summarize_weights
from slimlib.initializers import variance_scaling_initializer as variance_scaling_initializer
from slimlib.initializers import xavier_initializer as xavier_initializer
from slimlib.initializers import xavier_initializer_conv2d as xavier_initializer_conv2d
from slimlib.layers import normalization as normalization
from slimlib.layers import optimizers as optimizers
from slimlib.layers import rev_block_lib as rev_block_lib
from slimlib.layers import sparse_ops as sparse_ops
from slimlib.layers import summaries as summaries
from slimlib.regularizers import apply_regularization as apply_regularization
from slimlib.regularizers import l1_l2_regularizer as l1_l2_regularizer
from slimlib.regularizers import l1_regularizer as l1_regularizer
from slimlib.regularizers import l2_regularizer as l2_regularizer
from slimlib.regularizers import sum_regularizer as sum_regularizer

__all__ = [
    "adaptive_clipping_fn",
    "apply_regularization",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bias_add",
    "conv1d",
    "conv2d",
    "conv2d_in_plane",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "convolution",
    "convolution1d",
    "convolution2d",
    "convolution2d_in_plane",
    "convolution2d_transpose",
    "convolution3d",
    "convolution3d_transpose",
    "dense_to_sparse",
    "dropout",
    "elu",
    "flatten",
    "fully_connected",
    "GDN",
    "gdn",
    "group_norm",
    "images_to_sequence",
    "instance_norm",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "layer_norm",
    "legacy_fully_connected",
    "legacy_linear",
    "legacy_relu",
    "linear",
    "max_pool",
    "max_pool2d",
    "max_pool3d",
    "maxout",
    "one_hot_encoding",
    "optimize_loss",
    "OPTIMIZER_CLS_NAMES",
    "OPTIMIZER_SUMMARIES",
    "poincare_normalize",
    "pool",
    "recompute_grad",
    "relu",
    "relu6",
    "repeat",
    "rev_block",
    "RevBlock",
    "scale_gradient",
    "separable_conv2d",
    "separable_convolution2d",
    "sequence_to_images",
    "softmax",
    "spatial_softmax",
    "stack",
    "sum_regularizer",
    "summarize_activation",
    "summarize_activations",
    "summarize_biases",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "summarize_variables",
    "summarize_weights",
    "unit_norm",
    "variance_scaling_initializer",
    "xavier_initializer",
    "xavier_initializer_conv2d",
]
