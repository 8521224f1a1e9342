"""slimlib variables: creation, collections, devices, lookup, global step and restoring values."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import slimlib as slim

GLOBAL = tf.GraphKeys.GLOBAL_VARIABLES
LOCAL = tf.GraphKeys.LOCAL_VARIABLES
MODEL = tf.GraphKeys.MODEL_VARIABLES
TRAINABLE = tf.GraphKeys.TRAINABLE_VARIABLES
REG_LOSSES = tf.GraphKeys.REGULARIZATION_LOSSES
ONES = tf.ones_initializer()

# Checkpoint written once by the `checkpoint` fixture, as a model-zoo file would hold it.
CKPT_WEIGHTS = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
CKPT_BIASES = np.array([5.0, 6.0], np.float32)
CKPT_PARTITIONED = np.arange(8, dtype=np.float32).reshape(4, 2)


def collections_of(var):
    graph = tf.get_default_graph()
    return sorted(
        key
        for key in graph.get_all_collection_keys()
        if any(item is var for item in graph.get_collection(key))
    )


def names(variables):
    return [v.op.name for v in variables]


def initialize_and_run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        return sess.run(fetches, feed_dict)


# Creation and collections ------------------------------------------------------------------


@pytest.mark.parametrize(
    "trainable, expected", [(True, [GLOBAL, TRAINABLE]), (False, [GLOBAL])], ids=["on", "off"]
)
def test_variable_is_global_only(graph, trainable, expected):
    var = slim.variable("v", shape=[2], trainable=trainable)
    assert collections_of(var) == sorted(expected)
    assert (var.op.name, var.dtype.base_dtype) == ("v", tf.float32)


@pytest.mark.parametrize(
    "trainable, expected",
    [(True, [GLOBAL, MODEL, TRAINABLE]), (False, [GLOBAL, MODEL])],
    ids=["trainable", "frozen"],
)
def test_model_variable_is_global_and_model(graph, trainable, expected):
    var = slim.model_variable("w", shape=[2], trainable=trainable)
    assert collections_of(var) == sorted(expected)
    assert slim.get_model_variables() == [var]


def test_model_variable_keeps_extra_collections(graph):
    var = slim.model_variable("w", shape=[2], collections=["extra", GLOBAL])
    assert collections_of(var) == sorted(["extra", GLOBAL, MODEL, TRAINABLE])
    assert tf.get_collection(GLOBAL) == [var]  # Listed once although named twice.


def test_local_variable(graph):
    var = slim.local_variable([1.0, 2.0], name="counts")
    assert collections_of(var) == [LOCAL]
    assert var.op.name == "counts"
    np.testing.assert_array_equal(initialize_and_run(var), [1.0, 2.0])


def test_global_variable_is_not_trainable(graph):
    var = slim.global_variable(3, name="g")
    assert collections_of(var) == [GLOBAL]
    assert initialize_and_run(var) == 3


def test_variable_uses_the_variable_scope_and_initializer(graph, run):
    with tf.variable_scope("block"):
        var = slim.variable("w", shape=[2, 2], initializer=ONES)
    assert var.op.name == "block/w"
    np.testing.assert_array_equal(run(var), np.ones([2, 2]))


def test_variable_reuse_returns_the_same_variable(graph):
    with tf.variable_scope("s"):
        first = slim.model_variable("w", shape=[1])
    with tf.variable_scope("s", reuse=True):
        again = slim.model_variable("w", shape=[1])
    assert again is first
    assert slim.get_model_variables() == [first]


def test_custom_getter_replaces_get_variable_as_in_tf_slim(graph):
    calls = []

    def getter(name, reuse=None, **kwargs):
        calls.append((name, reuse, kwargs["shape"]))
        return tf.get_variable(name, **kwargs)

    var = slim.model_variable("w", shape=[3], custom_getter=getter)
    assert calls == [("w", False, [3])]
    assert collections_of(var) == sorted([GLOBAL, MODEL, TRAINABLE])


@pytest.mark.parametrize(
    "create",
    [
        lambda: slim.variable("v", shape=[1]),
        lambda: slim.model_variable("v", shape=[1]),
        lambda: slim.local_variable(1.0),
        lambda: slim.global_variable(1.0),
    ],
    ids=["variable", "model_variable", "local_variable", "global_variable"],
)
def test_creating_variables_eagerly_is_refused(create):
    with pytest.raises(RuntimeError, match="cannot run eagerly"):
        create()


def test_add_model_variable_adds_once(graph):
    var = slim.global_variable(1.0, name="custom")
    slim.add_model_variable(var)
    slim.add_model_variable(var)
    assert tf.get_collection(MODEL) == [var]


# Regularizers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "create", [slim.variable, slim.model_variable], ids=["variable", "model_variable"]
)
def test_regularizer_loss_goes_to_regularization_losses(graph, run, create):
    create(
        "weights",
        shape=[10, 10, 3, 3],
        initializer=ONES,
        regularizer=slim.l2_regularizer(0.05),
    )
    (loss,) = tf.get_collection(REG_LOSSES)
    np.testing.assert_allclose(run(loss), 0.05 * 900 / 2)  # scale * sum(w ** 2) / 2 = 22.5


# Devices -----------------------------------------------------------------------------------


def test_device_string(graph):
    var = slim.variable("w", shape=[1], device="/CPU:0")
    assert var.device == "/device:CPU:0"


def test_variable_device_chooser_round_robin():
    chooser = slim.VariableDeviceChooser(num_tasks=2)
    assert [chooser(None) for _ in range(3)] == [
        "/job:ps/task:0/device:CPU:0",
        "/job:ps/task:1/device:CPU:0",
        "/job:ps/task:0/device:CPU:0",
    ]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, "/device:CPU:0"),
        ({"device_type": "GPU", "device_index": 1}, "/device:GPU:1"),
        (
            {"num_tasks": 1, "job_name": "params", "replica": 3},
            "/job:params/replica:3/task:0/device:CPU:0",
        ),
    ],
    ids=["local-cpu", "gpu-1", "job-and-replica"],
)
def test_variable_device_chooser_spec(kwargs, expected):
    assert slim.VariableDeviceChooser(**kwargs)(None) == expected


def _ps_for_ref_variables(op):
    """A parameter-server chooser that, like model_deploy's, places only "Variable*" ops."""
    return "/job:ps/task:0/device:CPU:0" if op.node_def.op.startswith("Variable") else ""


@pytest.mark.parametrize(
    "use_resource, seen_type, expected",
    [(False, "VariableV2", "/job:ps/task:0/device:CPU:0"), (True, "VarHandleOp", "")],
)
def test_device_function_sees_the_type_of_variable_made(graph, use_resource, seen_type, expected):
    seen = []

    def chooser(op):
        seen.append((op.type, op.node_def.op))
        return _ps_for_ref_variables(op)

    var = slim.variable("w", [], device=chooser, use_resource=use_resource)
    assert seen == [(seen_type, seen_type)]
    assert var.device == expected
    assert var.op.type == seen_type


def test_device_function_sees_ref_variables_of_the_variable_scope(graph):
    with tf.variable_scope("s", use_resource=False):
        var = slim.model_variable("w", [], device=_ps_for_ref_variables)
    assert (var.op.type, var.device) == ("VariableV2", "/job:ps/task:0/device:CPU:0")


def test_device_chooser_in_arg_scope_is_called_once_per_variable(graph):
    # TF-Slim's own test: an explicit device skips the chooser, which keeps its turn.
    with slim.arg_scope([slim.variable], device=slim.VariableDeviceChooser(num_tasks=2)):
        a = slim.variable("a", [])
        b = slim.variable("b", [])
        c = slim.variable("c", [], device="/cpu:12")
        d = slim.variable("d", [])
    assert [v.device for v in (a, b, c, d)] == [
        "/job:ps/task:0/device:CPU:0",
        "/job:ps/task:1/device:CPU:0",
        "/device:CPU:12",
        "/job:ps/task:0/device:CPU:0",
    ]


def test_arg_scope_over_model_variable_sets_the_device(graph):
    with slim.arg_scope([slim.model_variable], device="/CPU:0"):
        placed = slim.model_variable("placed", shape=[1])
        overridden = slim.model_variable("overridden", shape=[1], device="/CPU:1")
    unplaced = slim.model_variable("unplaced", shape=[1])
    assert [v.device for v in (placed, overridden, unplaced)] == [
        "/device:CPU:0",
        "/device:CPU:1",
        "",
    ]


def test_replica_device_setter_as_device_function(graph):
    setter = tf.train.replica_device_setter(ps_tasks=2)
    first = slim.variable("first", [1], device=setter)
    second = slim.variable("second", [1], device=setter)
    assert (first.device, second.device) == ("/job:ps/task:0", "/job:ps/task:1")


# Lookup ------------------------------------------------------------------------------------


@pytest.fixture
def zoo(graph):
    """`a/weights`, `a/biases` (model), `ab/x`, `b/weights`, top-level `weights`, local `a/n`."""
    with tf.variable_scope("a") as scope_a:
        slim.model_variable("weights", [1])
        slim.model_variable("biases", [1])
        slim.local_variable(0, name="n")
    slim.variable("ab/x", [1], trainable=False)
    with tf.variable_scope("b") as scope_b:
        slim.variable("weights", [1])
    slim.variable("weights", [1])
    return scope_a, scope_b


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, ["a/weights", "a/biases", "ab/x", "b/weights", "weights"]),
        ({"scope": "a"}, ["a/weights", "a/biases", "ab/x"]),  # A prefix regex, as in TF-Slim.
        ({"scope": "a/"}, ["a/weights", "a/biases"]),
        ({"suffix": "weights"}, ["a/weights", "b/weights", "weights"]),
        ({"scope": "a", "suffix": "weights"}, ["a/weights"]),
        ({"collection": LOCAL}, ["a/n"]),
    ],
    ids=["all", "scope-prefix", "scope-slash", "suffix", "scope-and-suffix", "collection"],
)
def test_get_variables(zoo, kwargs, expected):
    assert names(slim.get_variables(**kwargs)) == expected


def test_get_variables_accepts_a_variable_scope(zoo):
    scope_a, scope_b = zoo
    assert names(slim.get_variables(scope_b)) == ["b/weights"]
    assert names(slim.get_model_variables(scope_a, "biases")) == ["a/biases"]


def test_collection_getters(zoo):
    assert names(slim.get_model_variables()) == ["a/weights", "a/biases"]
    assert names(slim.get_local_variables()) == ["a/n"]
    assert names(slim.get_trainable_variables()) == [
        "a/weights",
        "a/biases",
        "b/weights",
        "weights",
    ]
    assert names(slim.get_trainable_variables("b")) == ["b/weights"]


@pytest.mark.parametrize(
    "given, scope, expected",
    [
        ("weights", None, ["a/weights", "b/weights", "weights"]),
        ("weights", "b", ["b/weights"]),  # TF-Slim also returned the top-level `weights`.
        ("x", None, ["ab/x"]),
        ("eights", None, []),
    ],
    ids=["everywhere", "in-scope", "nested-name", "partial-name"],
)
def test_get_variables_by_name(zoo, given, scope, expected):
    assert names(slim.get_variables_by_name(given, scope)) == expected


def test_get_variables_by_suffix(zoo):
    assert names(slim.get_variables_by_suffix("ights")) == ["a/weights", "b/weights", "weights"]
    assert names(slim.get_variables_by_suffix("ights", scope="b")) == ["b/weights"]


@pytest.mark.parametrize(
    "select",
    [
        lambda: slim.get_variables_by_name("v2"),
        lambda: slim.get_variables_by_suffix("2"),
        lambda: slim.get_variables(scope="nested"),
        lambda: slim.get_variables_to_restore(include=["nested"]),
        lambda: slim.get_variables_to_restore(exclude=["v1"]),
    ],
    ids=["by-name", "by-suffix", "scope", "include", "exclude"],
)
def test_readme_partial_restore_selections_are_equivalent(graph, select):
    slim.variable(name="v1", shape=[1])
    v2 = slim.variable(name="nested/v2", shape=[1])
    assert select() == [v2]


def test_get_unique_variable(zoo):
    assert slim.get_unique_variable("a/weights").op.name == "a/weights"
    assert slim.get_unique_variable("weights").op.name == "weights"


def test_get_unique_variable_error_suggests_a_name(zoo):
    with pytest.raises(
        ValueError,
        match=r"`var_op_name` must name a variable in GLOBAL_VARIABLES, got 'a/weight'\. "
        r"Did you mean 'a/weights'\?",
    ):
        slim.get_unique_variable("a/weight")


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, ["a/weights", "a/biases", "ab/x", "b/weights", "weights"]),
        ({"include": ["a/"]}, ["a/weights", "a/biases"]),
        ({"exclude": ["a"]}, ["b/weights", "weights"]),
        ({"include": ["a", "b"], "exclude": ["a/biases", "ab"]}, ["a/weights", "b/weights"]),
        ({"include": ("a/", "a/weights")}, ["a/weights", "a/biases"]),  # Listed once.
    ],
    ids=["all", "include", "exclude", "both", "overlap"],
)
def test_get_variables_to_restore(zoo, kwargs, expected):
    assert names(slim.get_variables_to_restore(**kwargs)) == expected


@pytest.mark.parametrize("arg", ["include", "exclude"], ids=["include", "exclude"])
def test_get_variables_to_restore_needs_a_list(zoo, arg):
    with pytest.raises(TypeError, match=f"`{arg}` must be a list or tuple of scopes, got 'a'"):
        slim.get_variables_to_restore(**{arg: "a"})


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"include_patterns": ["weights"]}, ["a/weights", "b/weights", "weights"]),
        ({"include_patterns": ["weights"], "exclude_patterns": ["^a/"]}, ["b/weights", "weights"]),
        ({"exclude_patterns": ["s:0$"]}, ["ab/x"]),  # Matched against var.name with ':0'.
        ({"include_patterns": ["weights"], "reg_search": False}, ["weights"]),  # From the start.
        ({"include_patterns": ["a"], "reg_search": False}, ["a/weights", "a/biases", "ab/x"]),
    ],
    ids=["include", "include-exclude", "full-name", "match-start", "match-prefix"],
)
def test_filter_variables(zoo, kwargs, expected):
    assert names(slim.filter_variables(slim.get_variables(), **kwargs)) == expected


@pytest.mark.parametrize(
    "arg", ["include_patterns", "exclude_patterns"], ids=["include", "exclude"]
)
def test_filter_variables_rejects_a_bare_string(zoo, arg):
    with pytest.raises(TypeError, match=f"`{arg}` must be a list of regular expressions"):
        slim.filter_variables(slim.get_variables(), **{arg: "weights"})


def test_get_variable_full_name(graph):
    plain = slim.variable("plain", [1])
    parts = list(
        slim.variable("p", [4, 2], partitioner=tf.fixed_size_partitioner(2), initializer=ONES)
    )
    assert slim.get_variable_full_name(plain) == "plain"
    assert names(parts) == ["p/part_0", "p/part_1"]
    assert [slim.get_variable_full_name(part) for part in parts] == ["p", "p"]


# Global step -------------------------------------------------------------------------------


def test_global_step_lifecycle(graph, run):
    assert slim.get_global_step() is None
    assert slim.assert_or_get_global_step() is None
    step = slim.create_global_step()
    assert (step.op.name, step.dtype.base_dtype, step.trainable) == ("global_step", tf.int64, False)
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [step]
    assert slim.get_global_step() is step
    assert slim.get_global_step(graph) is step
    assert slim.get_or_create_global_step() is step
    assert slim.assert_or_get_global_step(graph) is step
    assert run(step) == 0


def test_get_or_create_global_step_creates_one(graph):
    step = slim.get_or_create_global_step()
    assert step.dtype.base_dtype == tf.int64
    assert slim.get_or_create_global_step() is step


def test_create_global_step_twice_fails(graph):
    slim.create_global_step()
    with pytest.raises(ValueError, match='"global_step" already exists'):
        slim.create_global_step()


def test_assert_or_get_global_step_returns_a_valid_tensor(graph):
    counter = tf.Variable(0, dtype=tf.int32, name="counter")
    assert slim.assert_or_get_global_step(global_step_tensor=counter) is counter


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: tf.Variable(1.0), "does not have integer type"),
        (lambda: tf.constant([1, 2]), "is not scalar"),
        (lambda: "step", "must be a Variable or Tensor"),
    ],
    ids=["float", "vector", "string"],
)
def test_assert_or_get_global_step_rejects_bad_tensors(graph, make, match):
    with pytest.raises(TypeError, match=match):
        slim.assert_or_get_global_step(global_step_tensor=make())
    with pytest.raises(TypeError, match=match):
        slim.assert_global_step(make())


# zero_initializer and assign_from_values ---------------------------------------------------


def test_zero_initializer(graph):
    var = slim.variable("v", [2, 2], initializer=ONES)
    op = slim.zero_initializer(var)
    assert op.op.name == "zero_initializer"
    with tf.Session() as sess:
        sess.run(var.initializer)
        np.testing.assert_array_equal(sess.run(var), np.ones([2, 2]))
        sess.run(op)
        np.testing.assert_array_equal(sess.run(var), np.zeros([2, 2]))


def test_assign_from_values(graph):
    weights = slim.model_variable("layer/weights", [2, 3])
    biases = slim.variable("layer/biases", [3])  # Not a model variable: found all the same.
    slim.model_variable("layer/weights_1", [1])  # Shares the prefix; never touched.
    assign_op, feed_dict = slim.assign_from_values(
        {"layer/weights": np.arange(6).reshape(2, 3), "layer/biases": [7, 8, 9]}
    )
    assert sorted(p.op.name for p in feed_dict) == [
        "placeholder/layer/biases",
        "placeholder/layer/weights",
    ]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(assign_op, feed_dict)
        w, b = sess.run([weights, biases])
    np.testing.assert_array_equal(w, [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(b, [7, 8, 9])


def test_assign_from_values_reshapes_a_value_of_the_same_size(graph):
    weights = slim.model_variable("w", [2, 3])
    init_fn = slim.assign_from_values_fn({"w": np.arange(6)})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        init_fn(sess)
        np.testing.assert_array_equal(sess.run(weights), [[0, 1, 2], [3, 4, 5]])


def test_assign_from_values_unknown_name(graph):
    slim.model_variable("layer/weights", [2])
    with pytest.raises(ValueError, match=r"got 'layer/weight'\. Did you mean 'layer/weights'\?"):
        slim.assign_from_values({"layer/weight": np.zeros(2)})
    with pytest.raises(ValueError, match="must be a variable in GLOBAL_VARIABLES, got 'layer'"):
        slim.assign_from_values_fn({"layer": np.zeros(2)})


def test_assign_from_values_wrong_shape(graph):
    slim.model_variable("w", [2, 3])
    with pytest.raises(ValueError, match=r"the value for 'w' must have shape \[2, 3\], got \[4\]"):
        slim.assign_from_values({"w": np.zeros(4)})


# Checkpoints -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A checkpoint prefix holding `vgg16/conv1/{weights,biases}`, `p`, and extra entries."""
    directory = tmp_path_factory.mktemp("ckpt")
    with tf.Graph().as_default():
        saved = {
            "vgg16/conv1/weights": tf.Variable(CKPT_WEIGHTS),
            "vgg16/conv1/biases": tf.Variable(CKPT_BIASES),
            "vgg16/mean_rgb": tf.Variable([0.5, 0.5, 0.5]),
            "global_step": tf.Variable(7, dtype=tf.int64),
            "p": tf.Variable(CKPT_PARTITIONED),
        }
        saver = tf.train.Saver(saved)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, str(directory / "model.ckpt"))


def conv1_variables(scope="vgg16"):
    with tf.variable_scope(scope):
        weights = slim.model_variable("conv1/weights", [2, 2], initializer=tf.zeros_initializer())
        biases = slim.model_variable("conv1/biases", [2], initializer=tf.zeros_initializer())
    return weights, biases


def restore_with_op(model_path, var_list, **kwargs):
    assign_op, feed_dict = slim.assign_from_checkpoint(model_path, var_list, **kwargs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(assign_op, feed_dict)
        return sess.run(tf.global_variables())


def restore_with_fn(model_path, var_list, **kwargs):
    init_fn = slim.assign_from_checkpoint_fn(model_path, var_list, **kwargs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        init_fn(sess)
        return sess.run(tf.global_variables())


RESTORERS = pytest.mark.parametrize(
    "restore", [restore_with_op, restore_with_fn], ids=["assign_op", "saver_fn"]
)


@RESTORERS
def test_restore_list_by_op_name_ignoring_extra_entries(graph, checkpoint, restore):
    weights, biases = conv1_variables()
    w, b = restore(checkpoint, [weights, biases])
    np.testing.assert_array_equal(w, CKPT_WEIGHTS)
    np.testing.assert_array_equal(b, CKPT_BIASES)


@RESTORERS
def test_restore_renamed_variables_from_a_dict(graph, checkpoint, restore):
    # The README's `name_in_checkpoint(var) = 'vgg16/' + var.op.name`.
    conv1_variables(scope="")
    var_list = {"vgg16/" + var.op.name: var for var in slim.get_model_variables()}
    assert sorted(var_list) == ["vgg16/conv1/biases", "vgg16/conv1/weights"]
    w, b = restore(checkpoint, var_list)
    np.testing.assert_array_equal(w, CKPT_WEIGHTS)
    np.testing.assert_array_equal(b, CKPT_BIASES)


@RESTORERS
def test_restore_from_a_directory_uses_its_latest_checkpoint(graph, checkpoint, restore):
    weights, _ = conv1_variables()
    w, _ = restore(checkpoint.rsplit("/", 1)[0], [weights])
    np.testing.assert_array_equal(w, CKPT_WEIGHTS)


@RESTORERS
def test_ignore_missing_vars_restores_the_rest(graph, checkpoint, restore):
    weights, biases = conv1_variables()
    fc8 = slim.model_variable("vgg16/fc8/weights", [1], initializer=ONES)
    w, b, fc = restore(checkpoint, [weights, biases, fc8], ignore_missing_vars=True)
    np.testing.assert_array_equal(w, CKPT_WEIGHTS)
    np.testing.assert_array_equal(fc, [1.0])  # Kept its initial value.


@RESTORERS
def test_restore_partitioned_variable_slice_by_slice(graph, checkpoint, restore):
    partitioned = slim.variable(
        "p", [4, 2], partitioner=tf.fixed_size_partitioner(2), initializer=tf.zeros_initializer()
    )
    top, bottom = restore(checkpoint, [partitioned])
    np.testing.assert_array_equal(np.concatenate([top, bottom]), CKPT_PARTITIONED)


def test_assign_from_checkpoint_fn_all_missing_and_ignored_gives_none(graph, checkpoint):
    fc8 = slim.model_variable("vgg16/fc8/weights", [1])
    assert slim.assign_from_checkpoint_fn(checkpoint, [fc8], ignore_missing_vars=True) is None


def test_assign_from_checkpoint_fn_reshapes_a_value_of_the_same_size(graph, checkpoint):
    flat = slim.model_variable("vgg16/conv1/weights", [4])
    (value,) = restore_with_fn(checkpoint, [flat], reshape_variables=True)
    np.testing.assert_array_equal(value, [1.0, 2.0, 3.0, 4.0])


def checked_fn(*args, **kwargs):
    """`assign_from_checkpoint_fn` with the comparison made when it is built."""
    return slim.assign_from_checkpoint_fn(*args, check_first=True, **kwargs)


BUILD_TIME_CHECKERS = pytest.mark.parametrize(
    "func", [slim.assign_from_checkpoint, checked_fn], ids=["op", "fn-check-first"]
)


@BUILD_TIME_CHECKERS
def test_missing_variable_is_named_with_a_suggestion(graph, checkpoint, func):
    weights = slim.model_variable("vgg16/conv1/weight", [2, 2])
    with pytest.raises(ValueError) as info:
        func(checkpoint, [weights])
    message = str(info.value)
    assert (
        f"every variable must be in checkpoint {checkpoint!r} with its shape and dtype, got 1 that do not fit:"
        in message
    )
    assert "'vgg16/conv1/weight': not in checkpoint. Did you mean 'vgg16/conv1/weights'?" in message
    assert message.endswith(
        "Hint: pass ignore_missing_vars=True to skip variables the checkpoint lacks."
    )


@BUILD_TIME_CHECKERS
def test_one_error_lists_every_variable_that_does_not_fit(graph, checkpoint, func):
    weights = slim.model_variable("conv1/weights", [2, 3])
    biases = slim.model_variable("conv1/biases", [2])
    missing = slim.model_variable("conv1/gamma", [2])
    var_list = {
        "vgg16/conv1/weights": weights,
        "vgg16/conv1/biases": biases,
        "extra/gamma": missing,
    }
    with pytest.raises(ValueError, match="got 2 that do not fit") as info:
        func(checkpoint, var_list)
    lines = str(info.value).splitlines()
    assert lines[1:] == [
        "  'vgg16/conv1/weights' (for conv1/weights): variable shape [2, 3], "
        "checkpoint shape [2, 2].",
        "  'extra/gamma' (for conv1/gamma): not in checkpoint.",
        "Hint: pass ignore_missing_vars=True to skip variables the checkpoint lacks.",
    ]


def test_shape_of_the_same_size_suggests_reshape_variables(graph, checkpoint):
    flat = slim.model_variable("vgg16/conv1/weights", [4])
    with pytest.raises(
        ValueError,
        match=r"variable shape \[4\], checkpoint shape \[2, 2\]\.\n"
        r"Hint: pass reshape_variables=True to restore a value of the same size\.",
    ):
        checked_fn(checkpoint, [flat])


def test_assign_from_checkpoint_never_suggests_an_option_it_lacks(graph, checkpoint):
    flat = slim.model_variable("vgg16/conv1/weights", [4])
    with pytest.raises(ValueError, match=r"variable shape \[4\], checkpoint shape \[2, 2\]\.$"):
        slim.assign_from_checkpoint(checkpoint, [flat])


def test_reshape_variables_still_needs_the_same_size(graph, checkpoint):
    wrong = slim.model_variable("vgg16/conv1/weights", [5])
    with pytest.raises(ValueError, match=r"variable shape \[5\], checkpoint shape \[2, 2\]\.$"):
        checked_fn(checkpoint, [wrong], reshape_variables=True)


def test_assign_from_checkpoint_fn_names_a_dtype_mismatch(graph, checkpoint):
    step = slim.variable("global_step", [], dtype=tf.int32)
    with pytest.raises(ValueError, match="variable dtype int32, checkpoint dtype int64"):
        checked_fn(checkpoint, [step])


@pytest.mark.parametrize(
    "func", [slim.assign_from_checkpoint, slim.assign_from_checkpoint_fn], ids=["op", "fn"]
)
def test_path_that_is_no_checkpoint(graph, tmp_path, func):
    weights = slim.model_variable("w", [1])
    with pytest.raises(ValueError, match="`model_path` must name a readable checkpoint, got '"):
        func(str(tmp_path / "nothing.ckpt"), [weights])
    with pytest.raises(
        ValueError, match="directory holding a `checkpoint` file, got the directory"
    ):
        func(str(tmp_path), [weights])


def test_assign_from_checkpoint_fn_raises_not_found_when_it_runs(graph, checkpoint):
    # As in TF-Slim: building succeeds; restoring a variable the checkpoint lacks raises
    # NotFoundError, whose message is the full report.
    weights = slim.model_variable("vgg16/conv1/weight", [2, 2])
    init_fn = slim.assign_from_checkpoint_fn(checkpoint, [weights])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError) as info:
            init_fn(sess)
    assert "'vgg16/conv1/weight': not in checkpoint. Did you mean 'vgg16/conv1/weights'?" in (
        info.value.message
    )
    assert "Hint: pass ignore_missing_vars=True" in info.value.message


def test_assign_from_checkpoint_fn_raises_invalid_argument_for_a_shape_when_it_runs(
    graph, checkpoint
):
    flat = slim.model_variable("vgg16/conv1/weights", [4])
    init_fn = slim.assign_from_checkpoint_fn(checkpoint, [flat])
    with tf.Session() as sess:
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"variable shape \[4\], checkpoint shape \[2, 2\]\.\n"
            r"Hint: pass reshape_variables=True",
        ):
            init_fn(sess)


@pytest.mark.parametrize(
    "restore", [restore_with_op, restore_with_fn], ids=["assign_op", "saver_fn"]
)
def test_a_prefix_that_is_also_a_folder_is_the_checkpoint(graph, tmp_path, restore):
    # `saver.save(sess, folder)` writes `folder.index` next to the (empty) folder.
    prefix = tmp_path / "model"
    prefix.mkdir()
    with tf.Graph().as_default():
        saved = tf.Variable(3.0, name="v")
        with tf.Session() as sess:
            sess.run(saved.initializer)
            assert tf.train.Saver([saved]).save(sess, str(prefix)) == str(prefix)
    v = slim.variable("v", [], initializer=tf.zeros_initializer())
    assert restore(str(prefix), [v]) == [3.0]


@pytest.mark.parametrize(
    "func", [slim.assign_from_checkpoint, slim.assign_from_checkpoint_fn], ids=["op", "fn"]
)
def test_var_list_must_be_a_list_or_dict(graph, checkpoint, func):
    weights = slim.model_variable("w", [1])
    with pytest.raises(TypeError, match="`var_list` must be a list of variables or a dict"):
        func(checkpoint, weights)


def test_assign_from_checkpoint_fn_rejects_an_empty_list(graph, checkpoint):
    with pytest.raises(ValueError, match=r"`var_list` must not be empty, got \[\]"):
        slim.assign_from_checkpoint_fn(checkpoint, [])


@pytest.mark.parametrize(
    "call, fn",
    [
        (lambda path, var: slim.assign_from_checkpoint(path, [var]), "assign_from_checkpoint"),
        (
            lambda path, var: slim.assign_from_checkpoint_fn(path, [var]),
            "assign_from_checkpoint_fn",
        ),
        (lambda path, var: slim.assign_from_values({"v": 1.0}), "assign_from_values"),
        (lambda path, var: slim.assign_from_values_fn({"v": 1.0}), "assign_from_values"),
    ],
    ids=["assign_from_checkpoint", "assign_from_checkpoint_fn", "values", "values_fn"],
)
def test_restoring_eagerly_is_refused(checkpoint, call, fn):
    eager_var = tf.Variable(1.0, name="v")
    with pytest.raises(
        RuntimeError,
        match=f"^{fn}: slimlib builds graphs and cannot run eagerly. Build inside a graph",
    ):
        call(checkpoint, eager_var)
