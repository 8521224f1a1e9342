"""Encodes and decodes single images with a private graph and session.

The converters run in whatever mode the caller is in: eagerly, inside a user's
`with tf.Graph().as_default():` block, or with eager execution disabled. A private
graph and session work the same in all three and leave the caller's graph untouched.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1


class ImageCodec:
    """PNG encoding and PNG/JPEG/BMP/GIF decoding of one image at a time.

    Use as a context manager, or call `close()`, to free the session.
    """

    def __init__(self) -> None:
        self._graph = tf.Graph()
        with self._graph.as_default():
            self._pixels = v1.placeholder(tf.uint8, [None, None, None])
            self._png = tf.io.encode_png(self._pixels)
            self._batch = v1.placeholder(tf.uint8, [None, None, None, None])
            self._pngs = tf.map_fn(
                tf.io.encode_png, self._batch, fn_output_signature=tf.string, parallel_iterations=1
            )
            self._encoded = v1.placeholder(tf.string, [])
            self._decoded = tf.io.decode_image(self._encoded, channels=0, expand_animations=False)
            self._is_jpeg = tf.io.is_jpeg(self._encoded)
        config = v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
        self._session = v1.Session(graph=self._graph, config=config)

    def encode_png(self, image: np.ndarray) -> bytes:
        """Returns PNG bytes of a uint8 image `[height, width, channels]`."""
        return self._session.run(self._png, {self._pixels: image})

    def encode_png_batch(self, images: np.ndarray) -> list[bytes]:
        """Returns PNG bytes of each uint8 image of `images` `[n, height, width, channels]`.

        One session call for the whole batch: a call per image costs milliseconds.
        """
        return list(self._session.run(self._pngs, {self._batch: images}))

    def decode(self, data: bytes) -> tuple[np.ndarray, bool]:
        """Returns `(pixels [height, width, channels] uint8, is_jpeg)` of an encoded image.

        Raises:
          tf.errors.InvalidArgumentError: If `data` is not a decodable image.
        """
        pixels, is_jpeg = self._session.run([self._decoded, self._is_jpeg], {self._encoded: data})
        return pixels, bool(is_jpeg)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ImageCodec:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
