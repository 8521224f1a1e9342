"""What is wrong, said the same way everywhere in the workbench, and files written safely.

The workbench checks user input (designs, job configs, restore plans) by collecting every
finding instead of raising at the first one, so the app can mark every bad place at once:

- `Problem`: one finding, with the path of the place in the input (`blocks[2].args.kernel_size`),
  the value found there and what is expected; `problem` writes its message in the project's
  form "`path` must be EXPECTED, got VALUE.".
- `DesignError`: the error that carries a list of problems when input that must be valid is not;
  `ProblemsError`, the same for other input (job configs, sweep specs).
- `did_you_mean`, `join_path`, `short_repr`: the pieces of those messages.
- `atomic_write`: replaces a file all at once or not at all (saved designs, job status files).

`slimlib` keeps its own small checks (`slimlib/_src/_checks.py`): the library never imports
the workbench.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import math
import os
import re
import tempfile
from collections.abc import Iterable
from typing import Any

#: Kinds of problem, for filtering or styling in the app.
PROBLEM_KINDS = ("structure", "type", "value", "unknown", "shape", "name", "internal")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with some input (a design, a job config).

    Attributes:
      path: Where in the input, e.g. `"blocks[2].args.kernel_size"`; `""` is the input itself.
      message: The full sentence to show, naming the path, the value and what is expected.
      value: The value found at `path` (`None` when it is missing).
      expected: What would be accepted there, in words.
      kind: One of `PROBLEM_KINDS`: `"structure"` (a missing or misplaced field),
        `"type"`, `"value"`, `"unknown"` (a name that does not exist), `"shape"` (found by
        shape inference), `"name"` (scope and variable names) or `"internal"`.
    """

    path: str
    message: str
    value: Any = None
    expected: str = ""
    kind: str = "value"

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `json.dumps`; `value` is shown as text when it is not JSON."""
        return {
            "path": self.path,
            "message": self.message,
            "value": _jsonable(self.value),
            "expected": self.expected,
            "kind": self.kind,
        }


def problem(
    path: str, expected: str, value: Any, *, kind: str = "value", hint: str = ""
) -> Problem:
    """A `Problem` whose message reads "`path` must be EXPECTED, got VALUE." + hint.

    Example:
      >>> print(problem("blocks[0].args.num_outputs", "an int >= 1", 0))
      `blocks[0].args.num_outputs` must be an int >= 1, got 0.
      >>> print(problem("blocks[0].kind", "a block kind", "layr", hint=did_you_mean("layr", ["layer"])))
      `blocks[0].kind` must be a block kind, got 'layr'. Did you mean 'layer'?
    """
    where = f"`{path}`" if path else "The design"
    message = f"{where} must be {expected}, got {short_repr(value)}."
    if hint:
        message += " " + hint.strip()
    return Problem(path=path, message=message, value=value, expected=expected, kind=kind)


class DesignError(ValueError):
    """Raised when input that must be valid (a design to build, generate code for, load) is not.

    Attributes:
      problems: Every `Problem` found, in input order.
    """

    def __init__(self, fn: str, problems: Iterable[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p.message}" for p in self.problems[:20])
        more = f"\n  ... and {count - 20} more" if count > 20 else ""
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{fn}: the design has {count} {noun}:\n{lines}{more}")


class ProblemsError(ValueError):
    """Every problem found in some input, raised at once; a subclass names the input (`what`).

    Attributes:
      problems: Every `Problem` found, in input order.

    Example:
      >>> class NoteError(ProblemsError):
      ...     what = "note"
      >>> print(NoteError([problem("title", "a str", 3, kind="type")]))
      note has 1 problem:
        - `title` must be a str, got 3.
    """

    #: The input, as the message's first words name it ("job config has 2 problems:").
    what = "input"

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        count = len(self.problems)
        super().__init__(f"{self.what} has {count} problem{'s' * (count != 1)}:\n{lines}")


def did_you_mean(name: object, choices: Iterable[object]) -> str:
    """`" Did you mean 'x'?"` for the closest of `choices`, or `""` when none is close.

    The leading space lets a message end with `+ did_you_mean(...)`.

    Example:
      >>> did_you_mean("conv2", ["conv2d", "max_pool2d"])
      " Did you mean 'conv2d'?"
      >>> did_you_mean("zzz", ["conv2d"])
      ''
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def join_path(path: str, key: object) -> str:
    """The path of `key` inside `path`: `path.key` for names, `path[key]` for anything else.

    Example:
      >>> join_path("blocks[0].args", "num_outputs")
      'blocks[0].args.num_outputs'
      >>> join_path("blocks", 2), join_path("", "name"), join_path("args", "not a name")
      ('blocks[2]', 'name', "args['not a name']")
    """
    if isinstance(key, str) and _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def short_repr(value: Any, limit: int = 80) -> str:
    """`repr(value)`, shortened to about `limit` characters for messages."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break a message
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: limit - 5] + " ...'" if text[:1] in "'\"" else text[: limit - 4] + " ..."
    return text


def atomic_write(path: str | os.PathLike, data: bytes | str, *, exclusive: bool = False) -> None:
    """Replaces the file at `path` by one holding `data`, all at once or not at all.

    The data goes to a temporary file in the same folder (`.NAME.XXXX.tmp`), which is flushed
    and synced to disk, then renamed over `path`; the folder is synced last so the rename
    survives a power cut. Readers see the old file or the new one, never a part. If anything
    fails the temporary file is removed and the old file is left as it was; a process killed
    midway can leave a temporary file behind, which readers must skip (its name starts with
    a dot).

    Args:
      path: The file to replace (created if missing); its folder must exist.
      data: The new contents; a str is written as UTF-8.
      exclusive: Whether to write only a new file: the complete temporary file is then
        hard-linked to `path`, which fails when `path` exists, so of several processes
        claiming the same path at the same moment exactly one succeeds. Default False.

    Raises:
      FileExistsError: If `exclusive` and `path` exists (another process claimed it first).
    """
    path = os.fspath(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes):
        raise TypeError(f"atomic_write: `data` must be bytes or str, got {short_repr(data)}.")
    folder, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if exclusive:  # `path` is the file now; its second name goes.
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_folder(folder or ".")


def _fsync_folder(folder: str) -> None:
    """Flushes a folder's entries (a rename) to disk where the platform allows it."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # Some file systems refuse fsync on folders; the rename itself is done.
    finally:
        os.close(fd)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else short_repr(value)
    if isinstance(value, list) and len(value) <= 64:
        return [_jsonable(v) for v in value]
    if isinstance(value, dict) and len(value) <= 64 and all(isinstance(k, str) for k in value):
        return {k: _jsonable(v) for k, v in value.items()}
    return short_repr(value)
