"""Decoding `tf.train.Example`s (`slim.tfexample_decoder`): the decoder and its item handlers."""

from slimlib._src.data.item_handlers import BackupHandler as BackupHandler
from slimlib._src.data.item_handlers import BoundingBox as BoundingBox
from slimlib._src.data.item_handlers import Image as Image
from slimlib._src.data.item_handlers import ItemHandler as ItemHandler
from slimlib._src.data.item_handlers import ItemHandlerCallback as ItemHandlerCallback
from slimlib._src.data.item_handlers import LookupTensor as LookupTensor
from slimlib._src.data.item_handlers import SparseTensor as SparseTensor
from slimlib._src.data.item_handlers import Tensor as Tensor
from slimlib._src.data.tfexample_decoder import TFExampleDecoder as TFExampleDecoder

__all__ = [
    "BackupHandler",
    "BoundingBox",
    "Image",
    "ItemHandler",
    "ItemHandlerCallback",
    "LookupTensor",
    "SparseTensor",
    "TFExampleDecoder",
    "Tensor",
]
