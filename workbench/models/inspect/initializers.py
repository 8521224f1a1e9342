"""Each variable's initializer, named as the call that gave it: `xavier_initializer()`.

The graph alone says only which op makes a variable's first value: `random_uniform` for
TF-Slim's default Xavier initializer, `truncated_normal` for a variance-scaling one. The
layer trace says which initializer the layer call was given (`weights_initializer`,
`biases_initializer`, a batch norm's `param_initializers` or its fixed ones), so the
Collections tab can name it as the property sheet, the layer table and the generated code
do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import slimlib as slim
from workbench.models.inspect.formatting import value_text
from workbench.models.inspect.graph_collections import CollectionListing, VariableEntry

# The argument that initializes a layer's variable, by the variable's last name component.
_ARGUMENT_OF = {
    "weights": "weights_initializer",
    "depthwise_weights": "weights_initializer",
    "pointwise_weights": "pointwise_initializer",
    "biases": "biases_initializer",
}
# What a batch norm starts its variables at when `param_initializers` does not say.
_BATCH_NORM = {
    "beta": "zeros_initializer()",
    "gamma": "ones_initializer()",
    "moving_mean": "zeros_initializer()",
    "moving_variance": "ones_initializer()",
}


def variable_initializers(trace: slim.tracing.LayerTrace) -> dict[str, str]:
    """`{variable name: initializer text}` for every variable a traced call made whose
    initializer the call's arguments say.

    Example:
      >>> import tensorflow as tf
      >>> with tf.Graph().as_default(), slim.trace_layers() as trace:
      ...     _ = slim.fully_connected(tf.ones([1, 2]), 3, scope="fc")
      >>> variable_initializers(trace)
      {'fc/weights': 'xavier_initializer()', 'fc/biases': 'zeros_initializer()'}
    """
    found: dict[str, str] = {}
    for record, _depth in trace.walk():
        for variable in record.variables:
            last = variable.name.rsplit("/", 1)[-1]
            argument = record.arguments.get(_ARGUMENT_OF.get(last, ""))
            if argument is not None and argument.value is not None:
                found.setdefault(variable.name, value_text(argument.value))
            elif record.op == "batch_norm" and last in _BATCH_NORM:
                given = record.arguments.get("param_initializers")
                chosen = (given.value or {}).get(last) if given is not None else None
                text = _BATCH_NORM[last] if chosen is None else value_text(chosen)
                found.setdefault(variable.name, text)
    return found


def name_initializers(
    listings: Iterable[CollectionListing], names: Mapping[str, str]
) -> list[CollectionListing]:
    """`listings` with each variable's `initializer_name` taken from `names` where it
    has one (see `variable_initializers`)."""

    def named(member):
        if isinstance(member, VariableEntry) and member.name in names:
            return dataclasses.replace(member, initializer_name=names[member.name])
        return member

    return [
        dataclasses.replace(listing, members=tuple(named(m) for m in listing.members))
        for listing in listings
    ]
