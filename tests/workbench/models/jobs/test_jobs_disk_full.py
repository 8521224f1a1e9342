"""A full disk during training: a 2 MB tmpfs as the workspace (mounting needs root; the
test is skipped otherwise), and a simulated ENOSPC for the status file."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.models.jobs import disk_full, status_file

ROOT = Path(__file__).resolve().parents[4]
CONFIG = {
    "name": "full",
    "model": {"net": "lenet"},
    "dataset": {"kind": "digits", "resize": [28, 28]},
    "train": {"steps": 20, "log_every_n_steps": 5, "batch_size": 16},
    "device": "cpu",
}


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _cli(*args, timeout=300):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def test_training_on_a_full_disk_fails_in_one_line_and_listing_writes_nothing(small_disk, tmp_path):
    config = tmp_path / "full.json"
    config.write_text(json.dumps(CONFIG))
    result = _cli("--workspace", str(small_disk), "train", str(config), "--logdir", "jobs/full")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    logdir = small_disk / "jobs" / "full"
    status_path = logdir / "status.json"
    status = json.loads(status_path.read_text())
    assert status["state"] == "failed"
    assert status["error"].startswith("disk full: could not write "), status["error"]
    assert " free on that disk); free some space and resume the job." in status["error"]
    assert "\n" not in status["error"]
    summary = json.loads(result.stdout)
    assert summary["state"] == "failed" and summary["error"] == status["error"]
    leftovers = [n for n in os.listdir(logdir) if n.endswith("_temp") or ".tmp" in n]
    assert leftovers == []

    before = (status_path.read_bytes(), status_path.stat().st_mtime_ns)
    listing = _cli("--workspace", str(small_disk), "jobs", timeout=120)
    assert listing.returncode == 0, listing.stderr[-3000:]
    assert "failed" in listing.stdout
    assert (status_path.read_bytes(), status_path.stat().st_mtime_ns) == before


def test_a_status_update_on_a_full_disk_rewrites_the_file_in_place(tmp_path, monkeypatch):
    status = status_file.StatusFile(str(tmp_path))
    status.update(state="running", step=5)

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(status_file, "atomic_write", full)
    status.update(state="failed", error="disk full")
    stored = json.loads((tmp_path / "status.json").read_text())
    assert (stored["state"], stored["step"], stored["error"]) == ("failed", 5, "disk full")


def test_disk_full_message_names_the_path_and_the_free_space(tmp_path):
    err = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "metrics.jsonl"))
    assert disk_full.is_disk_full(err)
    message = disk_full.disk_full_message(err, str(tmp_path))
    assert message.startswith(f"disk full: could not write {tmp_path / 'metrics.jsonl'} (")
    assert "free on that disk" in message
    wrapped = RuntimeError("Failed to save: No space left on device")
    assert disk_full.is_disk_full(wrapped)
    assert f"could not write {tmp_path} (" in disk_full.disk_full_message(wrapped, str(tmp_path))
    assert not disk_full.is_disk_full(OSError(errno.EACCES, "Permission denied"))


def test_remove_temporary_files_keeps_the_checkpoints(tmp_path):
    for name in ("model.ckpt-5_temp", "model.ckpt-5.index", ".status.json.ab12.tmp"):
        (tmp_path / name).mkdir() if name.endswith("_temp") else (tmp_path / name).write_text("")
    (tmp_path / ("checkpoint.tmp" + "0" * 32)).write_text("")
    removed = disk_full.remove_temporary_files(str(tmp_path))
    assert removed == sorted([".status.json.ab12.tmp", "checkpoint.tmp" + "0" * 32,
                              "model.ckpt-5_temp"])  # fmt: skip
    assert os.listdir(tmp_path) == ["model.ckpt-5.index"]
