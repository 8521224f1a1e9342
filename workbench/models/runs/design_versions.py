"""Which saved version of a design a job trained: its design compared with the saved ones.

A job's `job.json` holds a copy of the design it trained, not a reference to a file, so the
version is found by content: the workspace's `designs/.history/NAME/NNN.json` files (see
`workbench.models.design.workspace`) are read once each (again only when a file changes) and
the job's design is looked up among them. The name a design was saved under may differ from
the `name` inside it, so every saved design is looked at.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

__all__ = ["DESIGNS_FOLDER", "DesignVersions", "design_key"]

#: Where the app saves designs, relative to the workspace root (the Build page's store).
DESIGNS_FOLDER = "designs"
_HISTORY = ".history"
_VERSION_FILE = re.compile(r"(\d+)\.json")


def design_key(design: Any) -> str:
    """The design as canonical JSON (sorted keys): equal designs give equal keys."""
    return json.dumps(design, sort_keys=True, separators=(",", ":"), default=str)


class DesignVersions:
    """Finds the saved name and version of a design in a workspace's design history.

    `refresh()` rereads the history (only files that changed); `version_of` then looks a
    design up without touching the disk.

    Args:
      workspace: The workspace root; designs are under `<workspace>/designs`.
    """

    def __init__(self, workspace: str):
        self.folder = os.path.join(workspace, DESIGNS_FOLDER, _HISTORY)
        # path -> (mtime_ns, key of the design saved there).
        self._files: dict[str, tuple[int, str | None]] = {}
        # design key -> (saved name, newest version with that content).
        self._index: dict[str, tuple[str, int]] = {}
        self.refresh()

    def refresh(self) -> None:
        """Rereads the design history: new, changed and removed versions."""
        index: dict[str, tuple[str, int]] = {}
        seen = set()
        try:
            names = [e for e in os.scandir(self.folder) if e.is_dir()]
        except OSError:
            names = []
        for name in sorted(names, key=lambda e: e.name):
            try:
                entries = list(os.scandir(name.path))
            except OSError:
                continue
            for entry in entries:
                match = _VERSION_FILE.fullmatch(entry.name)
                if not match:
                    continue
                seen.add(entry.path)
                key = self._key(entry)
                version = int(match.group(1))
                if key is not None and (key not in index or index[key][1] < version):
                    index[key] = (name.name, version)
        for gone in set(self._files) - seen:
            del self._files[gone]
        self._index = index

    def version_of(self, design: Any) -> tuple[str, int] | None:
        """`(saved name, version)` of the newest saved version equal to `design`; None when
        the design was never saved as it is."""
        if not isinstance(design, dict):
            return None
        return self._index.get(design_key(design))

    def _key(self, entry: os.DirEntry) -> str | None:
        try:
            mtime = entry.stat().st_mtime_ns
        except OSError:
            return None
        cached = self._files.get(entry.path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        try:
            with open(entry.path, encoding="utf-8") as f:
                key = design_key(json.load(f))
        except (OSError, ValueError, RecursionError):
            key = None
        self._files[entry.path] = (mtime, key)
        return key
