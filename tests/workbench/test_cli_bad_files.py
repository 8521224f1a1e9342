"""`slim-workbench` given a file that is not what it should be: a folder, binary bytes, JSON
nested beyond reason, or an endless stream. Each exits 2 naming the file and what is wrong,
never with a traceback, and reads no more than its limit."""

from __future__ import annotations

import os
import re

import pytest

from workbench.cli import EXIT_INVALID, main
from workbench.cli.errors import MAX_JSON_BYTES


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00 not text")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "a folder").mkdir()
    return folder


def _run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "command", [["train"], ["sweep", "define"]], ids=["train-config", "sweep-spec"]
)
@pytest.mark.parametrize(
    "name, match",
    [
        ("a folder", r"cannot read '.*a folder': Is a directory"),
        ("binary.json", r"'.*binary.json' is not UTF-8 text"),
        ("deep.json", r"'.*deep.json' nests JSON arrays and objects too deeply"),
    ],
    ids=["folder", "binary", "deep"],
)
def test_a_bad_json_file_exits_2_naming_it(bad, capsys, tmp_path, command, name, match):
    code, err = _run(capsys, "--workspace", str(tmp_path), *command, str(bad / name))
    assert code == EXIT_INVALID
    assert "Traceback" not in err
    assert re.search(match, err), err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_json_file_is_read_only_up_to_its_limit(capsys, tmp_path):
    code, err = _run(capsys, "--workspace", str(tmp_path), "train", "/dev/zero")
    assert code == EXIT_INVALID
    assert f"'/dev/zero' must be at most {MAX_JSON_BYTES:,} bytes, got more" in err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_design_file_is_read_only_up_to_its_limit(capsys):
    code, err = _run(capsys, "codegen", "/dev/zero")
    assert code == EXIT_INVALID
    assert "'/dev/zero' must be at most 4,194,304 bytes, got more" in err


def test_a_design_that_is_a_folder_exits_2(bad, capsys):
    code, err = _run(capsys, "codegen", str(bad / "a folder"))
    assert code == EXIT_INVALID and "Is a directory" in err
