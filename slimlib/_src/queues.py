"""`QueueRunners`: starts a graph's queue runners for the length of a `with` block."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import tensorflow as tf

v1 = tf.compat.v1

__all__ = ["NestedQueueRunnerError", "QueueRunners"]

# One flag per thread/context rather than a process-wide lock: two users of one server
# process may each run their own queues at the same time; only nesting is an error.
_ACTIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("slim_queue_runners", default=False)


class NestedQueueRunnerError(Exception):
    """Raised when a `QueueRunners` block is opened inside another one."""


@contextlib.contextmanager
def QueueRunners(session: Any) -> Iterator[None]:  # noqa: N802 (TF-Slim's name)
    """Runs every queue runner of `session.graph` while the block runs, then stops them.

    On exit the threads are asked to stop and joined; if a thread does not stop within
    120 s the session is closed to unblock it. An error raised inside a queue thread
    (e.g. `tf.errors.DataLossError` from a reader) is re-raised on exit. The queues stay
    closed after the block: a later block on the same session finds them at their end
    (dequeuing raises `tf.errors.OutOfRangeError`).

    Args:
      session: The `tf.compat.v1.Session` that runs the queues.

    Yields:
      Nothing; run the session inside the block.

    Raises:
      NestedQueueRunnerError: If called inside another `QueueRunners` block of the same
        thread.

    Example:
      with tf.compat.v1.Session() as sess:
          with slim.queues.QueueRunners(sess):
              images = sess.run(batch)
    """
    if _ACTIVE.get():
        raise NestedQueueRunnerError(
            "QueueRunners: a QueueRunners block is already open in this thread; "
            "QueueRunners blocks cannot be nested."
        )
    token = _ACTIVE.set(True)
    try:
        # A runner whose queue an earlier block closed gets CancelledError on its first
        # enqueue: that is a queue at its end, not a failure to re-raise on exit.
        coord = v1.train.Coordinator(
            clean_stop_exception_types=(tf.errors.OutOfRangeError, tf.errors.CancelledError)
        )
        threads = []
        for runner in session.graph.get_collection(v1.GraphKeys.QUEUE_RUNNERS):
            threads.extend(runner.create_threads(session, coord=coord, daemon=True, start=True))
        try:
            yield
        finally:
            coord.request_stop()
            try:
                coord.join(threads, stop_grace_period_secs=120)
            except RuntimeError:
                # Threads still blocked after the grace period: closing the session
                # cancels their pending ops.
                session.close()
    finally:
        _ACTIVE.reset(token)
