"""Series of a job's metrics stream, shaped for charts (no plotting library here)."""

from workbench.models.charts.metric_series import CHARTS, MetricSeries

__all__ = ["CHARTS", "MetricSeries"]
