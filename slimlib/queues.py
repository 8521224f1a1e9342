"""Running queue runners (`slim.queues`): `QueueRunners` and `NestedQueueRunnerError`."""

from slimlib._src.queues import NestedQueueRunnerError as NestedQueueRunnerError
from slimlib._src.queues import QueueRunners as QueueRunners

__all__ = ["NestedQueueRunnerError", "QueueRunners"]
