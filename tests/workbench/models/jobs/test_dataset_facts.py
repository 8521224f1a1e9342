"""`dataset_facts` of an image folder: channels and size from a few files' headers, and a
folder the job would fail on (no class folders, a class without images, a broken file) found
before Start, with the Train page's check and fixes built on them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.workbench.models.jobs.test_image_header import HEIGHT, WIDTH, encoded
from workbench.models.design import template
from workbench.models.editor import DesignEditor
from workbench.models.jobs import ConfigError
from workbench.models.jobs.dataset_facts import (
    DIGITS_RECORD_BYTES,
    IMAGE_EXTENSIONS,
    RECORD_OVERHEAD,
    SAMPLE_FILES,
    dataset_facts,
)
from workbench.models.jobs.design_fit import apply_fix, design_fit
from workbench.models.session import WorkbenchSession


def folder(root, files: dict[str, bytes]) -> str:
    """Writes `{"cats/1.png": bytes, ...}` under `root/photos`; returns `"photos"`."""
    for name, data in files.items():
        path = root / "photos" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return "photos"


def facts_of(root, files: dict[str, bytes]):
    return dataset_facts("image_folder", folder(root, files), str(root))


GRAY_PNG = encoded("L", "PNG")
RGB_JPEG = encoded("RGB", "JPEG")


def test_a_gray_png_folder_is_one_channel_read_from_the_first_file_of_each_class(tmp_path):
    facts = facts_of(
        tmp_path,
        {"cats/1.png": GRAY_PNG, "cats/2.png": b"never read", "dogs/a.png": GRAY_PNG},
    )
    assert (facts.channels, facts.num_classes, facts.image_shape) == (1, 2, (5, 7, 1))
    assert (
        facts.described == "the image folder 'photos' (2 classes, 5x7x1 in cats/1.png, dogs/a.png)"
    )
    assert facts.errors == facts.warnings == ()
    # The shuffle buffer holds the files' bytes in records (`step_memory`).
    assert facts.record_bytes == len(GRAY_PNG) + RECORD_OVERHEAD


def test_an_rgb_jpeg_folder_is_three_channels(tmp_path):
    facts = facts_of(tmp_path, {"a/x.jpg": RGB_JPEG, "b/y.JPEG": RGB_JPEG, "b/notes.txt": b""})
    assert (facts.channels, facts.image_shape) == (3, (HEIGHT, WIDTH, 3))
    assert facts.described.endswith("(2 classes, 5x7x3 in a/x.jpg, b/y.JPEG)")


def test_only_a_few_files_spread_over_the_classes_are_read(tmp_path):
    # 6 classes, 4 files read: classes 0, 1, 3 and 4 (every 1.5th). The others are no
    # images at all: reading them would fail.
    files = {f"c{i}/1.png": GRAY_PNG if i in (0, 1, 3, 4) else b"junk" for i in range(6)}
    facts = facts_of(tmp_path, files)
    assert SAMPLE_FILES == 4
    assert facts.described.endswith("in c0/1.png, c1/1.png, c3/1.png, c4/1.png)")
    assert facts.errors == ()


def test_images_of_different_sizes_give_their_range(tmp_path):
    buffer = io.BytesIO()
    Image.new("L", (9, 8)).save(buffer, "PNG")  # 8 rows, 9 columns.
    facts = facts_of(tmp_path, {"a/1.png": GRAY_PNG, "b/1.png": buffer.getvalue()})
    assert (facts.channels, facts.image_shape) == (1, None)
    assert "(2 classes, 1 channel, 5x7 to 8x9 in a/1.png, b/1.png)" in facts.described


def test_a_folder_mixing_gray_and_colour_is_read_as_colour_with_a_warning(tmp_path):
    facts = facts_of(tmp_path, {"a/1.png": GRAY_PNG, "b/1.jpg": RGB_JPEG, "c/1.png": GRAY_PNG})
    assert (facts.channels, facts.errors) == (3, ())
    [warning] = facts.warnings
    assert warning.message == (
        "The image folder 'photos' mixes gray and colour images: a/1.png, c/1.png are gray, "
        "b/1.jpg colour. The job reads every image as colour (3 channels), the gray ones "
        "converted to RGB; make them all gray or all colour if that is not what you want."
    )
    # A warning, first: Start is not refused for it. A 3-channel input fits; 10 logits do not.
    warned, logits = design_fit(_rgb_lenet(), facts)
    assert (warned.problem, warned.blocking, warned.fix) == (warning, False, "")
    assert (logits.field, logits.value) == ("num_outputs", 3)


def test_the_channels_match_what_the_jobs_conversion_writes(tmp_path):
    import slimlib as slim

    cases = {
        "gray": {"a/1.png": GRAY_PNG, "b/1.png": encoded("LA", "PNG")},
        "colour": {"a/1.png": encoded("RGBA", "PNG"), "b/1.jpg": RGB_JPEG},
        "mixed": {"a/1.png": GRAY_PNG, "b/1.jpg": RGB_JPEG},
    }
    for name, files in cases.items():
        root = tmp_path / name
        facts = facts_of(root, files)
        slim.data.writer.write_image_folder(root / "photos", root / "records")
        written = slim.data.writer.read_info(str(root / "records"))["splits"]["train"]
        assert facts.channels == written["channels"], name
    assert slim._src.data.writer.IMAGE_EXTENSIONS == IMAGE_EXTENSIONS


def test_a_folder_without_class_folders_is_an_error(tmp_path):
    facts = facts_of(tmp_path, {"1.png": GRAY_PNG})
    [error] = facts.errors
    assert error.path == "dataset.folder"
    assert error.message == (
        "The image folder 'photos' has no class sub-folders: it must hold one sub-folder of "
        "PNG or JPEG images per class, e.g. photos/cat/001.png and photos/dog/001.jpg; the "
        "job would fail when it converts the folder."
    )


def test_class_folders_without_images_are_an_error(tmp_path):
    facts = facts_of(tmp_path, {"cats/1.png": GRAY_PNG, "dogs/a.txt": b"", "owls/b.gif": b""})
    [error] = facts.errors
    assert error.message == (
        "The class folders 'photos/dogs', 'photos/owls' have no images (files ending in "
        ".png, .jpg, .jpeg): add images or remove the folders; the job would fail when it "
        "converts the folder."
    )
    # What the files read say still counts.
    assert (facts.channels, facts.num_classes) == (1, 3)
    one = facts_of(tmp_path / "one", {"cats/1.png": GRAY_PNG, "dogs/a.txt": b""})
    assert one.errors[0].message.startswith("The class folder 'photos/dogs' has no images")


def test_a_broken_image_is_an_error_naming_the_file(tmp_path):
    facts = facts_of(tmp_path, {"cats/1.png": GRAY_PNG[:-2], "dogs/1.jpg": b"not an image"})
    assert [e.message for e in facts.errors] == [
        "The image photos/cats/1.png is a PNG cut short: its IEND chunk is missing "
        f"({len(GRAY_PNG) - 2} bytes): the job would fail when it converts the folder. "
        "Replace or remove the file.",
        "The image photos/dogs/1.jpg is neither PNG nor JPEG: it starts with bytes 6e 6f 74 "
        "20 61 6e 20 69, where a PNG starts with 89 50 4e 47 0d 0a 1a 0a and a JPEG with ff "
        "d8: the job would fail when it converts the folder. Replace or remove the file.",
    ]
    assert (facts.channels, facts.num_classes) == (None, 2)
    assert facts.described == "the image folder 'photos' (2 classes)"


def test_a_folder_not_there_or_not_chosen_is_left_to_the_configs_checks(tmp_path):
    for name in ("", "missing"):
        facts = dataset_facts("image_folder", name, str(tmp_path))
        assert (facts.channels, facts.num_classes, facts.errors) == (None, None, ())


def _rgb_lenet() -> dict:
    design = template("lenet")
    return {**design, "input": {**design["input"], "shape": [28, 28, 3]}}


@pytest.mark.parametrize(
    ("files", "design", "fix"),
    [
        ({"a/1.png": GRAY_PNG}, "cifarnet", "Set the design's input to 32x32x1"),
        ({"a/1.jpg": RGB_JPEG}, "lenet", "Set the design's input to 28x28x3"),
    ],
)
def test_a_design_whose_channels_differ_from_the_folders_is_fixed_in_one_click(
    tmp_path, files, design, fix
):
    facts = facts_of(tmp_path, files)
    mismatches = [m for m in design_fit(template(design), facts) if m.field == "input"]
    [mismatch] = mismatches
    assert mismatch.fix == fix
    assert f"but the image folder 'photos' (1 class, 5x7x{facts.channels} in " in (
        mismatch.problem.message
    )
    editor = DesignEditor(template(design))
    apply_fix(editor, mismatch)
    assert editor.design["input"]["shape"][-1] == facts.channels
    assert [m for m in design_fit(editor.design, facts) if m.field == "input"] == []


def test_start_is_refused_on_a_broken_folder_before_the_job_is_made(tmp_path):
    folder(tmp_path, {"cats/1.png": GRAY_PNG, "dogs/1.png": b""})
    session = WorkbenchSession(workspace=str(tmp_path))
    session.settings.param.update(dataset="image_folder", folder="photos")
    with pytest.raises(ConfigError, match=r"The image photos/dogs/1.png is empty \(0 bytes\)"):
        session.start_training()
    assert not (tmp_path / "jobs").exists()
    # A slimlib net is checked against the folder too.
    session.train_design = False
    with pytest.raises(ConfigError, match="is empty"):
        session.start_training()


def test_a_folder_is_read_again_only_when_it_changed(tmp_path, monkeypatch):
    import workbench.models.jobs.dataset_facts as module

    reads = []
    real = module.read_image_header
    monkeypatch.setattr(module, "read_image_header", lambda path: reads.append(path) or real(path))
    files = {"cats/1.png": GRAY_PNG, "dogs/1.png": GRAY_PNG}
    first = facts_of(tmp_path, files)
    assert len(reads) == 2
    assert dataset_facts("image_folder", "photos", str(tmp_path)) == first
    assert len(reads) == 2  # Nothing changed: nothing read.
    # A sampled file rewritten in place (its folder's time may stay): read again.
    (tmp_path / "photos" / "dogs" / "1.png").write_bytes(RGB_JPEG)
    assert dataset_facts("image_folder", "photos", str(tmp_path)).channels == 3
    assert len(reads) == 4
    # A file that comes first in a class: read again.
    (tmp_path / "photos" / "cats" / "0.png").write_bytes(b"")
    facts = dataset_facts("image_folder", "photos", str(tmp_path))
    assert facts.errors[0].message.startswith("The image photos/cats/0.png is empty")


def test_the_digits_record_size_is_that_of_their_written_records(tmp_path):
    import slimlib as slim

    folder = slim.datasets.digits.convert(tmp_path / "digits")
    facts = dataset_facts("tfrecord", "digits", str(tmp_path))
    assert facts.record_bytes == dataset_facts("digits").record_bytes == DIGITS_RECORD_BYTES
    assert folder == str(tmp_path / "digits")
