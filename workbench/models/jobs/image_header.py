"""The size and channels of a PNG or JPEG file, read from its header without decoding it.

An image folder's files are decoded only when a job converts the folder to TFRecords
(`slim.data.writer.write_image_folder`), seconds after Start. Their headers say, for a few
hundred bytes read, what that decoding would give: height, width and channels. A file cut
short fails that decoding even when its header is whole, so the end of the file is looked
at too: a PNG ends with its IEND chunk and a JPEG with its end-of-image marker.
"""

from __future__ import annotations

import dataclasses
import os
import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The last 12 bytes of every whole PNG: the empty IEND chunk and its CRC.
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_START = b"\xff\xd8"
JPEG_END = b"\xff\xd9"
#: A JPEG's end marker is looked for within this many last bytes: some writers pad the file.
JPEG_TAIL = 4096
#: Channels a PNG decodes to, by its IHDR colour type (a palette expands to RGB).
PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}
#: JPEG start-of-frame markers (C4 defines Huffman tables, C8 is reserved, CC arithmetic
#: coding conditions: the other C0..CF markers start a frame).
JPEG_FRAMES = {0xC0 + n for n in range(16)} - {0xC4, 0xC8, 0xCC}
#: JPEG markers that stand alone, without a length: TEM and the restart markers.
JPEG_BARE = {0x01, *range(0xD0, 0xD8)}


class ImageHeaderError(ValueError):
    """A file whose header is not that of a whole PNG or JPEG image."""


@dataclasses.dataclass(frozen=True)
class ImageHeader:
    """What decoding an image would give.

    Attributes:
      format: `"PNG"` or `"JPEG"`.
      height: Rows of pixels.
      width: Columns of pixels.
      channels: Channels it decodes to: 1 gray, 2 gray with alpha, 3 RGB, 4 RGBA (a JPEG
        in CMYK also counts as 4).
    """

    format: str
    height: int
    width: int
    channels: int

    @property
    def gray(self) -> bool:
        """Whether it is gray (with or without alpha): a job reads it as 1 channel."""
        return self.channels <= 2


def read_image_header(path: str) -> ImageHeader:
    """The `ImageHeader` of the PNG or JPEG file at `path`.

    Raises:
      ImageHeaderError: If the file is empty, is neither PNG nor JPEG, or its header or its
        end is missing or broken; the message says which and what was found.
      OSError: If the file cannot be opened.
    """
    with open(path, "rb") as f:
        start = f.read(len(PNG_SIGNATURE))
        if not start:
            raise ImageHeaderError("is empty (0 bytes)")
        if start == PNG_SIGNATURE:
            header = _png_header(f)
        elif start.startswith(JPEG_START):
            f.seek(len(JPEG_START))
            header = _jpeg_header(f)
        else:
            raise ImageHeaderError(
                f"is neither PNG nor JPEG: it starts with bytes {start.hex(' ')}, where a PNG "
                f"starts with {PNG_SIGNATURE.hex(' ')} and a JPEG with {JPEG_START.hex(' ')}"
            )
        _check_end(f, header.format)
    return header


def _png_header(f) -> ImageHeader:
    """The IHDR chunk, which must come first: length, type, then the image's facts."""
    chunk = f.read(8 + 13)
    if len(chunk) < 21:
        raise ImageHeaderError("is a PNG cut short inside its header")
    length, kind, width, height, _, colour = struct.unpack(">I4sIIBB", chunk[:18])
    if kind != b"IHDR" or length != 13:
        raise ImageHeaderError(
            f"is a PNG whose first chunk is {kind!r} of {length} bytes, not the 13-byte IHDR"
        )
    if colour not in PNG_CHANNELS or not (width and height):
        raise ImageHeaderError(
            f"is a PNG with a broken header: {width}x{height} pixels, colour type {colour} "
            f"(expected sizes >= 1 and a colour type in {sorted(PNG_CHANNELS)})"
        )
    return ImageHeader("PNG", height, width, PNG_CHANNELS[colour])


def _jpeg_header(f) -> ImageHeader:
    """Walks the segments after the start marker up to the frame header."""
    while True:
        marker = _jpeg_marker(f)
        if marker in JPEG_BARE:
            continue
        if marker in (0xD9, 0xDA):  # End of image, or the scan, before any frame.
            raise ImageHeaderError("is a JPEG with no frame header (no size or channels)")
        length = f.read(2)
        if len(length) < 2:
            break
        (size,) = struct.unpack(">H", length)
        if marker in JPEG_FRAMES:
            frame = f.read(6)
            if len(frame) < 6:
                break
            _, height, width, components = struct.unpack(">BHHB", frame)
            if not (height and width) or components not in (1, 3, 4):
                raise ImageHeaderError(
                    f"is a JPEG with a broken frame header: {width}x{height} pixels, "
                    f"{components} components (expected sizes >= 1 and 1, 3 or 4 components)"
                )
            return ImageHeader("JPEG", height, width, components)
        if size < 2:
            raise ImageHeaderError(f"is a JPEG with a broken segment length {size}")
        f.seek(size - 2, os.SEEK_CUR)
    raise ImageHeaderError("is a JPEG cut short inside its header")


def _jpeg_marker(f) -> int:
    """The next marker's code, past any fill bytes (0xFF) before it."""
    byte = f.read(1)
    if byte != b"\xff":
        if not byte:
            raise ImageHeaderError("is a JPEG cut short inside its header")
        raise ImageHeaderError(
            f"is a JPEG with a broken header: byte {byte.hex()} at offset {f.tell() - 1} "
            "where a marker (ff) was expected"
        )
    while byte == b"\xff":
        byte = f.read(1)
    if not byte:
        raise ImageHeaderError("is a JPEG cut short inside its header")
    return byte[0]


def _check_end(f, format: str) -> None:
    """A file cut short (an unfinished copy or download) cannot be decoded."""
    size = f.seek(0, os.SEEK_END)
    tail_size = len(PNG_END) if format == "PNG" else min(JPEG_TAIL, size)
    f.seek(max(size - tail_size, 0))
    tail = f.read()
    whole = tail == PNG_END if format == "PNG" else JPEG_END in tail
    if not whole:
        end = "IEND chunk" if format == "PNG" else "end-of-image marker (ff d9)"
        raise ImageHeaderError(f"is a {format} cut short: its {end} is missing ({size} bytes)")
