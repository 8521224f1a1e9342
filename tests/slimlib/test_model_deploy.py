"""slimlib.deployment.model_deploy: device strings, clones sharing variables, summed gradients.

The model: `pred = x @ W + b` (W = ones [2, 1], b = 0) with an L2 regularizer of scale 0.1
on W (`0.1 * sum(W**2) / 2`) and a mean squared error per clone. Clone 0 gets
x = [[1, 2], [3, 4]], y = [[1], [2]]; clone 1 gets x = [[0, 1], [1, 0]], y = [[3], [1]].
By hand: clone losses 14.5 and 2, total loss (14.5 + 2) / 2 + 0.1 = 8.35; gradient of W
(17 + 0) / 2 + 0.1 = 8.6 and (24 - 2) / 2 + 0.1 = 11.1, of b (7 - 2) / 2 = 2.5.
"""

import inspect

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim
import slimlib.learning  # noqa: F401 - binds slim.learning
import slimlib.losses  # noqa: F401 - binds slim.losses
from slimlib import deployment
from slimlib.deployment import model_deploy

XS = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])]
YS = [np.array([[1.0], [2.0]]), np.array([[3.0], [1.0]])]
SCALE = 0.1


def make_model_fn(batch_norm=False):
    """A model_fn that gives clone i the i-th batch (the clones are built in order)."""
    calls = []

    def model_fn():
        i = len(calls)
        calls.append(i)
        x = tf.constant(XS[i], tf.float32)
        if batch_norm:
            x = slim.batch_norm(x, is_training=True, scope="bn")
        pred = slim.fully_connected(
            x,
            1,
            activation_fn=None,
            weights_initializer=tf.ones_initializer(),
            weights_regularizer=slim.l2_regularizer(SCALE),
            scope="fc",
        )
        slim.losses.mean_squared_error(pred, tf.constant(YS[i], tf.float32))
        return pred

    return model_fn


def numpy_loss_and_grads(w, b):
    """Total loss and gradients of the module docstring, for any W and b."""
    loss, grad_w, grad_b = SCALE * np.sum(w**2) / 2, SCALE * w, 0.0
    for x, y in zip(XS, YS):
        err = x @ w + b - y
        loss += np.mean(err**2) / 2
        grad_w = grad_w + (2 / len(x)) * x.T @ err / 2
        grad_b += (2 / len(x)) * np.sum(err) / 2
    return loss, grad_w, grad_b


def ancestors(op):
    seen, todo = set(), [op]
    while todo:
        current = todo.pop()
        for dep in [t.op for t in current.inputs] + list(current.control_inputs):
            if dep.name not in seen:
                seen.add(dep.name)
                todo.append(dep)
    return seen


# DeploymentConfig ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, clone_devices, scopes, optimizer, inputs, variables",
    [
        ({}, [""], [""], "/device:CPU:0", "/device:CPU:0", "/device:CPU:0"),
        (
            {"num_clones": 2},
            ["/device:GPU:0", "/device:GPU:1"],
            ["clone_0", "clone_1"],
            "/device:CPU:0",
            "/device:CPU:0",
            "/device:CPU:0",
        ),
        (
            {"num_clones": 2, "clone_on_cpu": True},
            ["/device:CPU:0", "/device:CPU:0"],
            ["clone_0", "clone_1"],
            "/device:CPU:0",
            "/device:CPU:0",
            "/device:CPU:0",
        ),
        (
            {"num_clones": 2, "num_replicas": 2, "replica_id": 1, "num_ps_tasks": 1},
            ["/job:worker/device:GPU:0", "/job:worker/device:GPU:1"],
            ["clone_0", "clone_1"],
            "/job:worker/device:CPU:0",
            "/job:worker/device:CPU:0",
            None,  # A device function; see the next test.
        ),
    ],
    ids=["default", "two-gpus", "clone-on-cpu", "replicas"],
)
def test_deployment_config_devices(kwargs, clone_devices, scopes, optimizer, inputs, variables):
    config = model_deploy.DeploymentConfig(**kwargs)
    n = config.num_clones
    assert [config.clone_device(i) for i in range(n)] == clone_devices
    assert [config.clone_scope(i) for i in range(n)] == scopes
    assert config.optimizer_device() == optimizer
    assert config.inputs_device() == inputs
    if variables is None:
        assert callable(config.variables_device())
        assert config.caching_device()(tf.NodeDef(name="a", device="/job:worker")) == "/job:worker"
    else:
        assert config.variables_device() == variables
        assert config.caching_device() is None


def test_variables_device_puts_variables_round_robin_on_ps_tasks(graph):
    config = model_deploy.DeploymentConfig(num_ps_tasks=2, ps_job_name="params")
    assert (config.ps_device, config.worker_device) == ("/job:params", "/job:worker")

    def model_fn():
        for name in ("a", "b", "c"):
            slim.model_variable(name, shape=[])

    model_deploy.create_clones(config, model_fn)
    assert [(v.op.name, v.device) for v in slim.get_model_variables()] == [
        ("a", "/job:params/task:0/device:CPU:0"),
        ("b", "/job:params/task:1/device:CPU:0"),
        ("c", "/job:params/task:0/device:CPU:0"),
    ]
    chooser = config.variables_device()
    assert chooser(tf.NodeDef(name="add", op="AddV2")) == ""  # Other ops get no device here.
    assert chooser(tf.NodeDef(name="v", op="VarHandleOp", device="/cpu:0")) == "/cpu:0"


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"num_clones": 0}, ValueError, "`num_clones` must be >= 1, got 0"),
        ({"num_clones": 2.0}, TypeError, "`num_clones` must be an int"),
        ({"replica_id": 1}, ValueError, r"`replica_id` must be < `num_replicas` \(1\), got 1"),
        ({"num_replicas": 2}, ValueError, "`num_ps_tasks` must be >= 1 when `num_replicas` > 1"),
        ({"num_ps_tasks": 1, "ps_job_name": ""}, ValueError, "`ps_job_name` must be a non-empty"),
        ({"num_ps_tasks": -1}, ValueError, "`num_ps_tasks` must be >= 0, got -1"),
    ],
    ids=["zero-clones", "float-clones", "replica-id", "no-ps", "empty-ps-job", "negative-ps"],
)
def test_deployment_config_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        model_deploy.DeploymentConfig(**kwargs)


@pytest.mark.parametrize("method", ["clone_device", "clone_scope"])
def test_clone_index_out_of_range(method):
    config = model_deploy.DeploymentConfig(num_clones=2)
    with pytest.raises(ValueError, match=r"`clone_index` must be in \[0, 2\).*got 2"):
        getattr(config, method)(2)


# create_clones and optimize_clones ------------------------------------------------------------


def test_create_clones_names_scopes_places_ops_and_shares_variables(graph):
    config = model_deploy.DeploymentConfig(num_clones=2)
    clones = model_deploy.create_clones(config, make_model_fn())
    assert [(c.scope, c.device) for c in clones] == [
        ("clone_0/", "/device:GPU:0"),
        ("clone_1/", "/device:GPU:1"),
    ]
    assert [c.outputs.op.name for c in clones] == ["clone_0/fc/BiasAdd", "clone_1/fc/BiasAdd"]
    assert all(c.outputs.device == c.device for c in clones)
    # The variables were made once, by clone 0, on the variables device; clone 1 reuses them.
    assert [(v.op.name, v.device) for v in tf.global_variables()] == [
        ("fc/weights", "/device:CPU:0"),
        ("fc/biases", "/device:CPU:0"),
    ]
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    assert [len(tf.get_collection(tf.GraphKeys.LOSSES, c.scope)) for c in clones] == [1, 1]


def test_create_clones_inside_a_variable_scope(graph):
    config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=True)
    with tf.variable_scope("model"):
        clones = model_deploy.create_clones(config, make_model_fn())
    assert [c.scope for c in clones] == ["model/clone_0/", "model/clone_1/"]
    assert clones[1].outputs.op.name == "model/clone_1/fc/BiasAdd"
    assert [v.op.name for v in tf.global_variables()] == ["model/fc/weights", "model/fc/biases"]


def test_optimize_clones_sums_gradients_and_adds_regularization_once(graph):
    config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=True)
    clones = model_deploy.create_clones(config, make_model_fn())
    total_loss, grads_and_vars = model_deploy.optimize_clones(
        clones, tf.train.GradientDescentOptimizer(0.1)
    )
    assert [v.op.name for _, v in grads_and_vars] == ["fc/weights", "fc/biases"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        loss, grad_w, grad_b = sess.run([total_loss, *[g for g, _ in grads_and_vars]])
    want_loss, want_w, want_b = numpy_loss_and_grads(np.ones([2, 1]), 0.0)
    assert want_loss == pytest.approx(8.35) and float(loss) == pytest.approx(want_loss)
    np.testing.assert_allclose(grad_w, want_w, rtol=1e-6)
    np.testing.assert_allclose(grad_w, [[8.6], [11.1]], rtol=1e-6)
    np.testing.assert_allclose(grad_b, [want_b], rtol=1e-6)


def test_optimize_clones_without_losses_says_what_is_missing(graph):
    config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=True)
    clones = model_deploy.create_clones(config, lambda: slim.model_variable("w", shape=[]))
    with pytest.raises(ValueError, match="no clone has a loss"):
        model_deploy.optimize_clones(clones, tf.train.GradientDescentOptimizer(0.1), [])


# deploy --------------------------------------------------------------------------------------


def test_deploy_runs_update_ops_of_the_first_clone_only(graph):
    config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=True)
    model = model_deploy.deploy(
        config, make_model_fn(batch_norm=True), optimizer=tf.train.GradientDescentOptimizer(0.1)
    )
    update_ops = [
        op.op if isinstance(op, tf.Tensor) else op
        for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    ]
    assert sorted(op.name.split("/")[0] for op in update_ops) == 2 * ["clone_0"] + 2 * ["clone_1"]
    ran = ancestors(model.train_op.op)
    # Both clones made moving-average updates; the train op runs those of clone 0 only.
    assert sorted(op.name.split("/")[0] for op in update_ops if op.name in ran) == 2 * ["clone_0"]


def test_deploy_summaries_cover_the_first_clone_and_the_total_loss(graph):
    config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=True)
    model = model_deploy.deploy(
        config, make_model_fn(), optimizer=tf.train.GradientDescentOptimizer(0.1)
    )
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        summary = tf.Summary.FromString(sess.run(model.summary_op))
    tags = {value.tag: value.simple_value for value in summary.value}
    assert tags == pytest.approx(
        {
            "Losses/clone_0/clone_loss": 14.5 / 2,
            "Losses/regularization_loss": 0.1,
            "total_loss": 8.35,
        }
    )


def test_deploy_without_optimizer_builds_the_losses_only(graph):
    config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=True)
    model = model_deploy.deploy(config, make_model_fn())
    assert model.train_op is None
    assert tf.train.get_global_step() is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert float(sess.run(model.total_loss)) == pytest.approx(8.35)


@pytest.mark.parametrize("clone_on_cpu", [True, False], ids=["clone-on-cpu", "gpu-devices"])
def test_deploy_trains_with_slim_learning_train(tmp_path, clone_on_cpu):
    # Without GPUs, the clones pinned to GPU 0 and 1 run on the CPU: `train`'s default
    # session config allows soft placement.
    records = []
    with tf.Graph().as_default():
        config = model_deploy.DeploymentConfig(num_clones=2, clone_on_cpu=clone_on_cpu)
        model = model_deploy.deploy(
            config, make_model_fn(), optimizer=tf.train.GradientDescentOptimizer(0.1)
        )
        slim.learning.train(
            model.train_op,
            str(tmp_path),
            number_of_steps=2,
            summary_op=model.summary_op,
            callbacks=[records.append],
        )
    w, b, losses = np.ones([2, 1]), 0.0, []
    for _ in range(2):
        loss, grad_w, grad_b = numpy_loss_and_grads(w, b)
        losses.append(loss)
        w, b = w - 0.1 * grad_w, b - 0.1 * grad_b
    assert [r["step"] for r in records] == [1, 2]
    np.testing.assert_allclose([r["loss"] for r in records], losses, rtol=1e-5)
    assert records[0]["learning_rate"] == pytest.approx(0.1)
    reader = tf.train.load_checkpoint(str(tmp_path))
    assert sorted(reader.get_variable_to_shape_map()) == ["fc/biases", "fc/weights", "global_step"]
    np.testing.assert_allclose(reader.get_tensor("fc/weights"), w, rtol=1e-5)
    np.testing.assert_allclose(reader.get_tensor("fc/biases"), [b], rtol=1e-5)


@pytest.mark.parametrize(
    "name, params",
    [
        (
            "DeploymentConfig",
            [
                "num_clones",
                "clone_on_cpu",
                "replica_id",
                "num_replicas",
                "num_ps_tasks",
                "worker_job_name",
                "ps_job_name",
            ],
        ),  # fmt: skip
        ("create_clones", ["config", "model_fn", "args", "kwargs"]),
        ("optimize_clones", ["clones", "optimizer", "regularization_losses", "kwargs"]),
        ("deploy", ["config", "model_fn", "args", "kwargs", "optimizer", "summarize_gradients"]),
    ],
)
def test_signatures_match_tf_slim(name, params):
    obj = getattr(model_deploy, name)
    signature = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    assert [p for p in signature.parameters if p != "self"] == params


def test_package_reexports_model_deploy():
    assert deployment.model_deploy is model_deploy
    assert deployment.deploy is model_deploy.deploy
