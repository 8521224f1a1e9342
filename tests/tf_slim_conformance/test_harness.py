"""The conformance harness itself: the alias, the wheel handling, the plugin and the runner."""

import importlib
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import conformance_plugin
import conformance_runner
import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tf_slim_wheel

import slimlib

ALIAS = conformance_runner.ALIAS


@pytest.fixture
def tf_slim(monkeypatch):
    """The alias package, imported fresh, and gone from sys.modules afterwards."""
    monkeypatch.syspath_prepend(str(ALIAS))
    yield importlib.import_module("tf_slim")
    for name in [n for n in sys.modules if n == "tf_slim" or n.startswith("tf_slim.")]:
        del sys.modules[name]


def test_alias_modules_forward_to_slimlib(tf_slim):
    from tf_slim.layers import layers
    from tf_slim.ops import variables

    assert tf_slim.conv2d is slimlib.conv2d
    assert layers.fully_connected is slimlib.layers.fully_connected
    assert variables.model_variable is slimlib.variables.model_variable
    assert tf_slim.layers.l2_regularizer is slimlib.regularizers.l2_regularizer


def test_a_name_added_to_slimlib_later_appears_in_the_alias(tf_slim, monkeypatch):
    added = object()
    monkeypatch.setattr(slimlib.losses, "a_loss_added_later", added, raising=False)
    assert tf_slim.losses.a_loss_added_later is added


def test_a_missing_name_names_the_modules_searched(tf_slim):
    with pytest.raises(AttributeError, match=r"'tf_slim.queues' has no .*searched slimlib.queues"):
        _ = tf_slim.queues.no_such_name
    with pytest.raises(ImportError, match="no_such_name"):
        from tf_slim.queues import no_such_name  # noqa: F401


def test_a_slimlib_module_that_does_not_exist_is_skipped(tf_slim, monkeypatch):
    from tf_slim import _forward

    sources = ("slimlib.no_such_module", "slimlib.no_such_package.module", "slimlib.queues")
    monkeypatch.setitem(_forward.SOURCES, "tf_slim.queues", sources)
    assert _forward.sources("tf_slim.queues") == [slimlib.queues]


def test_a_private_helper_import_gives_a_stand_in_that_raises(tf_slim):
    from tf_slim.metrics.metric_ops import _next_array_size

    with pytest.raises(NotImplementedError, match="_next_array_size is a private TF-Slim helper"):
        _next_array_size(3)
    with pytest.raises(AttributeError, match="_another_private_name"):
        _ = tf_slim.metrics._another_private_name


def test_submodules_of_the_alias_stay_inside_it(tf_slim):
    from tf_slim.data import tfexample_decoder

    assert Path(tfexample_decoder.__file__).is_relative_to(ALIAS)
    assert tfexample_decoder.TFExampleDecoder is slimlib.data.TFExampleDecoder
    assert Path(tf_slim.layers.__file__).is_relative_to(ALIAS)


def test_test_utils_writes_readable_image_records(tf_slim, tmp_path):
    from tf_slim.data import test_utils

    paths = test_utils.create_tfrecord_files(str(tmp_path), num_files=2, num_records_per_file=3)
    assert [Path(p).name for p in paths] == ["flowers.tfrecord-0-of-2", "flowers.tfrecord-1-of-2"]
    records = list(tf.io.tf_record_iterator(paths[1]))
    assert len(records) == 3
    features = tf.train.Example.FromString(records[0]).features.feature
    assert features["image/format"].bytes_list.value == [b"jpeg"]
    assert features["image/class/label"].int64_list.value == [0]
    image = tf.io.decode_jpeg(features["image/encoded"].bytes_list.value[0])
    assert np.asarray(image).shape == (10, 10, 3)
    with pytest.raises(ValueError, match="image_format must be one of .*got 'gif'"):
        test_utils.generate_image((2, 2, 3), image_format="gif")


def test_nose_nottest_marks_a_function_as_not_a_test(monkeypatch):
    monkeypatch.syspath_prepend(str(ALIAS))
    from nose.tools import nottest

    assert nottest(lambda: None).__test__ is False


def test_foreign_tf_slim_modules_are_reported(tmp_path):
    inside = types.ModuleType("tf_slim.ops")
    inside.__file__ = str(ALIAS / "tf_slim" / "ops" / "__init__.py")
    outside = types.ModuleType("tf_slim")
    outside.__file__ = str(tmp_path / "site-packages" / "tf_slim" / "__init__.py")
    modules = {"tf_slim": outside, "tf_slim.ops": inside, "tf_slimmer": outside}
    assert conformance_plugin.foreign_tf_slim_modules(modules, str(ALIAS)) == {
        "tf_slim": outside.__file__
    }
    assert conformance_plugin.foreign_tf_slim_modules({"tf_slim.x": types.ModuleType("x")}) == {
        "tf_slim.x": "None"
    }


def _pytest_with_plugin(folder: Path, *python_path: Path) -> subprocess.CompletedProcess:
    env_path = ":".join(str(p) for p in (*python_path, conformance_runner.HERE))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conformance_plugin", "-p", "no:cacheprovider"]
        + ["-q", "-c", str(folder / "pytest.ini"), "--rootdir", str(folder), str(folder)],
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_real_tf_slim_fails_the_run(tmp_path):
    impostor = tmp_path / "site" / "tf_slim"
    impostor.mkdir(parents=True)
    (impostor / "__init__.py").write_text("")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "pytest.ini").write_text("[pytest]\n")
    (tests / "one_test.py").write_text("import tf_slim\n\ndef test_one():\n    pass\n")
    done = _pytest_with_plugin(tests, tmp_path / "site")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "tf_slim modules loaded from outside the alias" in done.stderr


def test_run_file_counts_each_outcome(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mixed_test.py").write_text(
        "import unittest\n\n"
        "class MixedTest(unittest.TestCase):\n"
        "    def testPasses(self):\n        pass\n"
        "    def testFails(self):\n        self.fail('no')\n"
        "    @unittest.skip('why')\n    def testSkipped(self):\n        pass\n"
        "    def testExcluded(self):\n        self.fail('never run')\n\n"
        "class BrokenSetUpTest(unittest.TestCase):\n"
        "    @classmethod\n    def setUpClass(cls):\n        raise RuntimeError('setUpClass')\n"
        "    def testA(self):\n        pass\n"
    )
    excluded = {"sub/mixed_test.py::MixedTest::testExcluded": "a private helper"}
    test_file = tmp_path / "sub" / "mixed_test.py"
    result = conformance_runner.run_file(tmp_path, test_file, [], excluded)
    assert (result.collected, result.passed, result.failed) == (4, 1, 1)
    assert (result.skipped, result.errors, result.excluded) == (1, 1, 1)
    assert result.import_error == ""


def test_a_file_that_fails_to_import_counts_its_tests_as_errors(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "broken_test.py").write_text(
        "import tf_slim.no_such_module\n\n"
        "class ATest:\n    def testOne(self):\n        pass\n    def testTwo(self):\n"
        "        pass\n    def helper(self):\n        pass\n"
    )
    result = conformance_runner.run_file(tmp_path, tmp_path / "broken_test.py", [])
    assert (result.collected, result.passed, result.errors) == (2, 0, 2)
    assert "No module named 'tf_slim.no_such_module'" in result.import_error


def test_a_wheel_with_another_checksum_is_refused(tmp_path):
    wheel = tmp_path / tf_slim_wheel.WHEEL_NAME
    wheel.write_bytes(b"not the wheel")
    with pytest.raises(tf_slim_wheel.WheelError, match="has SHA-256 [0-9a-f]{64}, expected fa2b"):
        tf_slim_wheel.check_wheel(wheel)


def test_only_test_files_are_extracted(tmp_path):
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in ["tf_slim/ops/arg_scope_test.py", "tf_slim/ops/arg_scope.py",
                     "tf_slim/learning_test.py", "tf_slim-1.1.0.dist-info/METADATA",
                     "other/thing_test.py"]:  # fmt: skip
            archive.writestr(name, "# " + name)
    out = tmp_path / "out"
    written = tf_slim_wheel.extract_test_files(wheel, out)
    assert [p.relative_to(out).as_posix() for p in written] == [
        "learning_test.py",
        "ops/arg_scope_test.py",
    ]
    assert (out / "ops" / "arg_scope_test.py").read_text() == "# tf_slim/ops/arg_scope_test.py"


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SLIM_WORKBENCH_CACHE", str(tmp_path / "c"))
    assert tf_slim_wheel.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SLIM_WORKBENCH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tf_slim_wheel.cache_dir() == tmp_path / "xdg" / "slim-workbench"


def test_moved_tensorflow_names_are_the_objects_tensorflow_keeps_now():
    import tensorflow_compat

    tensorflow_compat.restore_moved_names()
    for module_name, name, home in tensorflow_compat.MOVED:
        moved = getattr(importlib.import_module(module_name), name)
        assert moved is getattr(importlib.import_module(home), name), (module_name, name)
    assert tensorflow_compat.restore_moved_names() == []  # Nothing left to set.


def test_removed_numpy_aliases_are_the_objects_they_named():
    import numpy_compat

    numpy_compat.restore_removed_aliases()
    assert (np.float, np.int, np.object, np.str) == (float, int, object, str)
    assert np.product is np.prod
    assert np.product([2, 3, 4]) == 24
    assert numpy_compat.restore_removed_aliases() == []  # Nothing left to set.


def test_int_of_a_one_element_array_takes_the_element_as_numpy_1_did():
    import numpy_compat

    convert = numpy_compat.int_like_numpy_1
    labels = np.array([[1.0], [0.0]], np.float32)
    assert convert(2 * labels[0] + 1) == 3  # shape [1]: NumPy 2 raises TypeError here
    assert convert(np.array([[7.9]])) == 7
    assert (convert(), convert("12", 8), convert(4.5)) == (0, 10, 4)
    with pytest.raises(TypeError, match="only 0-dimensional arrays"):
        convert(labels)  # Two elements: still an error, as in NumPy 1.x.


def test_only_the_listed_test_modules_get_numpy_1_int():
    import numpy_compat

    module = types.ModuleType("learning_test")
    numpy_compat.convert_like_numpy_1(module)
    assert module.int is numpy_compat.int_like_numpy_1
    assert numpy_compat.OLD_SCALAR_CONVERSION == {
        "learning_test.py",
        "training/training_test.py",
        "training/evaluation_test.py",
    }


def test_the_debugger_hook_takes_log_usage_again(tmp_path):
    import tensorflow as tf
    import tensorflow_compat

    tensorflow_compat.accept_removed_arguments()
    hooks = importlib.import_module("tensorflow.python.debug.wrappers.hooks")
    hook = hooks.DumpingDebugHook(str(tmp_path), log_usage=False)
    assert isinstance(hook, tf.compat.v1.train.SessionRunHook)
    assert tensorflow_compat.accept_removed_arguments() == []  # Nothing left to change.


def test_runner_words_select_files_and_arguments_after_dashes_go_to_pytest(monkeypatch):
    calls = []

    def fake_run(jobs, selects, pytest_args, show_output):
        calls.append((jobs, selects, pytest_args, show_output))
        return conformance_runner.Summary([], 0.0)

    monkeypatch.setattr(conformance_runner, "run", fake_run)
    monkeypatch.setattr(conformance_runner, "write_artifacts", lambda summary: None)
    argv = ["-j", "1", "-o", "layers/", "-k", "ops/", "--", "-x", "-k", "testFoo"]
    assert conformance_runner.main(argv) == 0
    assert calls == [(1, ["layers/", "ops/"], ["-x", "-k", "testFoo"], True)]


def test_sessions_pin_ops_to_the_cpu_unless_a_test_asks_for_a_gpu(monkeypatch):
    import tensorflow as tf
    import tensorflow_compat

    case_class = importlib.import_module("tensorflow.python.framework.test_util").TensorFlowTestCase
    for name in tensorflow_compat.SESSION_METHODS:
        monkeypatch.setattr(case_class, name, getattr(case_class, name))  # undone afterwards
    assert tensorflow_compat.pin_sessions_to_cpu_by_default() == [
        "TensorFlowTestCase.session",
        "TensorFlowTestCase.cached_session",
        "TensorFlowTestCase.test_session",
    ]
    assert tensorflow_compat.pin_sessions_to_cpu_by_default() == []  # Nothing left to change.

    case = tf.test.TestCase()
    devices = {}
    with tf.Graph().as_default():
        with case.session():
            devices["default"] = tf.constant(1.0).device
        with case.session(use_gpu=True):
            devices["use_gpu"] = tf.constant(1.0).device
    assert devices == {"default": "/device:CPU:0", "use_gpu": ""}
