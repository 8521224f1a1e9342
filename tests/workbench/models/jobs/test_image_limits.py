"""An image folder holding a decompression bomb (a small PNG that says it is 100,000 x 100,000
pixels) is refused before the job decodes anything, naming the file and its size."""

from __future__ import annotations

import struct
import zlib

import pytest

from workbench.models.jobs import inputs, load_config
from workbench.models.jobs.image_header import PNG_END, PNG_SIGNATURE
from workbench.models.jobs.image_limits import MAX_IMAGE_PIXELS, check_image_sizes


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG's signature, IHDR (8-bit gray) and IEND: what a header reader sees of a bomb."""
    body = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + body + struct.pack(">I", zlib.crc32(body))
    return PNG_SIGNATURE + ihdr + PNG_END


@pytest.fixture
def folder(tmp_path):
    for name in ("cat", "dog"):
        (tmp_path / "images" / name).mkdir(parents=True)
        (tmp_path / "images" / name / "1.png").write_bytes(_png_header_only(8, 8))
    return tmp_path


def test_a_folder_of_ordinary_images_passes(folder):
    check_image_sizes(str(folder / "images"))
    assert MAX_IMAGE_PIXELS == 2**27


def test_an_image_beyond_the_limit_is_named_with_its_size(folder):
    (folder / "images" / "dog" / "2.png").write_bytes(_png_header_only(100_000, 100_000))
    with pytest.raises(
        ValueError,
        match=r"dog/2.png must have at most 134,217,728 pixels to be decoded, got "
        r"100000x100000 = 10,000,000,000\. Resize it",
    ):
        check_image_sizes(str(folder / "images"))


def test_the_limit_is_inclusive_and_other_files_are_left_to_the_conversion(folder):
    (folder / "images" / "cat" / "notes.txt").write_text("not an image")
    (folder / "images" / "cat" / "broken.png").write_bytes(b"\x89PNG cut")
    check_image_sizes(str(folder / "images"), limit=64)
    with pytest.raises(ValueError, match=r"got 8x8 = 64"):
        check_image_sizes(str(folder / "images"), limit=63)


def test_a_job_refuses_the_folder_before_decoding_any_image(folder, monkeypatch):
    (folder / "images" / "dog" / "2.png").write_bytes(_png_header_only(100_000, 100_000))
    config = load_config(
        {"model": {"net": "lenet"}, "dataset": {"kind": "image_folder", "folder": "images"}},
        workspace=folder,
    )
    monkeypatch.setattr(
        inputs.slim.data.writer,
        "write_image_folder",
        lambda *a, **k: pytest.fail("the folder was converted"),
    )
    (folder / "job").mkdir()
    with pytest.raises(ValueError, match=r"dog/2.png must have at most"):
        inputs.prepare(config, str(folder / "job"))
