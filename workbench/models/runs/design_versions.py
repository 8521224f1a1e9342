"""Which saved version of a design a job trained: its design compared with the saved ones.

A job's `job.json` holds a copy of the design it trained, not a reference to a file, so the
version is found by content: the workspace's `designs/.history/NAME/NNN.json` files (see
`workbench.models.design.workspace`) are read once each (again only when a file changes) and
the job's design is looked up among them.
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
    """Finds the saved version number of a design in a workspace's design history.

    Args:
      workspace: The workspace root; designs are under `<workspace>/designs`.
    """

    def __init__(self, workspace: str):
        self.folder = os.path.join(workspace, DESIGNS_FOLDER, _HISTORY)
        # path -> (mtime_ns, key of the design saved there).
        self._files: dict[str, tuple[int, str | None]] = {}

    def version_of(self, design: Any) -> int | None:
        """The newest saved version of `design["name"]` equal to `design`; None when the
        design was never saved as it is (or has no name)."""
        if not isinstance(design, dict) or not isinstance(design.get("name"), str):
            return None
        name = design["name"]
        folder = os.path.join(self.folder, name)
        if "/" in name or name.startswith(".") or not os.path.isdir(folder):
            return None
        wanted = design_key(design)
        found = None
        for entry in os.scandir(folder):
            match = _VERSION_FILE.fullmatch(entry.name)
            if match and self._key(entry) == wanted:
                found = max(found or 0, int(match.group(1)))
        return found

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
        except (OSError, ValueError):
            key = None
        self._files[entry.path] = (mtime, key)
        return key
