"""Private TensorFlow names that TF-Slim 1.1.0's test files use and TensorFlow 2.21 moved.

The test files were written against an older TensorFlow and reach into its private modules
(`tensorflow.python.ops.variables.VariableV1`, ...). TensorFlow 2.21 still has each of these,
under another module; `restore_moved_names()` puts them back where the tests look, in the
conformance subprocess only. It touches TensorFlow, never slimlib or the alias, and changes
no behaviour: each name is the very object TensorFlow now keeps elsewhere.
"""

import functools
import importlib

# (module the tests import, name, module that holds it in TensorFlow 2.21)
MOVED = (
    ("tensorflow.python.ops.variables", "VariableV1", "tensorflow.python.ops.variable_v1"),
    *(
        (
            "tensorflow.python.ops.variable_scope",
            name,
            "tensorflow.python.ops.resource_variables_toggle",
        )
        for name in (
            "resource_variables_enabled",
            "enable_resource_variables",
            "disable_resource_variables",
        )
    ),
    ("tensorflow.python.framework.ops", "Tensor", "tensorflow.python.framework.tensor"),
    (
        "tensorflow.python.framework.ops",
        "IndexedSlices",
        "tensorflow.python.framework.indexed_slices",
    ),
    ("tensorflow.python.ops.control_flow_ops", "case", "tensorflow.python.ops.control_flow_case"),
)


def restore_moved_names() -> list[str]:
    """Sets each missing name of MOVED; returns the `module.name`s it set."""
    restored = []
    for module_name, name, home in MOVED:
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            setattr(module, name, getattr(importlib.import_module(home), name))
            restored.append(f"{module_name}.{name}")
    return restored


def accept_removed_arguments() -> list[str]:
    """Lets `DumpingDebugHook` take `log_usage` again; returns what it changed.

    TensorFlow's debugger hook once took `log_usage` (whether to log that the debugger was
    used; it changed nothing else) and evaluation_test.py still passes it. The hook class
    of tensorflow.python.debug.wrappers.hooks becomes a subclass that drops the argument.
    """
    hooks = importlib.import_module("tensorflow.python.debug.wrappers.hooks")
    original = hooks.DumpingDebugHook
    if "log_usage" in original.__init__.__code__.co_varnames or getattr(
        original, "drops_log_usage", False
    ):
        return []

    class DumpingDebugHook(original):
        drops_log_usage = True

        def __init__(self, *args, log_usage=True, **kwargs):
            del log_usage  # Only ever controlled a usage log line.
            super().__init__(*args, **kwargs)

    hooks.DumpingDebugHook = DumpingDebugHook
    return ["tensorflow.python.debug.wrappers.hooks.DumpingDebugHook(log_usage=)"]


SESSION_METHODS = ("session", "cached_session", "test_session")


def pin_sessions_to_cpu_by_default() -> list[str]:
    """Makes `tf.test.TestCase`'s session methods pin ops to the CPU unless asked otherwise.

    The test files were written when `use_gpu` defaulted to False, so that a session's graph
    put every op on `/device:CPU:0`; some assert that device. TensorFlow 2.21 defaults it to
    True and pins nothing. Each method becomes a wrapper whose default is False again; a test
    that passes `use_gpu` gets what it asks for. Returns the methods it changed.
    """
    test_util = importlib.import_module("tensorflow.python.framework.test_util")
    case = test_util.TensorFlowTestCase
    changed = []
    for name in SESSION_METHODS:
        method = getattr(case, name)
        if getattr(method, "pins_cpu_by_default", False):
            continue
        setattr(case, name, _cpu_by_default(method))
        changed.append(f"TensorFlowTestCase.{name}")
    return changed


def _cpu_by_default(method):
    @functools.wraps(method)
    def with_cpu_default(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        return method(self, graph=graph, config=config, use_gpu=use_gpu, force_gpu=force_gpu)

    with_cpu_default.pins_cpu_by_default = True
    return with_cpu_default
