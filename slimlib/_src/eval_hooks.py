"""The evaluation step counter and the two hooks of TF-Slim's evaluation functions.

An evaluation runs its eval ops in a `tf.compat.v1.train.MonitoredSession` until a hook
asks to stop. `get_or_create_eval_step` is the local counter the evaluation functions
increment with each run; `StopAfterNEvalsHook` stops once it reaches N;
`SummaryAtEndHook` writes the summaries once, when the evaluation ends.
"""

from __future__ import annotations

import math

import tensorflow as tf

from slimlib._src import _checks

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = ["StopAfterNEvalsHook", "SummaryAtEndHook", "get_or_create_eval_step"]


def get_or_create_eval_step():
    """The default graph's evaluation step: a local int64 counter in `EVAL_STEP`.

    Created at zero, named `eval_step`, the first time it is asked for; being a local
    variable it is not saved to or restored from checkpoints.

    Returns:
      The counter variable.

    Raises:
      ValueError: If the `EVAL_STEP` collection holds more than one item.
    """
    found = v1.get_collection(GraphKeys.EVAL_STEP)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = [getattr(item, "name", repr(item)) for item in found]
        raise ValueError(
            "get_or_create_eval_step: the EVAL_STEP collection must hold one counter, "
            f"got {len(found)}: {names}."
        )
    return v1.get_variable(
        "eval_step",
        shape=[],
        dtype=tf.int64,
        initializer=v1.zeros_initializer(),
        trainable=False,
        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP],
    )


class StopAfterNEvalsHook(v1.train.SessionRunHook):
    """Asks the session to stop once the evaluation step has reached `num_evals`.

    `evaluate_once` and `evaluate_repeatedly` tell the hook which tensor counts the
    completed runs; used in a loop of one's own, call `set_evals_completed_tensor`.

    Args:
      num_evals: Runs to complete, int >= 1; None never stops (the input must run out).
      log_progress: Log `Evaluation [done/num_evals]` (every run below 20 evaluations,
        else every tenth of them).

    Raises:
      TypeError: If `num_evals` is not an int or None.
      ValueError: If `num_evals < 1`.
    """

    def __init__(self, num_evals: int | None, log_progress: bool = True):
        _checks.check_optional_positive_int("StopAfterNEvalsHook", "num_evals", num_evals)
        self._num_evals = num_evals
        self._evals_completed = None
        self._log_progress = log_progress
        self._log_every = 1 if num_evals is None or num_evals < 20 else math.floor(num_evals / 10)

    def set_evals_completed_tensor(self, evals_completed) -> None:
        """Sets the tensor whose value, after each run, is the number of runs completed."""
        self._evals_completed = evals_completed

    # TF-Slim's (and TensorFlow's) name for the same thing.
    _set_evals_completed_tensor = set_evals_completed_tensor

    def before_run(self, run_context):
        if self._evals_completed is None:
            raise RuntimeError(
                "StopAfterNEvalsHook: no tensor counts the completed evaluations; pass the "
                "hook to slim.evaluation.evaluate_once or evaluate_repeatedly with eval ops, "
                "or call set_evals_completed_tensor first."
            )
        return v1.train.SessionRunArgs({"evals_completed": self._evals_completed})

    def after_run(self, run_context, run_values):
        done = int(run_values.results["evals_completed"])
        if self._log_progress:
            if self._num_evals is None:
                v1.logging.info("Evaluation [%d]", done)
            elif done % self._log_every == 0 or done == self._num_evals:
                v1.logging.info("Evaluation [%d/%d]", done, self._num_evals)
        if self._num_evals is not None and done >= self._num_evals:
            run_context.request_stop()


class SummaryAtEndHook(v1.train.SessionRunHook):
    """Runs the summary op once when the session ends and writes it at the global step.

    Args:
      log_dir: Directory for the event file; used when `summary_writer` is None.
      summary_writer: A `tf.compat.v1.summary.FileWriter` to write with.
      summary_op: The summary to write; None means all summaries of the graph
        (`tf.compat.v1.summary.merge_all()` when the session starts; nothing if there
        are none).
      feed_dict: Feed dict for `summary_op`.

    Raises:
      ValueError: If both `log_dir` and `summary_writer` are None.
    """

    def __init__(self, log_dir=None, summary_writer=None, summary_op=None, feed_dict=None):
        if log_dir is None and summary_writer is None:
            # Keeps TF-Slim's wording: "One of log_dir or summary_writer should be used."
            raise ValueError(
                "SummaryAtEndHook: One of log_dir or summary_writer should be used; got "
                "neither (log_dir=None, summary_writer=None)."
            )
        self._log_dir = log_dir
        self._summary_writer = summary_writer
        self._use_cached_writer = summary_writer is None
        self._summary_op = summary_op
        self._merge_all = summary_op is None
        self._feed_dict = feed_dict
        self._global_step = None

    def begin(self):
        if self._merge_all:
            self._summary_op = v1.summary.merge_all()
        self._global_step = v1.train.get_or_create_global_step()

    def after_create_session(self, session, coord):
        if self._use_cached_writer:
            # The cached writer also records the graph, once per directory; it is reopened
            # in case it was closed since the last session (each evaluation makes one).
            self._summary_writer = v1.summary.FileWriterCache.get(self._log_dir)
            self._summary_writer.reopen()

    def _step(self, session) -> int:
        """The global step the summary is written at."""
        return int(session.run(self._global_step))

    def end(self, session):
        if self._summary_op is not None:
            summary = session.run(self._summary_op, self._feed_dict)
            self._summary_writer.add_summary(summary, self._step(session))
        self._summary_writer.flush()
