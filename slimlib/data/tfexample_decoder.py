"""Decoding `tf.train.Example`s and `SequenceExample`s (`slim.tfexample_decoder`): the
decoders and their item handlers."""

from slimlib._src.data.item_handlers import BackupHandler as BackupHandler
from slimlib._src.data.item_handlers import BoundingBox as BoundingBox
from slimlib._src.data.item_handlers import Image as Image
from slimlib._src.data.item_handlers import ItemHandler as ItemHandler
from slimlib._src.data.item_handlers import ItemHandlerCallback as ItemHandlerCallback
from slimlib._src.data.item_handlers import LookupTensor as LookupTensor
from slimlib._src.data.item_handlers import SparseTensor as SparseTensor
from slimlib._src.data.item_handlers import Tensor as Tensor
from slimlib._src.data.sequence_handlers import BoundingBoxSequence as BoundingBoxSequence
from slimlib._src.data.sequence_handlers import KeypointsSequence as KeypointsSequence
from slimlib._src.data.sequence_handlers import NumBoxesSequence as NumBoxesSequence
from slimlib._src.data.tfexample_decoder import TFExampleDecoder as TFExampleDecoder
from slimlib._src.data.tfsequence_example_decoder import (
    TFSequenceExampleDecoder as TFSequenceExampleDecoder,
)

__all__ = [
    "BackupHandler",
    "BoundingBox",
    "BoundingBoxSequence",
    "Image",
    "ItemHandler",
    "ItemHandlerCallback",
    "KeypointsSequence",
    "LookupTensor",
    "NumBoxesSequence",
    "SparseTensor",
    "TFExampleDecoder",
    "TFSequenceExampleDecoder",
    "Tensor",
]
