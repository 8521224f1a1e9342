"""`design_diff`: what changed between two designs, as a unified diff of their saved JSON."""

from __future__ import annotations

import difflib

from workbench.models.design import spec


def design_diff(old: dict, new: dict, old_label: str = "old", new_label: str = "new") -> str:
    """The lines that differ between `old` and `new` as saved, with 3 lines of context.

    Both are written as a workspace file holds them (`spec.dumps`: indented JSON, keys in
    order), so each changed argument or block shows as its own lines.

    Returns:
      A unified diff (`--- old_label`, `+++ new_label`, hunks), or "" when they are equal.
    """
    lines = difflib.unified_diff(
        spec.dumps(old).splitlines(keepends=True),
        spec.dumps(new).splitlines(keepends=True),
        fromfile=old_label,
        tofile=new_label,
    )
    return "".join(lines)
