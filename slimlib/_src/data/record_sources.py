"""Which `tf.data` pipeline feeds a reader's one-shot iterator, recorded per graph.

`slim.data.batch` looks a provider's tensors up here to rebuild their decoding as a
`tf.data` map over the same records. The record lives in a graph collection, so it goes
away with the graph.
"""

from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

__all__ = ["RecordSource", "find", "register"]

_COLLECTION = "slimlib_record_sources"


class RecordSource(NamedTuple):
    """A reader's `IteratorGetNext` op and the dataset it takes elements from."""

    get_next: tf.Operation
    records: tf.data.Dataset


def register(get_next: tf.Operation, records: tf.data.Dataset) -> None:
    """Records that `get_next` hands out the elements of `records`."""
    get_next.graph.add_to_collection(_COLLECTION, RecordSource(get_next, records))


def find(op: tf.Operation) -> RecordSource | None:
    """The source whose `get_next` is `op`, or None when `op` is no registered reader."""
    for source in op.graph.get_collection(_COLLECTION):
        if source.get_next is op:
            return source
    return None
