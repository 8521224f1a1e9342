"""slim.training.evaluation (slim.train_eval) and the hooks shared with slim.evaluation.

The checkpoint holds w = 2 at global step 7. Each eval run adds w to a local `total`, so N
runs give 2N by hand.
"""

import doctest
import glob
import os
import time

import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib._src.hook_evaluation as hook_evaluation_module

train_eval = slim.training.evaluation


@pytest.fixture
def checkpoint_dir(tmp_path):
    path = tmp_path / "train"
    path.mkdir()
    with tf.Graph().as_default():
        tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
        step = tf.train.get_or_create_global_step()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step.assign(7))
            tf.train.Saver().save(sess, str(path / "model.ckpt"), global_step=7)
    return str(path)


def summing_model():
    """Returns (eval op adding w to total, total); w is restored from the checkpoint."""
    w = tf.get_variable("w", [])
    tf.train.get_or_create_global_step()
    total = slim.local_variable(0.0, name="total")
    return tf.assign_add(total, w), total


def test_evaluate_once_runs_eval_ops_until_the_hook_stops(graph, checkpoint_dir):
    eval_op, total = summing_model()
    path = tf.train.latest_checkpoint(checkpoint_dir)
    result = train_eval.evaluate_once(
        path,
        eval_ops=eval_op,
        final_ops={"total": total, "evals": train_eval.get_or_create_eval_step()},
        hooks=[train_eval.StopAfterNEvalsHook(3)],
    )
    assert result == {"total": 6.0, "evals": 3}


def test_evaluate_once_leaves_the_callers_eval_ops_unchanged(graph, checkpoint_dir):
    eval_op, total = summing_model()
    eval_ops = {"sum": eval_op}
    path = tf.train.latest_checkpoint(checkpoint_dir)
    hooks = [train_eval.StopAfterNEvalsHook(2)]
    result = train_eval.evaluate_once(path, eval_ops=eval_ops, final_ops=total, hooks=hooks)
    assert result == 4.0
    assert list(eval_ops) == ["sum"]
    assert len(hooks) == 1


def test_evaluate_once_without_eval_ops_only_fetches_the_final_ops(graph, checkpoint_dir):
    _, total = summing_model()
    path = tf.train.latest_checkpoint(checkpoint_dir)
    assert train_eval.evaluate_once(path, final_ops=[total + 9.0]) == [9.0]


def test_evaluate_once_rejects_a_hook_that_is_not_a_session_run_hook(graph, checkpoint_dir):
    with pytest.raises(TypeError, match=r"evaluate_once: `hooks` must hold .*SessionRunHook.*'x'"):
        train_eval.evaluate_once(checkpoint_dir, hooks=["x"])


def test_evaluate_repeatedly_evaluates_the_latest_checkpoint(graph, checkpoint_dir):
    eval_op, total = summing_model()
    result = train_eval.evaluate_repeatedly(
        checkpoint_dir,
        eval_ops=[eval_op],
        final_ops={"total": total},
        hooks=[slim.evaluation.StopAfterNEvalsHook(4)],
        max_number_of_evaluations=1,
    )
    assert result == {"total": 8.0}


def test_evaluate_repeatedly_returns_none_when_no_checkpoint_comes(graph, tmp_path):
    eval_op, total = summing_model()
    start = time.time()
    result = slim.evaluation.evaluate_repeatedly(
        str(tmp_path), eval_ops=eval_op, final_ops=total, timeout=0.2
    )
    assert result is None
    assert time.time() - start < 5


def test_evaluate_repeatedly_rejects_zero_evaluations(graph, checkpoint_dir):
    with pytest.raises(ValueError, match=r"evaluate_repeatedly: `max_number_of_evaluations` must"):
        train_eval.evaluate_repeatedly(checkpoint_dir, max_number_of_evaluations=0)


def read_scalars(logdir):
    """{tag: (step, value)} of the single event file in `logdir`, and whether it has a graph."""
    (path,) = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    scalars, has_graph = {}, False
    for event in tf.train.summary_iterator(path):
        has_graph = has_graph or bool(event.graph_def)
        for value in event.summary.value:
            scalars[value.tag] = (event.step, value.simple_value)
    return scalars, has_graph


def test_summary_at_end_hook_writes_the_summaries_at_the_global_step(graph, checkpoint_dir):
    logdir = os.path.join(checkpoint_dir, "eval")
    eval_op, total = summing_model()
    tf.summary.scalar("sum", total)
    slim.evaluation.evaluate_repeatedly(
        checkpoint_dir,
        eval_ops=eval_op,
        hooks=[
            slim.evaluation.StopAfterNEvalsHook(2),
            slim.evaluation.SummaryAtEndHook(log_dir=logdir),
        ],
        max_number_of_evaluations=1,
    )
    scalars, has_graph = read_scalars(logdir)
    assert scalars == {"sum": (7, 4.0)}
    assert has_graph


def test_summary_at_end_hook_without_summaries_writes_only_the_graph(tmp_path):
    with tf.Graph().as_default():
        hook = slim.evaluation.SummaryAtEndHook(log_dir=str(tmp_path))
        hook.begin()
        with tf.Session() as sess:
            hook.after_create_session(sess, None)
            hook.end(sess)
    assert read_scalars(str(tmp_path)) == ({}, True)


def test_summary_at_end_hook_needs_somewhere_to_write():
    with pytest.raises(ValueError, match="One of log_dir or summary_writer should be used"):
        slim.evaluation.SummaryAtEndHook()


@pytest.mark.parametrize(
    ("num_evals", "error", "match"),
    [
        (0, ValueError, r"StopAfterNEvalsHook: `num_evals` must be >= 1, got 0"),
        (2.5, TypeError, r"StopAfterNEvalsHook: `num_evals` must be an int, got 2.5"),
    ],
    ids=["zero", "float"],
)
def test_stop_after_n_evals_hook_rejects_bad_counts(num_evals, error, match):
    with pytest.raises(error, match=match):
        slim.evaluation.StopAfterNEvalsHook(num_evals)


def test_stop_after_n_evals_hook_needs_a_counter(graph):
    hook = slim.evaluation.StopAfterNEvalsHook(1)
    with pytest.raises(RuntimeError, match=r"StopAfterNEvalsHook: no tensor counts the complet"):
        hook.before_run(None)


def test_get_or_create_eval_step_is_one_local_counter(graph):
    step = slim.evaluation.get_or_create_eval_step()
    assert step is slim.evaluation.get_or_create_eval_step()
    assert step.op.name == "eval_step"
    assert step.dtype.base_dtype == tf.int64
    assert tf.local_variables() == [step]
    assert tf.global_variables() == []


def test_get_or_create_eval_step_refuses_two_counters(graph):
    tf.add_to_collection(tf.GraphKeys.EVAL_STEP, tf.constant(0, name="a"))
    tf.add_to_collection(tf.GraphKeys.EVAL_STEP, tf.constant(0, name="b"))
    with pytest.raises(ValueError, match=r"EVAL_STEP collection must hold one counter, got 2"):
        slim.evaluation.get_or_create_eval_step()


def test_docstring_examples_run():
    assert doctest.testmod(hook_evaluation_module).failed == 0
