"""Evaluation (`slim.evaluation`): run metric updates on a checkpoint and report the results.

`evaluate_once` restores one checkpoint into a `tf.compat.v1.train.MonitoredSession`,
runs `eval_op` `num_evals` times (typically the update ops of streaming metrics), then
`final_op` once (the metric values) and `summary_op` once, written to `logdir` at the
checkpoint's global step. `evaluation_loop` does the same for each new checkpoint of a
directory. Both return the value of `final_op`: a dict when `final_op` is a dict (e.g.
`names_to_values` from `slim.metrics.aggregate_metric_map`), a list for a list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.eval_hooks import (
    StopAfterNEvalsHook,
    SummaryAtEndHook,
    get_or_create_eval_step,
)

v1 = tf.compat.v1
GraphKeys = v1.GraphKeys

__all__ = [
    "checkpoints_iterator",
    "evaluate_once",
    "evaluation_loop",
    "wait_for_new_checkpoint",
]

# TF-Slim's sentinel for "use tf.compat.v1.summary.merge_all()".
_USE_DEFAULT = 0


def _is_default(value: object) -> bool:
    return type(value) is int and value == _USE_DEFAULT


def wait_for_new_checkpoint(
    checkpoint_dir: str,
    last_checkpoint: str | None = None,
    seconds_to_sleep: float = 1,
    timeout: float | None = None,
) -> str | None:
    """Waits until `checkpoint_dir` has a latest checkpoint other than `last_checkpoint`.

    Args:
      checkpoint_dir: Directory with a `checkpoint` state file (as `Saver.save` writes).
      last_checkpoint: The checkpoint path seen last, or None to accept any checkpoint.
      seconds_to_sleep: Seconds between looks.
      timeout: Most seconds to wait; None waits forever.

    Returns:
      The new checkpoint path, or None when `timeout` passed first.
    """
    v1.logging.info("Waiting for a new checkpoint in %s", checkpoint_dir)
    stop_time = None if timeout is None else time.time() + timeout
    while True:
        path = tf.train.latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            v1.logging.info("Found new checkpoint %s", path)
            return path
        if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(
    checkpoint_dir: str,
    min_interval_secs: float = 0,
    timeout: float | None = None,
    timeout_fn: Callable[[], bool] | None = None,
) -> Iterator[str]:
    """Yields each new checkpoint path of `checkpoint_dir` as it appears.

    Checkpoints written while the caller works on the previous one are skipped: only the
    latest is yielded. When `timeout` seconds pass without a new checkpoint, the iterator
    ends, unless `timeout_fn` is given and returns False (then it keeps waiting).

    Args:
      checkpoint_dir: Directory to watch.
      min_interval_secs: Least seconds between two yields.
      timeout: Most seconds to wait for each new checkpoint; None waits forever.
      timeout_fn: Called (no arguments) after a timeout; True ends the iteration.

    Yields:
      The path of each new latest checkpoint.
    """
    checkpoint_path = None
    while True:
        new_path = wait_for_new_checkpoint(checkpoint_dir, checkpoint_path, timeout=timeout)
        if new_path is None:
            if timeout_fn is None or timeout_fn():
                v1.logging.info("Timed out waiting for a checkpoint in %s", checkpoint_dir)
                return
            continue
        start = time.time()
        checkpoint_path = new_path
        yield checkpoint_path
        remaining = start + min_interval_secs - time.time()
        if remaining > 0:
            time.sleep(remaining)


class _SummaryAtEndHook(SummaryAtEndHook):
    """`SummaryAtEndHook` for `evaluate_once`/`evaluation_loop`: its summary op is given.

    Without a global step in the graph the step comes from the checkpoint (its
    `global_step` entry, else the `-<step>` suffix of its name), instead of creating a
    global step that a checkpoint without one could not restore.
    """

    def __init__(self, logdir: str, summary_op, feed_dict, global_step):
        super().__init__(log_dir=logdir, summary_op=summary_op, feed_dict=feed_dict)
        self._graph_step = global_step
        self.checkpoint_path: str | None = None

    def begin(self):
        pass  # The summary op is known and no global step is created.

    def _step(self, session) -> int:
        if self._graph_step is not None:
            return int(session.run(self._graph_step))
        return _checkpoint_step(self.checkpoint_path)


def _checkpoint_step(path: str | None) -> int:
    """The global step of a checkpoint: its `global_step` entry, or its `-N` suffix, or 0."""
    if path is None:
        return 0
    try:
        reader = tf.train.load_checkpoint(path)
        if reader.has_tensor("global_step"):
            return int(reader.get_tensor("global_step"))
    except (tf.errors.OpError, ValueError):
        pass
    suffix = path.rsplit("-", 1)[-1]
    return int(suffix) if suffix.isdigit() else 0


def _as_fetches(value):
    """Lets `dict.values()` and other iterables through as lists (`session.run` needs one)."""
    if value is None or isinstance(value, (tf.Tensor, tf.Operation, tf.Variable, list, dict)):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    try:
        return list(value)
    except TypeError:
        return value


def _graph_of(*fetch_groups) -> tf.Graph:
    """The graph of the first tensor or op among the fetches; else the default graph."""
    for group in fetch_groups:
        for item in tf.nest.flatten(group) if group is not None else []:
            graph = getattr(item, "graph", None)
            if isinstance(graph, tf.Graph):
                return graph
    return v1.get_default_graph()


def _with_eval_step(eval_op, eval_step):
    """Adds the eval-step increment to `eval_op`; returns `(fetches, evals_completed)`."""
    increment = v1.assign_add(eval_step, 1, use_locking=True)
    if isinstance(eval_op, dict):
        fetches: Any = dict(eval_op, update_eval_step=increment)
    elif isinstance(eval_op, list):
        fetches = [*eval_op, increment]
    else:
        fetches = [eval_op, increment]
    # Read the counter after this run's updates, so the stop decision counts this run too.
    with tf.control_dependencies(tf.nest.flatten(fetches)):
        evals_completed = tf.identity(eval_step.read_value())
    return fetches, evals_completed


def _evaluate(
    checkpoint_paths,
    *,
    master,
    logdir,
    num_evals,
    initial_op,
    initial_op_feed_dict,
    init_fn,
    eval_op,
    eval_op_feed_dict,
    final_op,
    final_op_feed_dict,
    summary_op,
    summary_op_feed_dict,
    variables_to_restore,
    session_config,
    hooks,
    max_number_of_evaluations=None,
):
    """Evaluates each checkpoint path that `checkpoint_paths` yields; returns the last result."""
    fn = "evaluation"
    _checks.check_positive_int(fn, "num_evals", num_evals)
    eval_op, final_op = _as_fetches(eval_op), _as_fetches(final_op)
    graph = _graph_of(eval_op, final_op, initial_op, summary_op)
    with graph.as_default():
        if _is_default(summary_op):
            summary_op = v1.summary.merge_all()
        all_hooks: list = []
        summary_hook = None
        if eval_op is not None:
            eval_op, evals_completed = _with_eval_step(eval_op, get_or_create_eval_step())
            stop_hook = StopAfterNEvalsHook(num_evals)
            stop_hook.set_evals_completed_tensor(evals_completed)
            all_hooks.append(stop_hook)
        if summary_op is not None:
            if logdir is None:
                raise ValueError(
                    f"{fn}: `logdir` must be a directory when there is a summary op to write "
                    "(pass summary_op=None to write nothing), got None."
                )
            summary_hook = _SummaryAtEndHook(
                logdir, summary_op, summary_op_feed_dict, v1.train.get_global_step(graph)
            )
            all_hooks.append(summary_hook)
        all_hooks.extend(hooks or [])
        final_hook = v1.train.FinalOpsHook(final_op, final_op_feed_dict)
        all_hooks.append(final_hook)

        saver = None
        if variables_to_restore is not None:
            saver = v1.train.Saver(variables_to_restore)
        scaffold_init_fn = None
        if init_fn is not None:

            def scaffold_init_fn(scaffold, session):  # TF-Slim's init_fn takes the session.
                del scaffold
                init_fn(session)

        scaffold = v1.train.Scaffold(
            init_op=initial_op,
            init_feed_dict=initial_op_feed_dict,
            init_fn=scaffold_init_fn,
            saver=saver,
        )
        result = None
        for count, path in enumerate(checkpoint_paths, start=1):
            creator = v1.train.ChiefSessionCreator(
                scaffold=scaffold,
                master=master,
                config=session_config,
                checkpoint_filename_with_path=path,
            )
            if summary_hook is not None:
                summary_hook.checkpoint_path = path
            v1.logging.info("Evaluating %s", path)
            with v1.train.MonitoredSession(session_creator=creator, hooks=all_hooks) as session:
                if eval_op is not None:
                    while not session.should_stop():
                        session.run(eval_op, eval_op_feed_dict)
            result = final_hook.final_ops_values
            v1.logging.info("Finished evaluating %s", path)
            if max_number_of_evaluations is not None and count >= max_number_of_evaluations:
                break
        return result


def _checkpoint_file(fn: str, checkpoint_path: str) -> str:
    """A checkpoint prefix; a directory stands for its latest checkpoint."""
    if not isinstance(checkpoint_path, str):
        raise TypeError(f"{fn}: `checkpoint_path` must be a str, got {checkpoint_path!r}.")
    if tf.io.gfile.isdir(checkpoint_path):
        latest = tf.train.latest_checkpoint(checkpoint_path)
        if latest is None:
            raise ValueError(
                f"{fn}: `checkpoint_path` must be a checkpoint, got directory "
                f"{checkpoint_path!r} which has none."
            )
        return latest
    return checkpoint_path


def evaluate_once(
    master: str,
    checkpoint_path: str,
    logdir: str | None,
    num_evals: int = 1,
    initial_op=None,
    initial_op_feed_dict: dict | None = None,
    eval_op=None,
    eval_op_feed_dict: dict | None = None,
    final_op=None,
    final_op_feed_dict: dict | None = None,
    summary_op=_USE_DEFAULT,
    summary_op_feed_dict: dict | None = None,
    variables_to_restore=None,
    session_config=None,
    hooks: list | None = None,
):
    """Evaluates the checkpoint at `checkpoint_path` once.

    Restores the checkpoint, initialises the local variables (metric accumulators), runs
    `eval_op` `num_evals` times, then `final_op`, then `summary_op` (written to `logdir` at
    the checkpoint's global step).

    Args:
      master: TensorFlow server address; '' is in-process.
      checkpoint_path: Checkpoint prefix (a directory means its latest checkpoint).
      logdir: Directory for the summary events.
      num_evals: Times to run `eval_op` (number of batches), int >= 1.
      initial_op: Scaffold `init_op`: run only if the session does not restore (as in
        TF-Slim, it does not run when the checkpoint is restored).
      initial_op_feed_dict: Feed dict for `initial_op`.
      eval_op: Tensor, op, list or dict (e.g. `names_to_updates`, or its `.values()`).
      eval_op_feed_dict: Feed dict for `eval_op`.
      final_op: Tensor, list or dict fetched once at the end; its value is returned.
      final_op_feed_dict: Feed dict for `final_op`.
      summary_op: Default `tf.compat.v1.summary.merge_all()`; None writes nothing.
      summary_op_feed_dict: Feed dict for `summary_op`.
      variables_to_restore: Variables (or `{checkpoint name: variable}`) to restore;
        default all global variables.
      session_config: `tf.compat.v1.ConfigProto` for the session.
      hooks: Extra `tf.compat.v1.train.SessionRunHook`s.

    Returns:
      The value of `final_op` (same structure: a dict for a dict), or None without one.

    Raises:
      ValueError: If `num_evals < 1`, `checkpoint_path` is a directory without checkpoints,
        or there is a summary op but `logdir` is None.
      TypeError: If `num_evals` is not an int or `checkpoint_path` not a str.
    """
    path = _checkpoint_file("evaluate_once", checkpoint_path)
    return _evaluate(
        [path],
        master=master,
        logdir=logdir,
        num_evals=num_evals,
        initial_op=initial_op,
        initial_op_feed_dict=initial_op_feed_dict,
        init_fn=None,
        eval_op=eval_op,
        eval_op_feed_dict=eval_op_feed_dict,
        final_op=final_op,
        final_op_feed_dict=final_op_feed_dict,
        summary_op=summary_op,
        summary_op_feed_dict=summary_op_feed_dict,
        variables_to_restore=variables_to_restore,
        session_config=session_config,
        hooks=hooks,
    )


def evaluation_loop(
    master: str,
    checkpoint_dir: str,
    logdir: str | None,
    num_evals: int = 1,
    initial_op=None,
    initial_op_feed_dict: dict | None = None,
    init_fn: Callable | None = None,
    eval_op=None,
    eval_op_feed_dict: dict | None = None,
    final_op=None,
    final_op_feed_dict: dict | None = None,
    summary_op=_USE_DEFAULT,
    summary_op_feed_dict: dict | None = None,
    variables_to_restore=None,
    eval_interval_secs: float = 60,
    max_number_of_evaluations: int | None = None,
    session_config=None,
    timeout: float | None = None,
    timeout_fn: Callable[[], bool] | None = None,
    hooks: list | None = None,
):
    """Evaluates each new checkpoint of `checkpoint_dir`, as `evaluate_once` does.

    Args:
      master: TensorFlow server address; '' is in-process.
      checkpoint_dir: Directory the training job writes checkpoints to.
      logdir: Directory for the summary events (one point per checkpoint).
      num_evals: Times to run `eval_op` per checkpoint, int >= 1.
      initial_op: Scaffold `init_op` (see `evaluate_once`).
      initial_op_feed_dict: Feed dict for `initial_op`.
      init_fn: `fn(session)` run after `initial_op` (only when nothing is restored).
      eval_op: Tensor, op, list or dict run `num_evals` times.
      eval_op_feed_dict: Feed dict for `eval_op`.
      final_op: Tensor, list or dict fetched at the end of each evaluation.
      final_op_feed_dict: Feed dict for `final_op`.
      summary_op: Default `tf.compat.v1.summary.merge_all()`; None writes nothing.
      summary_op_feed_dict: Feed dict for `summary_op`.
      variables_to_restore: Variables to restore; default all global variables.
      eval_interval_secs: Least seconds between two evaluations.
      max_number_of_evaluations: Stop after this many; None runs until `timeout`.
      session_config: `tf.compat.v1.ConfigProto` for the session.
      timeout: Most seconds to wait for a new checkpoint; None waits forever.
      timeout_fn: Called after a timeout; True ends the loop, False keeps waiting.
      hooks: Extra `tf.compat.v1.train.SessionRunHook`s.

    Returns:
      The value of `final_op` for the last checkpoint evaluated, or None.

    Raises:
      ValueError: If `num_evals < 1`, or there is a summary op but `logdir` is None.
      TypeError: If `num_evals` is not an int.
    """
    _checks.check_optional_positive_int(
        "evaluation_loop", "max_number_of_evaluations", max_number_of_evaluations
    )
    paths = checkpoints_iterator(
        checkpoint_dir, min_interval_secs=eval_interval_secs, timeout=timeout, timeout_fn=timeout_fn
    )
    return _evaluate(
        paths,
        master=master,
        logdir=logdir,
        num_evals=num_evals,
        initial_op=initial_op,
        initial_op_feed_dict=initial_op_feed_dict,
        init_fn=init_fn,
        eval_op=eval_op,
        eval_op_feed_dict=eval_op_feed_dict,
        final_op=final_op,
        final_op_feed_dict=final_op_feed_dict,
        summary_op=summary_op,
        summary_op_feed_dict=summary_op_feed_dict,
        variables_to_restore=variables_to_restore,
        session_config=session_config,
        hooks=hooks,
        max_number_of_evaluations=max_number_of_evaluations,
    )
