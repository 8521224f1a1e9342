"""The training loop (`slim.learning.train`) on `tf.compat.v1.train.MonitoredSession`.

TF-Slim's `train` used `tf.compat.v1.train.Supervisor`, which fails on TF 2.x when
eager execution is on. This `train` keeps TF-Slim's signature and behaviour on
`MonitoredSession`: a `Scaffold` holds `init_op`, `init_feed_dict`, `local_init_op`,
`ready_op`, `init_fn` and the saver; the chief restores the latest checkpoint of
`logdir` (so rerunning `train` on the same `logdir` resumes at the saved global step),
writes checkpoints and summaries, and saves a final checkpoint when the loop ends.
It runs inside `with tf.Graph().as_default():` in a process where eager execution is on.

Checkpoints are written safely: `Saver.save` first writes the data and index files
(sharded saves go through a `<prefix>_temp` directory that is merged and renamed),
then rewrites the `checkpoint` state file atomically (temporary file + rename), and
only then deletes checkpoints beyond `max_to_keep` (5 for the default saver). A process
killed during a save leaves the state file naming the previous complete checkpoint,
which is what a restart restores (the chief's restart also deletes the interrupted
save's `<prefix>_temp` folder). A state file that is not valid is rebuilt from the
checkpoint files present, and a damaged latest checkpoint is skipped for the newest one
that reads (`checkpoint_recovery`, each repair logged as a warning). On restart the
metrics file is cut back to its last complete record at or below the restored step, and
the event file gets a `SessionLog.START` at that step, so TensorBoard drops the events
the interrupted run wrote past it. Keep `max_to_keep >= 2` on a custom saver so that a
checkpoint an evaluator is reading is not deleted by the very next save.

Distributed training follows TF-Slim: every worker calls `train` with
`master=server.target` of its `tf.distribute.Server` and the variables placed on the
parameter servers (`tf.compat.v1.train.replica_device_setter`). Only the chief
(`is_chief=True`) initialises or restores the variables, saves checkpoints and writes
summaries and the metrics file; the other workers check every second until the chief has
made the model ready, then train on the shared variables and global step. With
`sync_optimizer`, its session hook runs the chief's queue runner and the token queue.

Watching training from outside (beyond TF-Slim): every `log_every_n_steps` steps
`train` builds a record

    {"step": 120, "loss": 0.31, "learning_rate": 0.01, "examples_per_sec": 812.5,
     "wall_time": 1700000000.0, ...extra tensors...}

passes a copy to each of `callbacks` and appends it as one JSON line to
`<logdir>/metrics.jsonl` (flushed line by line; another process can tail it).
`learning_rate` appears when `extra_tensors` has a `"learning_rate"` entry, the
`"learning_rate"` collection holds a tensor (`create_train_op` adds its optimizer's
rate there) or the graph has a tensor named `learning_rate`; `examples_per_sec` when
`examples_per_step` (the batch size) is given. Non-finite numbers are written as `null`.
"""

from __future__ import annotations

import os
import sys
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks, checkpoint_recovery, train_device, train_hooks
from slimlib._src.train_op import LEARNING_RATE_COLLECTION
from slimlib._src.train_op import add_gradients_summaries as add_gradients_summaries
from slimlib._src.train_op import clip_gradient_norms as clip_gradient_norms
from slimlib._src.train_op import create_train_op as create_train_op
from slimlib._src.train_op import multiply_gradients as multiply_gradients

v1 = tf.compat.v1

__all__ = [
    "add_gradients_summaries",
    "clip_gradient_norms",
    "create_train_op",
    "multiply_gradients",
    "train",
    "train_step",
]

# TF-Slim's sentinel for "build the default" (init ops, summary op, writer, step kwargs).
_USE_DEFAULT = 0

# Seconds a closing session waits for its threads (queue runners) before leaving them:
# TF's and TF-Slim's default. With a SyncReplicasOptimizer the chief's token thread waits
# for the gradients of a step that never comes, and only closing the session releases it,
# so waiting longer than a moment gains nothing.
_STOP_GRACE_SECS = 120
_SYNC_STOP_GRACE_SECS = 2

# Seconds a non-chief worker waits between checks that the chief has initialised the model.
# TensorFlow's `WorkerSessionCreator` waits 30 s, so a worker that connects a moment before
# the chief idles half a minute; a readiness check is one small run, cheap every second.
_WORKER_POLL_SECS = 1.0

# The `should_stop` and `should_log` tensors `train` makes are functions of the global step
# after the step. Per graph: the step read after the train op, and the Python function of
# each such tensor (by name), so that `train_step` fetches that read with the train op and
# evaluates them in Python instead of two more session runs per step (a third of the
# per-step cost of a net whose step takes a millisecond). Tensors from elsewhere are run.
_STEP_RULES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Keys of a metrics record that an `extra_tensors` name may not take.
_RESERVED_METRICS = ("step", "loss", "wall_time", "examples_per_sec")


def _is_default(value: object) -> bool:
    """True for the `_USE_DEFAULT` sentinel; never compares a tensor with `==`."""
    return type(value) is int and value == _USE_DEFAULT


def train_step(sess, train_op, global_step, train_step_kwargs: dict) -> tuple[Any, bool]:
    """Runs one training step; the default `train_step_fn` of `train`.

    Args:
      sess: The session (inside `train`, the monitored session).
      train_op: Tensor that applies the gradients and returns the loss.
      global_step: The global step tensor, fetched with the step.
      train_step_kwargs: Dict of optional entries: `should_stop` and `should_log` (bool
        scalar tensors), `should_trace` with `logdir` (write a Chrome trace of this step
        to `<logdir>/tf_trace-<step>.json`), `summary_writer` (also gets the run metadata).

    Returns:
      `(total_loss, should_stop)`: the loss of this step and whether training should end.

    Raises:
      ValueError: If `should_trace` is given without `logdir`.
    """
    start = time.time()
    options = run_metadata = None
    if "should_trace" in train_step_kwargs:
        if "logdir" not in train_step_kwargs:
            raise ValueError(
                "train_step: `train_step_kwargs` must have 'logdir' when it has "
                "'should_trace', got keys " + repr(sorted(train_step_kwargs)) + "."
            )
        if sess.run(train_step_kwargs["should_trace"]):
            options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
            run_metadata = v1.RunMetadata()

    step_after, rules = _rules_of(train_step_kwargs)
    total_loss, np_global_step = sess.run(
        [train_op, global_step if step_after is None else step_after],
        options=options,
        run_metadata=run_metadata,
    )
    elapsed = time.time() - start

    if run_metadata is not None:
        path = os.path.join(train_step_kwargs["logdir"], "tf_trace-%d.json" % np_global_step)
        v1.logging.info("Writing trace to %s", path)
        with tf.io.gfile.GFile(path, "w") as out:
            out.write(train_hooks.chrome_trace(run_metadata.step_stats))
        writer = train_step_kwargs.get("summary_writer")
        if writer is not None:
            writer.add_run_metadata(run_metadata, "run_metadata-%d" % np_global_step)

    if "should_log" in train_step_kwargs and _evaluate(
        sess, train_step_kwargs["should_log"], rules, np_global_step
    ):
        if total_loss is None:
            v1.logging.info("global step %d (%.3f sec/step)", np_global_step, elapsed)
        else:
            v1.logging.info(
                "global step %d: loss = %.4f (%.3f sec/step)", np_global_step, total_loss, elapsed
            )

    should_stop = False
    if "should_stop" in train_step_kwargs:
        should_stop = bool(_evaluate(sess, train_step_kwargs["should_stop"], rules, np_global_step))
    return total_loss, should_stop


def _rules_of(kwargs: dict) -> tuple[Any, dict]:
    """`(step read after the train op, {tensor name: function of that step})` when every
    `should_stop` / `should_log` of `kwargs` is one `train` made; else `(None, {})`."""
    tensors = [kwargs[key] for key in ("should_stop", "should_log") if key in kwargs]
    if not tensors or not all(isinstance(t, tf.Tensor) for t in tensors):
        return None, {}
    step_after, rules = _STEP_RULES.get(tensors[0].graph, (None, {}))
    if step_after is None or any(t.name not in rules for t in tensors):
        return None, {}
    return step_after, rules


def _evaluate(sess, tensor, rules: dict, np_global_step) -> Any:
    rule = rules.get(tensor.name) if isinstance(tensor, tf.Tensor) else None
    return sess.run(tensor) if rule is None else rule(int(np_global_step))


def _wait_for_step(sess, global_step, step: int) -> None:
    """Blocks until the global step reaches `step` (workers let the chief start first)."""
    while int(sess.run(global_step)) < step:
        time.sleep(1.0)


def _check_args(
    train_op, logdir, summary_op, saver, trace_every_n_steps, number_of_steps, log_every_n_steps
) -> None:
    fn = "train"
    if train_op is None:
        raise ValueError(f"{fn}: `train_op` must be a tensor, got None.")
    if not isinstance(train_op, (tf.Tensor, tf.Operation)) or not hasattr(train_op, "graph"):
        raise TypeError(
            f"{fn}: `train_op` must be a graph tensor (from slim.learning.create_train_op), "
            f"got {train_op!r}."
        )
    if logdir is None:
        if not _is_default(summary_op):
            raise ValueError(f"{fn}: `summary_op` must not be given when `logdir` is None.")
        if saver is not None:
            raise ValueError(f"{fn}: `saver` must not be given when `logdir` is None.")
        if trace_every_n_steps is not None:
            raise ValueError(
                f"{fn}: `trace_every_n_steps` must be None when `logdir` is None, "
                f"got {trace_every_n_steps!r}."
            )
    if number_of_steps is not None:
        if isinstance(number_of_steps, bool) or not isinstance(number_of_steps, int):
            raise TypeError(
                f"{fn}: `number_of_steps` must be None or an int, got {number_of_steps!r}."
            )
        if number_of_steps <= 0:
            raise ValueError(
                f"{fn}: `number_of_steps` must be None or a positive number, got {number_of_steps}."
            )
    if isinstance(log_every_n_steps, bool) or not isinstance(log_every_n_steps, int):
        raise TypeError(f"{fn}: `log_every_n_steps` must be an int, got {log_every_n_steps!r}.")


def _sync_optimizers(sync_optimizer, startup_delay_steps: int) -> list | None:
    if sync_optimizer is None:
        return None
    optimizers = sync_optimizer if isinstance(sync_optimizer, (list, tuple)) else [sync_optimizer]
    for opt in optimizers:
        if not isinstance(opt, v1.train.SyncReplicasOptimizer):
            raise ValueError(
                "train: `sync_optimizer` must be a tf.compat.v1.train.SyncReplicasOptimizer "
                f"or a list of them, got {opt!r}."
            )
    if startup_delay_steps > 0:
        raise ValueError(
            "train: `startup_delay_steps` must be 0 when `sync_optimizer` is given, "
            f"got {startup_delay_steps}."
        )
    return list(optimizers)


def _find_learning_rate(graph: tf.Graph, extra_tensors: Mapping[str, Any]):
    """The learning rate to report: given, collected, or a variable/tensor `learning_rate`."""
    if "learning_rate" in extra_tensors:
        return None  # Reported as an extra tensor under the same key.
    collected = graph.get_collection(LEARNING_RATE_COLLECTION)
    if collected:
        return collected[0]
    for var in graph.get_collection(v1.GraphKeys.GLOBAL_VARIABLES):
        if var.op.name == "learning_rate":
            return var
    try:
        tensor = graph.get_tensor_by_name("learning_rate:0")
    except (KeyError, ValueError):
        return None
    return tensor if tensor.dtype.is_floating and tensor.shape.rank == 0 else None


def _check_extra_tensors(extra_tensors) -> dict[str, Any]:
    if extra_tensors is None:
        return {}
    if not isinstance(extra_tensors, Mapping):
        raise TypeError(
            "train: `extra_tensors` must be a dict of name -> tensor, "
            f"got {type(extra_tensors).__name__}."
        )
    for name in extra_tensors:
        if not isinstance(name, str):
            raise TypeError(f"train: `extra_tensors` keys must be str, got {name!r}.")
        if name in _RESERVED_METRICS:
            raise ValueError(
                f"train: `extra_tensors` must not use the reserved name {name!r} "
                f"(reserved: {list(_RESERVED_METRICS)})."
            )
    return dict(extra_tensors)


def _default_train_step_kwargs(
    train_op, global_step, number_of_steps, log_every_n_steps, trace, logdir
):
    with tf.name_scope("train_step"):
        kwargs: dict[str, Any] = {}
        rules: dict[str, Callable[[int], bool]] = {}
        if number_of_steps:
            kwargs["should_stop"] = tf.greater_equal(global_step, number_of_steps)
            rules[kwargs["should_stop"].name] = lambda step: step >= number_of_steps
        else:
            kwargs["should_stop"] = tf.constant(False)
            rules[kwargs["should_stop"].name] = lambda step: False
        if log_every_n_steps > 0:
            kwargs["should_log"] = tf.equal(tf.math.floormod(global_step, log_every_n_steps), 0)
            rules[kwargs["should_log"].name] = lambda step: step % log_every_n_steps == 0
        if trace is not None:
            kwargs["should_trace"] = tf.equal(tf.math.floormod(global_step, trace), 0)
            kwargs["logdir"] = logdir
        with tf.control_dependencies([train_op]):
            step_after = tf.identity(global_step, name="step_after")
    _STEP_RULES[step_after.graph] = (step_after, rules)
    return kwargs


def _scaffold(init_op, init_feed_dict, local_init_op, ready_op, init_fn, saver):
    """A Scaffold with TF-Slim's meaning of the defaults: `None` means "no such op"."""
    with tf.name_scope("init_ops"):
        # Scaffold reads None as "build the default", TF-Slim's `_USE_DEFAULT`; TF-Slim's None
        # ("skip it") becomes an op that does nothing, and an always-empty readiness report.
        init_op = None if _is_default(init_op) else (tf.no_op() if init_op is None else init_op)
        if _is_default(local_init_op):
            local_init_op = None
        elif local_init_op is None:
            local_init_op = tf.no_op()
        if _is_default(ready_op):
            ready_op = None
        elif ready_op is None:
            ready_op = tf.constant([], dtype=tf.string)
    scaffold_init_fn = None
    if init_fn is not None:

        def scaffold_init_fn(scaffold, session):  # TF-Slim's init_fn takes the session only.
            del scaffold
            init_fn(session)

    return v1.train.Scaffold(
        init_op=init_op,
        init_feed_dict=init_feed_dict,
        init_fn=scaffold_init_fn,
        ready_op=ready_op,
        local_init_op=local_init_op,
        saver=saver,
    )


def train(
    train_op: tf.Tensor,
    logdir: str | None,
    train_step_fn: Callable = train_step,
    train_step_kwargs: dict | int = _USE_DEFAULT,
    log_every_n_steps: int = 1,
    graph: tf.Graph | None = None,
    master: str = "",
    is_chief: bool = True,
    global_step=None,
    number_of_steps: int | None = None,
    init_op=_USE_DEFAULT,
    init_feed_dict: dict | None = None,
    local_init_op=_USE_DEFAULT,
    init_fn: Callable | None = None,
    ready_op=_USE_DEFAULT,
    summary_op=_USE_DEFAULT,
    save_summaries_secs: float = 600,
    summary_writer=_USE_DEFAULT,
    startup_delay_steps: int = 0,
    saver=None,
    save_interval_secs: float = 600,
    sync_optimizer=None,
    session_config=None,
    session_wrapper: Callable | None = None,
    trace_every_n_steps: int | None = None,
    ignore_live_threads: bool = False,
    *,
    callbacks: Sequence[Callable[[dict], Any]] | None = None,
    metrics_file: str | None = "metrics.jsonl",
    extra_tensors: Mapping[str, Any] | None = None,
    examples_per_step: int | None = None,
):
    """Runs the training loop: `train_step_fn` until `number_of_steps` or the input ends.

    The chief initialises the variables (or restores the latest checkpoint of `logdir`
    and continues from its global step), calls `init_fn` only when nothing was restored,
    saves a checkpoint every `save_interval_secs` and at the end, and writes summaries
    every `save_summaries_secs`. Training also stops when the input pipeline raises
    `OutOfRangeError` (e.g. `num_epochs` reached).

    Args:
      train_op: The tensor from `create_train_op`: runs a step, returns the loss.
      logdir: Directory for checkpoints, events and `metrics.jsonl`; None writes nothing.
      train_step_fn: `fn(sess, train_op, global_step, train_step_kwargs) -> (loss,
        should_stop)`, called once per step; default `train_step`.
      train_step_kwargs: Dict passed to `train_step_fn`; default: `should_stop` and
        `should_log` tensors (and `should_trace`, `logdir` with `trace_every_n_steps`).
      log_every_n_steps: Log (and emit a metrics record) every this many global steps;
        0 turns the log off (metrics then stay off too).
      graph: Graph to train; default the graph of `train_op`.
      master: TensorFlow server address for distributed training (`server.target` of a
        `tf.distribute.Server`); '' is in-process.
      is_chief: Whether this worker initialises, restores, saves and writes summaries.
        Other workers wait (checking every second, for up to 30 minutes) until the chief
        has initialised or restored the variables, then train on them.
      global_step: Global step tensor; default the graph's (created when missing).
      number_of_steps: Stop once the global step reaches this; None trains until stopped.
      init_op: Run when nothing is restored; default initialises the global variables,
        None runs nothing.
      init_feed_dict: Feed dict for `init_op`.
      local_init_op: Run in every new session; default initialises the local variables
        and tables, None runs nothing.
      init_fn: `fn(session)` called after `init_op` (e.g. `assign_from_checkpoint_fn` to
        warm-start); not called when a checkpoint of `logdir` is restored.
      ready_op: Names the uninitialised variables (empty when ready); default
        `report_uninitialized_variables()`, None skips the check.
      summary_op: Summary to write; default `tf.compat.v1.summary.merge_all()`.
      save_summaries_secs: Seconds between summaries (the first step always writes one);
        0 or None writes none.
      summary_writer: Writer for summaries; default a `FileWriter` on `logdir`, None for
        no summaries.
      startup_delay_steps: Non-chief workers wait until the global step reaches this.
      saver: Saver for checkpoints; default `Saver(max_to_keep=5, sharded=True)` with
        paths relative to `logdir`.
      save_interval_secs: Seconds between checkpoints; 0 or None saves only at the end.
      sync_optimizer: A `tf.compat.v1.train.SyncReplicasOptimizer` (or a list of them)
        for synchronous replicas; its session hook is added.
      session_config: `tf.compat.v1.ConfigProto` for the session; default
        `slim.learning.session_config()` (GPU memory grows as needed, ops pinned to a
        missing device run where they can), after `set_gpu_memory_growth()`. Build one with
        `session_config(xla=True)` or `session_config(mixed_precision=True)` to opt in.
      session_wrapper: `fn(session) -> session`; the result is what `train_step_fn` gets.
      trace_every_n_steps: Write a Chrome trace every this many steps (chief only).
      ignore_live_threads: Accepted for compatibility; `MonitoredSession` always ignores
        threads that outlive its grace period.
      callbacks: Functions called with each metrics record (a new dict each time).
      metrics_file: Where records are appended as JSON lines, relative to `logdir` (or
        absolute); default `"metrics.jsonl"`; None turns the file off. Chief only.
      extra_tensors: Dict name -> scalar (or small) tensor fetched with the logged steps
        and added to each record; `"learning_rate"` names the learning rate.
      examples_per_step: Examples in one step (the batch size); adds `examples_per_sec`.

    Returns:
      The loss of the last step, or None when no step ran (the input was empty). At least
      one step runs even when the global step already reached `number_of_steps`, as in
      TF-Slim.

    Raises:
      ValueError: If `train_op` is None; if `logdir` is None and `summary_op`, `saver` or
        `trace_every_n_steps` is given; if `number_of_steps <= 0`; if `sync_optimizer` is
        not a `SyncReplicasOptimizer` or comes with `startup_delay_steps > 0`; if `graph`
        is not the graph of `train_op`; if an `extra_tensors` name is reserved.
      TypeError: If `train_op`, `number_of_steps`, `log_every_n_steps` or `extra_tensors`
        has the wrong type.

    Example:
      >>> import tempfile
      >>> import tensorflow.compat.v1 as tf
      >>> import slimlib as slim
      >>> with tf.Graph().as_default():
      ...     w = tf.get_variable("w", [], initializer=tf.ones_initializer())
      ...     train_op = slim.learning.create_train_op(
      ...         tf.square(w), tf.train.GradientDescentOptimizer(0.25))
      ...     loss = slim.learning.train(train_op, tempfile.mkdtemp(), number_of_steps=2)
      >>> float(loss)  # w: 1.0 -> 0.5 -> 0.25; the second step saw w = 0.5.
      0.25
    """
    _check_args(
        train_op, logdir, summary_op, saver, trace_every_n_steps, number_of_steps, log_every_n_steps
    )
    sync_optimizers = _sync_optimizers(sync_optimizer, startup_delay_steps)
    extra_tensors = _check_extra_tensors(extra_tensors)
    _checks.check_optional_positive_int("train", "examples_per_step", examples_per_step)
    if graph is None:
        graph = train_op.graph
    elif train_op.graph is not graph:
        raise ValueError("train: `graph` must be the graph that holds `train_op`.")

    if logdir and is_chief:
        tf.io.gfile.makedirs(logdir)
        _remove_interrupted_saves(logdir)
        for note in checkpoint_recovery.recover_checkpoint_state(logdir):
            v1.logging.warning("train: %s", note)
    with graph.as_default():
        if global_step is None:
            global_step = v1.train.get_or_create_global_step()
        if saver is None:
            saver = v1.train.Saver(sharded=True, max_to_keep=5, save_relative_paths=True)
        elif getattr(getattr(saver, "saver_def", None), "max_to_keep", 5) in (0, 1):
            v1.logging.warning(
                "train: the saver keeps fewer than 2 checkpoints; an evaluator reading the "
                "latest one may see it deleted by the next save."
            )
        scaffold = _scaffold(init_op, init_feed_dict, local_init_op, ready_op, init_fn, saver)
        if _is_default(summary_op):
            summary_op = v1.summary.merge_all()
        if _is_default(summary_writer):
            # As TF-Slim's Supervisor: only the chief writes summaries by default.
            summary_writer = None
            if logdir and is_chief:
                summary_writer = v1.summary.FileWriterCache.get(logdir)
                summary_writer.reopen()  # The cached writer may have been closed elsewhere.
        if _is_default(train_step_kwargs):
            trace = trace_every_n_steps if is_chief else None
            train_step_kwargs = _default_train_step_kwargs(
                train_op, global_step, number_of_steps, log_every_n_steps, trace, logdir
            )
        if summary_writer is not None:
            train_step_kwargs["summary_writer"] = summary_writer

        hooks = _hooks(
            train_op,
            logdir,
            global_step,
            is_chief=is_chief,
            number_of_steps=number_of_steps,
            saver=saver,
            save_interval_secs=save_interval_secs,
            summary_op=summary_op,
            summary_writer=summary_writer,
            save_summaries_secs=save_summaries_secs,
            sync_optimizers=sync_optimizers,
        )
        metrics = _metrics_hook(
            train_op,
            logdir,
            global_step,
            graph,
            is_chief=is_chief,
            every_n=log_every_n_steps,
            callbacks=callbacks,
            metrics_file=metrics_file,
            extra_tensors=extra_tensors,
            examples_per_step=examples_per_step,
        )
        if metrics is not None:
            hooks.append(metrics)

        if session_config is None:
            train_device.grow_gpu_memory_if_possible()
            session_config = train_device.session_config()
        if is_chief:
            creator = v1.train.ChiefSessionCreator(
                scaffold=scaffold, master=master, config=session_config, checkpoint_dir=logdir
            )
        else:
            creator = _WorkerSessionCreator(scaffold, master, session_config, graph)
        try:
            return _run_loop(
                creator,
                hooks,
                train_op,
                global_step,
                train_step_fn,
                train_step_kwargs,
                session_wrapper=session_wrapper,
                wait_for=(
                    min(startup_delay_steps, number_of_steps or sys.maxsize)
                    if not is_chief and startup_delay_steps > 0
                    else 0
                ),
                stop_grace_secs=_SYNC_STOP_GRACE_SECS if sync_optimizers else _STOP_GRACE_SECS,
            )
        finally:
            if metrics is not None:
                metrics.close()
            if summary_writer is not None:
                summary_writer.flush()


def _remove_interrupted_saves(logdir: str) -> None:
    """Deletes the `<prefix>_temp` folders of sharded saves a killed process left behind.

    Only the chief saves into `logdir`, and it has not started yet, so no save of this
    run is in progress; the checkpoints those folders were for were never recorded.
    """
    for path in tf.io.gfile.glob(os.path.join(logdir, "*_temp")):
        if tf.io.gfile.isdir(path):
            v1.logging.info("train: removing %s, left by an interrupted checkpoint save.", path)
            tf.io.gfile.rmtree(path)


class _WorkerSessionCreator(v1.train.SessionCreator):
    """Creates a non-chief worker's session once the chief has initialised the model.

    The same as `tf.compat.v1.train.WorkerSessionCreator` (wait until `ready_op` reports
    nothing, run `local_init_op`, give up after 30 minutes), checking every
    `_WORKER_POLL_SECS` instead of every 30 s.
    """

    def __init__(self, scaffold, master: str, config, graph: tf.Graph):
        self._scaffold = scaffold
        self._master = master
        self._config = config
        self._graph = graph

    def create_session(self):
        self._scaffold.finalize()
        manager = v1.train.SessionManager(
            local_init_op=self._scaffold.local_init_op,
            local_init_feed_dict=self._scaffold.local_init_feed_dict,
            ready_op=self._scaffold.ready_op,
            ready_for_local_init_op=self._scaffold.ready_for_local_init_op,
            graph=self._graph,
            recovery_wait_secs=_WORKER_POLL_SECS,
        )
        return manager.wait_for_session(self._master, config=self._config, max_wait_secs=30 * 60)


def _hooks(
    train_op,
    logdir,
    global_step,
    *,
    is_chief,
    number_of_steps,
    saver,
    save_interval_secs,
    summary_op,
    summary_writer,
    save_summaries_secs,
    sync_optimizers,
) -> list:
    hooks: list = []
    if number_of_steps:
        hooks.append(v1.train.StopAtStepHook(last_step=number_of_steps))
    for opt in sync_optimizers or []:
        hooks.append(opt.make_session_run_hook(is_chief))
    if not is_chief:
        return hooks
    if summary_writer is not None:
        hooks.append(train_hooks.GraphSummaryHook(summary_writer, global_step))
    if logdir:
        hooks.append(train_hooks.CheckpointHook(logdir, saver, global_step, save_interval_secs))
    if summary_writer is not None and save_summaries_secs:
        hooks.append(
            train_hooks.SummaryHook(
                summary_op, summary_writer, train_op, global_step, save_summaries_secs
            )
        )
    return hooks


def _metrics_hook(
    train_op,
    logdir,
    global_step,
    graph,
    *,
    is_chief,
    every_n,
    callbacks,
    metrics_file,
    extra_tensors,
    examples_per_step,
):
    path = None
    if metrics_file and is_chief:
        if os.path.isabs(metrics_file):
            path = metrics_file
        elif logdir:
            path = os.path.join(logdir, metrics_file)
    callbacks = list(callbacks or [])
    for callback in callbacks:
        if not callable(callback):
            raise TypeError(f"train: `callbacks` must hold callables, got {callback!r}.")
    if every_n <= 0 or (path is None and not callbacks):
        return None
    return train_hooks.MetricsHook(
        train_op,
        global_step,
        every_n,
        callbacks=callbacks,
        path=path,
        learning_rate=_find_learning_rate(graph, extra_tensors),
        extra_tensors=extra_tensors,
        examples_per_step=examples_per_step,
    )


def _run_loop(
    creator,
    hooks,
    train_op,
    global_step,
    train_step_fn,
    train_step_kwargs,
    *,
    session_wrapper,
    wait_for: int,
    stop_grace_secs: float,
):
    total_loss = None
    raw = train_hooks.RawSessionHook()
    with v1.train.MonitoredSession(
        session_creator=creator, hooks=[raw, *hooks], stop_grace_period_secs=stop_grace_secs
    ) as monitored:
        v1.logging.info("Starting session.")
        sess = train_hooks.TrainSession(monitored, raw, train_op)
        if session_wrapper is not None:
            sess = session_wrapper(sess)
        if wait_for:
            _wait_for_step(sess, global_step, wait_for)
        # A global step already at `number_of_steps` (a finished run restored, or one
        # `init_fn` loaded) still gets one step, as in TF-Slim: the hooks stop after a run.
        try:
            while not monitored.should_stop():
                total_loss, should_stop = train_step_fn(
                    sess, train_op, global_step, train_step_kwargs
                )
                if should_stop:
                    v1.logging.info("Stopping training.")
                    break
        except tf.errors.OutOfRangeError as err:
            # Raised when the input runs out, e.g. `num_epochs` of a queue reader is reached.
            v1.logging.info("Input exhausted (OutOfRangeError); stopping training. %s", err)
    v1.logging.info("Finished training.")
    return total_loss
