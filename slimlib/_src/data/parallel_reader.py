"""Reading records from files in graph mode: `parallel_read`, `single_pass_read`, `ParallelReader`.

TF-Slim read files with queue-based readers (`string_input_producer` feeding a
`RandomShuffleQueue`), which need queue runners and, for `num_epochs`, a local
variable to initialize. Here the standard readers (`tf.compat.v1.TFRecordReader`,
`TextLineReader`, `FixedLengthRecordReader`, `WholeFileReader`, or the `tf.data` dataset
classes) are read through `tf.data` instead and handed out by a one-shot iterator:
the returned `(key, value)` tensors need no queue runner and no initializer, work in
`tf.compat.v1.Session` and `MonitoredSession` alike, and raise
`tf.errors.OutOfRangeError` once `num_epochs` are read, as TF-Slim's did. Any other
reader class falls back to TF-Slim's queue-based `ParallelReader`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.data import record_sources

v1 = tf.compat.v1

__all__ = ["ParallelReader", "get_data_files", "parallel_read", "single_pass_read"]

ReadFile = Callable[[tf.Tensor], tf.data.Dataset]


def get_data_files(data_sources: str | Sequence[str]) -> list[str]:
    """Expands file paths and glob patterns into the sorted list of existing files.

    Args:
      data_sources: A path, a glob pattern (`*`, `?`, `[`) or a list of them.

    Returns:
      The matching file paths; a pattern's matches are sorted.

    Raises:
      ValueError: If a pattern matches no file or a path does not exist.
    """
    if isinstance(data_sources, (list, tuple)):
        files: list[str] = []
        for source in data_sources:
            files.extend(get_data_files(source))
        if not files:
            raise ValueError(f"get_data_files: no data files found in {data_sources!r}.")
        return files
    if not isinstance(data_sources, str):
        raise TypeError(
            "get_data_files: `data_sources` must be a path, a glob pattern or a list of them, "
            f"got {data_sources!r}."
        )
    if any(ch in data_sources for ch in "*?["):
        files = sorted(tf.io.gfile.glob(data_sources))
        if not files:
            raise ValueError(f"get_data_files: no data files match {data_sources!r}.")
        return files
    if not tf.io.gfile.exists(data_sources):
        raise ValueError(f"get_data_files: data file {data_sources!r} does not exist.")
    return [data_sources]


def _keyed(filename: tf.Tensor, records: tf.data.Dataset) -> tf.data.Dataset:
    """Pairs each record with its file name and index: elements `(filename, (index, value))`.

    The key `'<file>:<record index>'` is joined from them outside the dataset, by
    `_one_shot`: a `map` per record to build it cost more than reading the record (about
    90 of 140 microseconds per record on a 2-core CPU), and a step that does not fetch
    the key then does not pay for it at all.
    """
    return tf.data.Dataset.zip(
        (tf.data.Dataset.from_tensors(filename).repeat(), records.enumerate())
    )


class _Source(NamedTuple):
    """How to read one file with tf.data: its records alone, or keyed by file and index."""

    values: ReadFile
    keyed: ReadFile


def _record_source(reader_class: Any, reader_kwargs: Mapping[str, Any] | None) -> _Source | None:
    """Returns the `_Source` of a reader tf.data can replace, else None."""
    kwargs = dict(reader_kwargs or {})
    kwargs.pop("name", None)

    def reject_rest(fn: str) -> None:
        if kwargs:
            raise TypeError(f"{fn}: `reader_kwargs` has unsupported keys {sorted(kwargs)}.")

    if reader_class is None or reader_class in (v1.TFRecordReader, tf.data.TFRecordDataset):
        options = kwargs.pop("options", None)
        compression = kwargs.pop("compression_type", None)
        if options is not None:
            compression = tf.io.TFRecordOptions.get_compression_type_string(options)
        reject_rest("TFRecordReader")
        return _indexed(lambda f: tf.data.TFRecordDataset(f, compression_type=compression or ""))
    if reader_class in (v1.TextLineReader, tf.data.TextLineDataset):
        skip = kwargs.pop("skip_header_lines", None) or 0
        compression = kwargs.pop("compression_type", None)
        reject_rest("TextLineReader")
        return _indexed(
            lambda f: tf.data.TextLineDataset(f, compression_type=compression).skip(skip)
        )
    if reader_class in (v1.FixedLengthRecordReader, tf.data.FixedLengthRecordDataset):
        if kwargs.get("hop_bytes"):
            return None  # Overlapping records: only the queue-based reader supports them.
        kwargs.pop("hop_bytes", None)
        spec = {
            "record_bytes": kwargs.pop("record_bytes"),
            "header_bytes": kwargs.pop("header_bytes", None),
            "footer_bytes": kwargs.pop("footer_bytes", None),
            "compression_type": kwargs.pop("encoding", None)
            or kwargs.pop("compression_type", None),
        }
        reject_rest("FixedLengthRecordReader")
        return _indexed(lambda f: tf.data.FixedLengthRecordDataset(f, **spec))
    if reader_class is v1.WholeFileReader:
        reject_rest("WholeFileReader")
        # Index -1: the key is the file name alone, as TF's WholeFileReader gives it.
        no_index = tf.constant(-1, tf.int64)
        return _Source(
            values=lambda f: tf.data.Dataset.from_tensors(tf.io.read_file(f)),
            keyed=lambda f: tf.data.Dataset.from_tensors((f, (no_index, tf.io.read_file(f)))),
        )
    return None


def _indexed(values: ReadFile) -> _Source:
    """The `_Source` of a reader whose records are keyed by their index in the file."""
    return _Source(values=values, keyed=lambda f: _keyed(f, values(f)))


def _one_shot(
    records: tf.data.Dataset, values: tf.data.Dataset, name: str
) -> tuple[tf.Tensor, tf.Tensor]:
    """`(key, value)` of the next `(filename, (index, value))` element of `records`.

    `values` is the same pipeline without the keys; `slim.data.batch` reads it when the
    key is not batched.
    """
    filename, (index, value) = v1.data.make_one_shot_iterator(records).get_next(name=name)
    record_sources.register(value.op, records, values)
    filename.set_shape([])
    value.set_shape([])
    suffix = tf.where(index < 0, "", tf.strings.join([":", tf.strings.as_string(index)]))
    return tf.strings.join([filename, suffix], name=name + "_key"), value


def parallel_read(
    data_sources: str | Sequence[str],
    reader_class: Any,
    num_epochs: int | None = None,
    num_readers: int = 4,
    reader_kwargs: Mapping[str, Any] | None = None,
    shuffle: bool = True,
    dtypes: Sequence[tf.DType] | None = None,
    capacity: int = 256,
    min_after_dequeue: int = 128,
    seed: int | None = None,
    scope: str | None = None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Reads records from many files with `num_readers` interleaved readers.

    Files are read `num_epochs` times (forever when `None`), in a new random order each
    epoch when `shuffle` is set; records are then mixed in a shuffle buffer of `capacity`
    records. Each `session.run` of the result gives the next record.

    Args:
      data_sources: A path, a glob pattern or a list of them.
      reader_class: `tf.compat.v1.TFRecordReader` (or `None`), `TextLineReader`,
        `FixedLengthRecordReader`, `WholeFileReader` or the matching `tf.data` dataset
        class; any other reader class is run by the queue-based `ParallelReader`.
      num_epochs: Times each file is read; `None` cycles forever.
      num_readers: Files read at once (interleaved record by record), an int >= 1.
      reader_kwargs: Arguments for `reader_class` (e.g. `{'options': ...}` for compressed
        TFRecords, `{'skip_header_lines': 1}` for text).
      shuffle: Shuffle the files each epoch and the records in the buffer.
      dtypes: Record dtypes; only `None` or `[tf.string, tf.string]` use `tf.data`.
      capacity: Shuffle buffer size in records (TF-Slim's common queue capacity).
      min_after_dequeue: Kept for TF-Slim's signature; the queue-based fallback uses it.
      seed: Seed for both shuffles; `None` gives a different order every run.
      scope: Name scope; default `'parallel_read'`.

    Returns:
      `(key, value)`: scalar string tensors; the key is `'<file>:<record index>'`.

    Raises:
      ValueError: If no data file is found.
      RuntimeError: If called eagerly (build inside `with tf.Graph().as_default():`).

    At run time the tensors raise `tf.errors.OutOfRangeError` after the last epoch and
    `tf.errors.DataLossError` on a corrupt or truncated file (find it with
    `slim.data.verify_tfrecords`).
    """
    _checks.require_graph("parallel_read")
    num_readers = _checks.check_positive_int("parallel_read", "num_readers", num_readers)
    capacity = _checks.check_positive_int("parallel_read", "capacity", capacity)
    num_epochs = _checks.check_optional_positive_int("parallel_read", "num_epochs", num_epochs)
    data_files = get_data_files(data_sources)
    source = None
    if dtypes is None or list(dtypes) == [tf.string, tf.string]:
        source = _record_source(reader_class, reader_kwargs)
    if source is None:
        return _queue_parallel_read(
            data_files, reader_class, num_epochs, num_readers, reader_kwargs, shuffle,
            dtypes, capacity, min_after_dequeue, seed, scope,
        )  # fmt: skip
    with tf.name_scope(scope or "parallel_read"):
        files = tf.data.Dataset.from_tensor_slices(data_files)
        if shuffle:
            files = files.shuffle(len(data_files), seed=seed, reshuffle_each_iteration=True)
        files = files.repeat(num_epochs)

        def records(read: ReadFile) -> tf.data.Dataset:
            if num_readers > 1:
                read_all = files.interleave(
                    read,
                    cycle_length=num_readers,
                    block_length=1,
                    num_parallel_calls=num_readers,
                    deterministic=True,
                )
            else:
                read_all = files.flat_map(read)
            if shuffle:
                read_all = read_all.shuffle(capacity, seed=seed, reshuffle_each_iteration=True)
            return read_all

        return _one_shot(records(source.keyed), records(source.values), "parallel_read")


def single_pass_read(
    data_sources: str | Sequence[str],
    reader_class: Any,
    reader_kwargs: Mapping[str, Any] | None = None,
    scope: str | None = None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Reads every record of `data_sources` once, file after file, in order.

    Args:
      data_sources: A path, a glob pattern or a list of them.
      reader_class: See `parallel_read`.
      reader_kwargs: Arguments for `reader_class`.
      scope: Name scope; default `'single_pass_read'`.

    Returns:
      `(key, value)` scalar string tensors; they raise `tf.errors.OutOfRangeError` after
      the last record.

    Raises:
      ValueError: If no data file is found.
      RuntimeError: If called eagerly.
    """
    _checks.require_graph("single_pass_read")
    data_files = get_data_files(data_sources)
    source = _record_source(reader_class, reader_kwargs)
    with tf.name_scope(scope or "single_pass_read"):
        if source is None:
            filenames = v1.train.string_input_producer(
                data_files, num_epochs=1, shuffle=False, capacity=1, name="filenames"
            )
            return reader_class(**(reader_kwargs or {})).read(filenames)
        files = tf.data.Dataset.from_tensor_slices(data_files)
        return _one_shot(
            files.flat_map(source.keyed), files.flat_map(source.values), "single_pass_read"
        )


class ParallelReader:
    """TF-Slim's queue-based reader: `num_readers` readers fill one common queue.

    Each reader takes file names from a filename queue and enqueues its `(key, value)`
    records into `common_queue`; `read` dequeues from it. A `QueueRunner` for the
    readers is added to the graph, so the session must run the queue runners
    (`slim.queues.QueueRunners(sess)`, `tf.compat.v1.train.start_queue_runners` or a
    `MonitoredSession`). `parallel_read` uses this only for readers `tf.data` lacks.

    Args:
      reader_class: A `tf.compat.v1.ReaderBase` subclass, e.g. `tf.compat.v1.TFRecordReader`.
      common_queue: A queue of `[tf.string, tf.string]` (`tf.queue.FIFOQueue` or
        `tf.queue.RandomShuffleQueue`).
      num_readers: Number of reader instances, an int >= 1.
      reader_kwargs: Arguments for `reader_class`.

    Raises:
      TypeError: If `common_queue` does not hold `[tf.string, tf.string]`.
    """

    def __init__(
        self,
        reader_class: Any,
        common_queue: Any,
        num_readers: int = 4,
        reader_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        dtypes = list(common_queue.dtypes)
        if len(dtypes) != 2 or any(not d.is_compatible_with(tf.string) for d in dtypes):
            raise TypeError(
                "ParallelReader: `common_queue.dtypes` must be [tf.string, tf.string], got "
                f"{dtypes}."
            )
        _checks.check_positive_int("ParallelReader", "num_readers", num_readers)
        self._readers = [reader_class(**(reader_kwargs or {})) for _ in range(num_readers)]
        self._common_queue = common_queue

    @property
    def num_readers(self) -> int:
        """Number of reader instances."""
        return len(self._readers)

    @property
    def common_queue(self) -> Any:
        """The queue all readers fill."""
        return self._common_queue

    def read(self, queue: Any, name: str | None = None) -> tuple[tf.Tensor, tf.Tensor]:
        """Starts the readers on the filename `queue`; returns the next `(key, value)`."""
        self._start_readers(queue)
        return self._common_queue.dequeue(name=name)

    def read_up_to(
        self, queue: Any, num_records: int, name: str | None = None
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Like `read`, but dequeues up to `num_records` records as 1-D tensors."""
        self._start_readers(queue)
        return self._common_queue.dequeue_up_to(num_records, name=name)

    def num_records_produced(self, name: str | None = None) -> tf.Tensor:
        """Returns an int64 tensor: records produced by all readers so far."""
        return tf.add_n([r.num_records_produced() for r in self._readers], name=name)

    def num_work_units_completed(self, name: str | None = None) -> tf.Tensor:
        """Returns an int64 tensor: files finished by all readers so far."""
        return tf.add_n([r.num_work_units_completed() for r in self._readers], name=name)

    def _start_readers(self, queue: Any) -> None:
        enqueue_ops = [self._common_queue.enqueue(r.read(queue)) for r in self._readers]
        v1.train.add_queue_runner(
            v1.train.queue_runner.QueueRunner(self._common_queue, enqueue_ops)
        )


def _queue_parallel_read(
    data_files: list[str],
    reader_class: Any,
    num_epochs: int | None,
    num_readers: int,
    reader_kwargs: Mapping[str, Any] | None,
    shuffle: bool,
    dtypes: Sequence[tf.DType] | None,
    capacity: int,
    min_after_dequeue: int,
    seed: int | None,
    scope: str | None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """TF-Slim's queue pipeline, for readers `tf.data` cannot stand in for."""
    with tf.name_scope(scope or "parallel_read"):
        filenames = v1.train.string_input_producer(
            data_files, num_epochs=num_epochs, shuffle=shuffle, seed=seed, name="filenames"
        )
        dtypes = list(dtypes or [tf.string, tf.string])
        if shuffle:
            common_queue = v1.RandomShuffleQueue(
                capacity=capacity,
                min_after_dequeue=min_after_dequeue,
                dtypes=dtypes,
                seed=seed,
                name="common_queue",
            )
        else:
            common_queue = v1.FIFOQueue(capacity=capacity, dtypes=dtypes, name="common_queue")
        v1.summary.scalar(
            f"fraction_of_{capacity}_full",
            tf.cast(common_queue.size(), tf.float32) * (1.0 / capacity),
        )
        reader = ParallelReader(reader_class, common_queue, num_readers, reader_kwargs)
        return reader.read(filenames)
