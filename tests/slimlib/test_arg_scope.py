"""arg_scope: TF-Slim's scoping rules, slimlib's checks, thread isolation and provenance.

The ops under test are tiny decorated functions that return the arguments they received,
so every expectation can be read off the call.
"""

import inspect
import threading

import pytest

import slimlib as slim

arg_scope = slim.arg_scope
add_arg_scope = slim.add_arg_scope

THIS_FILE = "test_arg_scope.py"
RELU, INIT_01, INIT_03, REG = "relu", "init(0.01)", "init(0.03)", "l2(0.0005)"


@add_arg_scope
def conv(
    inputs,
    num_outputs,
    kernel_size,
    stride=1,
    padding="SAME",
    activation_fn=RELU,
    weights_initializer=None,
    weights_regularizer=None,
    scope=None,
):
    return dict(locals())


@add_arg_scope
def fc(inputs, num_outputs, activation_fn=RELU, weights_initializer=None, weights_regularizer=None):
    return dict(locals())


@add_arg_scope
def any_kwargs(inputs, **kwargs):
    return kwargs


def undecorated(inputs, stride=1):
    return stride


def next_line() -> int:
    """The line number after the caller's current line (where a `with` is about to start)."""
    return inspect.currentframe().f_back.f_lineno + 1


# TF-Slim semantics -------------------------------------------------------------------------


def test_readme_local_override():
    with arg_scope([conv], padding="SAME", weights_initializer=INIT_01, weights_regularizer=REG):
        conv1 = conv("x", 64, [11, 11], scope="conv1")
        conv2 = conv("x", 128, [11, 11], padding="VALID", scope="conv2")
        conv3 = conv("x", 256, [11, 11], scope="conv3")
    assert [c["padding"] for c in (conv1, conv2, conv3)] == ["SAME", "VALID", "SAME"]
    assert {c["weights_initializer"] for c in (conv1, conv2, conv3)} == {INIT_01}
    assert {c["weights_regularizer"] for c in (conv1, conv2, conv3)} == {REG}


def test_readme_nested_scopes_with_two_ops():
    with arg_scope(
        [conv, fc], activation_fn=RELU, weights_initializer=INIT_01, weights_regularizer=REG
    ):
        with arg_scope([conv], stride=1, padding="SAME"):
            conv1 = conv("x", 64, [11, 11], 4, padding="VALID", scope="conv1")
            conv2 = conv("x", 256, [5, 5], weights_initializer=INIT_03, scope="conv2")
            logits = fc("x", 1000, activation_fn=None)
    assert (conv1["stride"], conv1["padding"], conv1["weights_initializer"]) == (
        4,
        "VALID",
        INIT_01,
    )
    assert (conv2["stride"], conv2["padding"], conv2["weights_initializer"]) == (1, "SAME", INIT_03)
    assert (logits["activation_fn"], logits["weights_initializer"]) == (None, INIT_01)
    assert logits["weights_regularizer"] == REG


def test_defaults_end_with_the_block():
    with arg_scope([conv], padding="VALID"):
        with arg_scope([conv], stride=2):
            assert (conv("x", 1, 3)["stride"], conv("x", 1, 3)["padding"]) == (2, "VALID")
        assert (conv("x", 1, 3)["stride"], conv("x", 1, 3)["padding"]) == (1, "VALID")
    assert (conv("x", 1, 3)["stride"], conv("x", 1, 3)["padding"]) == (1, "SAME")
    assert slim.current_arg_scope() == {}


def test_an_exception_inside_the_block_still_restores_the_outer_scope():
    with pytest.raises(RuntimeError, match="boom"):
        with arg_scope([conv], stride=3):
            raise RuntimeError("boom")
    assert conv("x", 1, 3)["stride"] == 1


def test_positional_argument_wins_over_a_scoped_default():
    # TF-Slim raises "got multiple values for argument 'stride'" on this README call.
    with arg_scope([conv], stride=1):
        out = conv("x", 64, [11, 11], 4, padding="VALID")
    assert (out["num_outputs"], out["kernel_size"], out["stride"]) == (64, [11, 11], 4)
    assert out["padding"] == "VALID"


def test_reentering_a_yielded_scope_replaces_the_current_one():
    with arg_scope([conv], padding="VALID", stride=2) as saved:
        pass
    key = slim.arg_scope_func_key(conv)
    assert saved == {key: {"padding": "VALID", "stride": 2}}
    with arg_scope([conv], padding="SAME", activation_fn=None):
        with arg_scope(saved):
            out = conv("x", 1, 3)
        assert conv("x", 1, 3)["padding"] == "SAME"
    # The saved scope knows nothing of the activation_fn set around it: TF-Slim's rule.
    assert (out["padding"], out["stride"], out["activation_fn"]) == ("VALID", 2, RELU)


def test_a_plain_dict_can_be_entered_as_a_scope():
    scope = {slim.arg_scope_func_key(conv): {"stride": 5}}
    with arg_scope(scope) as entered:
        assert conv("x", 1, 3)["stride"] == 5
    assert entered == scope


def test_the_outer_scope_is_read_on_entry_not_on_construction():
    inner = arg_scope([conv], stride=2)
    with arg_scope([conv], padding="VALID"):
        with inner:
            out = conv("x", 1, 3)
    assert (out["stride"], out["padding"]) == (2, "VALID")


def test_tuple_of_ops_is_accepted():
    with arg_scope((conv, fc), activation_fn=None):
        assert conv("x", 1, 3)["activation_fn"] is None
        assert fc("x", 1)["activation_fn"] is None


def test_function_with_var_keyword_accepts_any_name():
    with arg_scope([any_kwargs], anything=3, other="b"):
        assert any_kwargs("x") == {"anything": 3, "other": "b"}
        assert any_kwargs("x", anything=4) == {"anything": 4, "other": "b"}
    assert any_kwargs("x") == {}


# Errors ------------------------------------------------------------------------------------


def test_kwargs_with_a_scope_mapping_are_rejected():
    with arg_scope([conv], stride=2) as saved:
        pass
    with pytest.raises(ValueError, match=r"kwargs must be empty .* got \['padding'\]"):
        arg_scope(saved, padding="VALID")


@pytest.mark.parametrize(
    "bad",
    [conv, "conv", None, {conv}],
    ids=["bare-function", "string", "none", "set"],
)
def test_list_ops_or_scope_must_be_a_list_tuple_or_mapping(bad):
    with pytest.raises(TypeError, match="`list_ops_or_scope` must be a list or tuple"):
        arg_scope(bad, stride=2)


def test_unknown_argument_is_rejected_on_entry_with_accepted_names():
    entered = False
    with pytest.raises(TypeError) as info:
        with arg_scope([conv], strides=2):
            entered = True
    assert not entered
    # TF-Slim raises TypeError (when the op is called); slimlib raised ValueError before.
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "`strides` is not an argument of conv, got strides=2" in message
    assert "conv accepts ['inputs', 'num_outputs', 'kernel_size', 'stride', 'padding'," in message
    assert message.endswith("Did you mean 'stride'?")


def test_unknown_argument_names_the_op_that_lacks_it():
    with pytest.raises(ValueError, match="`stride` is not an argument of fc"):
        arg_scope([conv, fc], stride=2)


def test_undecorated_function_is_rejected_by_name():
    with pytest.raises(
        ValueError, match=r"must be decorated with @add_arg_scope, got 'undecorated'"
    ):
        arg_scope([undecorated], stride=2)


# Introspection -----------------------------------------------------------------------------


def test_current_arg_scope_inside_and_outside():
    key_conv = slim.arg_scope_func_key(conv)
    key_fc = slim.arg_scope_func_key(fc)
    assert slim.current_arg_scope() == {}
    with arg_scope([conv, fc], activation_fn=None):
        with arg_scope([conv], stride=2) as sc:
            assert slim.current_arg_scope() is sc
            assert sc == {
                key_conv: {"activation_fn": None, "stride": 2},
                key_fc: {"activation_fn": None},
            }


@pytest.mark.parametrize(
    "func, expected",
    [(conv, True), (fc, True), (any_kwargs, True), (undecorated, False), (len, False)],
    ids=["conv", "fc", "kwargs", "undecorated", "builtin"],
)
def test_has_arg_scope(func, expected):
    assert slim.has_arg_scope(func) is expected


def test_arg_scoped_arguments_lists_names_with_defaults():
    assert slim.arg_scoped_arguments(conv) == (
        "stride",
        "padding",
        "activation_fn",
        "weights_initializer",
        "weights_regularizer",
        "scope",
    )
    assert slim.arg_scoped_arguments(any_kwargs) == ()


def test_arg_scoped_arguments_rejects_undecorated_function():
    with pytest.raises(ValueError, match="must be decorated with @add_arg_scope"):
        slim.arg_scoped_arguments(undecorated)


def test_arg_scope_func_key_is_the_mapping_key_and_unique_per_op():
    key_conv = slim.arg_scope_func_key(conv)
    assert isinstance(key_conv, str)
    assert key_conv != slim.arg_scope_func_key(fc)
    assert slim.arg_scope_func_key(undecorated) == str(undecorated)
    with arg_scope([conv], stride=2) as sc:
        assert list(sc) == [key_conv]


def test_decorated_function_keeps_name_and_docstring():
    @add_arg_scope
    def documented(inputs, rate=0.5):
        """Doc line."""
        return rate

    assert (documented.__name__, documented.__doc__) == ("documented", "Doc line.")


# Threads -----------------------------------------------------------------------------------


def test_a_default_set_in_one_thread_is_not_seen_by_another():
    a_inside, b_done = threading.Event(), threading.Event()
    seen = {}

    def thread_a():
        with arg_scope([conv], padding="VALID"):
            a_inside.set()
            b_done.wait(timeout=10)
            seen["a"] = conv("x", 1, 3)["padding"]

    def thread_b():
        a_inside.wait(timeout=10)
        seen["b"] = conv("x", 1, 3)["padding"]
        with arg_scope([conv], padding="CAUSAL"):
            seen["b_scoped"] = conv("x", 1, 3)["padding"]
        b_done.set()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert a_inside.is_set() and b_done.is_set()
    assert seen == {"a": "VALID", "b": "SAME", "b_scoped": "CAUSAL"}
    assert conv("x", 1, 3)["padding"] == "SAME"


# Provenance --------------------------------------------------------------------------------


def test_trace_records_call_arg_scope_and_default_sources():
    with slim.trace_layers() as recorded:
        outer_line = next_line()
        with arg_scope([conv, fc], weights_initializer=INIT_01):
            inner_line = next_line()
            with arg_scope([conv], stride=2):
                conv("x", 8, 3, activation_fn=None)
    (record,) = recorded.records
    args = record.arguments
    assert record.op == "conv"
    assert {name: arg.source for name, arg in args.items()} == {
        "inputs": "call",
        "num_outputs": "call",
        "kernel_size": "call",
        "stride": "arg_scope",
        "padding": "default",
        "activation_fn": "call",
        "weights_initializer": "arg_scope",
        "weights_regularizer": "default",
        "scope": "default",
    }
    assert (args["stride"].value, args["padding"].value, args["activation_fn"].value) == (
        2,
        "SAME",
        None,
    )
    assert args["weights_initializer"].origin == slim.tracing.ScopeOrigin(
        THIS_FILE, outer_line, ("conv", "fc"), 1
    )
    assert args["stride"].origin == slim.tracing.ScopeOrigin(THIS_FILE, inner_line, ("conv",), 2)
    assert args["padding"].origin is None
    assert args["stride"].describe() == f"arg_scope([conv]) at {THIS_FILE}:{inner_line} (depth 2)"
    assert args["padding"].describe() == "default"


def test_inner_scope_overriding_an_outer_one_reports_the_inner_origin():
    with slim.trace_layers() as recorded:
        with arg_scope([conv], padding="VALID"):
            inner_line = next_line()
            with arg_scope([conv], padding="SAME"):
                conv("x", 8, 3)
    padding = recorded.records[0].arguments["padding"]
    assert (padding.value, padding.source) == ("SAME", "arg_scope")
    assert (padding.origin.lineno, padding.origin.depth) == (inner_line, 2)


def test_positional_argument_is_recorded_as_call_not_arg_scope():
    with slim.trace_layers() as recorded:
        with arg_scope([conv], stride=1):
            conv("x", 64, [11, 11], 4)
    stride = recorded.records[0].arguments["stride"]
    assert (stride.value, stride.source, stride.origin) == (4, "call", None)


def test_multiline_with_reports_the_line_it_starts_on():
    with slim.trace_layers() as recorded:
        start = next_line()
        with arg_scope(
            [conv],
            stride=3,
        ):
            conv("x", 1, 3)
    assert recorded.records[0].arguments["stride"].origin.lineno == start


def test_depth_counts_scopes_that_set_nothing_for_the_op():
    with slim.trace_layers() as recorded:
        with arg_scope([fc]):
            with arg_scope([conv], stride=2):
                conv("x", 1, 3)
    assert recorded.records[0].arguments["stride"].origin.depth == 2


def test_reentered_scope_keeps_the_origin_where_it_was_set():
    set_line = next_line()
    with arg_scope([conv], stride=2) as saved:
        pass
    with slim.trace_layers() as recorded:
        with arg_scope(saved):
            conv("x", 1, 3)
    origin = recorded.records[0].arguments["stride"].origin
    assert (origin.filename, origin.lineno, origin.depth) == (THIS_FILE, set_line, 1)


def test_var_keyword_names_record_their_source():
    with slim.trace_layers() as recorded:
        line = next_line()
        with arg_scope([any_kwargs], rate=0.5):
            any_kwargs("x", extra=1)
    args = recorded.records[0].arguments
    assert (args["extra"].value, args["extra"].source) == (1, "call")
    assert (args["rate"].value, args["rate"].source, args["rate"].origin.lineno) == (
        0.5,
        "arg_scope",
        line,
    )
