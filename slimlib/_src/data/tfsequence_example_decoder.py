"""`TFSequenceExampleDecoder`: decodes serialized `tf.train.SequenceExample`s into items.

As `TFExampleDecoder`, in two steps: the sequence example is parsed (context features and
per-frame sequence features), then each item's `ItemHandler` builds the item from the
parsed features it names, context and sequence keys alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tensorflow as tf

from slimlib._src import _checks
from slimlib._src.data.data_decoder import DataDecoder
from slimlib._src.data.item_handlers import ItemHandler

__all__ = ["TFSequenceExampleDecoder"]


class TFSequenceExampleDecoder(DataDecoder):
    """Decodes one serialized `tf.train.SequenceExample` into the tensors of named items.

    Args:
      keys_to_context_features: Maps context feature keys to `tf.io.FixedLenFeature` or
        `tf.io.VarLenFeature` specs.
      keys_to_sequence_features: Maps sequence (feature list) keys to
        `tf.io.FixedLenSequenceFeature` or `tf.io.VarLenFeature` specs.
      items_to_handlers: Maps item names to `ItemHandler`s; a handler's keys may be
        context or sequence keys.

    Raises:
      TypeError: If an argument is not a dict, or a handler is not an `ItemHandler`.
      ValueError: If a key is both a context and a sequence key (the handlers could not
        tell which one they get).
    """

    def __init__(
        self,
        keys_to_context_features: Mapping[str, Any],
        keys_to_sequence_features: Mapping[str, Any],
        items_to_handlers: Mapping[str, ItemHandler],
    ) -> None:
        arguments = {
            "keys_to_context_features": keys_to_context_features,
            "keys_to_sequence_features": keys_to_sequence_features,
            "items_to_handlers": items_to_handlers,
        }
        for name, value in arguments.items():
            if not isinstance(value, Mapping):
                raise TypeError(
                    f"TFSequenceExampleDecoder: `{name}` must be a dict, got {value!r}."
                )
        both = sorted(set(keys_to_context_features) & set(keys_to_sequence_features))
        if both:
            raise ValueError(
                f"TFSequenceExampleDecoder: Context and sequence keys are not unique: {both} "
                f"are in both. Context keys: {list(keys_to_context_features)}; sequence keys: "
                f"{list(keys_to_sequence_features)}."
            )
        for item, handler in items_to_handlers.items():
            if not isinstance(handler, ItemHandler):
                raise TypeError(
                    f"TFSequenceExampleDecoder: `items_to_handlers[{item!r}]` must be an "
                    f"ItemHandler, got {handler!r} ({type(handler).__name__})."
                )
        self._context_features = dict(keys_to_context_features)
        self._sequence_features = dict(keys_to_sequence_features)
        self._items_to_handlers = dict(items_to_handlers)

    def list_items(self) -> list[str]:
        """Returns the item names, in the order of `items_to_handlers`."""
        return list(self._items_to_handlers)

    def decode(self, serialized_example: Any, items: Sequence[str] | None = None) -> list[Any]:
        """Parses one serialized sequence example and returns the tensors of `items`.

        Args:
          serialized_example: A scalar string tensor (or bytes) of one SequenceExample.
          items: Item names to decode; `None` (or empty) decodes every item.

        Returns:
          One tensor (or `tf.SparseTensor`) per item, in the order of `items`.

        Raises:
          ValueError: If an item is unknown, or its handler needs a key that neither
            feature dict defines.
        """
        names = list(items) if items else self.list_items()
        known = {**self._context_features, **self._sequence_features}
        for item in names:
            if item not in self._items_to_handlers:
                raise ValueError(
                    f"TFSequenceExampleDecoder.decode: item {item!r} is not decoded; the "
                    f"items are {self.list_items()}."
                    + _checks.did_you_mean(str(item), self.list_items())
                )
            for key in self._items_to_handlers[item].keys:
                if key not in known:
                    raise ValueError(
                        f"TFSequenceExampleDecoder.decode: item {item!r} needs feature key "
                        f"{key!r}, which is neither a context nor a sequence key (keys: "
                        f"{sorted(known)})." + _checks.did_you_mean(key, known)
                    )
        context, sequence = tf.io.parse_single_sequence_example(
            serialized_example, self._context_features, self._sequence_features
        )
        parsed = {**sequence, **context}
        outputs = []
        for item in names:
            handler = self._items_to_handlers[item]
            outputs.append(handler.tensors_to_item({key: parsed[key] for key in handler.keys}))
        return outputs
