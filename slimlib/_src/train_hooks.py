"""Session hooks behind `slim.learning.train`: checkpoints, summaries and the metrics stream.

`train` runs on `tf.compat.v1.train.MonitoredSession`, so everything TF-Slim's
Supervisor did in background threads happens in hooks here. The hooks that fetch
something (summaries, metrics) only add their fetches to runs that fetch the train
op: TF-Slim's `train_step` also runs small tensors such as `should_log` through the
same session, and evaluating a summary there could pull an extra batch from the
input pipeline.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1


def _step_after(train_op, global_step):
    """The global step read after `train_op` ran (a plain read races with the increment)."""
    with tf.control_dependencies([train_op]):
        if isinstance(global_step, tf.Variable):
            return tf.identity(global_step.read_value())
        return tf.identity(global_step)


def fetches_op(fetches, op) -> bool:
    """True when the fetch structure `fetches` contains `op` itself."""
    try:
        flat = tf.nest.flatten(fetches)
    except TypeError:  # Fetch structures TF's nest does not know; take them as one fetch.
        flat = [fetches]
    return any(fetch is op for fetch in flat)


def _fetches_train_op(run_context, train_op) -> bool:
    """True when this `session.run` call fetches `train_op` (and so takes a step)."""
    return fetches_op(run_context.original_args.fetches, train_op)


class RawSessionHook(v1.train.SessionRunHook):
    """Keeps the plain `tf.compat.v1.Session` inside the monitored session (also after a
    recovery recreates it)."""

    def __init__(self):
        self.session = None

    def after_create_session(self, session, coord):
        self.session = session


class TrainSession:
    """The session `train_step_fn` gets: steps go through the hooks, other runs do not.

    A run that fetches the train op goes through the `MonitoredSession` (checkpoints,
    summaries, metrics, stop-at-step). Any other run (`should_log`, `should_stop`, reading
    the global step) goes straight to the TensorFlow session: the hooks would otherwise see
    runs that take no step, and a monitored session refuses every run once a hook has asked
    it to stop, which TF-Slim's `train_step` does after the last step.
    """

    def __init__(self, monitored, raw: RawSessionHook, train_op):
        self._monitored = monitored
        self._raw = raw
        self._train_op = train_op

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if fetches_op(fetches, self._train_op) or self._raw.session is None:
            return self._monitored.run(
                fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata
            )
        try:
            return self._raw.session.run(fetches, feed_dict, options, run_metadata)
        except (tf.errors.AbortedError, tf.errors.UnavailableError):
            if self._monitored.should_stop():
                raise
            # A lost worker or parameter server: the monitored session recreates the session.
            return self._monitored.run(
                fetches, feed_dict=feed_dict, options=options, run_metadata=run_metadata
            )

    def should_stop(self) -> bool:
        return self._monitored.should_stop()

    def __getattr__(self, name):
        return getattr(self._monitored, name)


class CheckpointHook(v1.train.SessionRunHook):
    """Saves `saver` to `<logdir>/model.ckpt-<step>`: at start, every `save_secs`, at the end.

    At start it saves only when the current step has no checkpoint yet (a resumed run does
    not rewrite the checkpoint it was restored from). `save_secs` of None or 0 saves only
    at the end, as TF-Slim's `train` does after its loop.
    """

    def __init__(self, logdir: str, saver, global_step, save_secs: float | None):
        self._save_path = os.path.join(logdir, "model.ckpt")
        self._logdir = logdir
        self._saver = saver
        self._global_step = global_step
        self._save_secs = save_secs
        self._last_step: int | None = None
        self._last_time = 0.0

    def after_create_session(self, session, coord):
        tf.io.write_graph(session.graph.as_graph_def(add_shapes=True), self._logdir, "graph.pbtxt")
        step = int(session.run(self._global_step))
        latest = tf.train.latest_checkpoint(self._logdir)
        if self._save_secs:
            if latest is None or not latest.endswith(f"-{step}"):
                self._save(session, step)
            else:
                self._last_step, self._last_time = step, time.time()
        elif latest is not None and latest.endswith(f"-{step}"):
            self._last_step = step

    def after_run(self, run_context, run_values):
        if self._save_secs and time.time() - self._last_time >= self._save_secs:
            self._save(run_context.session, int(run_context.session.run(self._global_step)))

    def end(self, session):
        step = int(session.run(self._global_step))
        if step != self._last_step:
            self._save(session, step)

    def _save(self, session, step: int) -> None:
        v1.logging.info("Saving checkpoint for step %d to %s.", step, self._save_path)
        self._saver.save(session, self._save_path, global_step=step)
        self._last_step, self._last_time = step, time.time()


class GraphSummaryHook(v1.train.SessionRunHook):
    """Adds the (finalized) training graph to the summary writer, for TensorBoard's graph tab,
    and a `SessionLog.START` at the step the session starts from: TensorBoard then drops
    the events an interrupted earlier run wrote after that step."""

    def __init__(self, writer, global_step=None):
        self._writer = writer
        self._global_step = global_step

    def after_create_session(self, session, coord):
        self._writer.add_graph(session.graph)
        if self._global_step is not None:
            step = int(session.run(self._global_step))
            self._writer.add_session_log(v1.SessionLog(status=v1.SessionLog.START), step)


class SummaryHook(v1.train.SessionRunHook):
    """Writes `summary_op` and `global_step/sec` with a training step every `save_secs`.

    The first step always writes. `summary_op` may be None (then only the step rate is
    written, as TF-Slim's Supervisor did).
    """

    def __init__(self, summary_op, writer, train_op, global_step, save_secs: float):
        self._summary_op = summary_op
        self._writer = writer
        self._train_op = train_op
        self._global_step = global_step
        self._save_secs = save_secs
        self._last: tuple[int, float] | None = None  # (step, time) of the last write.
        self._due = True
        self._step = None

    def begin(self):
        self._step = _step_after(self._train_op, self._global_step)

    def before_run(self, run_context):
        if not _fetches_train_op(run_context, self._train_op):
            return None
        self._due = self._last is None or time.time() - self._last[1] >= self._save_secs
        fetches = {"step": self._step}
        if self._due and self._summary_op is not None:
            fetches["summary"] = self._summary_op
        return v1.train.SessionRunArgs(fetches)

    def after_run(self, run_context, run_values):
        results = run_values.results
        if not results or not self._due:
            return
        step, now = int(results["step"]), time.time()
        if "summary" in results:
            self._writer.add_summary(results["summary"], step)
        if self._last is not None and now > self._last[1] and step > self._last[0]:
            rate = (step - self._last[0]) / (now - self._last[1])
            value = v1.Summary.Value(tag="global_step/sec", simple_value=rate)
            self._writer.add_summary(v1.Summary(value=[value]), step)
        self._last = (step, now)

    def end(self, session):
        self._writer.flush()


def _json_value(value: Any) -> Any:
    """A JSON-safe Python value: numbers as int/float, arrays as lists, inf/NaN as None."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    array = np.asarray(value)
    if array.ndim > 0:
        return [_json_value(item) for item in array.tolist()]
    item = array.item()
    if isinstance(item, float) and not math.isfinite(item):
        return None  # Strict JSON has no inf/NaN; readers in a browser would reject the line.
    if isinstance(item, bytes):
        return item.decode("utf-8", "replace")
    return item


def cut_metrics_back(path: str, step: int) -> None:
    """Truncates the JSON-lines file `path` after its last complete record at or below `step`.

    A run killed after its last checkpoint logged records past the step a restart restores
    (the restart logs those steps again), and may have left half a line. The file is cut
    at the first line that is incomplete, not a JSON record with a `step`, or past `step`.
    """
    try:
        with open(path, "rb") as f:
            content = f.read()
    except FileNotFoundError:
        return
    keep = 0
    while True:
        end = content.find(b"\n", keep)
        if end < 0:
            break
        try:
            record = json.loads(content[keep:end])
        except ValueError:
            break
        if not isinstance(record, dict) or not isinstance(record.get("step"), int):
            break
        if record["step"] > step:
            break
        keep = end + 1
    if keep < len(content):
        with open(path, "r+b") as f:
            f.truncate(keep)


class MetricsHook(v1.train.SessionRunHook):
    """Every `every_n_steps` training steps, builds a record, calls callbacks, appends JSON.

    The record is `{"step", "loss", "wall_time", ["learning_rate"], ["examples_per_sec"],
    **extra}`; values come from the same run as the step they describe.
    """

    def __init__(
        self,
        train_op,
        global_step,
        every_n_steps: int,
        *,
        callbacks: Sequence[Callable[[dict], Any]] = (),
        path: str | None = None,
        learning_rate=None,
        extra_tensors: Mapping[str, Any] | None = None,
        examples_per_step: int | None = None,
    ):
        self._train_op = train_op
        self._global_step = global_step
        self._every_n = every_n_steps
        self._callbacks = list(callbacks)
        self._path = path
        self._learning_rate = learning_rate
        self._extra = dict(extra_tensors or {})
        self._examples_per_step = examples_per_step
        self._fetches: dict[str, Any] = {}
        self._file = None
        self._run_start = 0.0
        self._last_record: tuple[int, float] | None = None
        self._unlogged: tuple[int, dict] | None = None

    def begin(self):
        self._fetches = {
            "loss": self._train_op,
            "step": _step_after(self._train_op, self._global_step),
        }
        if self._learning_rate is not None:
            self._fetches["learning_rate"] = self._learning_rate
        for name, tensor in self._extra.items():
            self._fetches["extra/" + name] = tensor

    def after_create_session(self, session, coord):
        if self._path:
            os.makedirs(os.path.dirname(os.path.abspath(self._path)), exist_ok=True)
            cut_metrics_back(self._path, int(session.run(self._global_step)))
            # Appends, so a resumed run continues the stream of the run before it.
            self._file = open(self._path, "a", encoding="utf-8")  # noqa: SIM115 - closed in end()

    def before_run(self, run_context):
        if not _fetches_train_op(run_context, self._train_op):
            return None
        self._run_start = time.time()
        return v1.train.SessionRunArgs(self._fetches)

    def after_run(self, run_context, run_values):
        results = run_values.results
        if not results:
            return
        step = int(results["step"])
        if step % self._every_n:
            # Kept so that `end` can still record the last step of a run that stops between
            # two logged steps (a live plot would otherwise stop short of the end).
            self._unlogged = (step, results)
            return
        self._unlogged = None
        self._emit(step, results, time.time())

    def _emit(self, step: int, results: dict, now: float) -> None:
        record: dict[str, Any] = {"step": step, "loss": _json_value(results["loss"])}
        if "learning_rate" in results:
            record["learning_rate"] = _json_value(results["learning_rate"])
        if self._examples_per_step:
            record["examples_per_sec"] = self._examples_per_sec(step, now)
        record["wall_time"] = now
        for name in self._extra:
            record[name] = _json_value(results["extra/" + name])
        self._last_record = (step, now)
        if self._file is not None:
            self._file.write(json.dumps(record, allow_nan=False) + "\n")
            self._file.flush()
        for callback in self._callbacks:
            callback(dict(record))

    def _examples_per_sec(self, step: int, now: float) -> float | None:
        """Throughput since the last record, or over this one step for the first record."""
        if self._last_record is not None and step > self._last_record[0]:
            steps, seconds = step - self._last_record[0], now - self._last_record[1]
        else:
            steps, seconds = 1, now - self._run_start
        if seconds <= 0:
            return None
        return steps * self._examples_per_step / seconds

    def end(self, session):
        if self._unlogged is not None:
            step, results = self._unlogged
            self._unlogged = None
            self._emit(step, results, time.time())
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def chrome_trace(step_stats) -> str:
    """A `step_stats` proto (from a traced `RunMetadata`) as Chrome trace JSON.

    Open the file at chrome://tracing or https://ui.perfetto.dev. One process per device,
    one complete event (`"ph": "X"`) per executed node; times in microseconds.
    """
    events: list[dict[str, Any]] = []
    for pid, device in enumerate(step_stats.dev_stats):
        events.append(
            {"name": "process_name", "ph": "M", "pid": pid, "args": {"name": device.device}}
        )
        for node in device.node_stats:
            events.append(
                {
                    "name": node.node_name,
                    "cat": "Op",
                    "ph": "X",
                    "pid": pid,
                    "tid": node.thread_id,
                    "ts": node.all_start_micros,
                    "dur": max(node.all_end_rel_micros, 1),
                    "args": {"name": node.node_name, "label": node.timeline_label},
                }
            )
    return json.dumps({"traceEvents": events})
