"""Prefetching tensors into a queue (`slim.prefetch_queue`)."""

from slimlib._src.data.prefetch_queue import prefetch_queue as prefetch_queue

__all__ = ["prefetch_queue"]
