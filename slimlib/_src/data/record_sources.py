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
    """A reader's `IteratorGetNext` op and the datasets behind it.

    `records` is what `get_next` reads: `(filename, (index, value))` elements. `values`
    gives the same records in the same order without the file name and index.
    """

    get_next: tf.Operation
    records: tf.data.Dataset
    values: tf.data.Dataset

    @property
    def name(self) -> str:
        """The reader op's name: what a saved MetaGraph lists for this collection.

        Without a name, every checkpoint save warned that the collection cannot be
        serialized; with it the collection exports as a node list, and a graph imported
        from it holds plain ops there, which `find` passes over.
        """
        return self.get_next.name


def register(get_next: tf.Operation, records: tf.data.Dataset, values: tf.data.Dataset) -> None:
    """Records that `get_next` hands out the elements of `records` (`values` unkeyed)."""
    get_next.graph.add_to_collection(_COLLECTION, RecordSource(get_next, records, values))


def find(op: tf.Operation) -> RecordSource | None:
    """The source whose `get_next` is `op`, or None when `op` is no registered reader."""
    for source in op.graph.get_collection(_COLLECTION):
        if isinstance(source, RecordSource) and source.get_next is op:
            return source
    return None
