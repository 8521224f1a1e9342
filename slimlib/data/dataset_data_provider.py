"""Reading a `Dataset` (`slim.dataset_data_provider`): `DatasetDataProvider`."""

from slimlib._src.data.dataset_data_provider import DatasetDataProvider as DatasetDataProvider

__all__ = ["DatasetDataProvider"]
