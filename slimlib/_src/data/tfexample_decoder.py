"""`TFExampleDecoder`: decodes serialized `tf.train.Example` protos into item tensors.

Decoding runs in two steps: the example is parsed with `keys_to_features`
(`tf.io.FixedLenFeature`, `tf.io.VarLenFeature`, ...), then each requested item's
`ItemHandler` builds the item from the parsed features it names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.data.data_decoder import DataDecoder
from slimlib._src.data.item_handlers import ItemHandler

__all__ = ["TFExampleDecoder"]

_FEATURE_TYPES = (
    tf.io.FixedLenFeature,
    tf.io.VarLenFeature,
    tf.io.FixedLenSequenceFeature,
    tf.io.SparseFeature,
    tf.io.RaggedFeature,
)


class TFExampleDecoder(DataDecoder):
    """Decodes one serialized `tf.train.Example` into the tensors of named items.

    Args:
      keys_to_features: Maps example feature keys to parsing specs such as
        `tf.io.FixedLenFeature((), tf.string, default_value='')`.
      items_to_handlers: Maps item names (`'image'`, `'label'`) to `ItemHandler`s; each
        handler reads the feature keys it lists in `handler.keys`.

    Raises:
      TypeError: If an argument is not a dict, a feature spec is not a `tf.io` feature,
        or a handler is not an `ItemHandler`.

    Example:
      >>> import tensorflow as tf
      >>> import slimlib.data as data
      >>> decoder = data.TFExampleDecoder(
      ...     {"image/class/label": tf.io.FixedLenFeature([], tf.int64)},
      ...     {"label": data.tfexample_decoder.Tensor("image/class/label")})
      >>> decoder.list_items()
      ['label']
    """

    def __init__(
        self,
        keys_to_features: Mapping[str, Any],
        items_to_handlers: Mapping[str, ItemHandler],
    ) -> None:
        if not isinstance(keys_to_features, Mapping):
            raise TypeError(
                "TFExampleDecoder: `keys_to_features` must be a dict from feature keys to "
                f"tf.io feature specs, got {keys_to_features!r}."
            )
        if not isinstance(items_to_handlers, Mapping):
            raise TypeError(
                "TFExampleDecoder: `items_to_handlers` must be a dict from item names to "
                f"ItemHandlers, got {items_to_handlers!r}."
            )
        for key, spec in keys_to_features.items():
            if not isinstance(spec, _FEATURE_TYPES):
                raise TypeError(
                    f"TFExampleDecoder: `keys_to_features[{key!r}]` must be a tf.io feature "
                    f"spec such as tf.io.FixedLenFeature, got {spec!r}."
                )
        for item, handler in items_to_handlers.items():
            if not isinstance(handler, ItemHandler):
                raise TypeError(
                    f"TFExampleDecoder: `items_to_handlers[{item!r}]` must be an ItemHandler, "
                    f"got {handler!r} ({type(handler).__name__})."
                )
        self._keys_to_features = dict(keys_to_features)
        self._items_to_handlers = dict(items_to_handlers)

    def list_items(self) -> list[str]:
        """Returns the item names, in the order of `items_to_handlers`."""
        return list(self._items_to_handlers)

    def decode(self, serialized_example: Any, items: Sequence[str] | None = None) -> list[Any]:
        """Parses one serialized example and returns the tensors of `items`.

        Args:
          serialized_example: A scalar string tensor holding one serialized example.
          items: Item names to decode; `None` (or empty) decodes every item.

        Returns:
          One tensor (or `tf.SparseTensor`) per item, in the order of `items`.

        Raises:
          ValueError: If an item is unknown, or its handler needs a feature key that
            `keys_to_features` does not define.

        At run time a feature missing from the data (with no `default_value`) raises
        `tf.errors.InvalidArgumentError` naming the feature.
        """
        names = list(items) if items else self.list_items()
        for item in names:
            if item not in self._items_to_handlers:
                raise ValueError(
                    f"TFExampleDecoder.decode: item {item!r} is not decoded; the items are "
                    f"{self.list_items()}." + _checks.did_you_mean(str(item), self.list_items())
                )
            for key in self._items_to_handlers[item].keys:
                if key not in self._keys_to_features:
                    raise ValueError(
                        f"TFExampleDecoder.decode: item {item!r} needs feature key {key!r}, "
                        f"which is not in `keys_to_features` (keys: "
                        f"{sorted(self._keys_to_features)})."
                        + _checks.did_you_mean(key, self._keys_to_features)
                    )
        parsed = tf.io.parse_single_example(serialized_example, self._keys_to_features)
        outputs = []
        for item in names:
            handler = self._items_to_handlers[item]
            outputs.append(handler.tensors_to_item({key: parsed[key] for key in handler.keys}))
        return outputs
