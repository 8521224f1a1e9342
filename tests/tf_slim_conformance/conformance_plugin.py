"""pytest plugin loaded into each conformance subprocess (`-p conformance_plugin`).

It puts back the private TensorFlow names the test files use that TensorFlow 2.21 moved
(tensorflow_compat.py) and the NumPy 1.x behaviour they rely on (numpy_compat.py), removes the excluded tests (the node ids in $TF_SLIM_CONFORMANCE_EXCLUDED, a JSON list the
runner takes from tests/tf_slim_conformance/excluded.py), records every test's
outcome as one JSON line in $TF_SLIM_CONFORMANCE_REPORT, and at the end of the session fails
the run if any loaded `tf_slim` module comes from anywhere but the alias package.
"""

import json
import os
import resource
import sys

import pytest

_REPORT = os.environ.get("TF_SLIM_CONFORMANCE_REPORT")
_ALIAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alias")


def _record(**entry) -> None:
    if _REPORT:
        with open(_REPORT, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


def foreign_tf_slim_modules(modules=None, alias: str = _ALIAS) -> dict[str, str]:
    """Loaded `tf_slim` modules whose file is not inside `alias`: name -> file."""
    modules = sys.modules if modules is None else modules
    alias = os.path.realpath(alias)
    foreign = {}
    for name, module in list(modules.items()):
        if name != "tf_slim" and not name.startswith("tf_slim."):
            continue
        path = getattr(module, "__file__", None)
        if path is None or not os.path.realpath(path).startswith(alias + os.sep):
            foreign[name] = str(path)
    return foreign


def pytest_configure(config):
    import numpy_compat
    import tensorflow_compat

    tensorflow_compat.restore_moved_names()
    tensorflow_compat.accept_removed_arguments()
    tensorflow_compat.pin_sessions_to_cpu_by_default()
    numpy_compat.restore_removed_aliases()


def _is_tensorflow_helper(item) -> bool:
    """tf.test.TestCase's own `test_session` method: a context manager, not a test, that
    pytest collects from every TestCase class by its name (TensorFlow skips it as such)."""
    function = getattr(item, "function", None)
    return getattr(function, "__qualname__", "").startswith("TensorFlowTestCase.")


def pytest_collection_modifyitems(config, items):
    import numpy_compat

    excluded = set(json.loads(os.environ.get("TF_SLIM_CONFORMANCE_EXCLUDED", "[]")))
    kept, dropped, helpers = [], [], []
    for item in items:
        if item.nodeid.split("::")[0] in numpy_compat.OLD_SCALAR_CONVERSION:
            numpy_compat.convert_like_numpy_1(item.module)
        if _is_tensorflow_helper(item):
            helpers.append(item)
        else:
            (dropped if item.nodeid in excluded else kept).append(item)
    if dropped or helpers:
        config.hook.pytest_deselected(items=dropped + helpers)
        items[:] = kept
    _record(event="collected", collected=len(items), excluded=[i.nodeid for i in dropped])


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        crash = getattr(report.longrepr, "reprcrash", None)
        _record(
            event="test",
            nodeid=report.nodeid,
            when=report.when,
            outcome=report.outcome,
            seconds=round(report.duration, 2),
            message=crash.message[:300] if crash is not None else "",
        )


def pytest_collectreport(report):
    if report.failed:
        _record(event="collect_error", nodeid=report.nodeid, message=str(report.longrepr)[-2000:])


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    foreign = foreign_tf_slim_modules()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # CPU time, unlike wall time, does not depend on what else the machine runs.
    _record(event="finished", foreign_tf_slim=foreign, cpu_seconds=usage.ru_utime + usage.ru_stime)
    if foreign:
        sys.stderr.write(f"tf_slim modules loaded from outside the alias {_ALIAS}: {foreign}\n")
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
