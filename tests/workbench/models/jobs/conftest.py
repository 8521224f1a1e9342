"""The digits job, run once per test run and shared by the control, export and model tests
(see jobs_support.py)."""

from __future__ import annotations

import pytest

from tests.workbench.models.jobs.jobs_support import DigitsRun, run_digits_job


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory) -> DigitsRun:
    return run_digits_job(str(tmp_path_factory.mktemp("workspace")))
