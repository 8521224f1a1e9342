"""Ready-made designs to start from: classic slim models, written as design blocks.

`templates()` lists them with a one-line description; `template(name)` returns a fresh
design dict; `net_design(name)` wraps any net of `slimlib.nets` in a `net` block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from workbench.models.design.catalogue import nets
from workbench.models.design.spec import (
    arg_scope,
    branches,
    layer,
    net,
    new_design,
    repeat,
    residual,
)
from workbench.problems import did_you_mean

_TRUNCATED = "truncated_normal_initializer"


def _truncated(stddev: float, mean: float | None = None) -> dict:
    init = {"name": _TRUNCATED}
    if mean is not None:
        init["mean"] = mean
    init["stddev"] = stddev
    return init


def _l2(scale: float) -> dict:
    return {"name": "l2_regularizer", "scale": scale}


def _lenet(num_classes: int, shape: Sequence[int]) -> dict:
    """TF-Slim's `nets/lenet.py` inside `lenet_arg_scope(weight_decay=0.0)`."""
    body = [
        layer("conv2d", "conv1", num_outputs=32, kernel_size=[5, 5]),
        layer("max_pool2d", "pool1", kernel_size=[2, 2], stride=2),
        layer("conv2d", "conv2", num_outputs=64, kernel_size=[5, 5]),
        layer("max_pool2d", "pool2", kernel_size=[2, 2], stride=2),
        layer("flatten"),
        layer("fully_connected", "fc3", num_outputs=1024),
        layer("dropout", "dropout3", keep_prob=0.5),
        layer("fully_connected", "fc4", num_outputs=num_classes, activation_fn=None),
    ]
    scoped = arg_scope(
        ["conv2d", "fully_connected"],
        body,
        weights_regularizer=_l2(0.0),
        weights_initializer=_truncated(0.1),
        activation_fn="relu",
    )
    return new_design("lenet", shape, [scoped], description=_DESCRIPTIONS["lenet"])


def _cifarnet(num_classes: int, shape: Sequence[int]) -> dict:
    """TF-Slim's `nets/cifarnet.py` in `cifarnet_arg_scope(weight_decay=0.004)`, no LRN."""
    body = [
        layer("conv2d", "conv1", num_outputs=64, kernel_size=[5, 5]),
        layer("max_pool2d", "pool1", kernel_size=[2, 2], stride=2),
        layer("conv2d", "conv2", num_outputs=64, kernel_size=[5, 5]),
        layer("max_pool2d", "pool2", kernel_size=[2, 2], stride=2),
        layer("flatten"),
        layer("fully_connected", "fc3", num_outputs=384),
        layer("dropout", "dropout3", keep_prob=0.5),
        layer("fully_connected", "fc4", num_outputs=192),
        layer(
            "fully_connected",
            "logits",
            num_outputs=num_classes,
            biases_initializer={"name": "zeros_initializer"},
            weights_initializer=_truncated(1 / 192.0, mean=0.0),
            weights_regularizer=None,
            activation_fn=None,
        ),
    ]
    dense = arg_scope(
        ["fully_connected"],
        body,
        biases_initializer={"name": "constant_initializer", "value": 0.1},
        weights_initializer=_truncated(0.04, mean=0.0),
        weights_regularizer=_l2(0.004),
        activation_fn="relu",
    )
    conv = arg_scope(
        ["conv2d"], [dense], weights_initializer=_truncated(5e-2), activation_fn="relu"
    )
    return new_design("cifarnet", shape, [conv], description=_DESCRIPTIONS["cifarnet"])


def _vgg_16(num_classes: int, shape: Sequence[int]) -> dict:
    """The TF-Slim README's `vgg16(inputs)`, block for block."""
    body = [
        repeat(2, layer("conv2d", num_outputs=64, kernel_size=[3, 3]), "conv1"),
        layer("max_pool2d", "pool1", kernel_size=[2, 2]),
        repeat(2, layer("conv2d", num_outputs=128, kernel_size=[3, 3]), "conv2"),
        layer("max_pool2d", "pool2", kernel_size=[2, 2]),
        repeat(3, layer("conv2d", num_outputs=256, kernel_size=[3, 3]), "conv3"),
        layer("max_pool2d", "pool3", kernel_size=[2, 2]),
        repeat(3, layer("conv2d", num_outputs=512, kernel_size=[3, 3]), "conv4"),
        layer("max_pool2d", "pool4", kernel_size=[2, 2]),
        repeat(3, layer("conv2d", num_outputs=512, kernel_size=[3, 3]), "conv5"),
        layer("max_pool2d", "pool5", kernel_size=[2, 2]),
        layer("fully_connected", "fc6", num_outputs=4096),
        layer("dropout", "dropout6", keep_prob=0.5),
        layer("fully_connected", "fc7", num_outputs=4096),
        layer("dropout", "dropout7", keep_prob=0.5),
        layer("fully_connected", "fc8", num_outputs=num_classes, activation_fn=None),
    ]
    scoped = arg_scope(
        ["conv2d", "fully_connected"],
        body,
        activation_fn="relu",
        weights_initializer=_truncated(0.01, mean=0.0),
        weights_regularizer=_l2(0.0005),
    )
    return new_design("vgg_16", shape, [scoped], description=_DESCRIPTIONS["vgg_16"])


def _resnet_unit(scope: str, depth: int, stride: int, project: bool) -> dict:
    strided = {"stride": stride} if stride != 1 else {}
    main = [
        layer("conv2d", "conv1", num_outputs=depth, kernel_size=[3, 3], **strided),
        layer("conv2d", "conv2", num_outputs=depth, kernel_size=[3, 3], activation_fn=None),
    ]
    shortcut = []
    if project:
        shortcut = [
            layer(
                "conv2d",
                "shortcut",
                num_outputs=depth,
                kernel_size=[1, 1],
                stride=stride,
                activation_fn=None,
            )
        ]
    return residual(main, shortcut, scope, activation="relu")


def _resnet_small(num_classes: int, shape: Sequence[int]) -> dict:
    """Three residual units (16, 32, 64 channels), the last two halving the size."""
    # Two stride-2 units: the map shrinks by 4 before the global average pool.
    final = [max(1, -(-size // 4)) for size in shape[:2]]
    body = [
        layer("conv2d", "conv1", num_outputs=16, kernel_size=[3, 3]),
        _resnet_unit("block1", 16, 1, False),
        _resnet_unit("block2", 32, 2, True),
        _resnet_unit("block3", 64, 2, True),
    ]
    scoped = arg_scope(
        ["conv2d"],
        body,
        weights_initializer={
            "name": "variance_scaling_initializer",
            "factor": 2.0,
            "mode": "FAN_IN",
        },
        weights_regularizer=_l2(0.0001),
        normalizer_fn="batch_norm",
        normalizer_params={"decay": 0.997, "epsilon": 1e-05, "scale": True},
    )
    head = [
        layer("avg_pool2d", "pool", kernel_size=final, stride=1),
        layer("flatten"),
        layer("fully_connected", "logits", num_outputs=num_classes, activation_fn=None),
    ]
    return new_design(
        "resnet_small", shape, [scoped, *head], description=_DESCRIPTIONS["resnet_small"]
    )


def _inception_block(num_classes: int, shape: Sequence[int]) -> dict:
    """A stem convolution, Inception v3's `Mixed_5b` block (smaller), and a classifier."""
    mixed = branches(
        [
            [layer("conv2d", "Conv2d_0a_1x1", num_outputs=64, kernel_size=[1, 1])],
            [
                layer("conv2d", "Conv2d_0a_1x1", num_outputs=48, kernel_size=[1, 1]),
                layer("conv2d", "Conv2d_0b_5x5", num_outputs=64, kernel_size=[5, 5]),
            ],
            [
                layer("conv2d", "Conv2d_0a_1x1", num_outputs=64, kernel_size=[1, 1]),
                layer("conv2d", "Conv2d_0b_3x3", num_outputs=96, kernel_size=[3, 3]),
                layer("conv2d", "Conv2d_0c_3x3", num_outputs=96, kernel_size=[3, 3]),
            ],
            [
                layer("avg_pool2d", "AvgPool_0a_3x3", kernel_size=[3, 3]),
                layer("conv2d", "Conv2d_0b_1x1", num_outputs=32, kernel_size=[1, 1]),
            ],
        ],
        axis=3,
        scope="Mixed_5b",
    )
    body = [layer("conv2d", "Conv2d_1a_3x3", num_outputs=64, kernel_size=[3, 3]), mixed]
    scoped = arg_scope(["conv2d", "max_pool2d", "avg_pool2d"], body, stride=1, padding="SAME")
    head = [
        layer("avg_pool2d", "AvgPool", kernel_size=list(shape[:2]), padding="VALID"),
        layer("flatten"),
        layer("fully_connected", "Logits", num_outputs=num_classes, activation_fn=None),
    ]
    return new_design(
        "inception_block", shape, [scoped, *head], description=_DESCRIPTIONS["inception_block"]
    )


_DESCRIPTIONS = {
    "lenet": "LeNet as TF-Slim's nets/lenet.py: two conv/pool stages, two dense layers; "
    "28x28x1 digits.",
    "cifarnet": "CifarNet as TF-Slim's nets/cifarnet.py (without local response "
    "normalization, which is not a slimlib layer); 32x32x3 images.",
    "vgg_16": "VGG-16 as the TF-Slim README writes it: slim.repeat of conv2d inside an "
    "arg_scope; 32x32x3 images, so pool5 is 1x1 and fc6-fc8 act as the classifier.",
    "resnet_small": "A small ResNet: three residual units with batch norm and projection "
    "shortcuts, global average pooling; 32x32x3 images.",
    "inception_block": "An Inception-v3 style block: four parallel branches concatenated on "
    "the channels, in an arg_scope shared by conv and pooling; 32x32x3 images.",
}

_BUILDERS: dict[str, tuple[Callable[[int, Sequence[int]], dict], int, tuple[int, ...]]] = {
    "lenet": (_lenet, 10, (28, 28, 1)),
    "cifarnet": (_cifarnet, 10, (32, 32, 3)),
    "vgg_16": (_vgg_16, 1000, (32, 32, 3)),
    "resnet_small": (_resnet_small, 10, (32, 32, 3)),
    "inception_block": (_inception_block, 10, (32, 32, 3)),
}


def templates() -> dict[str, str]:
    """Every template's name and one-line description, in menu order.

    Example:
      >>> list(templates())
      ['lenet', 'cifarnet', 'vgg_16', 'resnet_small', 'inception_block']
    """
    return dict(_DESCRIPTIONS)


def template(
    name: str, *, num_classes: int | None = None, input_shape: Sequence[int] | None = None
) -> dict:
    """A fresh design of the template `name`.

    Args:
      name: One of `templates()`.
      num_classes: Outputs of the last layer; default the template's own (10, or 1000 for
        `vgg_16` as in the README).
      input_shape: `[height, width, channels]`; default the template's own. Global pooling
        layers follow it.

    Returns:
      A design dict (a new one on every call).

    Raises:
      ValueError: If `name` is not a template (with the closest name).
      TypeError: If `num_classes` is not an int.
    """
    if name not in _BUILDERS:
        raise ValueError(
            f"template: `name` must be one of {list(_BUILDERS)}, got {name!r}."
            + did_you_mean(str(name), _BUILDERS)
        )
    build, classes, shape = _BUILDERS[name]
    if num_classes is not None and (
        isinstance(num_classes, bool) or not isinstance(num_classes, int)
    ):
        raise TypeError(f"template: `num_classes` must be an int, got {num_classes!r}.")
    return build(classes if num_classes is None else num_classes, list(input_shape or shape))


def net_design(
    name: str,
    *,
    num_classes: int | None = None,
    input_shape: Sequence[int] | None = None,
    **options: object,
) -> dict:
    """A design holding the whole slimlib net `name` as one `net` block.

    Args:
      name: A key of `slimlib.nets.nets_factory.networks_map`, e.g. `"vgg_16"`.
      num_classes: The net's `num_classes`; default the net's own.
      input_shape: Default `[size, size, 3]` with the net's `default_image_size`
        (`[28, 28, 1]` for LeNet).
      **options: More keyword arguments of the net (`dropout_keep_prob`, ...).

    Returns:
      The design dict.

    Raises:
      ValueError: If `name` is not a slimlib net (with the closest name).

    Example:
      >>> net_design("lenet")["blocks"]
      [{'kind': 'net', 'name': 'lenet', 'options': {}}]
    """
    known = nets()
    if name not in known:
        raise ValueError(
            f"net_design: `name` must be one of {list(known)}, got {name!r}."
            + did_you_mean(str(name), known)
        )
    size = known[name].image_size or 224
    channels = 1 if name == "lenet" else 3
    if num_classes is not None:
        options = {"num_classes": num_classes, **options}
    shape = list(input_shape) if input_shape is not None else [size, size, channels]
    return new_design(name, shape, [net(name, **options)])
