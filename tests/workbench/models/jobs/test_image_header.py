"""`read_image_header`: a PNG's or JPEG's size and channels from its first bytes, and a file
that decoding would refuse (not an image, cut short) found with what is wrong."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from workbench.models.jobs.image_header import (
    ImageHeader,
    ImageHeaderError,
    read_image_header,
)

# 5 rows, 7 columns: a height and a width that cannot be swapped unnoticed.
HEIGHT, WIDTH = 5, 7


def encoded(mode: str, format: str, **options) -> bytes:
    """A 5x7 image of `mode` encoded as `format` by Pillow."""
    channels = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "CMYK": 4}.get(mode, 1)
    pixels = np.arange(HEIGHT * WIDTH * channels, dtype=np.uint8).reshape(HEIGHT, WIDTH, -1)
    image = Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode)
    if mode == "P":
        image = Image.fromarray(pixels.squeeze(-1), "L").convert("P")
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def header_of(tmp_path, data: bytes) -> ImageHeader:
    path = tmp_path / "image"
    path.write_bytes(data)
    return read_image_header(str(path))


@pytest.mark.parametrize(
    ("mode", "channels", "gray"),
    [("L", 1, True), ("LA", 2, True), ("RGB", 3, False), ("RGBA", 4, False), ("P", 3, False)],
)
def test_a_png_header_gives_its_size_and_channels(tmp_path, mode, channels, gray):
    header = header_of(tmp_path, encoded(mode, "PNG"))
    assert header == ImageHeader("PNG", HEIGHT, WIDTH, channels)
    assert header.gray is gray


@pytest.mark.parametrize(
    ("mode", "options", "channels"),
    [
        ("L", {}, 1),
        ("RGB", {}, 3),
        ("RGB", {"progressive": True}, 3),  # Its frame marker is SOF2, not SOF0.
        ("RGB", {"exif": b"Exif\x00\x00" + b"\x00" * 300}, 3),  # A segment before the frame.
        ("CMYK", {}, 4),
    ],
)
def test_a_jpeg_header_gives_its_size_and_channels(tmp_path, mode, options, channels):
    assert header_of(tmp_path, encoded(mode, "JPEG", **options)) == ImageHeader(
        "JPEG", HEIGHT, WIDTH, channels
    )


def test_a_jpeg_padded_after_its_end_is_whole(tmp_path):
    data = encoded("RGB", "JPEG") + b"\x00" * 1000
    assert header_of(tmp_path, data).channels == 3


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(ImageHeaderError, match=r"^is empty \(0 bytes\)$"):
        header_of(tmp_path, b"")


def test_a_file_that_is_neither_png_nor_jpeg_is_refused_with_its_first_bytes(tmp_path):
    with pytest.raises(ImageHeaderError) as raised:
        header_of(tmp_path, b"GIF89a\x01\x00\x01\x00")
    assert str(raised.value) == (
        "is neither PNG nor JPEG: it starts with bytes 47 49 46 38 39 61 01 00, where a PNG "
        "starts with 89 50 4e 47 0d 0a 1a 0a and a JPEG with ff d8"
    )


def test_a_png_cut_short_is_refused(tmp_path):
    data = encoded("RGB", "PNG")
    with pytest.raises(ImageHeaderError) as raised:
        header_of(tmp_path, data[:-2])  # The IEND chunk's CRC is cut.
    assert str(raised.value) == (
        f"is a PNG cut short: its IEND chunk is missing ({len(data) - 2} bytes)"
    )
    with pytest.raises(ImageHeaderError, match="^is a PNG cut short inside its header$"):
        header_of(tmp_path, data[:20])


def test_a_png_whose_first_chunk_is_not_ihdr_is_refused(tmp_path):
    data = encoded("L", "PNG")
    broken = data[:12] + b"IHDX" + data[16:]
    with pytest.raises(ImageHeaderError, match="first chunk is b'IHDX' of 13 bytes, not the"):
        header_of(tmp_path, broken)


def test_a_png_with_an_unknown_colour_type_is_refused(tmp_path):
    data = bytearray(encoded("L", "PNG"))
    data[25] = 5  # The IHDR's colour type: 0, 2, 3, 4 and 6 exist.
    with pytest.raises(ImageHeaderError) as raised:
        header_of(tmp_path, bytes(data))
    assert str(raised.value) == (
        "is a PNG with a broken header: 7x5 pixels, colour type 5 (expected sizes >= 1 and "
        "a colour type in [0, 2, 3, 4, 6])"
    )


def test_a_jpeg_cut_short_is_refused(tmp_path):
    data = encoded("RGB", "JPEG")
    with pytest.raises(ImageHeaderError) as raised:
        header_of(tmp_path, data[: len(data) - 40])  # Cut inside the compressed scan.
    assert str(raised.value) == (
        f"is a JPEG cut short: its end-of-image marker (ff d9) is missing ({len(data) - 40} bytes)"
    )
    with pytest.raises(ImageHeaderError, match="^is a JPEG cut short inside its header$"):
        header_of(tmp_path, data[:10])


def test_a_jpeg_without_a_frame_header_is_refused(tmp_path):
    with pytest.raises(ImageHeaderError, match="^is a JPEG with no frame header"):
        header_of(tmp_path, b"\xff\xd8\xff\xd9")


def test_a_jpeg_with_garbage_where_a_marker_belongs_is_refused(tmp_path):
    with pytest.raises(ImageHeaderError) as raised:
        header_of(tmp_path, b"\xff\xd8\x12\x34\xff\xd9")
    assert str(raised.value) == (
        "is a JPEG with a broken header: byte 12 at offset 2 where a marker (ff) was expected"
    )
