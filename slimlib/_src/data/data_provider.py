"""`DataProvider`: hands out named item tensors (`image`, `label`, ...) of one sample."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slimlib._src import _checks

__all__ = ["DataProvider"]


class DataProvider:
    """Maps requested item names to tensors that all come from the same sample.

    Subclasses (such as `DatasetDataProvider`) build the tensors; `get` only looks
    them up, so asking for items in one call or in several calls gives tensors of the
    same sample.

    Args:
      items_to_tensors: Maps item names to tensors.
      num_samples: Number of samples in the underlying data.

    Example:
      >>> import slimlib.data as data
      >>> provider = data.DataProvider({"label": 7, "image": "pixels"}, num_samples=1)
      >>> provider.get(["label"])
      [7]
    """

    def __init__(self, items_to_tensors: Mapping[str, Any], num_samples: int) -> None:
        self._items_to_tensors = dict(items_to_tensors)
        self._num_samples = num_samples

    def get(self, items: Sequence[str]) -> list[Any]:
        """Returns one tensor per name in `items`, in the same order.

        Args:
          items: A list or tuple of item names, each one of `list_items()`.

        Returns:
          A list of tensors, `len(items)` long.

        Raises:
          ValueError: If `items` is not a list or tuple, or names an unknown item.
        """
        self._validate_items(items)
        return [self._items_to_tensors[item] for item in items]

    def list_items(self) -> list[str]:
        """Returns the item names `get` accepts."""
        return list(self._items_to_tensors)

    def num_samples(self) -> int:
        """Returns the number of samples in the data this provider reads."""
        return self._num_samples

    def _validate_items(self, items: Sequence[str]) -> None:
        if not isinstance(items, (list, tuple)):
            raise ValueError(
                f"DataProvider.get: `items` must be a list or tuple of item names, got {items!r}."
            )
        valid = self.list_items()
        for item in items:
            if item not in valid:
                raise ValueError(
                    f"DataProvider.get: item {item!r} is not provided; the items are {valid}."
                    + _checks.did_you_mean(str(item), valid)
                )
