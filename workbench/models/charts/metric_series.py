"""`MetricSeries`: the x/y columns of a metrics stream that the live charts draw.

Both the web app and the notebook chart follow a job the same way: poll its metrics stream
for new records and append each metric to its own series. Records without a metric (a
stream written before accuracy was logged) simply leave a gap in that series.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from workbench.models.jobs import MetricsReader

#: (metric key in the stream, chart title), in the order the charts are laid out.
CHARTS: tuple[tuple[str, str], ...] = (
    ("loss", "Loss"),
    ("accuracy", "Batch accuracy"),
    ("learning_rate", "Learning rate"),
    ("examples_per_sec", "Examples / sec"),
)


class MetricSeries:
    """Per-metric `(steps, values)` lists grown from a metrics stream.

    Args:
      path: A job's `metrics.jsonl`, or its log directory.
      metrics: The metric keys to collect; default every key of `CHARTS`.

    Example:
      >>> series = MetricSeries("no-such-dir/metrics.jsonl", metrics=["loss"])
      >>> series.extend([{"step": 10, "loss": 2.0}, {"step": 20}])
      {'loss': ([10], [2.0])}
      >>> series.poll()  # nothing written yet
      {}
    """

    def __init__(self, path: str | os.PathLike, metrics: Iterable[str] | None = None):
        path = os.fspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, "metrics.jsonl")
        self.reader = MetricsReader(path)
        self.metrics = tuple(metrics or (key for key, _ in CHARTS))
        self.steps: dict[str, list[int]] = {key: [] for key in self.metrics}
        self.values: dict[str, list[float]] = {key: [] for key in self.metrics}

    def extend(self, records: Iterable[Mapping[str, Any]]) -> dict[str, tuple[list, list]]:
        """Appends `records`; returns only what they added, `{metric: (steps, values)}`."""
        added: dict[str, tuple[list, list]] = {key: ([], []) for key in self.metrics}
        for record in records:
            step = record.get("step")
            for key in self.metrics:
                value = record.get(key)
                if step is None or not isinstance(value, (int, float)):
                    continue
                added[key][0].append(step)
                added[key][1].append(value)
        for key, (steps, values) in added.items():
            self.steps[key] += steps
            self.values[key] += values
        return {key: pair for key, pair in added.items() if pair[0]}

    def poll(self) -> dict[str, tuple[list, list]]:
        """Reads the stream's new records and returns what they added (see `extend`)."""
        seen = len(self.reader.records)
        new = self.reader.read_new()
        if len(self.reader.records) < seen + len(new):  # The reader started a replaced file anew.
            self.steps = {key: [] for key in self.metrics}
            self.values = {key: [] for key in self.metrics}
        return self.extend(new)
