"""What the sweep tests share: a CPU machine, and stand-in job processes."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

FAKE_JOB = Path(__file__).with_name("fake_job.py")


@pytest.fixture(autouse=True)
def no_gpus(monkeypatch):
    """A CPU machine, whatever this one has: one run at a time."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")


@pytest.fixture
def fake_python(tmp_path) -> str:
    """An 'interpreter' that runs fake_job.py with the arguments a job process gets."""
    path = tmp_path / "fake-python"
    path.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE_JOB} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)
