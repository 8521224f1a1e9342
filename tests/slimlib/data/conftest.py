"""Fixtures shared by the `slimlib.data` and `slimlib.datasets` tests."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    """Dataset caches go to a temporary folder, never to the real home cache."""
    monkeypatch.setenv("SLIMLIB_DATA_DIR", str(tmp_path / "cache"))


@pytest.fixture
def drain():
    """`drain(sess, fetches, limit=1000)`: runs `fetches` until OutOfRangeError; returns results."""

    def _drain(sess, fetches, limit=1000):
        results = []
        try:
            for _ in range(limit):
                results.append(sess.run(fetches))
        except tf.errors.OutOfRangeError:
            return results
        raise AssertionError(f"still producing after {limit} runs")

    return _drain


@pytest.fixture
def tiny_images():
    """Six 4 x 5 RGB uint8 images with hand-checkable pixels (image i is filled with 10 * i + c)."""
    images = np.zeros([6, 4, 5, 3], np.uint8)
    for i in range(6):
        for c in range(3):
            images[i, :, :, c] = 10 * i + c
    images[:, 0, 0, :] = 255  # One bright corner, so the orientation is checked too.
    return images, np.array([0, 1, 2, 0, 1, 2], np.int64)


def make_example(**features):
    """Serializes a tf.train.Example: bytes -> BytesList, int -> Int64List, float -> FloatList."""
    feature = {}
    for key, values in features.items():
        key = key.replace("__", "/")
        values = values if isinstance(values, list) else [values]
        if values and isinstance(values[0], bytes):
            feature[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        elif values and isinstance(values[0], float):
            feature[key] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        else:
            feature[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    example = tf.train.Example(features=tf.train.Features(feature=feature))
    return example.SerializeToString()


@pytest.fixture
def example():
    """`example(**features)`: a serialized tf.train.Example (`a__b` names the key `a/b`)."""
    return make_example
