"""slim.data.writer: a dataset_info.json that is malformed, or names files outside its folder,
gets a clear error (the file, what was wrong, what is expected) before anything is read."""

import json

import numpy as np
import pytest

from slimlib.data import writer


@pytest.fixture
def folder(tmp_path):
    writer.write_arrays(np.zeros((4, 2, 2, 1), np.uint8), np.array([0, 1, 0, 1]), tmp_path, "train")
    return tmp_path


def _entry(**changes):
    entry = {"num_samples": 4, "files": ["train_00000-of-00001.tfrecord"], "channels": 1}
    entry.update(changes)
    return {key: value for key, value in entry.items() if value is not ...}


@pytest.mark.parametrize(
    "text, match",
    [
        ("{oops", r"must be JSON written by slim.data.writer, got invalid JSON \(.*line 1"),
        ("[1, 2]", r"must hold a JSON object, got list"),
        (
            json.dumps({"format_version": 1, "splits": "train"}),
            r"`splits` must be an object of split name -> split, got 'train'",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": 3}}),
            r"split 'train' must be an object with 'files', 'num_samples' and 'channels', got 3",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(files=...)}}),
            r"split 'train' must have 'files', got the keys \['channels', 'num_samples'\]",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(files=["/etc/passwd"])}}),
            r"'files' of split 'train' must be file names inside the folder, got '/etc/passwd'",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(files=["../x.tfrecord"])}}),
            r"must be file names inside the folder, got '../x.tfrecord'",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(files=[".."])}}),
            r"must be file names inside the folder, got '..'",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(num_samples=-1)}}),
            r"'num_samples' of split 'train' must be an int >= 0, got -1",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(channels="3")}}),
            r"'channels' of split 'train' must be 1 or 3, got '3'",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(image_shape=[2, 0, 1])}}),
            r"'image_shape' of split 'train' must be null or \[height, width, channels\] "
            r"\(ints >= 1\), got \[2, 0, 1\]",
        ),
        (
            json.dumps({"format_version": 1, "splits": {"train": _entry(num_classes=1.5)}}),
            r"'num_classes' of split 'train' must be null or an int >= 1, got 1.5",
        ),
    ],
    ids=[
        "bad-json",
        "not-object",
        "splits-not-object",
        "split-not-object",
        "no-files",
        "absolute-file",
        "parent-file",
        "dot-dot",
        "negative-samples",
        "channels-str",
        "zero-side",
        "float-classes",
    ],
)
def test_a_malformed_dataset_info_is_named_with_what_is_expected(folder, text, match):
    (folder / writer.INFO_FILENAME).write_text(text)
    with pytest.raises(ValueError, match=r"dataset_info.json.*" + match):
        writer.get_split("train", folder)
    with pytest.raises(ValueError, match=match):
        writer.read_info(str(folder))


def test_a_well_formed_dataset_info_still_reads(folder):
    info = writer.read_info(str(folder))
    assert info["splits"]["train"]["num_samples"] == 4
    assert writer.get_split("train", folder).num_samples == 4
