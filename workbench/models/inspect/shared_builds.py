"""Built designs shared between sessions, keyed on what they were built from.

Building a big net for Inspect takes seconds (inception_v3: about 6 s on 2 cores), and what
comes out (the graph, its layer trace, the design places the trace is read with) depends
only on the design and the build mode, never on who asked. Sessions that inspect the same
design, or one session flipping between inference and training, get the same build: the
first asks for it to be made, the others wait for that one rather than build it again.

A build is read, never changed, once it is made, so sharing it is safe. The cache keeps the
few builds used last (TensorFlow graphs of big nets take tens of MB each) and is safe to use
from several threads: a build runs outside the lock, one per key at a time.
"""

from __future__ import annotations

import collections
import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: How many builds the app keeps: a class's sessions mostly inspect one or two designs, in
#: two modes.
MAX_SHARED_BUILDS = 4


def design_key(design: dict, *, is_training: bool) -> str:
    """A digest of `design`'s content and the build mode: equal designs (however their dicts
    were made or ordered) give equal keys, any changed value another key.

    Raises:
      TypeError: If `design` holds something JSON cannot write (a design is plain data).

    Example:
      >>> design_key({"a": 1, "b": [2]}, is_training=False) == design_key(
      ...     {"b": [2], "a": 1}, is_training=False)
      True
      >>> design_key({"a": 1}, is_training=False) == design_key({"a": 1}, is_training=True)
      False
    """
    try:
        text = json.dumps(design, sort_keys=True, separators=(",", ":"), allow_nan=True)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"design_key: `design` must be plain JSON data (a design dict), got {design!r:.200}:"
            f" {err}."
        ) from None
    return hashlib.sha256(f"{is_training}:{text}".encode()).hexdigest()


class _Pending:
    """A build under way: whoever waits for it gets its result or its error."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class SharedBuilds(Generic[T]):
    """At most `max_entries` builds, by key, the least recently used dropped first.

    Example:
      >>> builds = SharedBuilds(max_entries=2)
      >>> builds.get("a", lambda: [1]) is builds.get("a", lambda: [2])
      True
      >>> _ = builds.get("b", lambda: []), builds.get("c", lambda: [])
      >>> builds.keys()
      ['b', 'c']
    """

    def __init__(self, max_entries: int = MAX_SHARED_BUILDS):
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(
                f"SharedBuilds: `max_entries` must be an int >= 1, got {max_entries!r}."
            )
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._done: collections.OrderedDict[str, T] = collections.OrderedDict()
        self._pending: dict[str, _Pending] = {}
        self.builds = 0  # How many times `build` was called: what the cache saved shows.

    def get(self, key: str, build: Callable[[], T], *, fresh: bool = False) -> T:
        """The build kept under `key`, else `build()`'s result, kept under it.

        A build that raises is not kept: its error goes to everyone who waited for it, and
        the next `get` builds again. `fresh=True` builds anew and replaces what was kept.
        """
        with self._lock:
            if not fresh and key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = _Pending()
                self.builds += 1
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            pending.value = build()
        except BaseException as err:
            pending.error = err
            raise
        else:
            with self._lock:
                self._done[key] = pending.value
                self._done.move_to_end(key)
                while len(self._done) > self.max_entries:
                    self._done.popitem(last=False)
            return pending.value
        finally:
            with self._lock:
                del self._pending[key]
            pending.done.set()

    def keys(self) -> list[str]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._done)

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)

    def clear(self) -> None:
        """Drops every kept build and counts builds from 0 again (builds under way still
        finish for their waiters)."""
        with self._lock:
            self._done.clear()
            self.builds = 0


#: The builds of the app's sessions (one server process serves them all).
SHARED = SharedBuilds()
