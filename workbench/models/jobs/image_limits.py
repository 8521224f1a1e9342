"""A bound on the size of each image a job decodes from an image folder.

A PNG of a few kilobytes can say it is 100,000 x 100,000 pixels (a "decompression bomb"):
decoding it would ask for 10 GB per channel and the job would die of memory, or make the
machine's other processes (the app among them) do so first. Before the folder is converted,
every image's header (a few hundred bytes, `read_image_header`) is read and an image beyond
`MAX_IMAGE_PIXELS` is refused, naming the file and its size. A file whose header cannot be
read is left to the conversion, which says why it cannot decode it.
"""

from __future__ import annotations

import os

from workbench.models.jobs.dataset_facts import IMAGE_EXTENSIONS
from workbench.models.jobs.image_header import ImageHeaderError, read_image_header

__all__ = ["MAX_IMAGE_PIXELS", "check_image_sizes"]

#: Most pixels of one image: 2**27 is 11,585 x 11,585, 384 MiB decoded as RGB; photos from
#: a 100-megapixel camera fit, a bomb does not.
MAX_IMAGE_PIXELS = 2**27


def check_image_sizes(folder: str, *, limit: int | None = None) -> None:
    """Refuses an image folder holding an image of more than `limit` pixels.

    Args:
      folder: The image folder: one sub-folder of PNG/JPEG files per class.
      limit: Most pixels of one image; default `MAX_IMAGE_PIXELS`.

    Raises:
      ValueError: Naming the first image beyond the limit, its size and the limit.
    """
    limit = MAX_IMAGE_PIXELS if limit is None else limit
    try:
        classes = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return  # The conversion says what is wrong with the folder.
    for entry in classes:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            files = sorted(os.scandir(entry.path), key=lambda e: e.name)
        except OSError:
            continue
        for file in files:
            if not file.name.lower().endswith(IMAGE_EXTENSIONS) or not file.is_file():
                continue
            try:
                header = read_image_header(file.path)
            except (ImageHeaderError, OSError):
                continue
            pixels = header.height * header.width
            if pixels > limit:
                raise ValueError(
                    f"image folder: {entry.name}/{file.name} must have at most {limit:,} "
                    f"pixels to be decoded, got {header.width}x{header.height} = {pixels:,}. "
                    "Resize it or move it out of the folder."
                )
