"""The workspace folder: atomic saves, history, and names that cannot leave the folder."""

from __future__ import annotations

import doctest
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench.models.design import DesignError, Workspace, workspace
from workbench.models.design.spec import layer, new_design

ROOT = Path(__file__).resolve().parents[4]


def _design(units: int = 2, name: str = "mlp") -> dict:
    return new_design(name, [4], [layer("fully_connected", "fc", num_outputs=units)])


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "designs")


def _leftovers(ws: Workspace) -> list[str]:
    return sorted(p.name for p in Path(ws.root).rglob("*.tmp"))


def test_save_load_and_history(ws):
    assert ws.names == [] and ws.history("mlp") == []
    assert ws.save("mlp", _design(2)) == 1
    assert ws.save("mlp", _design(3)) == 2
    assert ws.names == ["mlp"]
    assert ws.load("mlp") == _design(3)
    assert ws.history("mlp") == [1, 2]
    assert ws.load_version("mlp", 1) == _design(2)
    root = Path(ws.root)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.json")) == [
        ".history/mlp/001.json",
        ".history/mlp/002.json",
        "mlp.json",
    ]
    assert json.loads((root / "mlp.json").read_text()) == _design(3)
    assert _leftovers(ws) == []


def test_a_file_changed_outside_is_kept_before_it_is_replaced(ws):
    ws.save("mlp", _design(2))
    Path(ws.path("mlp")).write_text(json.dumps(_design(7)))
    assert ws.save("mlp", _design(3)) == 3
    assert [ws.load_version("mlp", v)["blocks"][0]["args"]["num_outputs"] for v in (1, 2, 3)] == [
        2,
        7,
        3,
    ]


def test_delete_keeps_the_history(ws):
    ws.save("a", _design())
    ws.save("b", _design())
    ws.delete("a")
    assert ws.names == ["b"]
    assert ws.load_version("a", 1) == _design()


def test_names_param_follows_the_folder(ws):
    seen = []
    ws.param.watch(lambda event: seen.append(event.new), "names")
    ws.save("x", _design())
    Path(ws.root, "y.json").write_text(json.dumps(_design()))
    Path(ws.root, ".z.json.123.tmp").write_text("partial")
    assert ws.refresh() == ["x", "y"]
    assert seen == [["x"], ["x", "y"]]


def test_a_write_that_fails_midway_leaves_the_old_design(ws, monkeypatch):
    ws.save("mlp", _design(2))
    real_replace = os.replace
    target = str(ws.path("mlp"))

    def fail_on_the_design(src, dst):
        if os.fspath(dst) == target:  # The history copy went through; now the design itself.
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_the_design)
    with pytest.raises(OSError, match="disk full"):
        ws.save("mlp", _design(3))
    assert ws.load("mlp") == _design(2)
    assert _leftovers(ws) == []


def test_a_process_killed_midway_leaves_the_old_design(ws):
    ws.save("big", _design(2))
    # The child writes a large design, then dies before the rename with no chance to clean up.
    script = textwrap.dedent(
        f"""
        import os, signal
        from workbench.models.design import workspace
        from workbench.models.design.spec import layer, new_design

        real_replace = os.replace

        def die_before_the_rename(src, dst):
            if str(dst).endswith("big.json"):  # The new design is written but not in place.
                os.kill(os.getpid(), signal.SIGKILL)
            real_replace(src, dst)

        os.replace = die_before_the_rename
        blocks = [layer("fully_connected", f"fc{{i}}", num_outputs=8) for i in range(2000)]
        workspace.Workspace({ws.root!r}).save("big", new_design("big", [4], blocks))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=300
    )
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()[-2000:]
    assert ws.load("big") == _design(2)
    assert ws.refresh() == ["big"]  # The orphaned temporary file is not a design.


@pytest.mark.parametrize(
    "name",
    [
        "../escape",
        "a/b",
        "a\\b",
        "/etc/passwd",
        "",
        ".hidden",
        "..",
        "a..b",
        "trailing.",
        "x" * 101,
        "mlp.json",
    ],
    ids=[
        "dotdot",
        "slash",
        "backslash",
        "absolute",
        "empty",
        "hidden",
        "parent",
        "inner-dots",
        "trailing-dot",
        "long",
        "suffix",
    ],
)
def test_names_that_could_leave_the_folder_are_refused(ws, name):
    with pytest.raises(
        ValueError, match=r"Workspace.save: `name` must be a design name of 1 to 100"
    ):
        ws.save(name, _design())
    with pytest.raises(ValueError, match=r"Workspace.load: `name` must be a design name"):
        ws.load(name)
    assert list(Path(ws.root).iterdir()) == []


def test_the_suffix_gets_a_hint(ws):
    with pytest.raises(
        ValueError, match=r"got 'mlp.json'. Leave out '.json': the workspace adds it."
    ):
        ws.save("mlp.json", _design())


def test_a_name_must_be_a_str(ws):
    with pytest.raises(TypeError, match=r"Workspace.history: `name` must be a str, got 3 \(int\)"):
        ws.history(3)


def test_symlinks_leading_outside_are_refused(ws, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(_design(5)))
    os.symlink(outside, Path(ws.root) / "evil.json")
    with pytest.raises(
        ValueError,
        match=r"`name` must lead to a file inside the workspace .* got 'evil', which leads to .*outside.json",
    ):
        ws.load("evil")
    with pytest.raises(ValueError, match=r"got 'evil', which leads to"):
        ws.save("evil", _design(1))
    assert json.loads(outside.read_text()) == _design(5)


def test_a_history_folder_leading_outside_is_refused(ws, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, Path(ws.root) / ".history")
    with pytest.raises(ValueError, match=r"got 'mlp', which leads to .*elsewhere"):
        ws.save("mlp", _design())
    assert list(elsewhere.iterdir()) == []
    assert not Path(ws.path("mlp")).exists()


def test_missing_designs_and_versions(ws):
    ws.save("mlp", _design())
    with pytest.raises(
        FileNotFoundError,
        match=r"Workspace.load: `name` must be a saved design \(mlp\), got 'mpl'. Did you mean 'mlp'\?",
    ):
        ws.load("mpl")
    with pytest.raises(FileNotFoundError, match=r"`version` must be one of \[1\] for 'mlp', got 4"):
        ws.load_version("mlp", 4)
    with pytest.raises(TypeError, match=r"`version` must be an int, got '1'"):
        ws.load_version("mlp", "1")
    with pytest.raises(FileNotFoundError, match=r"Workspace.delete: `name` must be a saved design"):
        ws.delete("other")


@pytest.mark.parametrize(
    "design, match",
    [
        ({"blocks": []}, r"(?s)migrate: .* `format` must be 'slim-workbench-design', got None"),
        ({**_design(), "x": float("nan")}, r"(?s)dumps: .* cannot be written as JSON"),
    ],
    ids=["not-a-design", "nan"],
)
def test_save_refuses_what_is_not_a_design(ws, design, match):
    with pytest.raises(DesignError, match=match):
        ws.save("bad", design)
    assert ws.names == []


def test_a_file_that_is_not_a_design_fails_to_load(ws):
    Path(ws.root, "junk.json").write_text("{not json")
    with pytest.raises(DesignError, match=r"(?s)loads: .* not valid JSON"):
        ws.load("junk")


def test_root_errors(tmp_path):
    file = tmp_path / "file"
    file.write_text("")
    with pytest.raises(NotADirectoryError, match=r"Workspace: `root` must be a folder, got .*file"):
        Workspace(file)
    with pytest.raises(FileNotFoundError, match=r"`root` must be an existing folder"):
        Workspace(tmp_path / "missing", create=False)
    with pytest.raises(TypeError, match=r"`root` must be a folder path, got 3"):
        Workspace(3)


def test_doctests():
    assert doctest.testmod(workspace).failed == 0


_SAVER = textwrap.dedent(
    """
    import sys
    from workbench.models.design import Workspace
    from workbench.models.design.spec import layer, new_design
    root, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ws = Workspace(root)
    with open(sys.argv[4]) as gate:  # Both writers start once the gate file has a line.
        while not gate.readline():
            pass
    for i in range(count):
        units = 1000 * int(writer) + i + 1
        ws.save("shared", new_design("shared", [4], [layer("fully_connected", "fc",
                                                           num_outputs=units)]))
    """
)


def test_two_processes_saving_one_design_keep_every_version(ws, tmp_path):
    count = 60
    gate = tmp_path / "gate"
    gate.write_text("")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, ws.root, str(w), str(count), str(gate)], env=env
        )
        for w in (1, 2)
    ]
    gate.write_text("go\n")
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    assert ws.history("shared") == list(range(1, 2 * count + 1))
    saved = sorted(
        ws.load_version("shared", v)["blocks"][0]["args"]["num_outputs"]
        for v in ws.history("shared")
    )
    assert saved == sorted(
        [1000 + i + 1 for i in range(count)] + [2000 + i + 1 for i in range(count)]
    )
    last = ws.load_version("shared", 2 * count)
    assert ws.load("shared") == last  # The current file is the last version.
