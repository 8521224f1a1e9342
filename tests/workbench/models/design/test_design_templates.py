"""Templates: classic models as designs, with parameter counts checked by hand."""

from __future__ import annotations

import doctest
import importlib

import pytest

from slimlib.nets import nets_factory
from workbench.models.design import analyze, net_design, template, templates

templates_module = importlib.import_module("workbench.models.design.templates")

# Parameters by hand (weights k*k*in*out + biases out unless batch norm replaces them):
# lenet: conv1 5*5*1*32+32 = 832; conv2 5*5*32*64+64 = 51,264; 28 -> 14 -> 7 so
#   fc3 7*7*64*1024+1024 = 3,212,288; fc4 1024*10+10 = 10,250.
# cifarnet: conv1 5*5*3*64+64 = 4,864; conv2 5*5*64*64+64 = 102,464; 32 -> 16 -> 8 so
#   fc3 8*8*64*384+384 = 1,573,248; fc4 384*192+192 = 73,920; logits 192*10+10 = 1,930.
# vgg_16 (README, 32x32 input, 1000 classes): its 13 convolutions hold 14,714,688; pool5 is
#   1x1x512, so fc6 512*4096+4096 = 2,101,248, fc7 4096*4096+4096 = 16,781,312,
#   fc8 4096*1000+1000 = 4,097,000.
# resnet_small: batch norm (scale) gives 4 values per channel (beta, gamma, moving mean and
#   variance, the last two not trainable) and no biases: conv1 3*3*3*16+64 = 496;
#   block1 2*(3*3*16*16+64) = 4,736; block2 3*3*16*32+128 + 3*3*32*32+128 + 16*32+128
#   = 14,720; block3 3*3*32*64+256 + 3*3*64*64+256 + 32*64+256 = 58,112; logits 64*10+10 =
#   650. Moving statistics: 2*(16+16+16+32+32+32+64+64+64) = 672.
# inception_block: stem 3*3*3*64+64 = 1,792; Branch_0 64*64+64 = 4,160; Branch_1 64*48+48
#   + 5*5*48*64+64 = 79,984; Branch_2 64*64+64 + 3*3*64*96+96 + 3*3*96*96+96 = 142,592;
#   Branch_3 64*32+32 = 2,080; Logits 256*10+10 = 2,570.
GOLDEN = {
    "lenet": ((10,), 832 + 51_264 + 3_212_288 + 10_250, 0),
    "cifarnet": ((10,), 4_864 + 102_464 + 1_573_248 + 73_920 + 1_930, 0),
    "vgg_16": ((1, 1, 1000), 14_714_688 + 2_101_248 + 16_781_312 + 4_097_000, 0),
    "resnet_small": ((10,), 496 + 4_736 + 14_720 + 58_112 + 650, 672),
    "inception_block": ((10,), 1_792 + 4_160 + 79_984 + 142_592 + 2_080 + 2_570, 0),
}


def test_templates_are_listed_with_one_line_descriptions():
    listing = templates()
    assert list(listing) == list(GOLDEN)
    for description in listing.values():
        assert description and "\n" not in description


@pytest.mark.parametrize("name", list(GOLDEN))
def test_template_shapes_and_parameter_counts(name):
    analysis = analyze(template(name))
    assert analysis.problems == ()
    output, total, frozen = GOLDEN[name]
    assert analysis.output_shape == output
    assert analysis.total_params == total
    assert analysis.total_params - analysis.trainable_params == frozen


def test_vgg_16_is_the_readme_code():
    design = template("vgg_16")
    scoped = design["blocks"][0]
    assert scoped["ops"] == ["conv2d", "fully_connected"]
    assert scoped["defaults"] == {
        "activation_fn": "relu",
        "weights_initializer": {
            "name": "truncated_normal_initializer",
            "mean": 0.0,
            "stddev": 0.01,
        },
        "weights_regularizer": {"name": "l2_regularizer", "scale": 0.0005},
    }
    repeats = [
        (b["count"], b["block"]["args"]["num_outputs"], b["scope"])
        for b in scoped["blocks"]
        if b["kind"] == "repeat"
    ]
    assert repeats == [
        (2, 64, "conv1"),
        (2, 128, "conv2"),
        (3, 256, "conv3"),
        (3, 512, "conv4"),
        (3, 512, "conv5"),
    ]
    scopes = [b.get("scope") for b in scoped["blocks"]]
    assert scopes[-5:] == ["fc6", "dropout6", "fc7", "dropout7", "fc8"]


def test_template_options():
    assert analyze(template("lenet", num_classes=3)).output_shape == (3,)
    # The global average pool follows the input: 64 -> 32 -> 16.
    wide = analyze(template("resnet_small", input_shape=[64, 64, 3]))
    assert wide.ok and wide.output_shape == (10,)
    assert analyze(template("inception_block", input_shape=[16, 16, 1])).output_shape == (10,)
    assert template("lenet") is not template("lenet")


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (
            {"name": "vgg16"},
            ValueError,
            r"template: `name` must be one of .* got 'vgg16'. Did you mean 'vgg_16'\?",
        ),
        (
            {"name": "lenet", "num_classes": "10"},
            TypeError,
            r"template: `num_classes` must be an int, got '10'",
        ),
    ],
    ids=["name", "num-classes"],
)
def test_template_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        template(**kwargs)


@pytest.mark.parametrize("name", nets_factory.network_names)
def test_net_design_wraps_every_net(name):
    design = net_design(name)
    assert design["blocks"] == [{"kind": "net", "name": name, "options": {}}]
    size = nets_factory.networks_map[name].default_image_size
    assert design["input"]["shape"] == [size, size, 1 if name == "lenet" else 3]


def test_net_design_options_and_analysis():
    design = net_design("cifarnet", num_classes=4, dropout_keep_prob=0.7)
    assert design["blocks"][0]["options"] == {"num_classes": 4, "dropout_keep_prob": 0.7}
    analysis = analyze(design)
    assert analysis.ok and analysis.output_shape == (4,)


def test_net_design_unknown_net():
    with pytest.raises(
        ValueError, match=r"net_design: `name` must be one of .* got 'resnet50'. Did you mean"
    ):
        net_design("resnet50")


def test_doctests():
    assert doctest.testmod(templates_module).failed == 0
