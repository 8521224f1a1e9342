"""`tf_slim.data.test_utils` for the conformance run: small TFRecord files of random images.

TF-Slim's data tests import this helper module from the package under test; this is the
project's own equivalent (TF-Slim's is not part of the alias). Each record is a
`tf.train.Example` with `image/encoded` (JPEG or PNG bytes), `image/format` and
`image/class/label`, as those tests read them.
"""

import os

import numpy as np
import tensorflow.compat.v1 as tf

_ENCODERS = {"jpeg": tf.image.encode_jpeg, "png": tf.image.encode_png}


def _encode(image: np.ndarray, image_format: str) -> bytes:
    # A graph and session of its own: callers may hold a default session of their own graph
    # or none at all, and eager execution may be off for the whole process.
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(_ENCODERS[image_format](tf.constant(image, dtype=tf.uint8)))


def generate_image(image_shape, image_format="jpeg", label=0):
    """A random uint8 image of `image_shape` and a serialized Example holding it encoded."""
    if image_format not in _ENCODERS:
        raise ValueError(f"image_format must be one of {sorted(_ENCODERS)}, got {image_format!r}")
    image = np.random.randint(0, 256, size=image_shape).astype(np.uint8)
    feature = {
        "image/encoded": tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[_encode(image, image_format)])
        ),
        "image/format": tf.train.Feature(
            bytes_list=tf.train.BytesList(value=[image_format.encode("utf-8")])
        ),
        "image/class/label": tf.train.Feature(
            int64_list=tf.train.Int64List(value=np.asarray(label).flatten().tolist())
        ),
    }
    example = tf.train.Example(features=tf.train.Features(feature=feature))
    return image, example.SerializeToString()


def create_tfrecord_files(output_dir, num_files=3, num_records_per_file=10):
    """Writes `num_files` TFRecord files of 10x10x3 JPEG examples; returns their paths."""
    paths = []
    for index in range(num_files):
        path = os.path.join(output_dir, f"flowers.tfrecord-{index}-of-{num_files}")
        with tf.io.TFRecordWriter(path) as writer:
            for _ in range(num_records_per_file):
                writer.write(generate_image(image_shape=(10, 10, 3))[1])
        paths.append(path)
    return paths
