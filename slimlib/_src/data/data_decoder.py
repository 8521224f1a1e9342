"""`DataDecoder`: the interface that turns one encoded record into item tensors."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

__all__ = ["DataDecoder"]


class DataDecoder(abc.ABC):
    """Abstract decoder: maps one (possibly encoded) record to a tensor per requested item.

    A data provider reads records; a decoder knows how each record is laid out and
    returns, for a list of item names (`'image'`, `'label'`, ...), one tensor per item.
    """

    @abc.abstractmethod
    def decode(self, data: Any, items: Sequence[str]) -> list[Any]:
        """Decodes `data` into the tensors for `items`.

        Args:
          data: One record, e.g. a scalar string tensor holding a serialized example.
          items: Item names to decode.

        Returns:
          A list with one tensor per entry of `items`, in the same order.

        Raises:
          ValueError: If an item cannot be decoded.
        """

    @abc.abstractmethod
    def list_items(self) -> list[str]:
        """Returns the names of every item this decoder can decode."""
