"""slimlib's public names and their signatures against TF-Slim's.

`SIGNATURES` lists, for every name in `slimlib.__all__`, TF-Slim's parameter names in
order (so TF-Slim code calling positionally still binds the same way), or `None` for a
module or a name TF-Slim never had. A new public name without an entry fails here.
"""

import inspect
import types

import pytest

import slimlib as slim

_LAYER_TAIL = ["reuse", "variables_collections", "outputs_collections", "trainable"]
_WEIGHTS = ["weights_initializer", "weights_regularizer"]
_BIASES = ["biases_initializer", "biases_regularizer"]
_NORMALIZER = ["normalizer_fn", "normalizer_params"]
_CONV2D = ["inputs", "num_outputs", "kernel_size", "stride", "padding", "data_format", "rate",
           "activation_fn", *_NORMALIZER, *_WEIGHTS, *_BIASES, *_LAYER_TAIL, "scope"]  # fmt: skip
_TRANSPOSE = ["inputs", "num_outputs", "kernel_size", "stride", "padding", "data_format",
              "activation_fn", *_NORMALIZER, *_WEIGHTS, *_BIASES, *_LAYER_TAIL, "scope"]  # fmt: skip
_FC = ["inputs", "num_outputs", "activation_fn", *_NORMALIZER, *_WEIGHTS, *_BIASES,
       *_LAYER_TAIL, "scope"]  # fmt: skip
_POOL = ["inputs", "kernel_size", "stride", "padding", "data_format", "outputs_collections",
         "scope"]  # fmt: skip
_VARIABLE = ["name", "shape", "dtype", "initializer", "regularizer", "trainable", "collections",
             "caching_device", "device", "partitioner", "custom_getter", "use_resource",
             "synchronization", "aggregation"]  # fmt: skip
_NEW_VARIABLE = ["initial_value", "validate_shape", "name", "use_resource"]
_GET_VARIABLES = ["scope", "suffix"]
_LEGACY_FC = ["x", "num_output_units", "activation_fn", "weight_init", "bias_init", "name",
              "weight_collections", "bias_collections", "output_collections", "trainable",
              "weight_regularizer", "bias_regularizer"]  # fmt: skip
_GDN = ["inverse", "beta_min", "gamma_init", "reparam_offset", "data_format",
        "activity_regularizer", "trainable", "name"]  # fmt: skip

SIGNATURES: dict[str, list[str] | None] = {
    # Modules and names TF-Slim never had.
    "initializers": None,
    "deployment": None,
    "evaluation": None,
    "framework_ops": None,
    "data": None,
    "datasets": None,
    "queues": None,
    "data_decoder": None,
    "data_provider": None,
    "dataset": None,
    "dataset_data_provider": None,
    "parallel_reader": None,
    "prefetch_queue": None,
    "tfexample_decoder": None,
    "layers": None,
    "learning": None,
    "summaries": None,
    "losses": None,
    "metrics": None,
    "model_analyzer": None,  # A module; TF-Slim has it too.
    "regularizers": None,
    "tracing": None,
    "training": None,  # TF-Slim's hook-based training module.
    "train_eval": None,  # TF-Slim's name for slim.training.evaluation.
    "utils": None,
    "variables": None,
    "trace_layers": None,
    "max_pool": None,  # The README's name for max_pool2d.
    # arg_scope.
    "arg_scope": ["list_ops_or_scope"],
    "add_arg_scope": ["func"],
    "arg_scope_func_key": ["op"],
    "arg_scoped_arguments": ["func"],
    "current_arg_scope": [],
    "has_arg_scope": ["func"],
    # Layers.
    "avg_pool2d": _POOL,
    "max_pool2d": _POOL,
    "avg_pool3d": _POOL,
    "max_pool3d": _POOL,
    "batch_norm": [
        "inputs",
        "decay",
        "center",
        "scale",
        "epsilon",
        "activation_fn",
        "param_initializers",
        "param_regularizers",
        "updates_collections",
        "is_training",
        *_LAYER_TAIL,
        "batch_weights",
        "fused",
        "data_format",
        "zero_debias_moving_mean",
        "scope",
        "renorm",
        "renorm_clipping",
        "renorm_decay",
        "adjustment",
    ],  # fmt: skip
    "bias_add": [
        "inputs",
        "activation_fn",
        "initializer",
        "regularizer",
        *_LAYER_TAIL,
        "data_format",
        "scope",
    ],  # fmt: skip
    "convolution": [*_CONV2D, "conv_dims"],
    "convolution1d": _CONV2D,
    "convolution2d": _CONV2D,
    "convolution3d": _CONV2D,
    "conv1d": _CONV2D,
    "conv2d": _CONV2D,
    "conv3d": _CONV2D,
    "convolution2d_in_plane": [
        "inputs",
        "kernel_size",
        "stride",
        "padding",
        "activation_fn",
        *_NORMALIZER,
        *_WEIGHTS,
        *_BIASES,
        *_LAYER_TAIL,
        "scope",
    ],  # fmt: skip
    "conv2d_in_plane": [
        "inputs",
        "kernel_size",
        "stride",
        "padding",
        "activation_fn",
        *_NORMALIZER,
        *_WEIGHTS,
        *_BIASES,
        *_LAYER_TAIL,
        "scope",
    ],  # fmt: skip
    "convolution2d_transpose": _TRANSPOSE,
    "conv2d_transpose": _TRANSPOSE,
    "convolution3d_transpose": _TRANSPOSE,
    "conv3d_transpose": _TRANSPOSE,
    "separable_convolution2d": [
        "inputs",
        "num_outputs",
        "kernel_size",
        "depth_multiplier",
        "stride",
        "padding",
        "data_format",
        "rate",
        "activation_fn",
        *_NORMALIZER,
        "weights_initializer",
        "pointwise_initializer",
        "weights_regularizer",
        *_BIASES,
        *_LAYER_TAIL,
        "scope",
    ],  # fmt: skip
    "separable_conv2d": [
        "inputs",
        "num_outputs",
        "kernel_size",
        "depth_multiplier",
        "stride",
        "padding",
        "data_format",
        "rate",
        "activation_fn",
        *_NORMALIZER,
        "weights_initializer",
        "pointwise_initializer",
        "weights_regularizer",
        *_BIASES,
        *_LAYER_TAIL,
        "scope",
    ],  # fmt: skip
    "dropout": [
        "inputs",
        "keep_prob",
        "noise_shape",
        "is_training",
        "outputs_collections",
        "scope",
        "seed",
    ],  # fmt: skip
    "flatten": ["inputs", "outputs_collections", "scope"],
    "fully_connected": _FC,
    "linear": _FC,  # functools.partial of fully_connected, as in TF-Slim
    "relu": _FC,
    "relu6": _FC,
    "layer_norm": [
        "inputs",
        "center",
        "scale",
        "activation_fn",
        *_LAYER_TAIL,
        "begin_norm_axis",
        "begin_params_axis",
        "scope",
    ],  # fmt: skip
    "one_hot_encoding": [
        "labels",
        "num_classes",
        "on_value",
        "off_value",
        "outputs_collections",
        "scope",
    ],  # fmt: skip
    "repeat": ["inputs", "repetitions", "layer"],
    "stack": ["inputs", "layer", "stack_args"],
    "softmax": ["logits", "scope"],
    "unit_norm": ["inputs", "dim", "epsilon", "scope"],
    "pool": [
        "inputs",
        "kernel_size",
        "pooling_type",
        "padding",
        "data_format",
        "dilation_rate",
        "stride",
        "outputs_collections",
        "scope",
    ],  # fmt: skip
    "elu": _FC,
    "legacy_fully_connected": _LEGACY_FC,
    "legacy_relu": _LEGACY_FC,
    "legacy_linear": _LEGACY_FC,
    "spatial_softmax": [
        "features",
        "temperature",
        "name",
        "variables_collections",
        "trainable",
        "data_format",
    ],  # fmt: skip
    "gdn": ["inputs", *_GDN, "reuse"],
    "GDN": _GDN,
    "maxout": ["inputs", "num_units", "axis", "scope"],
    "poincare_normalize": ["x", "axis", "epsilon", "name"],
    "images_to_sequence": ["inputs", "data_format", "outputs_collections", "scope"],
    "sequence_to_images": [
        "inputs",
        "height",
        "output_data_format",
        "outputs_collections",
        "scope",
    ],  # fmt: skip
    "dense_to_sparse": ["tensor", "eos_token", "outputs_collections", "scope"],
    "scale_gradient": ["inputs", "gradient_multiplier"],
    "instance_norm": [
        "inputs",
        "center",
        "scale",
        "epsilon",
        "activation_fn",
        "param_initializers",
        *_LAYER_TAIL,
        "data_format",
        "scope",
    ],  # fmt: skip
    "group_norm": [
        "inputs",
        "groups",
        "channels_axis",
        "reduction_axes",
        "center",
        "scale",
        "epsilon",
        "activation_fn",
        "param_initializers",
        *_LAYER_TAIL,
        "scope",
        "mean_close_to_zero",
    ],  # fmt: skip
    # layers.rev_block_lib.
    "rev_block": [
        "x1",
        "x2",
        "f",
        "g",
        "num_layers",
        "f_side_input",
        "g_side_input",
        "is_training",
    ],  # fmt: skip
    "RevBlock": [
        "f",
        "g",
        "num_layers",
        "f_side_input",
        "g_side_input",
        "use_efficient_backprop",
        "name",
    ],  # fmt: skip
    "recompute_grad": ["fn", "use_data_dep", "tupleize_grads"],
    # layers.optimizers and layers.summaries.
    "optimize_loss": [
        "loss",
        "global_step",
        "learning_rate",
        "optimizer",
        "gradient_noise_scale",
        "gradient_multipliers",
        "clip_gradients",
        "learning_rate_decay_fn",
        "update_ops",
        "variables",
        "name",
        "summaries",
        "colocate_gradients_with_ops",
        "increment_global_step",
    ],  # fmt: skip
    "adaptive_clipping_fn": [
        "std_factor",
        "decay",
        "static_max_norm",
        "global_step",
        "report_summary",
        "epsilon",
        "name",
    ],  # fmt: skip
    "summarize_activation": ["op"],
    "summarize_activations": ["name_filter", "summarizer"],
    "summarize_tensor": ["tensor", "tag"],
    "summarize_tensors": ["tensors", "summarizer"],
    "summarize_collection": ["collection", "name_filter", "summarizer"],
    "summarize_variables": ["name_filter", "summarizer"],
    "summarize_weights": ["name_filter", "summarizer"],
    "summarize_biases": ["name_filter", "summarizer"],
    # Regularizers and initializers.
    "l1_regularizer": ["scale", "scope"],
    "l2_regularizer": ["scale", "scope"],
    "l1_l2_regularizer": ["scale_l1", "scale_l2", "scope"],
    "sum_regularizer": ["regularizer_list", "scope"],
    "apply_regularization": ["regularizer", "weights_list"],
    "xavier_initializer": ["uniform", "seed", "dtype"],
    "xavier_initializer_conv2d": ["uniform", "seed", "dtype"],
    "variance_scaling_initializer": ["factor", "mode", "uniform", "seed", "dtype"],
    # Variables.
    "variable": _VARIABLE,
    "model_variable": _VARIABLE,
    "local_variable": _NEW_VARIABLE,
    "global_variable": _NEW_VARIABLE,
    "add_model_variable": ["var"],
    "get_variables": [*_GET_VARIABLES, "collection"],
    "get_model_variables": _GET_VARIABLES,
    "get_local_variables": _GET_VARIABLES,
    "get_trainable_variables": _GET_VARIABLES,
    "get_variables_to_restore": ["include", "exclude"],
    "get_variables_by_suffix": ["suffix", "scope"],
    "get_variables_by_name": ["given_name", "scope"],
    "get_unique_variable": ["var_op_name"],
    "get_variable_full_name": ["var"],
    "filter_variables": ["var_list", "include_patterns", "exclude_patterns", "reg_search"],
    "get_global_step": ["graph"],
    "create_global_step": ["graph"],
    "get_or_create_global_step": ["graph"],
    "assert_global_step": ["global_step_tensor"],
    "assert_or_get_global_step": ["graph", "global_step_tensor"],
    "assign_from_values": ["var_names_to_values"],
    "assign_from_values_fn": ["var_names_to_values"],
    "assign_from_checkpoint": ["model_path", "var_list", "ignore_missing_vars"],
    "assign_from_checkpoint_fn": [
        "model_path",
        "var_list",
        "ignore_missing_vars",
        "reshape_variables",
    ],  # fmt: skip
    "zero_initializer": ["ref", "use_locking", "name"],
    "VariableDeviceChooser": ["num_tasks", "job_name", "device_type", "device_index", "replica"],
}


def test_every_public_name_has_an_entry():
    missing = sorted(set(slim.__all__) - set(SIGNATURES))
    assert missing == [], f"add these public names to SIGNATURES: {missing}"


def test_every_entry_is_public():
    stale = sorted(set(SIGNATURES) - set(slim.__all__))
    assert stale == [], f"these entries are not in slimlib.__all__: {stale}"


@pytest.mark.parametrize(
    "name", sorted(n for n, params in SIGNATURES.items() if params is not None)
)
def test_signature_matches_tf_slim(name):
    obj = getattr(slim, name)
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = [
        p.name
        for p in inspect.signature(target).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    assert params[: len(SIGNATURES[name])] == SIGNATURES[name]


@pytest.mark.parametrize(
    "name",
    [
        "data",
        "evaluation",
        "initializers",
        "queues",
        "layers",
        "learning",
        "losses",
        "metrics",
        "model_analyzer",
        "regularizers",
        "summaries",
        "train_eval",
        "training",
        "utils",
        "variables",
    ],
)
def test_tf_slim_modules_are_attributes(name):
    assert isinstance(getattr(slim, name), types.ModuleType)


def test_repeat_names_scopes_after_the_real_function():
    assert slim.conv2d.__name__ == "convolution2d"
    assert slim.conv2d is slim.convolution2d
    assert slim.layers.conv2d is slim.conv2d


# Names of slimlib's sub-modules that TF-Slim has under the same module, with TF-Slim's
# parameter order (`tf_slim.training.training`, `tf_slim.training.evaluation`, ...).
_EVAL_OPS = ["eval_ops", "feed_dict", "final_ops", "final_ops_feed_dict"]
_EVALUATE_REPEATEDLY = [
    "checkpoint_dir",
    "master",
    "scaffold",
    *_EVAL_OPS,
    "eval_interval_secs",
    "hooks",
    "config",
    "max_number_of_evaluations",
    "timeout",
    "timeout_fn",
]
MODULE_SIGNATURES: dict[str, list[str]] = {
    "training.create_train_op": [
        "total_loss",
        "optimizer",
        "global_step",
        "update_ops",
        "variables_to_train",
        "transform_grads_fn",
        "summarize_gradients",
        "gate_gradients",
        "aggregation_method",
        "colocate_gradients_with_ops",
        "check_numerics",
    ],
    "training.train": [
        "train_op",
        "logdir",
        "master",
        "is_chief",
        "scaffold",
        "hooks",
        "chief_only_hooks",
        "save_checkpoint_secs",
        "save_summaries_steps",
        "config",
        "max_wait_secs",
        "run_metadata",
    ],
    "training.clip_gradient_norms_fn": ["max_norm"],
    "training.evaluation.evaluate_once": [
        "checkpoint_path",
        "master",
        "scaffold",
        *_EVAL_OPS,
        "hooks",
        "config",
    ],
    "training.evaluation.evaluate_repeatedly": _EVALUATE_REPEATEDLY,
    "evaluation.evaluate_repeatedly": _EVALUATE_REPEATEDLY,
    "evaluation.StopAfterNEvalsHook": ["num_evals", "log_progress"],
    "evaluation.SummaryAtEndHook": ["log_dir", "summary_writer", "summary_op", "feed_dict"],
    "evaluation.get_or_create_eval_step": [],
    "model_analyzer.analyze_vars": ["variables", "print_info"],
    "model_analyzer.analyze_ops": ["graph", "print_info"],
    "model_analyzer.tensor_description": ["var"],
    # slim.metrics names slimlib gained for TF-Slim's metric tests (tf_slim.metrics).
    "metrics.accuracy": ["predictions", "labels", "weights", "name"],
    "metrics.auc_using_histogram": [
        "boolean_labels",
        "scores",
        "score_range",
        "nbins",
        "collections",
        "check_shape",
        "name",
    ],
    "metrics.auc_with_confidence_intervals": [
        "labels",
        "predictions",
        "weights",
        "alpha",
        "logit_transformation",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.cohen_kappa": [
        "labels",
        "predictions_idx",
        "num_classes",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.count": ["values", "weights", "metrics_collections", "updates_collections", "name"],
    "metrics.f1_score": [
        "labels",
        "predictions",
        "weights",
        "num_thresholds",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.precision_at_recall": [
        "labels",
        "predictions",
        "target_recall",
        "weights",
        "num_thresholds",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.precision_recall_at_equal_thresholds": [
        "labels",
        "predictions",
        "weights",
        "num_thresholds",
        "use_locking",
        "name",
    ],
    "metrics.recall_at_precision": [
        "labels",
        "predictions",
        "precision",
        "weights",
        "num_thresholds",
        "metrics_collections",
        "updates_collections",
        "name",
        "strict_mode",
    ],
    "metrics.sparse_recall_at_top_k": [
        "labels",
        "top_k_predictions",
        "class_id",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_curve_points": [
        "labels",
        "predictions",
        "weights",
        "num_thresholds",
        "metrics_collections",
        "updates_collections",
        "curve",
        "name",
    ],
    "metrics.streaming_dynamic_auc": [
        "labels",
        "predictions",
        "curve",
        "metrics_collections",
        "updates_collections",
        "name",
        "weights",
    ],
    "metrics.streaming_false_negative_rate": [
        "predictions",
        "labels",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_false_negative_rate_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_false_negatives_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
    ],
    "metrics.streaming_false_positive_rate": [
        "predictions",
        "labels",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_false_positive_rate_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_false_positives_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
    ],
    "metrics.streaming_mean_cosine_distance": [
        "predictions",
        "labels",
        "dim",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_precision_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_recall_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_sensitivity_at_specificity": [
        "predictions",
        "labels",
        "specificity",
        "weights",
        "num_thresholds",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_sparse_average_precision_at_k": [
        "predictions",
        "labels",
        "k",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_sparse_average_precision_at_top_k": [
        "top_k_predictions",
        "labels",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_sparse_precision_at_top_k": [
        "top_k_predictions",
        "labels",
        "class_id",
        "weights",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_specificity_at_sensitivity": [
        "predictions",
        "labels",
        "sensitivity",
        "weights",
        "num_thresholds",
        "metrics_collections",
        "updates_collections",
        "name",
    ],
    "metrics.streaming_true_negatives_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
    ],
    "metrics.streaming_true_positives_at_thresholds": [
        "predictions",
        "labels",
        "thresholds",
        "weights",
    ],
}


@pytest.mark.parametrize("dotted", sorted(MODULE_SIGNATURES))
def test_module_signature_matches_tf_slim(dotted):
    obj = slim
    for part in dotted.split("."):
        obj = getattr(obj, part)
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = [
        p.name
        for p in inspect.signature(target).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    assert params == MODULE_SIGNATURES[dotted]
