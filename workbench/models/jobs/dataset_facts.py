"""What is known of a job's dataset before Start: its channels, its classes, what is wrong.

The built-in digits are known by heart; TFRecords by the `dataset_info.json` written with
them. An image folder is converted only after Start, so its classes are counted from its
sub-folders and its channels and image size are read from the headers of a few files
(`SAMPLE_FILES`, the first image of classes spread over the folder), so that a folder the job
would fail on is found before Start: one without class sub-folders, a class folder without
images, or a sampled file that is no whole PNG or JPEG.
"""

from __future__ import annotations

import dataclasses
import json
import os

from workbench.models.jobs.image_header import ImageHeader, ImageHeaderError, read_image_header
from workbench.models.jobs.paths import PathEscapeError, resolve_in_workspace
from workbench.problems import Problem

#: The built-in digits (UCI, as `slimlib.datasets.digits` writes them): 8x8 gray, 10 classes.
DIGITS_SHAPE = (8, 8, 1)
DIGITS_CLASSES = 10
#: Bytes of one of the digits' TFRecords (their train file's size over its 1,500 records,
#: rounded up).
DIGITS_RECORD_BYTES = 266
#: Bytes a TFRecord adds to the image it holds (the label, sizes, format, framing).
RECORD_OVERHEAD = 160
#: The file `slim.data.writer` describes a dataset folder with.
INFO_FILENAME = "dataset_info.json"
#: The files `slim.data.writer.write_image_folder` converts (named here: the check must not
#: import TensorFlow).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
#: Files of an image folder whose headers are read before Start: a few, not the folder.
SAMPLE_FILES = 4
#: What the job says of a file it cannot decode, for the messages.
_FAILS = "the job would fail when it converts the folder"


@dataclasses.dataclass(frozen=True)
class DatasetFacts:
    """What is known of a dataset before it is read; None where it is not known yet.

    Attributes:
      channels: Channels the job reads its images with (1 gray, 3 colour).
      num_classes: Number of classes.
      described: In words, e.g. "the built-in digits (8x8x1, 10 classes)".
      image_shape: `(height, width, channels)` of its images when all that were read agree.
      errors: What makes a job on it fail (each refuses Start).
      warnings: What a job on it survives but should be known.
      record_bytes: Bytes of one encoded record as the job's shuffle buffer holds it
        (0: not known).
      images: An image folder's images as read, and from which files, e.g.
        `"28x28x1 in cats/001.png, dogs/001.png"` (`""`: none read).
    """

    channels: int | None
    num_classes: int | None
    described: str
    image_shape: tuple[int, int, int] | None = None
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    record_bytes: int = 0
    images: str = ""


def dataset_facts(dataset: str, folder: str = "", workspace: str = "") -> DatasetFacts:
    """What is known of a Train page dataset before a job reads it.

    Args:
      dataset: `"digits"`, `"image_folder"` (one sub-folder per class) or `"tfrecord"`
        (written by `slim.data.writer`, described by its `dataset_info.json`).
      folder: The folder of an image folder or TFRecords, relative to `workspace`.
      workspace: The workspace root.

    Returns:
      The `DatasetFacts`. A folder that is not there (or none chosen) gives None for all
      that is unknown and no errors: the job config's own checks report it.

    Raises:
      ValueError: If `dataset` is none of the three.
    """
    if dataset == "digits":
        h, w, c = DIGITS_SHAPE
        return DatasetFacts(
            c,
            DIGITS_CLASSES,
            f"the built-in digits ({h}x{w}x{c}, 10 classes)",
            DIGITS_SHAPE,
            record_bytes=DIGITS_RECORD_BYTES,
        )
    try:
        path = resolve_in_workspace(workspace, folder, what="dataset.folder")
    except (PathEscapeError, TypeError):
        # Nothing outside is read (its classes and file names would show on the page); the
        # job config's own check says the folder must stay inside.
        return DatasetFacts(None, None, f"the folder {folder!r}, outside the workspace")
    if dataset == "image_folder":
        return image_folder_facts(path, folder)
    if dataset == "tfrecord":
        try:
            with open(os.path.join(path, INFO_FILENAME), encoding="utf-8") as f:
                train = json.load(f)["splits"]["train"]
            channels, count = int(train["channels"]), int(train["num_classes"])
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return DatasetFacts(None, None, f"the TFRecords in {folder!r}")
        return DatasetFacts(
            channels,
            count,
            f"the TFRecords in {folder!r} ({channels} channels, {count} classes)",
            record_bytes=_mean_record_bytes(path, train),
        )
    raise ValueError(
        f"dataset_facts: `dataset` must be 'digits', 'image_folder' or 'tfrecord', got {dataset!r}."
    )


def image_folder_facts(path: str, folder: str) -> DatasetFacts:
    """The classes of the image folder at `path` (shown as `folder`) and, from the headers
    of up to `SAMPLE_FILES` of its images, their channels and size.

    A folder read before is read again only when it changed: a class folder's modification
    time (a file added, removed or renamed) or a sampled file's time or size. The check runs
    on every edit of the design while the Train page shows, and listing a folder of 100,000
    images takes about 80 ms.
    """
    name = f"the image folder {folder!r}"
    if not folder or not os.path.isdir(path):
        return DatasetFacts(None, None, name)
    classes = _class_folders(path)
    if not classes:
        return DatasetFacts(None, None, name, errors=(_no_classes(folder),))
    looks = (folder, tuple((c, _stamp(os.path.join(path, c))) for c in classes))
    kept = _READ.get(path)
    if kept is not None and kept[0] == looks and all(_stamp(f) == t for f, t in kept[2]):
        return kept[1]
    facts, sampled = _read_folder(path, folder, classes)
    if len(_READ) >= _READ_KEEP and path not in _READ:
        _READ.pop(next(iter(_READ)))
    _READ[path] = (looks, facts, tuple((f, _stamp(f)) for f in sampled))
    return facts


#: Image folders read lately: path -> (their class folders' stamps, facts, sampled files'
#: stamps).
_READ: dict[str, tuple[tuple, DatasetFacts, tuple]] = {}
_READ_KEEP = 8


def _stamp(path: str) -> tuple[int, int] | None:
    """`(modification time, size)` of a file or folder; None when it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _read_folder(path: str, folder: str, classes: list[str]) -> tuple[DatasetFacts, list[str]]:
    """The facts of an image folder with `classes`, and the files whose headers were read."""
    name = f"the image folder {folder!r}"
    firsts = {c: _first_image(os.path.join(path, c)) for c in classes}
    empty = [c for c in classes if firsts[c] is None]
    errors = [_no_images(folder, empty)] if empty else []
    with_images = [c for c in classes if firsts[c] is not None]
    step = max(len(with_images) / SAMPLE_FILES, 1)
    picked = [with_images[int(i * step)] for i in range(min(SAMPLE_FILES, len(with_images)))]
    sampled = [os.path.join(path, cls, firsts[cls]) for cls in picked]
    headers = {}
    sizes_read = []
    for cls, file in zip(picked, sampled):
        shown = f"{cls}/{firsts[cls]}"
        try:
            headers[shown] = read_image_header(file)
            sizes_read.append(os.path.getsize(file))
        except ImageHeaderError as err:
            errors.append(_unreadable(folder, shown, str(err)))
        except OSError as err:
            errors.append(_unreadable(folder, shown, f"cannot be read ({err.strerror})"))
    count = len(classes)
    classes_text = f"{count} class{'es' * (count != 1)}"
    if not headers:
        return DatasetFacts(None, count, f"{name} ({classes_text})", errors=tuple(errors)), sampled
    # As the job converts it: colour when any image is (gray ones then read as RGB).
    channels = 1 if all(h.gray for h in headers.values()) else 3
    sizes = {(h.height, h.width) for h in headers.values()}
    shape = (*next(iter(sizes)), channels) if len(sizes) == 1 else None
    warnings = [] if len({h.gray for h in headers.values()}) == 1 else [_mixed(folder, headers)]
    images = f"{_images(shape, sizes, channels)} in {', '.join(headers)}"
    facts = DatasetFacts(
        channels,
        count,
        f"{name} ({classes_text}, {images})",
        shape,
        tuple(errors),
        tuple(warnings),
        # The job's records keep the PNG and JPEG files' bytes as they are.
        record_bytes=sum(sizes_read) // len(sizes_read) + RECORD_OVERHEAD,
        images=images,
    )
    return facts, sampled


def _mean_record_bytes(path: str, split: dict) -> int:
    """Bytes per record of a written split: its files' size over its records (0: unknown)."""
    try:
        total = sum(os.path.getsize(os.path.join(path, name)) for name in split["files"])
        return -(-total // max(int(split["num_samples"]), 1))  # Rounded up.
    except (OSError, KeyError, TypeError, ValueError):
        return 0


def _class_folders(path: str) -> list[str]:
    try:
        names = os.listdir(path)
    except OSError:
        return []
    return sorted(n for n in names if not n.startswith(".") and os.path.isdir(f"{path}/{n}"))


def _first_image(class_path: str) -> str | None:
    """The first image file of a class folder in sorted order (None: it has none)."""
    try:
        names = sorted(os.listdir(class_path))
    except OSError:
        return None
    for name in names:
        if name.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(f"{class_path}/{name}"):
            return name
    return None


def _images(shape, sizes: set[tuple[int, int]], channels: int) -> str:
    """`28x28x1`, or `1 channel, 28x28 to 64x48` for sizes that differ."""
    if shape is not None:
        return "x".join(str(d) for d in shape)
    low, high = min(sizes), max(sizes)
    return f"{channels} channel{'s' * (channels != 1)}, {low[0]}x{low[1]} to {high[0]}x{high[1]}"


def _no_classes(folder: str) -> Problem:
    return Problem(
        path="dataset.folder",
        message=(
            f"The image folder {folder!r} has no class sub-folders: it must hold one "
            f"sub-folder of PNG or JPEG images per class, e.g. {folder}/cat/001.png and "
            f"{folder}/dog/001.jpg; {_FAILS}."
        ),
        value=folder,
        expected="one sub-folder of images per class",
    )


def _no_images(folder: str, empty: list[str]) -> Problem:
    names = ", ".join(repr(f"{folder}/{c}") for c in empty)
    many = len(empty) > 1
    return Problem(
        path="dataset.folder",
        message=(
            f"The class folder{'s' * many} {names} ha{'ve' if many else 's'} no images (files "
            f"ending in {', '.join(IMAGE_EXTENSIONS)}): add images or remove the "
            f"folder{'s' * many}; {_FAILS}."
        ),
        value=folder,
        expected="at least one image in every class folder",
    )


def _unreadable(folder: str, shown: str, reason: str) -> Problem:
    return Problem(
        path="dataset.folder",
        message=(f"The image {folder}/{shown} {reason}: {_FAILS}. Replace or remove the file."),
        value=f"{folder}/{shown}",
        expected="a whole PNG or JPEG image",
    )


def _mixed(folder: str, headers: dict[str, ImageHeader]) -> Problem:
    gray = [n for n, h in headers.items() if h.gray]
    colour = [n for n, h in headers.items() if not h.gray]
    return Problem(
        path="dataset.folder",
        message=(
            f"The image folder {folder!r} mixes gray and colour images: {', '.join(gray)} "
            f"{'is' if len(gray) == 1 else 'are'} gray, {', '.join(colour)} colour. The job "
            "reads every image as colour (3 channels), the gray ones converted to RGB; make "
            "them all gray or all colour if that is not what you want."
        ),
        value=folder,
        expected="images that are all gray or all colour",
    )
