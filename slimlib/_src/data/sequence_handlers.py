"""Item handlers for `tf.train.SequenceExample`s: per-frame boxes, box counts and keypoints.

A sequence feature parsed with `tf.io.VarLenFeature` is a 2-D `SparseTensor`
`[time, values_in_frame]`. `BoundingBoxSequence` and `KeypointsSequence` put several such
coordinate features side by side (`[time, num_boxes, 4]`, `[time, num_keypoints, 2]`);
`NumBoxesSequence` counts the values of each frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from slimlib._src.data.item_handlers import ItemHandler, Parsed

__all__ = ["BoundingBoxSequence", "KeypointsSequence", "NumBoxesSequence"]


class _CoordinatesSequence(ItemHandler):
    """Stacks `len(default_keys)` per-frame coordinate features on a new last axis."""

    _name = ""
    _default_keys: tuple[str, ...] = ()

    def __init__(
        self,
        keys: Sequence[str] | None = None,
        prefix: str | None = None,
        return_dense: bool = True,
        default_value: float = -1.0,
    ) -> None:
        count = len(self._default_keys)
        if keys is None:
            keys = list(self._default_keys)
        elif isinstance(keys, str) or len(keys) != count:
            raise ValueError(
                f"{self._name} expects {count} keys but got {keys!r}; `keys` names the "
                f"features of {', '.join(self._default_keys)}, in that order."
            )
        self._prefix = prefix or ""
        self._full_keys = [self._prefix + key for key in keys]
        self._return_dense = return_dense
        self._default_value = default_value
        super().__init__(self._full_keys)

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.Tensor | tf.SparseTensor:
        sides = []
        for key in self._full_keys:
            value = keys_to_tensors[key]
            if not isinstance(value, tf.SparseTensor):
                value = tf.sparse.from_dense(value)
            sides.append(tf.sparse.expand_dims(value, axis=-1))
        # Frames may hold different numbers of values per feature: widen to the largest.
        stacked = tf.sparse.concat(axis=2, sp_inputs=sides, expand_nonconcat_dims=True)
        if self._return_dense:
            return tf.sparse.to_dense(stacked, default_value=self._default_value)
        return stacked


class BoundingBoxSequence(_CoordinatesSequence):
    """Boxes per frame, `[time, num_boxes, 4]` in the order of `keys`.

    Args:
      keys: The four coordinate feature names; default `['ymin', 'xmin', 'ymax', 'xmax']`.
      prefix: Prepended to each name to form the feature key, e.g. `'bbox/'`.
      return_dense: Return a dense tensor (else the `SparseTensor`).
      default_value: Fills the positions of frames with fewer boxes (dense result only).

    Raises:
      ValueError: If `keys` does not hold exactly 4 names.
    """

    _name = "BoundingBoxSequence"
    _default_keys = ("ymin", "xmin", "ymax", "xmax")


class KeypointsSequence(_CoordinatesSequence):
    """Keypoints per frame, `[time, num_keypoints, 2]` in the order of `keys`.

    Args:
      keys: The two coordinate feature names; default `['y', 'x']`.
      prefix: Prepended to each name to form the feature key, e.g. `'keypoints/'`.
      return_dense: Return a dense tensor (else the `SparseTensor`).
      default_value: Fills the positions of frames with fewer keypoints (dense only).

    Raises:
      ValueError: If `keys` does not hold exactly 2 names.
    """

    _name = "KeypointsSequence"
    _default_keys = ("y", "x")


class NumBoxesSequence(ItemHandler):
    """The number of boxes in each frame, an int64 `[time]` tensor.

    Counted from the first key's 2-D `SparseTensor` `[time, boxes]` (as parsed by
    `tf.io.VarLenFeature`): a frame's count is one more than its last box index, 0 for an
    empty frame.

    Args:
      keys: One or more feature keys, each parsed as a 2-D `SparseTensor`.
      check_consistency: Also count every other key, and fail at run time
        (`tf.errors.InvalidArgumentError`) where a count differs from the first key's.

    Raises:
      ValueError: If `keys` is empty.
    """

    def __init__(self, keys: str | Sequence[str] | None = None, check_consistency=True) -> None:
        if not keys:
            raise ValueError(
                f"NumBoxesSequence: keys must not be empty, got {keys!r}; give the feature "
                "keys of the per-frame box values."
            )
        self._check_consistency = check_consistency
        super().__init__(keys)

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.Tensor:
        counts = [self._count(key, keys_to_tensors[key]) for key in self.keys]
        checks = []
        if self._check_consistency:
            for key, count in zip(self.keys[1:], counts[1:]):
                checks.append(
                    tf.debugging.assert_equal(
                        counts[0],
                        count,
                        message=f"NumBoxesSequence: feature {key} has other box counts "
                        f"than feature {self.keys[0]}",
                    )
                )
        with tf.control_dependencies(checks):
            return tf.identity(counts[0])

    @staticmethod
    def _count(key: str, tensor) -> tf.Tensor:
        if not isinstance(tensor, tf.SparseTensor):
            raise ValueError(
                f"NumBoxesSequence: tensor must be of type tf.SparseTensor. Feature {key!r} "
                f"was parsed as {tensor!r}; parse it with tf.io.VarLenFeature."
            )
        box_index = tf.SparseTensor(tensor.indices, tensor.indices[:, 1], tensor.dense_shape)
        dense = tf.sparse.to_dense(box_index, default_value=-1)
        # A column of zeros keeps an empty frame (or an empty sequence) at 0 boxes.
        return tf.reduce_max(tf.pad(dense + 1, [[0, 0], [0, 1]]), axis=1)
