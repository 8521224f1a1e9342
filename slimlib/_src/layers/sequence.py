"""Images to sequences and back, for recurrent layers over image columns (OCR-style models).

`images_to_sequence` reads each image column as one time step; `sequence_to_images`
undoes it. Neither holds variables.
"""

from __future__ import annotations

import tensorflow as tf

from slimlib._src import _checks, trace
from slimlib._src.arg_scope import add_arg_scope
from slimlib._src.layers import _common
from slimlib._src.layers._common import DATA_FORMAT_NCHW, DATA_FORMAT_NHWC

v1 = tf.compat.v1

__all__ = ["images_to_sequence", "sequence_to_images"]

_OUTPUT_FORMATS = ("channels_last", "channels_first")


@add_arg_scope
def images_to_sequence(
    inputs: tf.Tensor,
    data_format: str = DATA_FORMAT_NHWC,
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Turns images `[N, H, W, C]` into a sequence `[W, N * H, C]`: one step per column.

    Args:
      inputs: Tensor `[num_images, height, width, depth]` (`"NHWC"`, default) or
        `[num_images, depth, height, width]` (`"NCHW"`); `width` and `depth` static.
      data_format: `"NHWC"` (default) or `"NCHW"`.
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"ImagesToSequence"`.

    Returns:
      Tensor `[width, num_images * height, depth]`; step `t`, row `n * height + h` holds
      pixel `(h, t)` of image `n`.

    Raises:
      ValueError: If `data_format` is unknown or `inputs` is not of rank 4.
      RuntimeError: When called eagerly.
    """
    fn = "images_to_sequence"
    data_format = _checks.check_data_format(fn, data_format, DATA_FORMAT_NHWC, DATA_FORMAT_NCHW)
    _checks.require_graph(fn)
    with v1.name_scope(scope, "ImagesToSequence", [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        _checks.check_rank(fn, "inputs", inputs, 4)
        if data_format == DATA_FORMAT_NCHW:
            inputs = tf.transpose(inputs, [0, 2, 3, 1])
        width = _checks.check_known_dim(fn, "inputs", inputs, 2, what="width")
        depth = _checks.check_known_dim(fn, "inputs", inputs, 3, what="depth")
        dynamic = tf.shape(inputs)
        columns = tf.transpose(inputs, [2, 0, 1, 3])  # [W, N, H, C]
        outputs = tf.reshape(columns, [width, dynamic[0] * dynamic[1], depth])
        trace.annotate(scope=sc.rstrip("/"))
        return _common.collect(outputs_collections, sc, outputs)


@add_arg_scope
def sequence_to_images(
    inputs: tf.Tensor,
    height: int,
    output_data_format: str = "channels_last",
    outputs_collections: list[str] | str | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """Turns a sequence `[W, N * H, C]` back into images: the inverse of `images_to_sequence`.

    Args:
      inputs: Tensor `[num_steps, num_images * height, depth]`; `num_steps` and `depth`
        static.
      height: Image height `H`, int >= 1; the second axis must be a multiple of it.
      output_data_format: `"channels_last"` (default, `[N, H, W, C]`) or
        `"channels_first"` (`[N, C, H, W]`).
      outputs_collections: Collections the output is added to, aliased by the scope.
      scope: Name scope; default `"SequenceToImages"`.

    Returns:
      Images with `width = num_steps`, in `output_data_format`.

    Raises:
      TypeError: If `height` is not an int.
      ValueError: If `height < 1`, `output_data_format` is unknown, `inputs` is not
        of rank 3, or its second axis is not a multiple of `height`.
      RuntimeError: When called eagerly.
    """
    fn = "sequence_to_images"
    height = _checks.check_positive_int(fn, "height", height)
    output_data_format = _checks.check_choice(
        fn, "output_data_format", output_data_format, _OUTPUT_FORMATS
    )
    _checks.require_graph(fn)
    with v1.name_scope(scope, "SequenceToImages", [inputs]) as sc:
        inputs = _checks.to_tensor(fn, "inputs", inputs)
        _checks.check_rank(fn, "inputs", inputs, 3)
        width = _checks.check_known_dim(fn, "inputs", inputs, 0, what="step")
        depth = _checks.check_known_dim(fn, "inputs", inputs, 2, what="depth")
        rows = inputs.shape[1]
        if rows is not None and rows % height:
            raise ValueError(
                f"{fn}: `inputs.shape[1]` must be a multiple of `height`={height}, got shape "
                f"{inputs.shape}."
            )
        num_images = -1 if rows is None else rows // height
        images = tf.reshape(inputs, [width, num_images, height, depth])  # [W, N, H, C]
        order = [1, 3, 2, 0] if output_data_format == "channels_first" else [1, 2, 0, 3]
        outputs = tf.transpose(images, order)
        trace.annotate(scope=sc.rstrip("/"))
        return _common.collect(outputs_collections, sc, outputs)
