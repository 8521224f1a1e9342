"""Item handlers: how `TFExampleDecoder` turns parsed example features into items.

Each handler names the example feature keys it needs (`keys`) and builds one item
tensor from the parsed features (`tensors_to_item`). TF-Slim's handlers, with the
same names, arguments and results: `Tensor`, `LookupTensor`, `SparseTensor`,
`BoundingBox`, `Image`, `BackupHandler` and `ItemHandlerCallback`.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

__all__ = [
    "BackupHandler",
    "BoundingBox",
    "Image",
    "ItemHandler",
    "ItemHandlerCallback",
    "LookupTensor",
    "SparseTensor",
    "Tensor",
]

Parsed = Mapping[str, "tf.Tensor | tf.SparseTensor"]


def _as_key_list(keys: str | Sequence[str]) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)


def _to_dense(value: tf.Tensor | tf.SparseTensor, default_value: Any = 0) -> tf.Tensor:
    if isinstance(value, tf.SparseTensor):
        return tf.sparse.to_dense(value, default_value=default_value)
    return value


class ItemHandler(abc.ABC):
    """Base class: the example features one item needs and how to build the item.

    Args:
      keys: One feature key or a list of feature keys this handler reads.
    """

    def __init__(self, keys: str | Sequence[str]) -> None:
        self._keys = _as_key_list(keys)

    @property
    def keys(self) -> list[str]:
        """The example feature keys this handler reads."""
        return self._keys

    @abc.abstractmethod
    def tensors_to_item(self, keys_to_tensors: Parsed) -> Any:
        """Builds the item from `keys_to_tensors` (parsed features of `keys`)."""


class ItemHandlerCallback(ItemHandler):
    """A handler whose item is whatever `func(keys_to_tensors)` returns.

    Args:
      keys: The feature keys `func` needs.
      func: Called with a dict from each of `keys` to its parsed tensor.
    """

    def __init__(self, keys: str | Sequence[str], func: Callable[[Parsed], Any]) -> None:
        super().__init__(keys)
        self._func = func

    def tensors_to_item(self, keys_to_tensors: Parsed) -> Any:
        return self._func(keys_to_tensors)


class Tensor(ItemHandler):
    """Returns one parsed feature, made dense and optionally reshaped.

    Args:
      tensor_key: Feature key of the values.
      shape_keys: Feature key (or list of keys, one per dimension) holding the shape to
        reshape to, read from each example.
      shape: Fixed shape to reshape to. Give `shape` or `shape_keys`, not both.
      default_value: Fills positions missing from a sparse (`VarLenFeature`) value.

    Raises:
      ValueError: If both `shape_keys` and `shape` are given.
    """

    def __init__(
        self,
        tensor_key: str,
        shape_keys: str | Sequence[str] | None = None,
        shape: Sequence[int] | None = None,
        default_value: Any = 0,
    ) -> None:
        if shape_keys and shape is not None:
            raise ValueError(
                f"Tensor: give `shape_keys` or `shape`, not both; got shape_keys={shape_keys!r} "
                f"and shape={shape!r}."
            )
        self._tensor_key = tensor_key
        self._shape_keys = _as_key_list(shape_keys) if shape_keys else None
        self._shape = shape
        self._default_value = default_value
        super().__init__([tensor_key, *(self._shape_keys or [])])

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.Tensor:
        tensor = keys_to_tensors[self._tensor_key]
        shape: Any = self._shape
        if self._shape_keys:
            dims = [_to_dense(keys_to_tensors[key]) for key in self._shape_keys]
            shape = tf.reshape(tf.stack(dims), [-1])
        if isinstance(tensor, tf.SparseTensor):
            if shape is not None:
                tensor = tf.sparse.reshape(tensor, tf.cast(shape, tf.int64))
            return tf.sparse.to_dense(tensor, default_value=self._default_value)
        return tensor if shape is None else tf.reshape(tensor, shape)


class LookupTensor(Tensor):
    """Like `Tensor`, then maps the values through a lookup table (e.g. text -> class id).

    Args:
      tensor_key: Feature key of the values to look up.
      table: A `tf.lookup` table; it must be initialized (`tf.compat.v1.tables_initializer`).
      shape_keys: See `Tensor`.
      shape: See `Tensor`.
      default_value: See `Tensor`; default `''` (string features).

    Raises:
      ValueError: If both `shape_keys` and `shape` are given.
    """

    def __init__(
        self,
        tensor_key: str,
        table: Any,
        shape_keys: str | Sequence[str] | None = None,
        shape: Sequence[int] | None = None,
        default_value: Any = "",
    ) -> None:
        self._table = table
        super().__init__(tensor_key, shape_keys, shape, default_value)

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.Tensor:
        return self._table.lookup(super().tensors_to_item(keys_to_tensors))


class BackupHandler(ItemHandler):
    """Uses `handler`'s item, or `backup`'s item when `handler`'s has no elements.

    Args:
      handler: The preferred `ItemHandler`.
      backup: The `ItemHandler` used when the preferred item is empty.

    Raises:
      ValueError: If either argument is not an `ItemHandler` (TF-Slim's error type).
    """

    def __init__(self, handler: ItemHandler, backup: ItemHandler) -> None:
        for name, value in (("handler", handler), ("backup", backup)):
            if not isinstance(value, ItemHandler):
                raise ValueError(
                    f"BackupHandler: `{name}` must be an ItemHandler, got {value!r} "
                    f"({type(value).__name__})."
                )
        self._handler = handler
        self._backup = backup
        super().__init__(handler.keys + backup.keys)

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.Tensor:
        item = self._handler.tensors_to_item(keys_to_tensors)
        return tf.cond(
            tf.equal(tf.size(item), 0),
            lambda: self._backup.tensors_to_item(keys_to_tensors),
            lambda: item,
        )


class SparseTensor(ItemHandler):
    """Builds a `tf.SparseTensor` from an ids feature and a values feature.

    The ids become the last index column; the other index columns come from the ids
    feature itself (so a `VarLenFeature` of ids `[2, 5]` with values `[a, b]` gives
    `a` at `[2]` and `b` at `[5]`).

    Args:
      indices_key: Feature key of the ids; default `'indices'`.
      values_key: Feature key of the values; default `'values'`.
      shape_key: Feature key holding the dense shape, read from each example.
      shape: Fixed dense shape, used when `shape_key` is not given.
      densify: Return a dense tensor instead of a `tf.SparseTensor`.
      default_value: Fills the missing positions when `densify` is set.
    """

    def __init__(
        self,
        indices_key: str | None = None,
        values_key: str | None = None,
        shape_key: str | None = None,
        shape: Sequence[int] | None = None,
        densify: bool = False,
        default_value: Any = 0,
    ) -> None:
        self._indices_key = indices_key or "indices"
        self._values_key = values_key or "values"
        self._shape_key = shape_key
        self._shape = shape
        self._densify = densify
        self._default_value = default_value
        keys = [self._indices_key, self._values_key]
        super().__init__(keys + ([shape_key] if shape_key else []))

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.SparseTensor | tf.Tensor:
        ids = keys_to_tensors[self._indices_key]
        values = keys_to_tensors[self._values_key]
        if self._shape_key:
            shape = _to_dense(keys_to_tensors[self._shape_key])
        elif self._shape:
            shape = self._shape
        else:
            shape = ids.dense_shape
        rank = tf.shape(ids.indices)[1]
        leading = tf.slice(ids.indices, [0, 0], tf.stack([-1, rank - 1]))
        last = tf.reshape(tf.cast(ids.values, tf.int64), [-1, 1])
        indices = tf.concat([leading, last], axis=1)
        sparse = tf.SparseTensor(indices, values.values, tf.cast(shape, tf.int64))
        if self._densify:
            return tf.sparse.to_dense(sparse, default_value=self._default_value)
        return sparse


class BoundingBox(ItemHandler):
    """Stacks four coordinate features into boxes `[num_boxes, 4]` (ymin, xmin, ymax, xmax).

    Args:
      keys: The four coordinate names, in the output column order; default
        `['ymin', 'xmin', 'ymax', 'xmax']`.
      prefix: Prepended to each name to form the feature key, e.g.
        `'image/object/bbox/'`.

    Raises:
      ValueError: If `keys` is given and does not hold exactly 4 names.
    """

    def __init__(self, keys: Sequence[str] | None = None, prefix: str = "") -> None:
        if keys is None:
            keys = ["ymin", "xmin", "ymax", "xmax"]
        elif len(keys) != 4:
            raise ValueError(
                f"BoundingBox: `keys` must hold 4 names (ymin, xmin, ymax, xmax), got {keys!r} "
                f"({len(keys)} names)."
            )
        self._prefix = prefix
        self._full_keys = [prefix + key for key in keys]
        super().__init__(self._full_keys)

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.Tensor:
        sides = []
        for key in self._full_keys:
            side = keys_to_tensors[key]
            sides.append(side.values if isinstance(side, tf.SparseTensor) else side)
        # `[4, num_boxes]` transposed; a single box of scalar features stays `[4]`.
        return tf.transpose(tf.stack(sides, axis=0))


class Image(ItemHandler):
    """Decodes an encoded image feature (PNG, JPEG, or raw bytes) to `[height, width, channels]`.

    The format feature selects the decoder per example: `'raw'` (or `'RAW'`) reads the
    bytes as `dtype` values; anything else is decoded by content (JPEG with `dct_method`,
    otherwise PNG, BMP or GIF's first frame).

    Args:
      image_key: Feature key of the encoded image; default `'image/encoded'`.
      format_key: Feature key of the format string; default `'image/format'`.
      shape: Shape to reshape each decoded image to, e.g. `[28, 28, 1]`; required for raw
        images. Give it only when every image has this size.
      channels: Channels to decode to: 1 (gray), 3 (RGB) or 4 (RGBA); 0 keeps each
        image's own channels. Default 3.
      dtype: Output dtype; decoded pixels are cast (not rescaled). Default `tf.uint8`.
      repeated: Decode a 1-D list of images instead of one image.
      dct_method: JPEG decoder hint: `''`, `'INTEGER_FAST'` or `'INTEGER_ACCURATE'`.

    Raises:
      ValueError: If `channels` is not 0, 1, 3 or 4, or a 3-D `shape` ends in another
        channel count than `channels`.

    At run time a decoded image whose number of values differs from `shape` raises
    `tf.errors.InvalidArgumentError` naming the expected and the decoded shape.
    """

    def __init__(
        self,
        image_key: str | None = None,
        format_key: str | None = None,
        shape: Sequence[int] | None = None,
        channels: int = 3,
        dtype: tf.DType = tf.uint8,
        repeated: bool = False,
        dct_method: str = "",
    ) -> None:
        if isinstance(channels, bool) or channels not in (0, 1, 3, 4):
            raise ValueError(f"Image: `channels` must be 0, 1, 3 or 4, got {channels!r}.")
        static = _static_shape(shape)
        if static is not None and len(static) == 3 and channels and static[-1] != -1:
            if static[-1] != channels:
                raise ValueError(
                    f"Image: `shape` {list(static)} has {static[-1]} channels but `channels` is "
                    f"{channels}; they must agree."
                )
        self._image_key = image_key or "image/encoded"
        self._format_key = format_key or "image/format"
        self._shape = shape
        self._static_shape = static
        self._channels = channels
        self._dtype = tf.as_dtype(dtype)
        self._repeated = repeated
        self._dct_method = dct_method
        super().__init__([self._image_key, self._format_key])

    def tensors_to_item(self, keys_to_tensors: Parsed) -> tf.Tensor:
        buffer = keys_to_tensors[self._image_key]
        image_format = keys_to_tensors[self._format_key]
        if self._repeated:
            return tf.map_fn(
                lambda one: self._decode(one, image_format),
                buffer,
                fn_output_signature=self._dtype,
            )
        return self._decode(buffer, image_format)

    def _decode(self, buffer: tf.Tensor, image_format: tf.Tensor) -> tf.Tensor:
        channels, dtype = self._channels, self._dtype

        def decode_raw() -> tf.Tensor:
            return tf.io.decode_raw(buffer, out_type=dtype)

        def decode_jpeg() -> tf.Tensor:
            pixels = tf.io.decode_jpeg(buffer, channels=channels, dct_method=self._dct_method)
            return tf.cast(pixels, dtype)

        def decode_other() -> tf.Tensor:
            pixels = tf.io.decode_image(buffer, channels=channels, expand_animations=False)
            return tf.cast(pixels, dtype)

        def decode_encoded() -> tf.Tensor:
            if not self._dct_method:
                # decode_image decodes JPEG as decode_jpeg does with the default
                # dct_method; one conditional less per example.
                return decode_other()
            return tf.cond(tf.io.is_jpeg(buffer), decode_jpeg, decode_other)

        is_raw = tf.logical_or(tf.equal(image_format, "raw"), tf.equal(image_format, "RAW"))
        image = tf.cond(is_raw, decode_raw, decode_encoded)
        image.set_shape([None, None, channels or None])
        if self._shape is None:
            return image
        if self._static_shape is not None and -1 not in self._static_shape:
            expected = math.prod(self._static_shape)
            check = tf.debugging.Assert(
                tf.equal(tf.size(image, out_type=tf.int64), expected),
                [
                    f"Image: the image in feature {self._image_key!r} must have {expected} "
                    f"values to fit `shape` {list(self._static_shape)}; the decoded image has "
                    "shape",
                    tf.shape(image),
                ],
            )
            with tf.control_dependencies([check]):
                image = tf.identity(image)
        return tf.reshape(image, self._shape)


def _static_shape(shape: Any) -> tuple[int, ...] | None:
    """Returns `shape` as a tuple of ints when it is a Python sequence of ints, else None."""
    if shape is None or isinstance(shape, (tf.Tensor, tf.Variable)):
        return None
    try:
        dims = tuple(shape)
    except TypeError:
        return None
    if all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        return dims
    return None
