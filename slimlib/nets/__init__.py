"""TF-Slim's image classification nets (`tf_slim.nets` and the model zoo's `nets`).

Each net returns `(logits, end_points)` with TF-Slim's variable and end-point
names, so TF-Slim model-zoo checkpoints load into it; build it inside the net's
arg_scope, or by name with `get_network_fn`.
"""

from slimlib.nets import alexnet as alexnet
from slimlib.nets import cifarnet as cifarnet
from slimlib.nets import inception as inception
from slimlib.nets import lenet as lenet
from slimlib.nets import nets_factory as nets_factory
from slimlib.nets import overfeat as overfeat
from slimlib.nets import resnet_utils as resnet_utils
from slimlib.nets import resnet_v1 as resnet_v1
from slimlib.nets import resnet_v2 as resnet_v2
from slimlib.nets import vgg as vgg
from slimlib.nets.nets_factory import get_network_fn as get_network_fn
from slimlib.nets.nets_factory import networks_map as networks_map

__all__ = [
    "alexnet",
    "cifarnet",
    "get_network_fn",
    "inception",
    "lenet",
    "nets_factory",
    "networks_map",
    "overfeat",
    "resnet_utils",
    "resnet_v1",
    "resnet_v2",
    "vgg",
]
