"""`DatasetDataProvider`: reads a `Dataset`'s files and decodes one sample per `session.run`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slimlib._src.data.data_provider import DataProvider
from slimlib._src.data.dataset import Dataset
from slimlib._src.data.parallel_reader import parallel_read

__all__ = ["DatasetDataProvider"]


class DatasetDataProvider(DataProvider):
    """Provides the decoded items (`image`, `label`, ...) of one sample of a `Dataset`.

    Records are read with `parallel_read` and decoded with `dataset.decoder`; `get`
    returns unbatched tensors of a single sample that batch with
    `tf.compat.v1.train.batch`. With the standard readers no queue runner and no
    initializer is needed to read (TF-Slim needed `local_variables_initializer` for
    `num_epochs`; running it anyway is harmless). `record_key` names an extra item: the
    record's `'<file>:<index>'` key.

    Args:
      dataset: The `Dataset` to read.
      num_readers: Files read at once, an int >= 1. Default 1.
      reader_kwargs: Arguments for `dataset.reader`.
      shuffle: Shuffle files and records. Default True.
      num_epochs: Passes over the data; `None` (default) cycles forever, otherwise the
        tensors raise `tf.errors.OutOfRangeError` once the data is used up.
      common_queue_capacity: Shuffle buffer size in records. Default 256.
      common_queue_min: Kept for TF-Slim's signature (see `parallel_read`). Default 128.
      record_key: Item name for the record key. Default `'record_key'`.
      seed: Shuffle seed; `None` gives a different order every run.
      scope: Name scope of the reading ops.

    Raises:
      ValueError: If `record_key` is also a dataset item, or no data file is found.
      RuntimeError: If called eagerly.

    Example:
      provider = slim.dataset_data_provider.DatasetDataProvider(dataset, shuffle=False)
      image, label = provider.get(['image', 'label'])
      images, labels = tf.compat.v1.train.batch([image, label], batch_size=32)
    """

    def __init__(
        self,
        dataset: Dataset,
        num_readers: int = 1,
        reader_kwargs: Mapping[str, Any] | None = None,
        shuffle: bool = True,
        num_epochs: int | None = None,
        common_queue_capacity: int = 256,
        common_queue_min: int = 128,
        record_key: str = "record_key",
        seed: int | None = None,
        scope: str | None = None,
    ) -> None:
        items = dataset.decoder.list_items()
        if record_key in items:
            raise ValueError(
                f"DatasetDataProvider: `record_key` {record_key!r} is also a dataset item "
                f"({items}); pick another name."
            )
        key, data = parallel_read(
            dataset.data_sources,
            reader_class=dataset.reader,
            num_epochs=num_epochs,
            num_readers=num_readers,
            reader_kwargs=reader_kwargs,
            shuffle=shuffle,
            capacity=common_queue_capacity,
            min_after_dequeue=common_queue_min,
            seed=seed,
            scope=scope,
        )
        tensors = dataset.decoder.decode(data, items)
        items_to_tensors = dict(zip(items, tensors))
        items_to_tensors[record_key] = key
        super().__init__(items_to_tensors=items_to_tensors, num_samples=dataset.num_samples)
