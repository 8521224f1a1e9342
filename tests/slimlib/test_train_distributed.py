"""slim.learning.train on a localhost cluster: one parameter server and two worker processes.

Every process runs its own `tf.distribute.Server`; the workers place variables on the ps with
`tf.train.replica_device_setter` and train through `master=server.target`, task 0 as chief.
Each worker runs two phases on the same cluster, each with its own variables and logdir:

* `async`: plain gradient descent; every run of the train op adds one to the shared global
  step, so the final step is exactly the number of steps both workers took together.
* `sync`: `tf.train.SyncReplicasOptimizer` aggregating 2 gradients per update. Both workers
  compute the gradient of the same loss at the same weights, so every update is the plain
  gradient descent step of `test_learning.py`: w goes 0 -> 1 -> 1.5 -> ... -> 2 (1 - 2**-k).

The chief starts each phase a second after the other worker, which so finds the model
uninitialised and has to wait for the chief. Before its second step a worker waits until the
other has taken its first, so both take part in both phases (the chief could otherwise finish
before the other worker connects).
"""

import json
import os
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ASYNC_STEPS = 40
SYNC_STEPS = 8
TIMEOUT_SECS = 240

PS = """
import json, sys
import tensorflow.compat.v1 as tf
cluster = tf.train.ClusterSpec(json.loads(sys.argv[1]))
tf.distribute.Server(cluster, job_name="ps", task_index=0).join()
"""

WORKER = """
import json, os, sys, time
import tensorflow.compat.v1 as tf
import slimlib as slim
import slimlib.learning

spec, task, workdir = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
other = 1 - task
cluster = tf.train.ClusterSpec(spec)
server = tf.distribute.Server(cluster, job_name="worker", task_index=task)
config = tf.ConfigProto(device_filters=["/job:ps", "/job:worker/task:%d" % task])


def mark(name):
    open(os.path.join(workdir, name), "w").close()


def wait_for(name):
    deadline = time.time() + 120
    while not os.path.exists(os.path.join(workdir, name)):
        if time.time() > deadline:
            raise TimeoutError(name)
        time.sleep(0.02)


def run_phase(phase, steps, sync):
    taken = []

    def train_step_fn(sess, train_op, global_step, kwargs):
        if len(taken) == 1:
            wait_for("%s-stepped-%d" % (phase, other))
        result = slim.learning.train_step(sess, train_op, global_step, kwargs)
        taken.append(1)
        if len(taken) == 1:
            mark("%s-stepped-%d" % (phase, task))
        return result

    setter = tf.train.replica_device_setter(
        worker_device="/job:worker/task:%d" % task, cluster=cluster)
    with tf.Graph().as_default(), tf.device(setter), tf.variable_scope(phase):
        global_step = tf.get_variable(
            "global_step", [], tf.int64, tf.zeros_initializer(), trainable=False,
            collections=[tf.GraphKeys.GLOBAL_VARIABLES, tf.GraphKeys.GLOBAL_STEP])
        x = tf.constant([[1.0], [2.0]])
        y = tf.constant([[2.0], [4.0]])
        w = tf.get_variable("w", [1, 1], initializer=tf.zeros_initializer())
        loss = tf.losses.mean_squared_error(y, tf.matmul(x, w))
        opt = tf.train.GradientDescentOptimizer(0.1)
        if sync:
            opt = tf.train.SyncReplicasOptimizer(
                opt, replicas_to_aggregate=2, total_num_replicas=2)
        train_op = slim.learning.create_train_op(loss, opt, global_step=global_step)
        mark("%s-starting-%d" % (phase, task))
        if task == 0:  # Let the other worker find the model uninitialised and wait for it.
            wait_for("%s-starting-1" % phase)
            time.sleep(1.0)
        slim.learning.train(
            train_op, os.path.join(workdir, phase), train_step_fn=train_step_fn,
            master=server.target, is_chief=task == 0, global_step=global_step,
            number_of_steps=steps, save_interval_secs=0, save_summaries_secs=0,
            session_config=config, sync_optimizer=opt if sync else None)
        mark("%s-done-%d" % (phase, task))
        wait_for("%s-done-%d" % (phase, other))
        with tf.Session(server.target, config=config) as sess:
            w_value, step = sess.run([w, global_step])
    return {"steps": len(taken), "global_step": int(step), "w": float(w_value[0][0]),
            "devices": sorted({w.device, global_step.device})}


results = {"async": run_phase("async", int(sys.argv[4]), False),
           "sync": run_phase("sync", int(sys.argv[5]), True)}
with open(os.path.join(workdir, "result-%d.json" % task), "w") as f:
    json.dump(results, f)
os._exit(0)  # The worker's server has no clean shutdown; leave without waiting for it.
"""


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def tail(path, lines=30):
    with open(path, encoding="utf-8", errors="replace") as f:
        return "".join(f.readlines()[-lines:])


@pytest.fixture(scope="module")
def cluster_results(tmp_path_factory):
    """Runs the cluster once; returns `(results of worker 0, of worker 1, workdir)`."""
    workdir = tmp_path_factory.mktemp("cluster")
    ps_port, port0, port1 = free_ports(3)
    spec = json.dumps(
        {"ps": [f"127.0.0.1:{ps_port}"], "worker": [f"127.0.0.1:{port0}", f"127.0.0.1:{port1}"]}
    )
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    steps = [str(ASYNC_STEPS), str(SYNC_STEPS)]
    procs, logs = [], []
    try:
        for name, argv in [
            ("ps", [PS, spec]),
            *[
                (f"worker{task}", [WORKER, spec, str(task), str(workdir), *steps])
                for task in (0, 1)
            ],
        ]:
            log_path = workdir / f"{name}.log"
            logs.append(log_path)
            with open(log_path, "wb") as log:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-c", *argv], cwd=ROOT, env=env, stdout=log, stderr=log
                    )
                )
        deadline = time.time() + TIMEOUT_SECS
        for proc, log_path in zip(procs[1:], logs[1:]):
            try:
                proc.wait(timeout=max(1.0, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pytest.fail(f"{log_path.name} did not finish:\n{tail(log_path)}")
            assert proc.returncode == 0, f"{log_path.name} failed:\n{tail(log_path)}"
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    results = []
    for task in (0, 1):
        with open(workdir / f"result-{task}.json", encoding="utf-8") as f:
            results.append(json.load(f))
    return results[0], results[1], workdir


def test_async_workers_share_variables_and_the_global_step(cluster_results):
    chief, worker, workdir = cluster_results
    chief, worker = chief["async"], worker["async"]
    assert chief["steps"] >= 1 and worker["steps"] >= 1
    # Every step of either worker incremented the one global step on the ps.
    assert chief["global_step"] == worker["global_step"] == chief["steps"] + worker["steps"]
    assert chief["global_step"] >= ASYNC_STEPS
    # Both read the same weights from the ps, and they trained (w moved from 0 towards 2).
    assert chief["w"] == worker["w"]
    assert 1.0 < chief["w"] <= 2.0
    assert chief["devices"] == worker["devices"] == ["/job:ps/task:0"]
    # Only the chief writes checkpoints; its last one is at (or before) the final step.
    import tensorflow.compat.v1 as tf

    latest = tf.train.latest_checkpoint(str(workdir / "async"))
    assert latest is not None
    saved = int(tf.train.load_checkpoint(latest).get_tensor("async/global_step"))
    assert chief["steps"] <= saved <= chief["global_step"]


def test_sync_replicas_aggregate_both_workers(cluster_results):
    chief, worker, workdir = cluster_results
    chief, worker = chief["sync"], worker["sync"]
    assert chief["steps"] >= 1 and worker["steps"] >= 1
    assert chief["global_step"] == worker["global_step"] == SYNC_STEPS
    # Each update averaged two gradients taken at the same weights: plain gradient descent.
    expected = 2.0 * (1.0 - 0.5**SYNC_STEPS)
    assert chief["w"] == worker["w"] == pytest.approx(expected, rel=1e-6)
    import tensorflow.compat.v1 as tf

    latest = tf.train.latest_checkpoint(str(workdir / "sync"))
    assert latest is not None and latest.endswith(f"-{SYNC_STEPS}")
