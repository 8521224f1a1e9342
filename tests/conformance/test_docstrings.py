"""slimlib's public functions document every argument, and their examples run.

One rule for every documented name (it was copied into each test module before): the
docstring names each parameter (of a class: its constructor's) on a line of its own under
`Args:` (`*args`, `**kwargs` with their stars), a function says what it returns (`Returns:`
or `Yields:`), and every `>>>` example passes. `RAISES` lists the functions that must also say what they raise.
"""

from __future__ import annotations

import doctest
import inspect
import re
from collections.abc import Callable

import pytest

import slimlib as slim
import slimlib.evaluation  # noqa: F401 - binds slim.evaluation
import slimlib.learning  # noqa: F401 - binds slim.learning
import slimlib.summaries  # noqa: F401 - binds slim.summaries
import slimlib.training  # noqa: F401 - binds slim.training
from slimlib.deployment import model_deploy

_LAYERS = [
    # Convolutions.
    "convolution", "convolution1d", "convolution2d", "convolution3d", "convolution2d_in_plane",
    "convolution2d_transpose", "convolution3d_transpose", "separable_convolution2d",
    # Core layers, pooling, normalisation, and the layers that call others.
    "fully_connected", "bias_add", "dropout", "flatten", "one_hot_encoding", "softmax",
    "avg_pool2d", "max_pool2d", "avg_pool3d", "max_pool3d",
    "batch_norm", "layer_norm", "unit_norm",
    "repeat", "stack",
    # Layers TF-Slim has beyond its README.
    "pool", "legacy_fully_connected", "legacy_relu", "legacy_linear", "elu", "spatial_softmax",
    "gdn", "GDN", "maxout", "poincare_normalize", "images_to_sequence", "sequence_to_images",
    "dense_to_sparse", "scale_gradient",
]  # fmt: skip
#: Functions whose docstrings must have a `Raises:` section too.
RAISES = {
    f"slim.{name}"
    for name in _LAYERS[:8]  # The convolutions check their arguments' shapes and ranks.
} | {f"slim.metrics.{name}" for name in slim.metrics.__all__}  # Each checks its inputs.


def _documented() -> dict[str, Callable]:
    names = {f"slim.{name}": getattr(slim, name) for name in _LAYERS}
    for module, prefix in (
        (slim.evaluation, "slim.evaluation"),
        (slim.learning, "slim.learning"),
        (slim.metrics, "slim.metrics"),
        (slim.summaries, "slim.summaries"),
        (slim.training, "slim.training"),
        (slim.training.evaluation, "slim.training.evaluation"),
        (slim.model_analyzer, "slim.model_analyzer"),
        (slim.losses.metric_learning, "slim.losses.metric_learning"),
        (slim.layers.normalization, "slim.layers.normalization"),
        (slim.layers.optimizers, "slim.layers.optimizers"),
        (slim.layers.summaries, "slim.layers.summaries"),
        (slim.layers.sparse_ops, "slim.layers.sparse_ops"),
        (slim.layers.rev_block_lib, "slim.layers.rev_block_lib"),
        (model_deploy, "model_deploy"),
    ):
        names.update({f"{prefix}.{name}": getattr(module, name) for name in module.__all__})
    return names


DOCUMENTED = _documented()


def _argument_line(parameter: inspect.Parameter) -> re.Pattern:
    stars = {parameter.VAR_POSITIONAL: r"\*", parameter.VAR_KEYWORD: r"\*\*"}.get(
        parameter.kind, ""
    )
    return re.compile(rf"^\s+{stars}{re.escape(parameter.name)}:(\s|$)", re.MULTILINE)


def docstring_problems(name: str, obj: object) -> list[str]:
    """What the docstring of `obj` lacks, and its failing examples; empty when it is fine."""
    doc = inspect.getdoc(obj)
    if not doc:
        return [f"{name} has no docstring"]
    problems = []
    if inspect.isfunction(obj) or inspect.isclass(obj):
        # A class documents its constructor's arguments, and returns nothing to document.
        parameters = inspect.signature(obj).parameters.values()
        # A record class (a namedtuple, a dataclass) lists its fields as Attributes or Fields.
        sections = ("Args:", "Attributes:", "Fields:") if inspect.isclass(obj) else ("Args:",)
        if parameters and not any(section in doc for section in sections):
            problems.append(f"{name} lacks Args:")
        if inspect.isfunction(obj) and "Returns:" not in doc and "Yields:" not in doc:
            problems.append(f"{name} lacks Returns:")
        undocumented = [p.name for p in parameters if not _argument_line(p).search(doc)]
        if undocumented:
            problems.append(f"{name} does not document {undocumented}")
    if name in RAISES and "Raises:" not in doc:
        problems.append(f"{name} lacks Raises:")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(obj, name, globs={}):
        runner.run(test, out=lambda _: None)
    if runner.failures:
        problems.append(f"{name}: {runner.failures} example(s) failed")
    if runner.tries == 0 and ">>>" in doc:
        problems.append(f"{name}: its examples were not found")
    return problems


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_every_argument_is_documented_and_the_examples_run(name):
    assert docstring_problems(name, DOCUMENTED[name]) == []


def _half_documented(inputs, rate=0.5, *args, **kwargs):
    """Drops some inputs.

    Args:
      inputs: A tensor.
      *args: Ignored.

    Example:
      >>> 1 + 1
      3
    """


def test_the_rule_finds_what_a_docstring_lacks():
    assert docstring_problems("slim.convolution2d", _half_documented) == [
        "slim.convolution2d lacks Returns:",
        "slim.convolution2d does not document ['rate', 'kwargs']",
        "slim.convolution2d lacks Raises:",
        "slim.convolution2d: 1 example(s) failed",
    ]
