"""Data decoders (`slim.data_decoder`): the `DataDecoder` interface."""

from slimlib._src.data.data_decoder import DataDecoder as DataDecoder

__all__ = ["DataDecoder"]
