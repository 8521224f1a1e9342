"""Writing image classification datasets as TFRecords in TF-Slim's layout, and reading them back.

`write_arrays` converts NumPy arrays, `write_image_folder` a folder with one sub-folder
per class; `get_split` returns the `Dataset` of a written split and `read_info` what
`dataset_info.json` says of each split. The `*_feature`,
`image_to_tfexample` and label-file helpers are those of TF-Slim's `dataset_utils`.
"""

from slimlib._src.data.writer import INFO_FILENAME as INFO_FILENAME
from slimlib._src.data.writer import LABELS_FILENAME as LABELS_FILENAME
from slimlib._src.data.writer import bytes_feature as bytes_feature
from slimlib._src.data.writer import float_feature as float_feature
from slimlib._src.data.writer import get_split as get_split
from slimlib._src.data.writer import has_labels as has_labels
from slimlib._src.data.writer import image_to_tfexample as image_to_tfexample
from slimlib._src.data.writer import int64_feature as int64_feature
from slimlib._src.data.writer import read_info as read_info
from slimlib._src.data.writer import read_label_file as read_label_file
from slimlib._src.data.writer import write_arrays as write_arrays
from slimlib._src.data.writer import write_image_folder as write_image_folder
from slimlib._src.data.writer import write_label_file as write_label_file

__all__ = [
    "INFO_FILENAME",
    "LABELS_FILENAME",
    "bytes_feature",
    "float_feature",
    "get_split",
    "has_labels",
    "image_to_tfexample",
    "int64_feature",
    "read_info",
    "read_label_file",
    "write_arrays",
    "write_image_folder",
    "write_label_file",
]
