"""`prefetch_queue`: a queue that assembles tensors (e.g. batches) ahead of their use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1

__all__ = ["prefetch_queue"]


def prefetch_queue(
    tensors: Sequence[tf.Tensor] | Mapping[str, tf.Tensor],
    capacity: int = 8,
    num_threads: int = 1,
    dynamic_pad: bool = False,
    shared_name: str | None = None,
    name: str | None = None,
) -> Any:
    """Creates a queue that `num_threads` threads keep filled with the values of `tensors`.

    A `QueueRunner` is added to the graph, so run the queue runners
    (`slim.queues.QueueRunners(sess)`, `tf.compat.v1.train.start_queue_runners` or a
    `MonitoredSession`). A scalar summary `fraction_of_<capacity>_full` is added too.

    Args:
      tensors: A list of tensors, or a dict from names to tensors (dequeued as a dict).
      capacity: Most elements held at once, an int >= 1. Default 8.
      num_threads: Threads running the enqueue op, an int >= 1. Default 1.
      dynamic_pad: Allow dimensions of unknown size (a `PaddingFIFOQueue`).
      shared_name: Shares the queue across sessions under this name.
      name: Name scope; default `'prefetch_queue'`.

    Returns:
      The queue; `queue.dequeue()` gives tensors with the dtypes and shapes of `tensors`.

    Raises:
      ValueError: If `tensors` is empty, or `capacity` or `num_threads` is < 1.
      RuntimeError: If called eagerly.

    Example:
      images, labels = tf.compat.v1.train.batch([image, label], batch_size=32)
      batch_queue = slim.prefetch_queue.prefetch_queue([images, labels])
      images, labels = batch_queue.dequeue()
    """
    _checks.require_graph("prefetch_queue")
    _checks.check_positive_int("prefetch_queue", "capacity", capacity)
    _checks.check_positive_int("prefetch_queue", "num_threads", num_threads)
    if isinstance(tensors, Mapping):
        # Sorted names give the same component order in every run.
        names: list[str] | None = sorted(tensors)
        tensor_list = [tf.convert_to_tensor(tensors[n]) for n in names]
    else:
        names = None
        tensor_list = [tf.convert_to_tensor(t) for t in tensors]
    if not tensor_list:
        raise ValueError(f"prefetch_queue: `tensors` must not be empty, got {tensors!r}.")
    with tf.name_scope(name or "prefetch_queue"):
        queue_class = v1.PaddingFIFOQueue if dynamic_pad else v1.FIFOQueue
        queue = queue_class(
            capacity=capacity,
            dtypes=[t.dtype for t in tensor_list],
            shapes=[t.shape for t in tensor_list],
            names=names,
            shared_name=shared_name,
        )
        values = dict(zip(names, tensor_list)) if names is not None else tensor_list
        enqueue = queue.enqueue(values)
        v1.train.add_queue_runner(v1.train.queue_runner.QueueRunner(queue, [enqueue] * num_threads))
        v1.summary.scalar(
            f"fraction_of_{capacity}_full", tf.cast(queue.size(), tf.float32) * (1.0 / capacity)
        )
        return queue
