"""The arguments a layer starts with when it is dropped on the canvas.

A layer dropped with empty arguments is invalid until its required ones are typed in (a
`conv2d` without `num_outputs` and `kernel_size` cannot be built), so the canvas fills them
with common values: the ones TF-Slim's README and the classic small nets use. Every op of
the catalogue whose call has required arguments (the input aside) is listed here; a test
checks that each op dropped into an empty design with an input it takes validates.
"""

from __future__ import annotations

import copy
from typing import Any

#: op -> the arguments a new layer of that op starts with.
STARTING_ARGS: dict[str, dict[str, Any]] = {
    "conv2d": {"num_outputs": 32, "kernel_size": [3, 3]},
    "separable_conv2d": {"num_outputs": 32, "kernel_size": [3, 3]},
    "conv2d_transpose": {"num_outputs": 32, "kernel_size": [3, 3]},
    "conv2d_in_plane": {"kernel_size": [3, 3]},
    "conv1d": {"num_outputs": 32, "kernel_size": 3},
    "conv3d": {"num_outputs": 32, "kernel_size": [3, 3, 3]},
    "conv3d_transpose": {"num_outputs": 32, "kernel_size": [3, 3, 3]},
    # One int fits every rank `convolution` takes (1-D to 3-D).
    "convolution": {"num_outputs": 32, "kernel_size": 3},
    "max_pool2d": {"kernel_size": [2, 2]},
    "avg_pool2d": {"kernel_size": [2, 2]},
    "max_pool3d": {"kernel_size": [2, 2, 2]},
    "avg_pool3d": {"kernel_size": [2, 2, 2]},
    # A classifier's last layer over 10 classes (MNIST, CIFAR-10).
    "fully_connected": {"num_outputs": 10},
    "linear": {"num_outputs": 10},
    # Hidden layers.
    "relu": {"num_outputs": 64},
    "relu6": {"num_outputs": 64},
    # Axis 1 exists in every input of rank 2 or more (axis 0 is the batch).
    "unit_norm": {"dim": 1},
    "one_hot_encoding": {"num_classes": 10},
}


def starting_args(op: str) -> dict[str, Any]:
    """A fresh copy of the arguments a new `op` layer starts with (`{}` when it needs none).

    Example:
      >>> starting_args("conv2d")
      {'num_outputs': 32, 'kernel_size': [3, 3]}
      >>> starting_args("flatten")
      {}
    """
    return copy.deepcopy(STARTING_ARGS.get(op, {}))
