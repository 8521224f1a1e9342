"""`Dataset`: what a dataset is made of, as TF-Slim describes it.

A dataset is a plain record of (1) its data sources (files or a glob pattern), (2) the
reader class that reads records from them, (3) the decoder that turns one record into
item tensors, (4) how many samples it holds and (5) a description of every item. Any
further keyword (`num_classes`, `labels_to_names`, ...) becomes an attribute as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Dataset"]


class Dataset:
    """Describes a dataset: its files, reader, decoder, size and item descriptions.

    Every argument, and every extra keyword, is stored as an attribute of the same name,
    so dataset definitions can carry their own fields (`num_classes`, `labels_to_names`).

    Args:
      data_sources: A file path, a glob pattern (`dir/train-*.tfrecord`) or a list of them.
      reader: The reader class, e.g. `tf.compat.v1.TFRecordReader` (TF-Slim's default) or
        `tf.data.TFRecordDataset`; see `slim.parallel_reader.parallel_read`.
      decoder: A `DataDecoder` (usually a `TFExampleDecoder`) for one record.
      num_samples: Number of samples (records) in the dataset, an int >= 0.
      items_to_descriptions: Maps each item the decoder provides to a human description.
      **kwargs: Any further dataset-specific fields.

    Example:
      >>> import slimlib.data as data
      >>> ds = data.Dataset("x.tfrecord", None, None, 3, {"label": "0..9"}, num_classes=10)
      >>> ds.num_samples, ds.num_classes
      (3, 10)
    """

    def __init__(
        self,
        data_sources: str | Sequence[str],
        reader: Any,
        decoder: Any,
        num_samples: int,
        items_to_descriptions: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        self.data_sources = data_sources
        self.reader = reader
        self.decoder = decoder
        self.num_samples = num_samples
        self.items_to_descriptions = items_to_descriptions
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        fields = ", ".join(f"{key}={value!r}" for key, value in sorted(vars(self).items()))
        return f"Dataset({fields})"
