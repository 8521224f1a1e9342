"""Several runs' metric curves on common axes: what the Compare chart draws.

`RunCurves` follows one run's `metrics.jsonl` (only new lines are read on each poll, so a
running job's curves grow live); `CompareModel` holds the runs ticked for comparison, the
smoothing and the x axis (the global step, or seconds since the run's first record), and
gives each metric's curves ready to plot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import param

from workbench.models.charts import CHARTS, ema
from workbench.models.jobs import MetricsReader
from workbench.models.jobs.paths import METRICS_FILE

__all__ = ["X_AXES", "CompareModel", "Curve", "RunCurves"]

#: The x axes a comparison can use.
X_AXES = ("step", "wall time")


class RunCurves:
    """Every metric of one run's metrics stream: its steps, wall times and values.

    Args:
      logdir: The run's log directory.
    """

    def __init__(self, logdir: str):
        self.logdir = logdir
        self.reader = MetricsReader(os.path.join(logdir, METRICS_FILE))
        self.points: dict[str, tuple[list[int], list[float], list[float]]] = {
            key: ([], [], []) for key, _ in CHARTS
        }
        self.first_wall_time: float | None = None

    def poll(self) -> int:
        """Reads the records written since the last poll; returns how many points they added."""
        seen = len(self.reader.records)
        new = self.reader.read_new()
        if len(self.reader.records) < seen + len(new):  # The stream was replaced.
            self.points = {key: ([], [], []) for key in self.points}
            self.first_wall_time = None
        added = 0
        for record in new:
            step, wall = record.get("step"), record.get("wall_time")
            if not isinstance(step, (int, float)) or isinstance(step, bool):
                continue
            if self.first_wall_time is None and isinstance(wall, (int, float)):
                self.first_wall_time = float(wall)
            for key, (steps, walls, values) in self.points.items():
                value = record.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    steps.append(step)
                    walls.append(float(wall) if isinstance(wall, (int, float)) else float("nan"))
                    values.append(float(value))
                    added += 1
        return added

    def xy(self, metric: str, x_axis: str = "step") -> tuple[list[float], list[float]]:
        """The metric's points: x is the step, or seconds since the run's first record."""
        steps, walls, values = self.points[metric]
        if x_axis == "step":
            return list(steps), list(values)
        start = self.first_wall_time or 0.0
        return [wall - start for wall in walls], list(values)


@dataclass(frozen=True)
class Curve:
    """One run's curve of one metric, ready to plot: `y` smoothed, `raw` as logged."""

    logdir: str
    label: str
    x: list[float]
    y: list[float]
    raw: list[float]


class CompareModel(param.Parameterized):
    """The runs ticked for comparison and how their curves are drawn."""

    selected = param.List(default=[], item_type=str, doc="Log directories of the runs compared.")
    labels = param.Dict(default={}, doc="`{logdir: label}` naming the runs in the legend.")
    smoothing = param.Number(
        default=0.0, bounds=(0.0, 0.99), doc="EMA weight in [0, 0.99]; 0 draws the raw curves."
    )
    x_axis = param.Selector(default="step", objects=list(X_AXES), doc="Step or wall time (s).")

    def __init__(self, **params):
        self._curves: dict[str, RunCurves] = {}
        super().__init__(**params)

    @param.depends("selected", watch=True, on_init=True)
    def _follow_selected(self) -> None:
        for logdir in self.selected:
            if logdir not in self._curves:
                self._curves[logdir] = RunCurves(logdir)
                self._curves[logdir].poll()
        for logdir in set(self._curves) - set(self.selected):
            del self._curves[logdir]

    def poll(self) -> int:
        """Reads what the compared runs logged since the last poll; the points added."""
        return sum(curves.poll() for curves in self._curves.values())

    def curves(self, metric: str) -> list[Curve]:
        """Each selected run's curve of `metric` (`loss`, `accuracy`, `learning_rate`,
        `examples_per_sec`), smoothed, in the order the runs were selected.

        Raises:
          KeyError: If `metric` is not one of those.
        """
        if metric not in dict(CHARTS):
            raise KeyError(
                f"CompareModel.curves: `metric` must be one of {[k for k, _ in CHARTS]}, "
                f"got {metric!r}."
            )
        out = []
        for logdir in self.selected:
            x, raw = self._curves[logdir].xy(metric, self.x_axis)
            label = self.labels.get(logdir) or os.path.basename(logdir)
            y = ema(raw, self.smoothing) if self.smoothing else list(raw)
            out.append(Curve(logdir, label, x, y, raw))
        return out
