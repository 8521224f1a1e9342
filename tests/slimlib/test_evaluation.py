"""slim.evaluation: evaluate_once, evaluation_loop and the checkpoint watchers.

The checkpoint holds w = 2 at global step 7. The evaluation input is x = [1, 2, 3, 4],
y = [2, 4, 6, 9] in batches of 2, predictions w * x = [2, 4, 6, 8]. By hand: mean absolute
error 1/4 = 0.25 over both batches, 0 over the first batch only; accuracy of
`round(w * x) == y` is 3/4.
"""

import glob
import os
import time

import numpy as np
import pytest
import tensorflow as tf2
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.evaluation  # noqa: F401 - binds slim.evaluation


@pytest.fixture
def checkpoint_dir(tmp_path):
    path = tmp_path / "train"
    path.mkdir()
    with tf.Graph().as_default():
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
        global_step = tf.train.get_or_create_global_step()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(global_step.assign(7))
            tf.train.Saver().save(sess, str(path / "model.ckpt"), global_step=7)
            del w
    return str(path)


def eval_model():
    """The evaluation graph: returns (names_to_values, names_to_updates)."""
    w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
    tf.train.get_or_create_global_step()
    xs = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    ys = np.array([2.0, 4.0, 6.0, 9.0], np.float32)
    batches = tf.data.Dataset.from_tensor_slices((xs, ys)).batch(2)
    x, y = tf.data.make_one_shot_iterator(batches).get_next()
    predictions = w * x
    mae = tf.metrics.mean_absolute_error(y, predictions)
    accuracy = tf.metrics.accuracy(y, tf.round(predictions))
    return {"mae": mae[0], "accuracy": accuracy[0]}, {"mae": mae[1], "accuracy": accuracy[1]}


def read_scalars(logdir):
    """{tag: [(step, value)]} from the event files of `logdir` (read eagerly)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        for record in tf2.data.TFRecordDataset(path):
            event = tf.Event.FromString(record.numpy())
            for value in event.summary.value:
                out.setdefault(value.tag, []).append((event.step, value.simple_value))
    return out


def test_evaluate_once_returns_metric_dict_and_writes_summaries(checkpoint_dir, tmp_path):
    logdir = str(tmp_path / "eval")
    with tf.Graph().as_default():
        names_to_values, names_to_updates = eval_model()
        for name, value in names_to_values.items():
            tf.summary.scalar("eval/" + name, value)
        # The README passes `names_to_updates.values()`, a dict view.
        result = slim.evaluation.evaluate_once(
            "",
            tf.train.latest_checkpoint(checkpoint_dir),
            logdir,
            num_evals=2,
            eval_op=names_to_updates.values(),
            final_op=names_to_values,
        )
    assert result == {"mae": pytest.approx(0.25), "accuracy": pytest.approx(0.75)}
    assert read_scalars(logdir) == {"eval/mae": [(7, 0.25)], "eval/accuracy": [(7, 0.75)]}


@pytest.mark.parametrize(
    "final, expected",
    [("tensor", 0.0), ("list", [0.0, 1.0]), ("none", None)],
    ids=["tensor", "list", "none"],
)
def test_evaluate_once_final_op_structures(checkpoint_dir, final, expected):
    with tf.Graph().as_default():
        values, updates = eval_model()
        final_op = {"tensor": values["mae"], "list": [values["mae"], values["accuracy"]]}.get(final)
        # A directory stands for its latest checkpoint; one batch only.
        result = slim.evaluation.evaluate_once(
            "", checkpoint_dir, None, eval_op=updates, final_op=final_op, summary_op=None
        )
    if expected is None:
        assert result is None
    else:
        np.testing.assert_allclose(result, expected)


def test_evaluate_once_restores_chosen_variables_only(checkpoint_dir):
    with tf.Graph().as_default():
        w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
        step = tf.train.get_or_create_global_step()
        result = slim.evaluation.evaluate_once(
            "",
            checkpoint_dir,
            None,
            final_op=[w, step],
            summary_op=None,
            variables_to_restore={"w": w, "global_step": step},
        )
    assert [float(v) for v in result] == [2.0, 7.0]


def test_evaluate_once_without_global_step_uses_checkpoint_step(checkpoint_dir, tmp_path):
    logdir = str(tmp_path / "eval")
    with tf.Graph().as_default():
        w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
        tf.summary.scalar("weight", w)
        slim.evaluation.evaluate_once(
            "", checkpoint_dir, logdir, variables_to_restore=[w], final_op=w
        )
    assert read_scalars(logdir) == {"weight": [(7, 2.0)]}


def test_evaluation_loop_evaluates_the_latest_checkpoint(checkpoint_dir, tmp_path):
    logdir = str(tmp_path / "eval")
    with tf.Graph().as_default():
        names_to_values, names_to_updates = eval_model()
        summary_ops = [tf.summary.scalar("eval/" + n, v) for n, v in names_to_values.items()]
        result = slim.evaluation.evaluation_loop(
            "",
            checkpoint_dir,
            logdir,
            num_evals=2,
            eval_op=list(names_to_updates.values()),
            final_op=names_to_values,
            summary_op=tf.summary.merge(summary_ops),
            eval_interval_secs=60,
            max_number_of_evaluations=1,
        )
    assert result == {"mae": pytest.approx(0.25), "accuracy": pytest.approx(0.75)}
    assert read_scalars(logdir)["eval/mae"] == [(7, 0.25)]


def test_evaluation_loop_times_out_without_checkpoints(tmp_path):
    calls = []
    with tf.Graph().as_default():
        _, updates = eval_model()
        start = time.time()
        result = slim.evaluation.evaluation_loop(
            "",
            str(tmp_path),
            None,
            eval_op=updates,
            summary_op=None,
            timeout=0.5,
            timeout_fn=lambda: calls.append(1) or True,
        )
    assert result is None
    assert calls == [1]
    assert time.time() - start < 5


def test_checkpoints_iterator_yields_each_checkpoint_once(checkpoint_dir, tmp_path):
    assert list(slim.evaluation.checkpoints_iterator(str(tmp_path), timeout=0.1)) == []
    found = list(slim.evaluation.checkpoints_iterator(checkpoint_dir, timeout=0.1))
    assert found == [os.path.join(checkpoint_dir, "model.ckpt-7")]


def test_checkpoints_iterator_timeout_fn_can_keep_waiting(checkpoint_dir):
    answers = [False, True]
    iterator = slim.evaluation.checkpoints_iterator(
        checkpoint_dir, timeout=0.1, timeout_fn=lambda: answers.pop(0)
    )
    assert len(list(iterator)) == 1
    assert answers == []


def test_wait_for_new_checkpoint(checkpoint_dir):
    latest = os.path.join(checkpoint_dir, "model.ckpt-7")
    assert slim.evaluation.wait_for_new_checkpoint(checkpoint_dir) == latest
    assert slim.evaluation.wait_for_new_checkpoint(checkpoint_dir, latest, timeout=0.1) is None


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"num_evals": 0}, ValueError, "`num_evals` must be >= 1, got 0"),
        ({"num_evals": 1.5}, TypeError, "`num_evals` must be an int"),
        ({"logdir": None}, ValueError, "`logdir` must be a directory when there is a summary"),
        ({"checkpoint_path": "empty"}, ValueError, "directory .* which has none"),
        ({"checkpoint_path": 3}, TypeError, "`checkpoint_path` must be a str"),
    ],
    ids=["zero-evals", "float-evals", "summary-no-logdir", "empty-dir", "int-path"],
)
def test_evaluate_once_errors(checkpoint_dir, tmp_path, kwargs, exc, match):
    args = {"checkpoint_path": checkpoint_dir, "logdir": str(tmp_path / "eval"), **kwargs}
    if args["checkpoint_path"] == "empty":
        args["checkpoint_path"] = str(tmp_path)
    with tf.Graph().as_default():
        values, updates = eval_model()
        tf.summary.scalar("mae", values["mae"])
        with pytest.raises(exc, match=match):
            slim.evaluation.evaluate_once("", eval_op=updates, **args)
