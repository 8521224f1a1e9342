"""ProgressWriter: a job's progress reaches status.json from a thread, merged and in order."""

import json
import threading

import pytest

from workbench.models.jobs.progress import ProgressWriter
from workbench.models.jobs.status_file import StatusFile


class CountingStatus(StatusFile):
    """A status file that keeps the fields of each write; `gate` holds the first write."""

    def __init__(self, logdir):
        super().__init__(str(logdir))
        self.writes = []
        self.gate = threading.Event()

    def update(self, **fields):
        self.gate.wait(10)
        self.writes.append(fields)
        return super().update(**fields)


def test_records_are_merged_and_the_last_values_reach_the_file(tmp_path):
    status = CountingStatus(tmp_path)
    writer = ProgressWriter(status, interval=60)
    writer.record(step=1, loss=2.0)
    for step in range(2, 101):  # While the first write waits at the gate.
        writer.record(step=step, loss=1.0 / step)
    writer.record(accuracy=0.5)
    status.gate.set()
    writer.close()  # Ends the 60 s pause at once and writes what is left.
    data = json.loads((tmp_path / "status.json").read_text())
    assert (data["step"], data["loss"], data["accuracy"]) == (100, 0.01, 0.5)
    assert 1 <= len(status.writes) <= 2  # Not one write per record.
    assert status.writes[-1]["step"] == 100


def test_close_without_records_writes_nothing(tmp_path):
    status = CountingStatus(tmp_path)
    status.gate.set()
    ProgressWriter(status).close()
    assert status.writes == []
    assert not (tmp_path / "status.json").exists()


def test_a_failed_write_is_raised_by_close(tmp_path):
    class FullDisk(StatusFile):
        def update(self, **fields):
            raise OSError(28, "No space left on device")

    writer = ProgressWriter(FullDisk(str(tmp_path)))
    writer.record(step=5)
    with pytest.raises(OSError, match="No space left on device"):
        writer.close()
