"""Data loading (`slim.data`): datasets, decoders, providers, readers and dataset writers.

TF-Slim's `data` package: its modules (`dataset`, `data_decoder`, `data_provider`,
`dataset_data_provider`, `tfexample_decoder`, `parallel_reader`, `prefetch_queue`) are
attributes here, and their main classes are re-exported. `writer` converts NumPy arrays
and image folders to TFRecords; `verify_tfrecords` finds a corrupt file; `batch` is
`tf.compat.v1.train.batch` run as a `tf.data` pipeline where it can be.
"""

from slimlib._src.data.batching import batch as batch
from slimlib._src.data.records import count_records as count_records
from slimlib._src.data.records import verify_tfrecords as verify_tfrecords
from slimlib.data import data_decoder as data_decoder
from slimlib.data import data_provider as data_provider
from slimlib.data import dataset as dataset
from slimlib.data import dataset_data_provider as dataset_data_provider
from slimlib.data import parallel_reader as parallel_reader
from slimlib.data import prefetch_queue as prefetch_queue
from slimlib.data import tfexample_decoder as tfexample_decoder
from slimlib.data import writer as writer
from slimlib.data.data_decoder import DataDecoder as DataDecoder
from slimlib.data.data_provider import DataProvider as DataProvider
from slimlib.data.dataset import Dataset as Dataset
from slimlib.data.dataset_data_provider import DatasetDataProvider as DatasetDataProvider
from slimlib.data.tfexample_decoder import TFExampleDecoder as TFExampleDecoder
from slimlib.data.tfexample_decoder import TFSequenceExampleDecoder as TFSequenceExampleDecoder

__all__ = [
    "DataDecoder",
    "DataProvider",
    "Dataset",
    "DatasetDataProvider",
    "TFExampleDecoder",
    "TFSequenceExampleDecoder",
    "batch",
    "count_records",
    "data_decoder",
    "data_provider",
    "dataset",
    "dataset_data_provider",
    "parallel_reader",
    "prefetch_queue",
    "tfexample_decoder",
    "verify_tfrecords",
    "writer",
]
