"""Drafts: the design each browser is editing, kept on disk so a refresh or restart loses nothing.

Each browser holds a random draft id (the app keeps it in the browser's localStorage) and
its draft is the file `.drafts/ID.json` in the designs folder. The id is 32 lowercase hex
digits, checked before any file is touched, so a forged or malformed id can neither name a
file outside the folder nor another browser's draft by guessing (2**128 ids). Drafts are
written with `atomic_write`: a crash mid-write leaves the previous draft whole.

`DraftKeeper` ties a draft to a `DesignEditor`: `attach(id)` restores the draft (if there is
one) and then writes the design after every change, at most once per `delay` seconds.
"""

from __future__ import annotations

import re
import secrets
import threading
from pathlib import Path
from typing import Any

import param

from workbench.models.design import spec
from workbench.models.editor import DesignEditor
from workbench.problems import atomic_write

#: Folder of the drafts inside the designs folder (hidden: `Workspace.names` skips it).
DRAFTS = ".drafts"
_DRAFT_ID = re.compile(r"[0-9a-f]{32}")


def new_draft_id() -> str:
    """A fresh random draft id: 32 lowercase hex digits."""
    return secrets.token_hex(16)


def check_draft_id(draft_id: Any) -> str:
    """`draft_id`, after checking it is 32 lowercase hex digits.

    Raises:
      TypeError: If it is not a str.
      ValueError: If it is not 32 lowercase hex digits.
    """
    if not isinstance(draft_id, str):
        raise TypeError(
            f"Drafts: a draft id must be a str, got {draft_id!r} ({type(draft_id).__name__})."
        )
    if not _DRAFT_ID.fullmatch(draft_id):
        raise ValueError(
            f"Drafts: a draft id must be 32 lowercase hex digits (from `new_draft_id`), "
            f"got {draft_id[:80]!r}."
        )
    return draft_id


class Drafts:
    """The drafts kept in `designs_root/.drafts`, one file per draft id."""

    def __init__(self, designs_root: str | Path):
        self.folder = Path(designs_root) / DRAFTS

    def path(self, draft_id: str) -> Path:
        """The file of the draft `draft_id` (checked first: see `check_draft_id`)."""
        return self.folder / f"{check_draft_id(draft_id)}.json"

    def save(self, draft_id: str, design: dict) -> None:
        """Writes `design` as the draft `draft_id`, replacing the previous one at once."""
        path = self.path(draft_id)
        data = spec.dumps(design)
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)

    def load(self, draft_id: str) -> dict | None:
        """The draft `draft_id`, or None when there is none.

        Raises:
          DesignError: If the file is not a readable design.
        """
        path = self.path(draft_id)
        if not path.is_file():
            return None
        return spec.loads(path.read_bytes())


class DraftKeeper(param.Parameterized):
    """Restores a browser's draft into an editor, then keeps the draft up to date."""

    draft_id = param.String(
        default=None, allow_None=True, constant=True, doc="The draft kept; None until attached."
    )
    message = param.String(default="", doc="What `attach` did, or why a draft was not used.")

    def __init__(self, editor: DesignEditor, drafts: Drafts, *, delay: float = 0.5, **params):
        """Args:
        editor: The editor whose design is kept.
        drafts: Where drafts are written.
        delay: Seconds a change waits before it is written, so that a burst of edits
          (typing in a field) writes once. 0 writes at every change.
        """
        super().__init__(**params)
        self.editor = editor
        self.drafts = drafts
        self.delay = delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._watcher = None
        self._failed = False  # Whether the last write failed (its message is shown).

    def attach(self, draft_id: str) -> bool:
        """Keeps the editor's design as the draft `draft_id`, restoring that draft first.

        Returns:
          Whether a draft was restored. A draft that cannot be read is left on disk (it
          would be replaced at the next change) and reported in `message`.

        Raises:
          TypeError, ValueError: If `draft_id` is not a draft id (nothing is read then).
        """
        check_draft_id(draft_id)
        if draft_id == self.draft_id:
            return False
        restored = False
        try:
            design = self.drafts.load(draft_id)
        except ValueError as err:  # DesignError is a ValueError
            design = None
            self.message = f"The draft could not be restored: {err}"
        if design is not None:
            try:
                self.editor.load(design)
            except (TypeError, ValueError) as err:
                self.message = f"The draft could not be restored: {err}"
            else:
                restored = True
                self.message = f"Restored the design {design.get('name', '')!r} you were editing."
        with param.edit_constant(self):
            self.draft_id = draft_id
        if self._watcher is None:
            self._watcher = self.editor.param.watch(self._changed, "design")
        return restored

    def flush(self) -> None:
        """Writes the pending change now (nothing when none is pending)."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            self._write()

    def _changed(self, _event=None) -> None:
        if self.delay <= 0:
            self._write()
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._fire)
            # Not a daemon: a process ending normally waits for the pending write.
            self._timer.daemon = False
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
        self._write()

    def _write(self) -> None:
        # The editor replaces its design dict on every change, so this reads one whole design.
        try:
            self.drafts.save(self.draft_id, self.editor.design)
        except OSError as err:  # A full disk: the last draft stays whole; editing goes on.
            self.message = (
                f"Your latest changes cannot be kept as a draft: {err.strerror or err}. "
                "The draft before them is kept; save the design once there is room."
            )
            self._failed = True
            return
        if self._failed:  # The disk has room again.
            self._failed = False
            self.message = ""
