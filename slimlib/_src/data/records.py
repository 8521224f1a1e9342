"""`verify_tfrecords`: reads TFRecord files end to end to find a corrupt or truncated one."""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from slimlib._src.data.parallel_reader import get_data_files

__all__ = ["count_records", "verify_tfrecords"]


def verify_tfrecords(data_sources: str | Sequence[str]) -> dict[str, int]:
    """Reads every record of every file and returns the record count of each file.

    A reading pipeline reports a damaged file as `DataLossError: corrupted record at
    <offset>` without naming the file; this names it. Works in eager and graph mode.

    Args:
      data_sources: A path, a glob pattern or a list of them.

    Returns:
      A dict from each file path to its number of records.

    Raises:
      ValueError: If no data file is found.
      tf.errors.DataLossError: If a file is corrupt or truncated; the message names the
        file and how many records before the damage are intact.
    """
    counts = {}
    for path in get_data_files(data_sources):
        try:
            counts[path] = _count(path)
        except tf.errors.DataLossError as err:
            intact = _count_intact(path)
            raise tf.errors.DataLossError(
                None,
                None,
                f"verify_tfrecords: {path!r} is corrupt or truncated after {intact} intact "
                f"records ({err.message}). Rewrite the file, or drop it from the data sources.",
            ) from err
    return counts


def _count(path: str) -> int:
    """Counts the records of one file in a private graph (works in any execution mode)."""
    graph = tf.Graph()
    with graph.as_default():
        records = tf.data.TFRecordDataset(path)
        total = records.reduce(tf.constant(0, tf.int64), lambda count, _: count + 1)
    with tf.compat.v1.Session(graph=graph) as session:
        return int(session.run(total))


def _count_intact(path: str) -> int:
    """Counts the records before the first damaged one."""
    count = 0
    try:
        for _ in tf.compat.v1.io.tf_record_iterator(path):
            count += 1
    except tf.errors.DataLossError:
        pass
    return count


def count_records(data_sources: str | Sequence[str]) -> int:
    """Returns the total number of records in `data_sources` (see `verify_tfrecords`)."""
    return sum(verify_tfrecords(data_sources).values())
