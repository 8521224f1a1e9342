"""slimlib: TF-Slim on today's TensorFlow. `import slimlib as slim`.

Builds TF-Slim style graphs (variables in collections, layers, `arg_scope`,
`repeat`/`stack`) with TensorFlow's public API only; TF-Slim code runs
unchanged with `import tensorflow.compat.v1 as tf`.
"""

from slimlib import data as data
from slimlib import datasets as datasets
from slimlib import deployment as deployment
from slimlib import evaluation as evaluation
from slimlib import framework_ops as framework_ops
from slimlib import initializers as initializers
from slimlib import layers as layers
from slimlib import learning as learning
from slimlib import losses as losses
from slimlib import metrics as metrics
from slimlib import model_analyzer as model_analyzer
from slimlib import queues as queues
from slimlib import regularizers as regularizers
from slimlib import summaries as summaries
from slimlib import tracing as tracing
from slimlib import training as training
from slimlib import utils as utils
from slimlib import variables as variables
from slimlib._src.arg_scope import add_arg_scope as add_arg_scope
from slimlib._src.arg_scope import arg_scope as arg_scope
from slimlib._src.arg_scope import arg_scope_func_key as arg_scope_func_key
from slimlib._src.arg_scope import arg_scoped_arguments as arg_scoped_arguments
from slimlib._src.arg_scope import current_arg_scope as current_arg_scope
from slimlib._src.arg_scope import has_arg_scope as has_arg_scope
from slimlib.data import data_decoder as data_decoder
from slimlib.data import data_provider as data_provider
from slimlib.data import dataset as dataset
from slimlib.data import dataset_data_provider as dataset_data_provider
from slimlib.data import parallel_reader as parallel_reader
from slimlib.data import prefetch_queue as prefetch_queue
from slimlib.data import tfexample_decoder as tfexample_decoder
from slimlib.initializers import variance_scaling_initializer as variance_scaling_initializer
from slimlib.initializers import xavier_initializer as xavier_initializer
from slimlib.initializers import xavier_initializer_conv2d as xavier_initializer_conv2d
from slimlib.layers import GDN as GDN
from slimlib.layers import RevBlock as RevBlock
from slimlib.layers import adaptive_clipping_fn as adaptive_clipping_fn
from slimlib.layers import avg_pool2d as avg_pool2d
from slimlib.layers import avg_pool3d as avg_pool3d
from slimlib.layers import batch_norm as batch_norm
from slimlib.layers import bias_add as bias_add
from slimlib.layers import conv1d as conv1d
from slimlib.layers import conv2d as conv2d
from slimlib.layers import conv2d_in_plane as conv2d_in_plane
from slimlib.layers import conv2d_transpose as conv2d_transpose
from slimlib.layers import conv3d as conv3d
from slimlib.layers import conv3d_transpose as conv3d_transpose
from slimlib.layers import convolution as convolution
from slimlib.layers import convolution1d as convolution1d
from slimlib.layers import convolution2d as convolution2d
from slimlib.layers import convolution2d_in_plane as convolution2d_in_plane
from slimlib.layers import convolution2d_transpose as convolution2d_transpose
from slimlib.layers import convolution3d as convolution3d
from slimlib.layers import convolution3d_transpose as convolution3d_transpose
from slimlib.layers import dense_to_sparse as dense_to_sparse
from slimlib.layers import dropout as dropout
from slimlib.layers import elu as elu
from slimlib.layers import flatten as flatten
from slimlib.layers import fully_connected as fully_connected
from slimlib.layers import gdn as gdn
from slimlib.layers import group_norm as group_norm
from slimlib.layers import images_to_sequence as images_to_sequence
from slimlib.layers import instance_norm as instance_norm
from slimlib.layers import layer_norm as layer_norm
from slimlib.layers import legacy_fully_connected as legacy_fully_connected
from slimlib.layers import legacy_linear as legacy_linear
from slimlib.layers import legacy_relu as legacy_relu
from slimlib.layers import linear as linear
from slimlib.layers import max_pool as max_pool
from slimlib.layers import max_pool2d as max_pool2d
from slimlib.layers import max_pool3d as max_pool3d
from slimlib.layers import maxout as maxout
from slimlib.layers import one_hot_encoding as one_hot_encoding
from slimlib.layers import optimize_loss as optimize_loss
from slimlib.layers import poincare_normalize as poincare_normalize
from slimlib.layers import pool as pool
from slimlib.layers import recompute_grad as recompute_grad
from slimlib.layers import relu as relu
from slimlib.layers import relu6 as relu6
from slimlib.layers import repeat as repeat
from slimlib.layers import rev_block as rev_block
from slimlib.layers import scale_gradient as scale_gradient
from slimlib.layers import separable_conv2d as separable_conv2d
from slimlib.layers import separable_convolution2d as separable_convolution2d
from slimlib.layers import sequence_to_images as sequence_to_images
from slimlib.layers import softmax as softmax
from slimlib.layers import spatial_softmax as spatial_softmax
from slimlib.layers import stack as stack
from slimlib.layers import summarize_activation as summarize_activation
from slimlib.layers import summarize_activations as summarize_activations
from slimlib.layers import summarize_biases as summarize_biases
from slimlib.layers import summarize_collection as summarize_collection
from slimlib.layers import summarize_tensor as summarize_tensor
from slimlib.layers import summarize_tensors as summarize_tensors
from slimlib.layers import summarize_variables as summarize_variables
from slimlib.layers import summarize_weights as summarize_weights
from slimlib.layers import unit_norm as unit_norm
from slimlib.regularizers import apply_regularization as apply_regularization
from slimlib.regularizers import l1_l2_regularizer as l1_l2_regularizer
from slimlib.regularizers import l1_regularizer as l1_regularizer
from slimlib.regularizers import l2_regularizer as l2_regularizer
from slimlib.regularizers import sum_regularizer as sum_regularizer
from slimlib.tracing import trace_layers as trace_layers
from slimlib.training import evaluation as train_eval
from slimlib.variables import VariableDeviceChooser as VariableDeviceChooser
from slimlib.variables import add_model_variable as add_model_variable
from slimlib.variables import assert_global_step as assert_global_step
from slimlib.variables import assert_or_get_global_step as assert_or_get_global_step
from slimlib.variables import assign_from_checkpoint as assign_from_checkpoint
from slimlib.variables import assign_from_checkpoint_fn as assign_from_checkpoint_fn
from slimlib.variables import assign_from_values as assign_from_values
from slimlib.variables import assign_from_values_fn as assign_from_values_fn
from slimlib.variables import create_global_step as create_global_step
from slimlib.variables import filter_variables as filter_variables
from slimlib.variables import get_global_step as get_global_step
from slimlib.variables import get_local_variables as get_local_variables
from slimlib.variables import get_model_variables as get_model_variables
from slimlib.variables import get_or_create_global_step as get_or_create_global_step
from slimlib.variables import get_trainable_variables as get_trainable_variables
from slimlib.variables import get_unique_variable as get_unique_variable
from slimlib.variables import get_variable_full_name as get_variable_full_name
from slimlib.variables import get_variables as get_variables
from slimlib.variables import get_variables_by_name as get_variables_by_name
from slimlib.variables import get_variables_by_suffix as get_variables_by_suffix
from slimlib.variables import get_variables_to_restore as get_variables_to_restore
from slimlib.variables import global_variable as global_variable
from slimlib.variables import local_variable as local_variable
from slimlib.variables import model_variable as model_variable
from slimlib.variables import variable as variable
from slimlib.variables import zero_initializer as zero_initializer

__all__ = [
    "GDN",
    "RevBlock",
    "VariableDeviceChooser",
    "adaptive_clipping_fn",
    "add_arg_scope",
    "add_model_variable",
    "apply_regularization",
    "arg_scope",
    "arg_scope_func_key",
    "arg_scoped_arguments",
    "assert_global_step",
    "assert_or_get_global_step",
    "assign_from_checkpoint",
    "assign_from_checkpoint_fn",
    "assign_from_values",
    "assign_from_values_fn",
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
    "create_global_step",
    "current_arg_scope",
    "data",
    "data_decoder",
    "data_provider",
    "dataset",
    "dataset_data_provider",
    "datasets",
    "dense_to_sparse",
    "deployment",
    "dropout",
    "elu",
    "evaluation",
    "filter_variables",
    "flatten",
    "framework_ops",
    "fully_connected",
    "gdn",
    "get_global_step",
    "get_local_variables",
    "get_model_variables",
    "get_or_create_global_step",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variable_full_name",
    "get_variables",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_variables_to_restore",
    "global_variable",
    "group_norm",
    "has_arg_scope",
    "images_to_sequence",
    "initializers",
    "instance_norm",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "layer_norm",
    "layers",
    "learning",
    "legacy_fully_connected",
    "legacy_linear",
    "legacy_relu",
    "linear",
    "local_variable",
    "losses",
    "max_pool",
    "max_pool2d",
    "max_pool3d",
    "maxout",
    "metrics",
    "model_analyzer",
    "model_variable",
    "one_hot_encoding",
    "optimize_loss",
    "parallel_reader",
    "poincare_normalize",
    "pool",
    "prefetch_queue",
    "queues",
    "recompute_grad",
    "regularizers",
    "relu",
    "relu6",
    "repeat",
    "rev_block",
    "scale_gradient",
    "separable_conv2d",
    "separable_convolution2d",
    "sequence_to_images",
    "softmax",
    "spatial_softmax",
    "stack",
    "sum_regularizer",
    "summaries",
    "summarize_activation",
    "summarize_activations",
    "summarize_biases",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "summarize_variables",
    "summarize_weights",
    "tfexample_decoder",
    "trace_layers",
    "tracing",
    "train_eval",
    "training",
    "unit_norm",
    "utils",
    "variable",
    "variables",
    "variance_scaling_initializer",
    "xavier_initializer",
    "xavier_initializer_conv2d",
    "zero_initializer",
]
