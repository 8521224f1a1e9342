"""Shared by the net tests: TF-Slim's measured reference and how each net was measured.

`/work/shared/reference/tf_slim_nets.json` holds, per net, what TF-Slim built: variables
in creation order (`[name, shape, is_model_variable, trainable]`), collection sizes,
end points in order, the logits tensor's name and shape.
"""

from __future__ import annotations

import importlib
import json
import pathlib

import tensorflow.compat.v1 as tf

import slimlib as slim

REFERENCE_PATH = pathlib.Path("/work/shared/reference/tf_slim_nets.json")
REFERENCE: dict = json.loads(REFERENCE_PATH.read_text())

# name -> (module under slimlib.nets, net function, arg_scope function).
NETS = {
    "alexnet_v2": ("alexnet", "alexnet_v2", "alexnet_v2_arg_scope"),
    "overfeat": ("overfeat", "overfeat", "overfeat_arg_scope"),
    "vgg_a": ("vgg", "vgg_a", "vgg_arg_scope"),
    "vgg_16": ("vgg", "vgg_16", "vgg_arg_scope"),
    "vgg_19": ("vgg", "vgg_19", "vgg_arg_scope"),
    "inception_v1": ("inception", "inception_v1", "inception_v1_arg_scope"),
    "inception_v2": ("inception", "inception_v2", "inception_v2_arg_scope"),
    "inception_v3": ("inception", "inception_v3", "inception_v3_arg_scope"),
    "lenet": ("lenet", "lenet", "lenet_arg_scope"),
    "cifarnet": ("cifarnet", "cifarnet", "cifarnet_arg_scope"),
    **{
        f"resnet_{v}_{d}": (f"resnet_{v}", f"resnet_{v}_{d}", "resnet_arg_scope")
        for v in ("v1", "v2")
        for d in (50, 101, 152, 200)
    },
}

# The input size each net is built at: the smallest that gives TF-Slim's measured logits.
# The fc-as-conv nets squeeze 1x1 logits, which needs their canonical size; the fc kernels
# do not depend on it. ResNets pool globally, so 32 (their nominal stride, a 1x1 block4)
# suffices. Inception's 7x7 / 8x8 final pools want the canonical size too.
INPUT_SIZES = {
    "alexnet_v2": 224,
    "overfeat": 231,
    "vgg_a": 224,
    "vgg_16": 224,
    "vgg_19": 224,
    "inception_v1": 224,
    "inception_v2": 224,
    "inception_v3": 299,
    "lenet": 28,
    "cifarnet": 32,
    **{name: 32 for name in NETS if name.startswith("resnet")},
}
INPUT_CHANNELS = {"lenet": 1}


def net_functions(name: str):
    """`(net_fn, arg_scope_fn)` of the net `name`, imported on use (inception may be absent)."""
    module_name, fn_name, scope_name = NETS[name]
    module = importlib.import_module(f"slimlib.nets.{module_name}")
    return getattr(module, fn_name), getattr(module, scope_name)


def build_as_measured(name: str, batch: int = 2, num_classes: int | None = None):
    """Builds `name` in the default graph as TF-Slim's reference was measured.

    Inside the net's arg_scope with its default weight decay, with the net's default
    `is_training` (True for all the reference nets: the json's update-op counts show
    batch norm in training mode) and the class count of the measured logits (10 for
    LeNet and CifarNet, which the reference does not cover).
    """
    net_fn, arg_scope_fn = net_functions(name)
    if num_classes is None:
        num_classes = REFERENCE[name]["logits_shape"][-1] if name in REFERENCE else 10
    size = INPUT_SIZES[name]
    images = tf.placeholder(tf.float32, [batch, size, size, INPUT_CHANNELS.get(name, 3)])
    with slim.arg_scope(arg_scope_fn()):
        return net_fn(images, num_classes)


# LeNet and CifarNet are not in the reference; their variables `[name, shape]` in creation
# order, from their layer tables (28x28x1 and 32x32x3 inputs, 10 classes).
SMALL_NET_VARIABLES = {
    "lenet": [
        ["LeNet/conv1/weights", [5, 5, 1, 32]],
        ["LeNet/conv1/biases", [32]],
        ["LeNet/conv2/weights", [5, 5, 32, 64]],
        ["LeNet/conv2/biases", [64]],
        ["LeNet/fc3/weights", [7 * 7 * 64, 1024]],
        ["LeNet/fc3/biases", [1024]],
        ["LeNet/fc4/weights", [1024, 10]],
        ["LeNet/fc4/biases", [10]],
    ],
    "cifarnet": [
        ["CifarNet/conv1/weights", [5, 5, 3, 64]],
        ["CifarNet/conv1/biases", [64]],
        ["CifarNet/conv2/weights", [5, 5, 64, 64]],
        ["CifarNet/conv2/biases", [64]],
        ["CifarNet/fc3/weights", [8 * 8 * 64, 384]],
        ["CifarNet/fc3/biases", [384]],
        ["CifarNet/fc4/weights", [384, 192]],
        ["CifarNet/fc4/biases", [192]],
        ["CifarNet/logits/weights", [192, 10]],
        ["CifarNet/logits/biases", [10]],
    ],
}


def checkpoint_entries(name: str) -> list[list]:
    """`[name, shape]` of every variable a checkpoint of `name` holds."""
    if name in SMALL_NET_VARIABLES:
        return SMALL_NET_VARIABLES[name]
    return [[var[0], var[1]] for var in REFERENCE[name]["variables"]]
