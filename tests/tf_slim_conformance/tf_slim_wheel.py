"""Fetching TF-Slim 1.1.0's wheel (cached, checksum-checked) and extracting its test files.

Only the `*_test.py` files leave the wheel, into a folder the caller chooses (a temporary
one, never the repository); TF-Slim itself is never installed or extracted.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL_REQUIREMENT = "tf-slim==1.1.0"
WHEEL_NAME = "tf_slim-1.1.0-py2.py3-none-any.whl"
# The SHA-256 PyPI publishes for that file.
WHEEL_SHA256 = "fa2bab63b3925bd42601102e7f178dce997f525742596bf404fa8a6918e146ff"


class WheelError(RuntimeError):
    """The wheel could not be downloaded, or is not the file it should be."""


def cache_dir() -> Path:
    """`$SLIM_WORKBENCH_CACHE`, else `$XDG_CACHE_HOME/slim-workbench`, else ~/.cache/..."""
    if os.environ.get("SLIM_WORKBENCH_CACHE"):
        return Path(os.environ["SLIM_WORKBENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "slim-workbench"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_wheel(path: Path, expected_sha256: str = WHEEL_SHA256) -> None:
    """Raises WheelError unless `path`'s SHA-256 is `expected_sha256`."""
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise WheelError(
            f"{path} has SHA-256 {actual}, expected {expected_sha256} "
            f"(the {WHEEL_REQUIREMENT} wheel on PyPI); delete it to download it again"
        )


def download_wheel(destination: Path) -> Path:
    """`pip download --no-deps` of the wheel into `destination`; returns the file's path."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--disable-pip-version-check", "-q", "-d", str(destination), WHEEL_REQUIREMENT]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    wheel = destination / WHEEL_NAME
    if done.returncode != 0 or not wheel.is_file():
        raise WheelError(
            f"`{' '.join(command)}` failed (exit {done.returncode}); the conformance run "
            f"needs PyPI or a copy of {WHEEL_NAME} in {cache_dir()}:\n{done.stderr[-2000:]}"
        )
    return wheel


def cached_wheel() -> Path:
    """The checked wheel in the cache folder, downloaded there first if it is missing."""
    cached = cache_dir() / WHEEL_NAME
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="tf-slim-wheel-") as download:
            wheel = download_wheel(Path(download))
            check_wheel(wheel)
            # Copy then rename, so that a parallel run never sees half a file.
            partial = cached.with_suffix(f".{os.getpid()}.part")
            shutil.copyfile(wheel, partial)
            os.replace(partial, cached)
    check_wheel(cached)
    return cached


def extract_test_files(wheel: Path, destination: Path) -> list[Path]:
    """Writes the wheel's `tf_slim/**/*_test.py` under `destination` (the `tf_slim/` prefix
    dropped: `ops/arg_scope_test.py`); returns their paths, sorted."""
    written = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            parts = Path(name).parts
            if parts[0] != "tf_slim" or not name.endswith("_test.py") or ".." in parts:
                continue
            target = destination.joinpath(*parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
            written.append(target)
    return sorted(written)
