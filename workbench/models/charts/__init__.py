"""Series of a job's metrics stream, shaped for charts (no plotting library here)."""

from workbench.models.charts.metric_series import CHARTS, MetricSeries
from workbench.models.charts.smoothing import ema

__all__ = ["CHARTS", "MetricSeries", "ema"]
