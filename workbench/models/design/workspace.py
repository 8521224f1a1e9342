"""A folder of designs: atomic saves, every earlier version kept, nothing outside touched.

Layout of a workspace folder::

    NAME.json                 the current version of the design NAME
    .history/NAME/001.json    every version saved, oldest first (the last is the current)

Saves of one name take turns (an exclusive `flock` on `.history/NAME/.lock`), so two
processes saving the same design keep every version, numbered in the order saved. A save
writes a temporary file in the same folder, flushes it to disk (`fsync`) and
renames it over the old file (`os.replace`, atomic on POSIX and Windows), so a crash or
an error in the middle of a save leaves the previous version whole. Names are checked
before any file is opened: no path separators, no leading dot, no `..`, and no symlink
leading out of the folder, so a name typed in the app never reads or writes elsewhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import param

from workbench.models.design import spec
from workbench.problems import atomic_write, did_you_mean

HISTORY = ".history"
SUFFIX = ".json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]{0,99}")
_NAME_RULE = (
    "a design name of 1 to 100 letters, digits, spaces, '_', '.' or '-', starting with a "
    "letter or digit, not ending with '.', a space or '.json' (no '/', '\\' or '..')"
)
_VERSION_FILE = re.compile(r"(\d+)\.json")
_LOCK_FILE = ".lock"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Holds an exclusive lock (`flock`) on `path` (created if missing) for a while."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Workspace(param.Parameterized):
    """The designs saved in one folder, by name.

    Example:
      >>> import tempfile
      >>> from workbench.models.design.spec import layer, new_design
      >>> ws = Workspace(tempfile.mkdtemp())
      >>> ws.save("mlp", new_design("mlp", [4], [layer("fully_connected", num_outputs=2)]))
      1
      >>> ws.names, ws.history("mlp"), ws.load("mlp")["name"]
      (['mlp'], [1], 'mlp')
    """

    root = param.String(default="", constant=True, doc="Absolute path of the workspace folder.")
    names = param.List(
        default=[],
        item_type=str,
        constant=True,
        doc="Names of the saved designs, sorted; updated by `save`, `delete` and `refresh`.",
    )

    def __init__(self, root: str | os.PathLike, *, create: bool = True, **params: Any):
        """Opens the workspace folder `root`.

        Args:
          root: The folder; its real path (symlinks resolved) becomes `root`.
          create: Create the folder when it does not exist. Default True.

        Raises:
          TypeError: If `root` is not a path.
          NotADirectoryError: If `root` exists and is not a folder.
          FileNotFoundError: If it does not exist and `create` is False.
        """
        if not isinstance(root, (str, os.PathLike)):
            raise TypeError(f"Workspace: `root` must be a folder path, got {root!r}.")
        path = Path(root).expanduser()
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(
                f"Workspace: `root` must be a folder, got {str(path)!r}, a file."
            )
        if not path.exists():
            if not create:
                raise FileNotFoundError(
                    f"Workspace: `root` must be an existing folder, got {str(path)!r}."
                )
            path.mkdir(parents=True)
        super().__init__(root=str(path.resolve()), **params)
        self.refresh()

    # -- reading ---------------------------------------------------------------------

    def refresh(self) -> list[str]:
        """Re-reads the folder's design names (files `NAME.json`, temporary files ignored)."""
        found = sorted(
            p.name[: -len(SUFFIX)]
            for p in Path(self.root).iterdir()
            if p.name.endswith(SUFFIX) and _NAME.fullmatch(p.name[: -len(SUFFIX)]) and p.is_file()
        )
        with param.edit_constant(self):
            self.names = found
        return found

    def path(self, name: str) -> Path:
        """The file of the design `name`, after checking the name and where it leads.

        Raises:
          TypeError: If `name` is not a str.
          ValueError: If `name` breaks the naming rule or its file is a symlink leading
            out of the workspace.
        """
        return self._inside(Path(self.root) / f"{_check_name('path', name)}{SUFFIX}", name)

    def load(self, name: str) -> dict:
        """The current version of the design `name`, migrated to the current format.

        Raises:
          TypeError, ValueError: For a bad name (see `path`).
          FileNotFoundError: If no design has that name.
          DesignError: If the file is not a readable design.
        """
        path = self._existing("load", name)
        return spec.loads(path.read_bytes())

    def history(self, name: str) -> list[int]:
        """The saved version numbers of `name`, oldest first (empty when none)."""
        folder = self._inside(self._history_dir(_check_name("history", name)), name)
        if not folder.is_dir():
            return []
        return sorted(
            int(m.group(1)) for p in folder.iterdir() if (m := _VERSION_FILE.fullmatch(p.name))
        )

    def load_version(self, name: str, version: int) -> dict:
        """The design `name` as saved in `version` (see `history`).

        Raises:
          TypeError: If `version` is not an int.
          FileNotFoundError: If there is no such version.
        """
        fn = "load_version"
        _check_name(fn, name)
        if isinstance(version, bool) or not isinstance(version, int):
            raise TypeError(f"Workspace.{fn}: `version` must be an int, got {version!r}.")
        path = self._inside(self._history_dir(name) / _version_file(version), name)
        if not path.is_file():
            raise FileNotFoundError(
                f"Workspace.{fn}: `version` must be one of {self.history(name)} for {name!r}, "
                f"got {version}."
            )
        return spec.loads(path.read_bytes())

    # -- writing ---------------------------------------------------------------------

    def save(self, name: str, design: dict) -> int:
        """Saves `design` as the current version of `name`, keeping every earlier one.

        The design need not be valid (work in progress can be saved), but it must be a
        design dict of this format that JSON can hold.

        Returns:
          The version number the design was saved as (1 for a new name).

        Raises:
          TypeError, ValueError: For a bad name (see `path`).
          DesignError: If `design` is not a design JSON can hold.
          OSError: If writing fails; the previous version is then left as it was.
        """
        fn = "save"
        target = self.path(_check_name(fn, name))
        spec.migrate(design)  # The envelope must be right: format and a known version.
        data = spec.dumps(design).encode("utf-8")
        folder = self._inside(self._history_dir(name), name)
        folder.mkdir(parents=True, exist_ok=True)
        # Saves of one name, from any process, take turns: each numbers its version after
        # the ones before it, and the current file is the last version.
        with _locked(folder / _LOCK_FILE):
            versions = self.history(name)
            if target.is_file():
                current = target.read_bytes()
                last = folder / _version_file(versions[-1]) if versions else None
                if last is None or last.read_bytes() != current:
                    # A file written by other means: keep it before replacing it.
                    versions.append((versions[-1] if versions else 0) + 1)
                    atomic_write(folder / _version_file(versions[-1]), current)
            version = (versions[-1] if versions else 0) + 1
            atomic_write(folder / _version_file(version), data)
            atomic_write(target, data)
        self.refresh()
        return version

    def delete(self, name: str) -> None:
        """Removes the current version of `name`; its history stays (and can be loaded).

        Raises:
          FileNotFoundError: If no design has that name.
        """
        self._existing("delete", name).unlink()
        self.refresh()

    # -- helpers ---------------------------------------------------------------------

    def _existing(self, fn: str, name: str) -> Path:
        path = self._inside(Path(self.root) / f"{_check_name(fn, name)}{SUFFIX}", name)
        if not path.is_file():
            hint = did_you_mean(name, self.refresh())
            raise FileNotFoundError(
                f"Workspace.{fn}: `name` must be a saved design ({', '.join(self.names) or 'none yet'}), "
                f"got {name!r}.{hint}"
            )
        return path

    def _history_dir(self, name: str) -> Path:
        return Path(self.root) / HISTORY / name

    def _inside(self, path: Path, name: str) -> Path:
        """`path`, unless resolving its symlinks leads out of the workspace."""
        root = Path(self.root)
        real = Path(os.path.realpath(path))
        if real != root and root not in real.parents:
            raise ValueError(
                f"Workspace: `name` must lead to a file inside the workspace {self.root!r}, "
                f"got {name!r}, which leads to {str(real)!r} (a symlink)."
            )
        return path


def _check_name(fn: str, name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"Workspace.{fn}: `name` must be a str, got {name!r} ({type(name).__name__})."
        )
    bad_end = name.endswith((".", " ", SUFFIX))
    if not _NAME.fullmatch(name) or bad_end or ".." in name:
        hint = ""
        if name.endswith(SUFFIX):
            hint = f" Leave out {SUFFIX!r}: the workspace adds it."
        raise ValueError(f"Workspace.{fn}: `name` must be {_NAME_RULE}, got {name!r}.{hint}")
    return name


def _version_file(version: int) -> str:
    return f"{version:03d}{SUFFIX}"
