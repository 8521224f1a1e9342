"""Name-mapping rules: applied in order, validated, and written as code."""

from __future__ import annotations

import doctest

import pytest

from workbench.models.restore_plan import NameRule, apply_rules, names
from workbench.models.restore_plan.names import rules_code

RULES = [
    NameRule("strip_prefix", "model/"),
    NameRule("add_prefix", "vgg_16/"),
    NameRule("replace_prefix", "vgg_16/fc8/", "vgg_16/fc8_voc/"),
]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("model/conv1/weights", "vgg_16/conv1/weights"),
        ("conv1/weights", "vgg_16/conv1/weights"),  # Nothing to strip; still prefixed.
        ("model/fc8/biases", "vgg_16/fc8_voc/biases"),
        ("fc8x/biases", "vgg_16/fc8x/biases"),  # `vgg_16/fc8/` is not its prefix.
    ],
    ids=["all", "no-strip", "replace", "near-miss"],
)
def test_rules_apply_in_order(name, expected):
    assert apply_rules(name, RULES) == expected


def test_generated_function_matches_apply_rules():
    namespace: dict = {}
    exec("\n".join(rules_code(RULES)), namespace)

    class Var:
        class op:  # noqa: N801 - mimics `var.op.name`.
            name = "model/fc8/weights"

    assert namespace["name_in_checkpoint"](Var) == apply_rules("model/fc8/weights", RULES)


def test_rules_describe_themselves():
    assert [r.describe() for r in RULES] == [
        "strip prefix 'model/'",
        "add prefix 'vgg_16/'",
        "replace prefix 'vgg_16/fc8/' with 'vgg_16/fc8_voc/'",
    ]


def test_quotes_in_a_prefix_stay_a_literal():
    rule = NameRule("add_prefix", 'it\'s "odd"/')
    namespace: dict = {}
    exec("\n".join(rules_code([rule])), namespace)

    class Var:
        class op:  # noqa: N801 - mimics `var.op.name`.
            name = "w"

    assert namespace["name_in_checkpoint"](Var) == 'it\'s "odd"/w'


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (("rename", "a/"), ValueError, r"`kind` must be one of \['add_prefix'.*got 'rename'"),
        (("strip_prefx", "a/"), ValueError, r"got 'strip_prefx'. Did you mean 'strip_prefix'"),
        (("add_prefix", ""), ValueError, r"`prefix` must be a non-empty str, got ''"),
        (("add_prefix", 3), TypeError, r"`prefix` must be a str, got 3"),
        (("add_prefix", "a/", "b/"), ValueError, r"`replacement` must be '' for a add_prefix"),
    ],
    ids=["kind", "typo", "empty", "type", "replacement"],
)
def test_bad_rules_are_rejected(args, exc, match):
    with pytest.raises(exc, match=r"NameRule: .*" + match):
        NameRule(*args)


def test_docstring_examples_run():
    result = doctest.testmod(names, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
