"""Data providers (`slim.data_provider`): the `DataProvider` base class."""

from slimlib._src.data.data_provider import DataProvider as DataProvider

__all__ = ["DataProvider"]
