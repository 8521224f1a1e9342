"""slim.dataset and slim.data_provider: Dataset fields and DataProvider lookups."""

import doctest

import pytest

import slimlib.data as data
from slimlib._src.data import data_provider as data_provider_src
from slimlib._src.data import dataset as dataset_src


@pytest.mark.parametrize("module", [dataset_src, data_provider_src], ids=["dataset", "provider"])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_dataset_keeps_every_field_as_an_attribute():
    dataset = data.dataset.Dataset(
        ["a.tfrecord"], "reader", "decoder", 5, {"image": "pixels"}, num_classes=3, extra="x"
    )
    assert dataset.data_sources == ["a.tfrecord"] and dataset.reader == "reader"
    assert dataset.decoder == "decoder" and dataset.num_samples == 5
    assert dataset.items_to_descriptions == {"image": "pixels"}
    assert dataset.num_classes == 3 and dataset.extra == "x"
    assert "num_classes=3" in repr(dataset)


def test_data_provider_returns_items_in_the_order_asked():
    provider = data.data_provider.DataProvider({"image": 1, "label": 2}, num_samples=10)
    assert provider.get(("label", "image")) == [2, 1]
    assert provider.list_items() == ["image", "label"]
    assert provider.num_samples() == 10


@pytest.mark.parametrize(
    "items, match",
    [("label", "`items` must be a list or tuple"), (["lable"], "Did you mean 'label'")],
    ids=["string", "typo"],
)
def test_data_provider_rejects_bad_items(items, match):
    provider = data.data_provider.DataProvider({"image": 1, "label": 2}, num_samples=10)
    with pytest.raises(ValueError, match=match):
        provider.get(items)


def test_data_decoder_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        data.data_decoder.DataDecoder()
