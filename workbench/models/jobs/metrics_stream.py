"""Reading a job's metrics stream (`metrics.jsonl`) while the job is still writing it.

`slim.learning.train` appends one JSON object per logged step and flushes line by line:

    {"step": 120, "loss": 0.31, "learning_rate": 0.01, "examples_per_sec": 812.5,
     "wall_time": 1700000000.0, "accuracy": 0.91}

A reader polled by a live plot must return only what is new, and must not choke on a last
line the writer has not finished yet: it keeps its byte offset, reads up to the last
newline, and leaves the rest for the next call.
"""

from __future__ import annotations

import json
import os
from typing import Any

__all__ = ["MetricsReader", "read_metrics"]


class MetricsReader:
    """Tails a JSON-lines file: each `read_new()` returns the records added since the last.

    A missing file reads as no records (the job may not have logged yet). A file that
    shrank (replaced by a new job) is read again from its start. Lines that are not JSON
    objects are skipped and counted in `skipped`.

    Args:
      path: The `metrics.jsonl` file.

    Example:
      >>> import tempfile, os
      >>> path = os.path.join(tempfile.mkdtemp(), "metrics.jsonl")
      >>> reader = MetricsReader(path)
      >>> reader.read_new()
      []
      >>> with open(path, "w") as f:
      ...     _ = f.write('{"step": 10, "loss": 2.0}\\n{"step": 20, "lo')
      >>> reader.read_new()
      [{'step': 10, 'loss': 2.0}]
      >>> with open(path, "a") as f:
      ...     _ = f.write('ss": 1.5}\\n')
      >>> reader.read_new()
      [{'step': 20, 'loss': 1.5}]
    """

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self.offset = 0
        self.skipped = 0
        self.records: list[dict[str, Any]] = []

    def read_new(self) -> list[dict[str, Any]]:
        """Returns the complete records appended since the last call (also kept in `records`)."""
        try:
            size = os.path.getsize(self.path)
        except OSError:
            return []
        if size < self.offset:  # Truncated or replaced: start again.
            self.offset = 0
            self.records = []
        if size == self.offset:
            return []
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            chunk = f.read(size - self.offset)
        end = chunk.rfind(b"\n")
        if end < 0:
            return []  # Only a partial line so far.
        self.offset += end + 1
        new = []
        for line in chunk[:end].split(b"\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                self.skipped += 1
                continue
            if isinstance(record, dict):
                new.append(record)
            else:
                self.skipped += 1
        self.records.extend(new)
        return new

    def reset(self) -> None:
        """Forgets what was read; the next `read_new()` starts from the beginning."""
        self.offset = 0
        self.skipped = 0
        self.records = []


def read_metrics(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Returns every complete record of a metrics file (none when it is missing)."""
    return MetricsReader(path).read_new()
