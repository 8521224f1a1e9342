"""slim.learning: create_train_op, the gradient helpers and the train loop (eager process).

The model everywhere is `y = w * x` on x = [1, 2], y = [2, 4], w = 0, mean squared error,
plain gradient descent with rate 0.1. By hand: the step k loss is 10 / 4**(k-1)
(10, 2.5, 0.625, 0.15625, ...) and w goes 0 -> 1 -> 1.5 -> 1.75 -> ...
"""

import glob
import json
import logging
import os
import threading

import numpy as np
import pytest
import tensorflow as tf2
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.learning  # noqa: F401 - binds slim.learning
import slimlib.losses  # noqa: F401 - binds slim.losses

LOSSES = [10.0, 2.5, 0.625, 0.15625, 0.0390625]


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


def linear_model(learning_rate=0.1):
    """Builds the model of the module docstring in the default graph; returns (loss, w, opt)."""
    x = tf.constant([[1.0], [2.0]])
    y = tf.constant([[2.0], [4.0]])
    w = tf.get_variable("w", [1, 1], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(y, tf.matmul(x, w))
    return loss, w, tf.train.GradientDescentOptimizer(learning_rate)


def build_train_op():
    loss, w, opt = linear_model()
    return slim.learning.create_train_op(loss, opt), w


def read_metrics(logdir):
    with open(os.path.join(logdir, "metrics.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def read_scalars(logdir):
    """{tag: [(step, value)]} from the event files of `logdir` (read eagerly)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        for record in tf2.data.TFRecordDataset(path):
            event = tf.Event.FromString(record.numpy())
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    out.setdefault(value.tag, []).append((event.step, value.simple_value))
    return out


def ancestors(op):
    """Every op that `op` depends on, through inputs and control inputs."""
    seen, todo = set(), [op]
    while todo:
        current = todo.pop()
        for dep in [t.op for t in current.inputs] + list(current.control_inputs):
            if dep.name not in seen:
                seen.add(dep.name)
                todo.append(dep)
    return seen


# create_train_op ---------------------------------------------------------------------------


def test_create_train_op_runs_update_ops_increments_step_and_returns_loss(graph):
    loss, w, opt = linear_model()
    counter = tf.get_variable("counter", [], tf.int32, tf.zeros_initializer(), trainable=False)
    update = tf.assign_add(counter, 1)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, update)
    train_op = slim.learning.create_train_op(loss, opt)

    # The optimizer adds its apply op to TRAIN_OP too; create_train_op adds the loss tensor.
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP)[-1] is train_op
    global_step = tf.train.get_global_step()
    assert global_step.dtype.base_dtype == tf.int64
    # The update op gates the optimizer step, so it runs before the step.
    apply_op = graph.get_operation_by_name("GradientDescent")
    assert update.op.name in ancestors(apply_op)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [float(sess.run(train_op)) for _ in range(3)]
        assert sess.run([counter, global_step]) == [3, 3]
        np.testing.assert_allclose(sess.run(w), [[1.75]])
    np.testing.assert_allclose(losses, LOSSES[:3])


@pytest.mark.parametrize(
    "update_ops, expected", [([], 0), (None, 2)], ids=["empty-list-runs-none", "none-is-collection"]
)
def test_create_train_op_update_ops_argument(graph, update_ops, expected):
    loss, _, opt = linear_model()
    counter = tf.get_variable("counter", [], tf.int32, tf.zeros_initializer(), trainable=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1))
    train_op = slim.learning.create_train_op(loss, opt, update_ops=update_ops)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        sess.run(train_op)
        assert sess.run(counter) == expected


def test_create_train_op_without_global_step_increments_nothing(graph):
    loss, _, opt = linear_model()
    train_op = slim.learning.create_train_op(loss, opt, global_step=None)
    assert tf.train.get_global_step() is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert float(sess.run(train_op)) == 10.0


def test_variables_to_train_restricts_updates(graph):
    a = tf.get_variable("a", [], initializer=tf.ones_initializer())
    b = tf.get_variable("b", [], initializer=tf.ones_initializer())
    loss = tf.square(a) + tf.square(b)
    train_op = slim.learning.create_train_op(
        loss, tf.train.GradientDescentOptimizer(0.25), variables_to_train=[b]
    )
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        assert sess.run([a, b]) == [1.0, 0.5]  # b -= 0.25 * 2b


def test_clip_gradient_norm_golden(graph):
    # loss = 3 w0 + 4 w1: gradient (3, 4) of norm 5, clipped to norm 1: (0.6, 0.8).
    w = tf.get_variable("w", [2], initializer=tf.zeros_initializer())
    loss = tf.reduce_sum(w * tf.constant([3.0, 4.0]))
    train_op = slim.learning.create_train_op(
        loss, tf.train.GradientDescentOptimizer(1.0), clip_gradient_norm=1.0
    )
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        np.testing.assert_allclose(sess.run(w), [-0.6, -0.8], rtol=1e-6)


def test_clip_gradient_norms_handles_indexed_slices_and_none(graph):
    table = tf.get_variable("table", [4, 2], initializer=tf.ones_initializer())
    loss = tf.reduce_sum(tf.gather(table, [1]) * tf.constant([[3.0, 4.0]]))
    ((grad, var),) = tf.train.GradientDescentOptimizer(1.0).compute_gradients(loss, [table])
    assert isinstance(grad, tf.IndexedSlices)
    other = tf.get_variable("other", [], initializer=tf.ones_initializer())
    clipped = slim.learning.clip_gradient_norms([(grad, var), (None, other)], 1.0)
    assert clipped[1] == (None, other)
    assert isinstance(clipped[0][0], tf.IndexedSlices)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(clipped[0][0].values), [[0.6, 0.8]], rtol=1e-6)


@pytest.mark.parametrize("key", ["by-name", "by-variable"])
def test_gradient_multipliers_zero_freezes_a_variable(graph, key):
    a = tf.get_variable("a", [], initializer=tf.ones_initializer())
    b = tf.get_variable("b", [], initializer=tf.ones_initializer())
    loss = tf.square(a) + tf.square(b)
    multipliers = {"a": 0.0, "b": 2.0} if key == "by-name" else {a: 0.0, b: 2.0}
    train_op = slim.learning.create_train_op(
        loss, tf.train.GradientDescentOptimizer(0.125), gradient_multipliers=multipliers
    )
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op)
        assert sess.run([a, b]) == [1.0, 0.5]  # b -= 0.125 * 2 * 2b


def _pairs():
    a = tf.get_variable("a", [], initializer=tf.ones_initializer())
    unused = tf.get_variable("unused", [], initializer=tf.ones_initializer())
    return [(2.0 * a, a), (None, unused)]


@pytest.mark.parametrize(
    "make_args, exc, match",
    [
        (lambda p: (tuple(p), {"a": 1.0}), ValueError, "`grads_and_vars` must be a list"),
        (lambda p: (p, None), ValueError, "`gradient_multipliers` must be a dict"),
        (lambda p: (p, [("a", 1.0)]), ValueError, "`gradient_multipliers` must be a dict"),
        (lambda p: (p, {}), ValueError, "must not be empty"),
        (lambda p: (p, {"unused": 2.0}), ValueError, "'unused' has a multiplier but no gradient"),
        (lambda p: (p, {"a": "2"}), TypeError, "multiplier of 'a' must be a number"),
        (lambda p: (p, {3: 1.0}), TypeError, "keys of `gradient_multipliers` must be variables"),
    ],
    ids=["tuple", "none", "list", "empty", "no-gradient", "str-multiplier", "int-key"],
)
def test_multiply_gradients_errors(graph, make_args, exc, match):
    with pytest.raises(exc, match=match):
        slim.learning.multiply_gradients(*make_args(_pairs()))


def test_multiply_gradients_warns_about_unknown_names(graph, caplog):
    pairs = _pairs()[:1]
    out = slim.learning.multiply_gradients(pairs, {"aa": 3.0})
    assert out[0][0] is pairs[0][0]
    assert "Did you mean 'a'?" in caplog.text


def test_add_gradients_summaries_names(graph):
    a = tf.get_variable("scope/a", [2], initializer=tf.ones_initializer())
    b = tf.get_variable("b", [], initializer=tf.ones_initializer())
    summaries = slim.learning.add_gradients_summaries([(2.0 * a, a), (None, b)])
    assert [s.op.name for s in summaries] == ["scope/a/gradient", "scope/a/gradient_norm"]


def test_summarize_gradients_adds_summaries(graph):
    loss, _, opt = linear_model()
    slim.learning.create_train_op(loss, opt, summarize_gradients=True)
    names = [s.op.name for s in tf.get_collection(tf.GraphKeys.SUMMARIES)]
    assert names == ["summarize_grads/w/gradient", "summarize_grads/w/gradient_norm"]


def test_check_numerics_fails_on_nan_loss(graph):
    w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
    train_op = slim.learning.create_train_op(w / w, tf.train.GradientDescentOptimizer(0.1))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError, match="LossTensor is inf or nan"):
            sess.run(train_op)


def test_create_train_op_errors(graph):
    loss, _, opt = linear_model()
    frozen = tf.get_variable("frozen", [], trainable=False)
    with pytest.raises(TypeError, match="`optimizer` must be a tf.compat.v1.train.Optimizer"):
        slim.learning.create_train_op(loss, object())
    with pytest.raises(ValueError, match="'frozen' which is not trainable"):
        slim.learning.create_train_op(loss, opt, variables_to_train=[frozen])
    with pytest.raises(ValueError, match="there are no variables to train"):
        slim.learning.create_train_op(loss, opt, variables_to_train=[])


def test_create_train_op_eagerly_says_how_to_fix():
    with pytest.raises(RuntimeError, match=r"tf.Graph\(\).as_default\(\)"):
        slim.learning.create_train_op(tf2.constant(1.0), tf.train.GradientDescentOptimizer(0.1))


# train ----------------------------------------------------------------------------------


def test_train_checkpoints_resumes_and_streams_metrics(tmp_path):
    logdir = str(tmp_path)
    records = []
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        loss = slim.learning.train(
            train_op, logdir, number_of_steps=3, callbacks=[records.append], examples_per_step=2
        )
    assert float(loss) == pytest.approx(LOSSES[2])
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-3")
    assert os.path.exists(os.path.join(logdir, "graph.pbtxt"))
    assert glob.glob(os.path.join(logdir, "events.out.tfevents.*"))

    # A new process (here: a new graph) on the same logdir restores step 3 and goes on.
    with tf.Graph().as_default():
        train_op, w = build_train_op()
        loss = slim.learning.train(train_op, logdir, number_of_steps=5, callbacks=[records.append])
        assert float(loss) == pytest.approx(LOSSES[4])
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-5")
    np.testing.assert_allclose(tf.train.load_checkpoint(logdir).get_tensor("w"), [[1.9375]])

    lines = read_metrics(logdir)
    assert [r["step"] for r in lines] == [1, 2, 3, 4, 5]
    np.testing.assert_allclose([r["loss"] for r in lines], LOSSES, rtol=1e-6)
    assert all(r["learning_rate"] == pytest.approx(0.1) for r in lines)
    assert all(r["examples_per_sec"] > 0 for r in lines[:3])
    assert "examples_per_sec" not in lines[3]
    assert [r["wall_time"] for r in lines] == sorted(r["wall_time"] for r in lines)
    assert records == lines


def test_train_writes_summaries_at_the_step(tmp_path):
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        tf.summary.scalar("total_loss", train_op)
        slim.learning.train(train_op, str(tmp_path), number_of_steps=2)
    scalars = read_scalars(str(tmp_path))
    assert scalars["total_loss"] == [(1, 10.0)]  # The first step writes; then every 600 s.


def test_train_in_given_graph_called_outside_it(tmp_path):
    g = tf.Graph()
    with g.as_default():
        train_op, _ = build_train_op()
    loss = slim.learning.train(train_op, str(tmp_path), graph=g, number_of_steps=2)
    assert float(loss) == pytest.approx(LOSSES[1])


def test_train_without_logdir_writes_nothing(tmp_path):
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        calls = []
        loss = slim.learning.train(train_op, None, number_of_steps=2, callbacks=[calls.append])
    assert float(loss) == pytest.approx(LOSSES[1])
    assert [c["step"] for c in calls] == [1, 2]
    assert os.listdir(tmp_path) == []


def test_train_calls_init_fn_only_when_nothing_is_restored(tmp_path):
    calls = []
    for steps in (1, 2):
        with tf.Graph().as_default():
            train_op, w = build_train_op()
            assign = w.assign([[1.0]])

            def init_fn(sess, assign=assign, steps=steps):
                calls.append(steps)
                sess.run(assign)

            loss = slim.learning.train(
                train_op, str(tmp_path), number_of_steps=steps, init_fn=init_fn
            )
    assert calls == [1]
    # Warm start at w = 1: step 1 loss 2.5 (w -> 1.5), step 2 loss 0.625.
    assert float(loss) == pytest.approx(0.625)


def test_a_run_ending_between_logged_steps_still_records_its_last_step(tmp_path):
    with tf.Graph().as_default():
        loss, _, opt = linear_model()
        train_op = slim.learning.create_train_op(loss, opt)
        slim.learning.train(
            train_op, str(tmp_path), number_of_steps=3, log_every_n_steps=2, save_interval_secs=0
        )
    records = read_metrics(str(tmp_path))
    assert [r["step"] for r in records] == [2, 3]
    np.testing.assert_allclose(records[-1]["loss"], LOSSES[2])


def test_train_extra_tensors_log_every_n_and_metrics_file_name(tmp_path):
    with tf.Graph().as_default():
        loss, _, opt = linear_model()
        train_op = slim.learning.create_train_op(loss, opt)
        slim.learning.train(
            train_op,
            str(tmp_path),
            number_of_steps=4,
            log_every_n_steps=2,
            extra_tensors={"half_loss": loss / 2, "learning_rate": tf.constant(0.5)},
            metrics_file="run.jsonl",
            save_interval_secs=0,
            save_summaries_secs=0,
        )
    with open(tmp_path / "run.jsonl", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    assert [(r["step"], r["learning_rate"]) for r in lines] == [(2, 0.5), (4, 0.5)]
    # Extra tensors come from the same run as the step they describe.
    np.testing.assert_allclose([r["half_loss"] for r in lines], [LOSSES[1] / 2, LOSSES[3] / 2])
    assert not os.path.exists(tmp_path / "metrics.jsonl")
    # save_interval_secs=0: no checkpoint at the start, one at the end.
    assert sorted(glob.glob(str(tmp_path / "model.ckpt-*.index"))) == [
        str(tmp_path / "model.ckpt-4.index")
    ]


def test_train_reports_a_decaying_learning_rate_of_the_optimizer(tmp_path):
    records = []
    with tf.Graph().as_default():
        loss, _, _ = linear_model()
        step = tf.train.get_or_create_global_step()
        rate = tf.train.exponential_decay(0.1, step, decay_steps=1, decay_rate=0.5)
        train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(rate))
        slim.learning.train(train_op, str(tmp_path), number_of_steps=3, callbacks=[records.append])
    # The rate each step used: 0.1 at global step 0, then halved per step.
    np.testing.assert_allclose([r["learning_rate"] for r in records], [0.1, 0.05, 0.025])


def test_train_custom_step_fn_kwargs_and_session_wrapper(tmp_path):
    seen, wrapped_runs = [], []

    class CountingSession:
        def __init__(self, sess):
            self._sess = sess

        def run(self, fetches, *args, **kwargs):
            wrapped_runs.append(fetches)
            return self._sess.run(fetches, *args, **kwargs)

    def my_step(sess, train_op, global_step, kwargs):
        loss = sess.run(train_op)
        return loss, sess.run(global_step) >= kwargs["last"]

    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        loss = slim.learning.train(
            train_op,
            str(tmp_path),
            train_step_fn=my_step,
            train_step_kwargs={"last": 3},
            callbacks=[seen.append],
            metrics_file=None,
            session_wrapper=CountingSession,
        )
    assert float(loss) == pytest.approx(LOSSES[2])
    assert [r["step"] for r in seen] == [1, 2, 3]
    assert len(wrapped_runs) == 6  # The step and the global step, three times.
    assert not os.path.exists(tmp_path / "metrics.jsonl")


class _CountingSession:
    """A `session_wrapper` that keeps the fetches of every run."""

    def __init__(self, sess, runs):
        self._sess, self._runs = sess, runs

    def run(self, fetches, *args, **kwargs):
        self._runs.append(fetches)
        return self._sess.run(fetches, *args, **kwargs)


def test_train_step_decides_stop_and_log_in_the_steps_own_run(tmp_path, caplog):
    runs = []
    with tf.Graph().as_default(), caplog.at_level(logging.INFO, logger="tensorflow"):
        train_op, _ = build_train_op()
        slim.learning.train(
            train_op,
            str(tmp_path),
            number_of_steps=5,
            log_every_n_steps=2,
            session_wrapper=lambda sess: _CountingSession(sess, runs),
        )
    # One run per step and nothing before the loop (TF-Slim's train_step runs should_log
    # and should_stop separately: three runs per step).
    assert len(runs) == 5
    assert all(len(fetches) == 2 for fetches in runs)
    assert all(fetches[1].name == "train_step/step_after:0" for fetches in runs)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("-5")
    logged = [r.getMessage() for r in caplog.records if "global step" in r.getMessage()]
    assert [m.split(":")[0] for m in logged] == ["global step 2", "global step 4"]


def test_train_step_runs_should_stop_and_should_log_it_was_given(tmp_path):
    runs = []
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        step = tf.train.get_global_step()
        kwargs = {"should_stop": tf.greater_equal(step, 3), "should_log": tf.constant(False)}
        slim.learning.train(
            train_op,
            str(tmp_path),
            train_step_kwargs=kwargs,
            session_wrapper=lambda sess: _CountingSession(sess, runs),
        )
    assert len(runs) == 3 * 3  # The step, should_log and should_stop, three times.
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("-3")


def test_train_resumes_past_a_half_written_checkpoint(tmp_path):
    logdir = str(tmp_path)
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        slim.learning.train(train_op, logdir, number_of_steps=2)
    # A process killed while writing step 9: data files exist, the state file still says 2.
    (tmp_path / "model.ckpt-9.data-00000-of-00001").write_bytes(b"truncated")
    (tmp_path / "model.ckpt-9_temp").mkdir()
    (tmp_path / "model.ckpt-9_temp" / "part-00000-of-00001.index").write_bytes(b"partial")
    (tmp_path / "notes_temp").write_text("not a save")
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        loss = slim.learning.train(train_op, logdir, number_of_steps=3)
    assert float(loss) == pytest.approx(LOSSES[2])
    # The interrupted save's folder is cleaned up; a plain file is kept.
    assert not (tmp_path / "model.ckpt-9_temp").exists()
    assert (tmp_path / "notes_temp").exists()


def test_train_init_op_none_leaves_initialisation_to_init_fn(tmp_path):
    with tf.Graph().as_default():
        train_op, w = build_train_op()
        with tf.control_dependencies([tf.global_variables_initializer()]):
            init = w.assign([[1.0]])
        loss = slim.learning.train(
            train_op,
            str(tmp_path),
            number_of_steps=1,
            init_op=None,
            init_fn=lambda sess: sess.run(init),
            local_init_op=None,
            ready_op=None,
        )
    assert float(loss) == pytest.approx(2.5)  # The step saw w = 1.


def test_train_keeps_the_last_checkpoint_when_a_save_fails(tmp_path):
    logdir = str(tmp_path)
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        slim.learning.train(train_op, logdir, number_of_steps=1)
    # Data files are written (into `<prefix>_temp/`) before the `checkpoint` state file;
    # a plain file in the way makes the data write of step 2 fail.
    (tmp_path / "model.ckpt-2_temp").write_text("in the way")
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        with pytest.raises(tf.errors.OpError):
            slim.learning.train(train_op, logdir, number_of_steps=2)
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-1")
    np.testing.assert_allclose(tf.train.load_checkpoint(logdir).get_tensor("w"), [[1.0]])


def test_train_on_a_finished_run_takes_one_step_as_tf_slim_does(tmp_path):
    # The second run restores step 1 >= number_of_steps: TF-Slim still runs one step, which
    # starts from the restored w and returns that step's loss.
    for _ in range(2):
        with tf.Graph().as_default():
            train_op, _ = build_train_op()
            loss = slim.learning.train(train_op, str(tmp_path), number_of_steps=1)
    assert float(loss) == pytest.approx(LOSSES[1])
    assert [r["step"] for r in read_metrics(str(tmp_path))] == [1, 2]
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-2")


def test_train_stops_when_input_runs_out(tmp_path):
    with tf.Graph().as_default():
        x = tf.data.make_one_shot_iterator(
            tf.data.Dataset.from_tensor_slices([1.0, 2.0])
        ).get_next()
        w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
        train_op = slim.learning.create_train_op(
            tf.square(w * x - 2 * x), tf.train.GradientDescentOptimizer(0.1)
        )
        loss = slim.learning.train(train_op, str(tmp_path))
    # x = 1: loss 4, w -> 0.4; x = 2: loss (0.8 - 4)**2 = 10.24; then OutOfRange.
    assert float(loss) == pytest.approx(10.24)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-2")


def test_train_trace_every_n_steps_writes_chrome_traces(tmp_path):
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        slim.learning.train(train_op, str(tmp_path), number_of_steps=1, trace_every_n_steps=1)
    (trace,) = glob.glob(str(tmp_path / "tf_trace-*.json"))
    with open(trace, encoding="utf-8") as f:
        events = json.load(f)["traceEvents"]
    assert any(e["ph"] == "X" for e in events)


# The chief's token thread dies with CancelledError when the session closes under it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_train_with_sync_replicas_optimizer(tmp_path):
    with tf.Graph().as_default():
        loss, _, opt = linear_model()
        sync = tf.train.SyncReplicasOptimizer(opt, replicas_to_aggregate=1, total_num_replicas=1)
        train_op = slim.learning.create_train_op(loss, sync)
        loss = slim.learning.train(train_op, str(tmp_path), number_of_steps=2, sync_optimizer=sync)
    for thread in threading.enumerate():
        if thread.name.startswith("QueueRunnerThread"):
            thread.join(timeout=10)
    assert float(loss) == pytest.approx(LOSSES[1])


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"logdir": None, "summary_op": "s"}, ValueError, "`summary_op` must not be given"),
        ({"logdir": None, "saver": "s"}, ValueError, "`saver` must not be given"),
        ({"logdir": None, "trace_every_n_steps": 1}, ValueError, "`trace_every_n_steps` must"),
        ({"number_of_steps": 0}, ValueError, "positive number, got 0"),
        ({"number_of_steps": 2.0}, TypeError, "`number_of_steps` must be None or an int"),
        ({"sync_optimizer": "opt"}, ValueError, "must be a tf.compat.v1.train.SyncReplicas"),
        ({"extra_tensors": {"loss": 1}}, ValueError, "reserved name 'loss'"),
        ({"extra_tensors": [1]}, TypeError, "`extra_tensors` must be a dict"),
        ({"callbacks": [1]}, TypeError, "`callbacks` must hold callables"),
        ({"examples_per_step": 0}, ValueError, "`examples_per_step` must be >= 1"),
        ({"graph": "other"}, ValueError, "`graph` must be the graph that holds `train_op`"),
    ],
    ids=[
        "summary-no-logdir",
        "saver-no-logdir",
        "trace-no-logdir",
        "zero-steps",
        "float-steps",
        "sync",
        "reserved",
        "extra-list",
        "callback",
        "examples",
        "graph",
    ],
)
def test_train_errors(tmp_path, kwargs, exc, match):
    with tf.Graph().as_default():
        train_op, _ = build_train_op()
        if kwargs.get("graph") == "other":
            kwargs["graph"] = tf.Graph()
        kwargs.setdefault("logdir", str(tmp_path))
        with pytest.raises(exc, match=match):
            slim.learning.train(train_op, **kwargs)


def test_train_rejects_none_train_op(tmp_path):
    with pytest.raises(ValueError, match="`train_op` must be a tensor, got None"):
        slim.learning.train(None, str(tmp_path))


# The README's "Training Loop" and "Fine-Tuning Existing Models" examples -----------------


def test_readme_training_loop_example(tmp_path):
    g = tf.Graph()
    with g.as_default():
        # Create the model and specify the losses...
        x = tf.constant([[1.0], [2.0]])
        predictions = slim.fully_connected(
            x, 1, activation_fn=None, weights_initializer=tf.zeros_initializer(), scope="fc"
        )
        slim.losses.mean_squared_error(predictions, tf.constant([[2.0], [4.0]]))
        learning_rate = 0.05

        total_loss = slim.losses.get_total_loss()
        optimizer = tf.train.GradientDescentOptimizer(learning_rate)

        # create_train_op ensures that each time we ask for the loss, the update_ops
        # are run and the gradients being computed are applied too.
        train_op = slim.learning.create_train_op(total_loss, optimizer)
        logdir = str(tmp_path)  # Where checkpoints are stored.

        slim.learning.train(
            train_op,
            logdir,
            number_of_steps=3,  # The README trains 1000 steps.
            save_summaries_secs=300,
            save_interval_secs=600,
        )
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-3")
    assert [r["step"] for r in read_metrics(logdir)] == [1, 2, 3]
    first, last = read_metrics(logdir)[0]["loss"], read_metrics(logdir)[-1]["loss"]
    assert first == pytest.approx(10.0) and last < first


def _save_v1_v2(path):
    with tf.Graph().as_default():
        slim.variable(name="v1", shape=[], initializer=tf.constant_initializer(1.0))
        slim.variable(name="nested/v2", shape=[], initializer=tf.constant_initializer(2.0))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path)


def test_readme_partially_restoring_models(tmp_path):
    model_path = str(tmp_path / "model.ckpt")
    _save_v1_v2(model_path)
    with tf.Graph().as_default():
        # Create some variables.
        v1 = slim.variable(name="v1", shape=[], initializer=tf.zeros_initializer())
        v2 = slim.variable(name="nested/v2", shape=[], initializer=tf.zeros_initializer())

        # Get list of variables to restore (which contains only 'v2'). These are all
        # equivalent methods:
        choices = [
            slim.get_variables_by_name("v2"),
            slim.get_variables_by_suffix("2"),
            slim.get_variables(scope="nested"),
            slim.get_variables_to_restore(include=["nested"]),
            slim.get_variables_to_restore(exclude=["v1"]),
        ]
        assert all(choice == [v2] for choice in choices)
        variables_to_restore = choices[-1]

        # Create the saver which will be used to restore the variables.
        restorer = tf.train.Saver(variables_to_restore)

        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            # Restore variables from disk.
            restorer.restore(sess, model_path)
            assert sess.run([v1, v2]) == [0.0, 2.0]


@pytest.mark.parametrize("mapping", ["prefix", "rename"])
def test_readme_restoring_models_with_different_variable_names(tmp_path, mapping):
    model_path = str(tmp_path / "model.ckpt")
    if mapping == "prefix":
        saved = {"vgg16/conv1/weights": 3.0, "vgg16/conv1/bias": 4.0}
    else:
        saved = {"conv1/params1": 3.0, "conv1/params2": 4.0}
    with tf.Graph().as_default():
        for name, value in saved.items():
            tf.get_variable(name, [], initializer=tf.constant_initializer(value))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, model_path)

    if mapping == "prefix":
        # Assuming than 'conv1/weights' should be restored from 'vgg16/conv1/weights'
        def name_in_checkpoint(var):
            return "vgg16/" + var.op.name

    else:
        # Assuming than 'conv1/weights' and 'conv1/bias' should be restored from
        # 'conv1/params1' and 'conv1/params2'
        def name_in_checkpoint(var):
            if "weights" in var.op.name:
                return var.op.name.replace("weights", "params1")
            if "bias" in var.op.name:
                return var.op.name.replace("bias", "params2")

    with tf.Graph().as_default():
        weights = slim.model_variable("conv1/weights", shape=[], initializer=tf.zeros_initializer())
        bias = slim.model_variable("conv1/bias", shape=[], initializer=tf.zeros_initializer())

        variables_to_restore = slim.get_model_variables()
        variables_to_restore = {name_in_checkpoint(var): var for var in variables_to_restore}
        restorer = tf.train.Saver(variables_to_restore)

        with tf.Session() as sess:
            # Restore variables from disk.
            restorer.restore(sess, model_path)
            assert sess.run([weights, bias]) == [3.0, 4.0]


def test_readme_fine_tuning_with_init_fn(tmp_path):
    model_path = str(tmp_path / "pretrained" / "model.ckpt")
    os.makedirs(os.path.dirname(model_path))
    with tf.Graph().as_default():
        slim.model_variable("conv/weights", shape=[1, 1], initializer=tf.ones_initializer())
        slim.model_variable("fc8/weights", shape=[1, 1], initializer=tf.ones_initializer())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, model_path)

    log_dir = str(tmp_path / "new_model")
    with tf.Graph().as_default():
        x = tf.constant([[1.0], [2.0]])
        conv = slim.model_variable("conv/weights", shape=[1, 1], initializer=tf.zeros_initializer())
        fc8 = slim.model_variable("fc8/weights", shape=[1, 1], initializer=tf.zeros_initializer())
        predictions = tf.matmul(tf.matmul(x, conv), fc8)
        total_loss = tf.losses.mean_squared_error(tf.constant([[2.0], [4.0]]), predictions)
        train_op = slim.learning.create_train_op(
            total_loss, tf.train.GradientDescentOptimizer(0.1), variables_to_train=[fc8]
        )
        # Restore only the convolutional layers:
        variables_to_restore = slim.get_variables_to_restore(exclude=["fc8", "global_step"])
        init_fn = slim.assign_from_checkpoint_fn(model_path, variables_to_restore)
        # conv = 1 (restored), fc8 = 0: the first loss is mean((0 - y)**2) = 10.
        loss = slim.learning.train(train_op, log_dir, init_fn=init_fn, number_of_steps=1)
    assert float(loss) == pytest.approx(10.0)
    reader = tf.train.load_checkpoint(log_dir)
    np.testing.assert_allclose(reader.get_tensor("conv/weights"), [[1.0]])
    np.testing.assert_allclose(reader.get_tensor("fc8/weights"), [[1.0]])  # 0 + 0.1 * 10
