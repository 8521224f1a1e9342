"""slim.learning.train survives SIGKILL: the latest checkpoint stays loadable and a rerun resumes.

A child process trains `y = w * x` (x = [1, 2], y = [2, 4], w = 0, gradient descent with rate
0.01, so w creeps towards 2 and never settles within the test) and saves a checkpoint about
every 10 ms, so the kill most likely lands while a checkpoint is being written. By hand each
step is `w <- w - 0.01 * d/dw mean((w x - y)**2) = w + 0.05 * (2 - w)`.
"""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.learning  # noqa: F401 - binds slim.learning

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODEL = """
def build_train_op(tf, slim):
    x = tf.constant([[1.0], [2.0]])
    y = tf.constant([[2.0], [4.0]])
    w = tf.get_variable("w", [1, 1], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(y, tf.matmul(x, w))
    return slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.01))
"""

CHILD = (
    """
import sys
import tensorflow.compat.v1 as tf
import slimlib as slim
import slimlib.learning
"""
    + MODEL
    + """
with tf.Graph().as_default():
    train_op = build_train_op(tf, slim)
    slim.learning.train(
        train_op, sys.argv[1], number_of_steps=10**9, save_interval_secs=0.01,
        save_summaries_secs=0, log_every_n_steps=0,
    )
"""
)


def build_train_op():
    namespace: dict = {}
    exec(MODEL, namespace)  # The child builds the very same graph from the same text.
    return namespace["build_train_op"](tf, slim)


def checkpoint_step(logdir):
    path = tf.train.latest_checkpoint(logdir)
    return None if path is None else int(path.rsplit("-", 1)[1])


def expected_w(steps):
    w = 0.0
    for _ in range(steps):
        w += 0.05 * (2.0 - w)
    return w


def wait_for_checkpoints(child, logdir, min_step, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if child.poll() is not None:
            pytest.fail(f"the training process ended early with code {child.returncode}")
        step = checkpoint_step(logdir)
        if step is not None and step >= min_step:
            return step
        time.sleep(0.05)
    pytest.fail(f"no checkpoint at step >= {min_step} within {timeout} s")


def test_sigkill_mid_training_leaves_a_loadable_checkpoint_and_resume_continues(tmp_path):
    logdir = str(tmp_path / "train")
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    with open(tmp_path / "child.log", "wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, logdir], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            first = wait_for_checkpoints(child, logdir, min_step=1)
            wait_for_checkpoints(child, logdir, min_step=first + 20)  # The step has moved on.
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # The state file names a complete checkpoint: every tensor reads, the step matches its name.
    saved = checkpoint_step(logdir)
    assert saved is not None and saved > first
    reader = tf.train.load_checkpoint(logdir)
    assert int(reader.get_tensor("global_step")) == saved
    np.testing.assert_allclose(reader.get_tensor("w"), [[expected_w(saved)]], rtol=1e-4)
    for name in reader.get_variable_to_shape_map():
        reader.get_tensor(name)

    records = []
    last = saved + 3
    with tf.Graph().as_default():
        loss = slim.learning.train(
            build_train_op(), logdir, number_of_steps=last, callbacks=[records.append]
        )
    assert loss is not None
    # The rerun went on from the saved step: it took only the missing steps.
    assert [r["step"] for r in records] == list(range(saved + 1, last + 1))
    assert checkpoint_step(logdir) == last
    reader = tf.train.load_checkpoint(logdir)
    assert int(reader.get_tensor("global_step")) == last
    np.testing.assert_allclose(reader.get_tensor("w"), [[expected_w(last)]], rtol=1e-4)
    # A save the kill interrupted leaves no folder behind after the rerun.
    assert not [name for name in os.listdir(logdir) if name.endswith("_temp")]
