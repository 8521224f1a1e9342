"""Reading records in graph mode (`slim.parallel_reader`)."""

from slimlib._src.data.parallel_reader import ParallelReader as ParallelReader
from slimlib._src.data.parallel_reader import get_data_files as get_data_files
from slimlib._src.data.parallel_reader import parallel_read as parallel_read
from slimlib._src.data.parallel_reader import single_pass_read as single_pass_read

__all__ = ["ParallelReader", "get_data_files", "parallel_read", "single_pass_read"]
