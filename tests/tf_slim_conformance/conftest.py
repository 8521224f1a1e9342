"""The TF-Slim conformance run's hooks in the main test suite.

The alias package is not a test folder (its `tf_slim/data/test_utils.py` only looks like
one). The conformance table is printed at the end of every run that ran the conformance
test, passing or not.
"""

import pytest

collect_ignore = ["alias"]

_SUMMARY = pytest.StashKey[object]()


@pytest.fixture
def record_conformance(request):
    """`record_conformance(summary)`: keeps the summary for the end-of-run table."""

    def record(summary) -> None:
        request.config.stash[_SUMMARY] = summary

    return record


def pytest_terminal_summary(terminalreporter, config):
    summary = config.stash.get(_SUMMARY, None)
    if summary is not None:
        terminalreporter.section("TF-Slim conformance (tests/tf_slim_conformance)")
        terminalreporter.write_line(summary.table())
