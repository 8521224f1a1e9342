"""TF-Slim's `layers.sparse_ops`: dense tensors to `tf.SparseTensor`s and row lengths."""

from slimlib._src.layers.sparse_ops import dense_to_sparse_tensor as dense_to_sparse_tensor
from slimlib._src.layers.sparse_ops import indicators_to_sparse_ids as indicators_to_sparse_ids
from slimlib._src.layers.sparse_ops import sparse_row_envelope as sparse_row_envelope

__all__ = ["dense_to_sparse_tensor", "indicators_to_sparse_ids", "sparse_row_envelope"]
