"""The names of the `slimlib.nets` nets a job config may train (`{"model": {"net": NAME}}`).

Written out here because `slimlib.nets` imports TensorFlow (seconds, and its log lines on
stderr), which checking a name does not need: `sweep define`, `jobs` and every other config
check stay without TensorFlow. A test holds this list equal to `nets_factory.network_names`.
"""

from __future__ import annotations

__all__ = ["NET_NAMES"]

NET_NAMES: tuple[str, ...] = (
    "alexnet_v2",
    "cifarnet",
    "inception_v1",
    "inception_v2",
    "inception_v3",
    "lenet",
    "overfeat",
    "resnet_v1_101",
    "resnet_v1_152",
    "resnet_v1_200",
    "resnet_v1_50",
    "resnet_v2_101",
    "resnet_v2_152",
    "resnet_v2_200",
    "resnet_v2_50",
    "vgg_16",
    "vgg_19",
    "vgg_a",
)
