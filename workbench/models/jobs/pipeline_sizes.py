"""How much a job's training input pipeline holds: built by `inputs`, counted by `step_memory`.

The records are mixed in a shuffle buffer of `shuffle_capacity(batch_size)` encoded records
(TF-Slim's `train_image_classifier.py` asks `common_queue_capacity=20 * batch_size`), capped
for large batches; decoded batches wait ahead of the step (`performance.PREFETCH_BATCHES`).
"""

from __future__ import annotations

#: Records in the shuffle buffer per example of the batch.
SHUFFLE_BATCHES = 20
#: The most records the shuffle buffer holds, whatever the batch.
MAX_SHUFFLE = 10000


def shuffle_capacity(batch_size: int) -> int:
    """Records in the training pipeline's shuffle buffer for `batch_size`.

    Example:
      >>> shuffle_capacity(32), shuffle_capacity(1024)
      (640, 10000)
    """
    return min(MAX_SHUFFLE, max(2 * batch_size, SHUFFLE_BATCHES * batch_size))
