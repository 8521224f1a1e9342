"""TF-Slim's hook-based evaluation (`slim.training.evaluation`, also `slim.train_eval`).

The partner of `slim.training.train`: the caller decides with hooks how long an evaluation
runs (`StopAfterNEvalsHook`) and what it writes (`SummaryAtEndHook`). `evaluate_once`
restores one checkpoint and runs `eval_ops` until a hook asks to stop, then fetches
`final_ops` once; `evaluate_repeatedly` does the same for each new checkpoint of a
directory. `slim.evaluation.evaluate_once` (TF-Slim's older API, with `num_evals` and a
`logdir`) is a different function.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.eval_hooks import StopAfterNEvalsHook, get_or_create_eval_step
from slimlib._src.evaluation import _as_fetches, _graph_of, checkpoints_iterator

v1 = tf.compat.v1

__all__ = ["evaluate_once", "evaluate_repeatedly"]


def _count_evals(eval_ops, hooks: list, *, read_after_ops: bool):
    """Adds the eval-step increment to `eval_ops` and hands the count to the stop hooks.

    Returns the new fetches (the caller's dict or list is copied, not changed). With
    `read_after_ops`, the hooks read the counter once every eval op has run; otherwise
    they read the increment's result (TF-Slim's `evaluate_repeatedly`).
    """
    eval_step = get_or_create_eval_step()
    increment = v1.assign_add(eval_step, 1, use_locking=True)
    fetches: Any
    if isinstance(eval_ops, Mapping):
        fetches = {**eval_ops, "update_eval_step": increment}
    elif isinstance(eval_ops, (list, tuple)):
        fetches = [*eval_ops, increment]
    else:
        fetches = [eval_ops, increment]
    evals_completed = increment
    if read_after_ops:
        with tf.control_dependencies(tf.nest.flatten(fetches)):
            evals_completed = tf.identity(eval_step.read_value())
    for hook in hooks:
        if isinstance(hook, StopAfterNEvalsHook):
            hook.set_evals_completed_tensor(evals_completed)
    return fetches


def _run_evaluation(checkpoint_path, master, scaffold, config, hooks, eval_ops, feed_dict):
    """Restores `checkpoint_path` in a `MonitoredSession` and runs `eval_ops` until stopped."""
    creator = v1.train.ChiefSessionCreator(
        scaffold=scaffold,
        master=master,
        config=config,
        checkpoint_filename_with_path=checkpoint_path,
    )
    v1.logging.info("Starting evaluation of %s", checkpoint_path)
    start = time.time()
    with v1.train.MonitoredSession(session_creator=creator, hooks=hooks) as session:
        if eval_ops is not None:
            while not session.should_stop():
                session.run(eval_ops, feed_dict)
    v1.logging.info("Finished evaluation in %.3f s", time.time() - start)


def _check_hooks(fn: str, hooks) -> list:
    hooks = list(hooks or [])
    for hook in hooks:
        if not isinstance(hook, v1.train.SessionRunHook):
            raise TypeError(
                f"{fn}: `hooks` must hold tf.compat.v1.train.SessionRunHook instances, "
                f"got {hook!r} ({type(hook).__name__})."
            )
    return hooks


def evaluate_once(
    checkpoint_path: str,
    master: str = "",
    scaffold: v1.train.Scaffold | None = None,
    eval_ops=None,
    feed_dict: dict | None = None,
    final_ops=None,
    final_ops_feed_dict: dict | None = None,
    hooks: Sequence | None = None,
    config: v1.ConfigProto | None = None,
):
    """Restores `checkpoint_path`, runs `eval_ops` until a hook stops it, returns `final_ops`.

    Each run of `eval_ops` also increments the local `eval_step` counter
    (`get_or_create_eval_step`), which `StopAfterNEvalsHook`s among `hooks` read.
    Without `eval_ops`, nothing runs before `final_ops`.

    Args:
      checkpoint_path: Checkpoint prefix to restore, e.g. from `wait_for_new_checkpoint`.
      master: TensorFlow server address; '' is in-process.
      scaffold: A `tf.compat.v1.train.Scaffold`; its `init_fn`, if any, must restore the
        checkpoint itself. A custom `local_init_op` must initialise the eval step too.
      eval_ops: Tensor, op, list or dict run repeatedly (e.g. metric update ops).
      feed_dict: Feed dict for `eval_ops`.
      final_ops: Tensor, list or dict fetched once at the end.
      final_ops_feed_dict: Feed dict for `final_ops`.
      hooks: `tf.compat.v1.train.SessionRunHook`s, e.g. `[StopAfterNEvalsHook(10)]`.
      config: `tf.compat.v1.ConfigProto` for the session.

    Returns:
      The value of `final_ops` (same structure), or None without them.

    Raises:
      TypeError: If an item of `hooks` is not a `SessionRunHook`.

    Example:
      >>> import tempfile
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> folder = tempfile.mkdtemp()
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [], initializer=tf.constant_initializer(3.0))
      ...     with tf.Session() as sess:
      ...         sess.run(w.initializer)
      ...         path = tf.train.Saver().save(sess, folder + "/model.ckpt")
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [])
      ...     total = slim.local_variable(0.0, name="total")
      ...     result = slim.training.evaluation.evaluate_once(
      ...         path, eval_ops=tf.assign_add(total, w), final_ops={"total": total},
      ...         hooks=[slim.evaluation.StopAfterNEvalsHook(2)])
      >>> float(result["total"])  # two runs add w = 3 twice
      6.0
    """
    fn = "evaluate_once"
    hooks = _check_hooks(fn, hooks)
    eval_ops, final_ops = _as_fetches(eval_ops), _as_fetches(final_ops)
    with _graph_of(eval_ops, final_ops).as_default():
        _checks.require_graph(fn)
        if eval_ops is not None:
            eval_ops = _count_evals(eval_ops, hooks, read_after_ops=True)
        else:
            get_or_create_eval_step()
        final_hook = v1.train.FinalOpsHook(final_ops, final_ops_feed_dict)
        hooks.append(final_hook)
        _run_evaluation(checkpoint_path, master, scaffold, config, hooks, eval_ops, feed_dict)
    return final_hook.final_ops_values


def evaluate_repeatedly(
    checkpoint_dir: str,
    master: str = "",
    scaffold: v1.train.Scaffold | None = None,
    eval_ops=None,
    feed_dict: dict | None = None,
    final_ops=None,
    final_ops_feed_dict: dict | None = None,
    eval_interval_secs: float = 60,
    hooks: Sequence | None = None,
    config: v1.ConfigProto | None = None,
    max_number_of_evaluations: int | None = None,
    timeout: float | None = None,
    timeout_fn: Callable[[], bool] | None = None,
):
    """Evaluates each new checkpoint of `checkpoint_dir` as `evaluate_once` does.

    Checkpoints written while one is being evaluated are skipped: the next evaluation
    takes the latest. The loop ends after `max_number_of_evaluations`, or when `timeout`
    seconds pass without a new checkpoint (unless `timeout_fn` returns False).

    Args:
      checkpoint_dir: Directory the training job writes checkpoints to.
      master: TensorFlow server address; '' is in-process.
      scaffold: A `tf.compat.v1.train.Scaffold` (see `evaluate_once`).
      eval_ops: Tensor, op, list or dict run repeatedly for each checkpoint.
      feed_dict: Feed dict for `eval_ops`.
      final_ops: Tensor, list or dict fetched at the end of each evaluation.
      final_ops_feed_dict: Feed dict for `final_ops`.
      eval_interval_secs: Least seconds between the starts of two evaluations.
      hooks: `tf.compat.v1.train.SessionRunHook`s, e.g. `[StopAfterNEvalsHook(10)]`.
      config: `tf.compat.v1.ConfigProto` for the session.
      max_number_of_evaluations: Stop after this many, int >= 1; None: no limit.
      timeout: Most seconds to wait for a new checkpoint; None waits forever.
      timeout_fn: Called after a timeout; True ends the loop, False keeps waiting.

    Returns:
      The value of `final_ops` of the last evaluation, or None (no `final_ops`, or no
      checkpoint appeared).

    Raises:
      TypeError: If an item of `hooks` is not a `SessionRunHook`, or
        `max_number_of_evaluations` is not an int.
      ValueError: If `max_number_of_evaluations < 1`.
    """
    fn = "evaluate_repeatedly"
    _checks.check_optional_positive_int(fn, "max_number_of_evaluations", max_number_of_evaluations)
    hooks = _check_hooks(fn, hooks)
    eval_ops, final_ops = _as_fetches(eval_ops), _as_fetches(final_ops)
    with _graph_of(eval_ops, final_ops).as_default():
        _checks.require_graph(fn)
        if eval_ops is not None:
            eval_ops = _count_evals(eval_ops, hooks, read_after_ops=False)
        else:
            get_or_create_eval_step()
        final_hook = v1.train.FinalOpsHook(final_ops, final_ops_feed_dict)
        hooks.append(final_hook)
        paths = checkpoints_iterator(
            checkpoint_dir,
            min_interval_secs=eval_interval_secs,
            timeout=timeout,
            timeout_fn=timeout_fn,
        )
        for count, path in enumerate(paths, start=1):
            _run_evaluation(path, master, scaffold, config, hooks, eval_ops, feed_dict)
            if max_number_of_evaluations is not None and count >= max_number_of_evaluations:
                break
    return final_hook.final_ops_values
