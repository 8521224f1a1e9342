"""What is wrong with a design: `Problem` (one finding, with its path) and `DesignError`.

Every check of the design package reports a `Problem` instead of raising at the first
mistake, so the app can mark every bad block at once. A problem names the place in the
design JSON (`blocks[2].blocks[0].args.num_outputs`), the value found there and what is
expected, in the project's message form: "`path` must be EXPECTED, got VALUE."
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

#: Kinds of problem, for filtering or styling in the app.
PROBLEM_KINDS = ("structure", "type", "value", "unknown", "shape", "name", "internal")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a design.

    Attributes:
      path: Where in the design, e.g. `"blocks[2].args.kernel_size"`; `""` is the design
        itself.
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
    """
    where = f"`{path}`" if path else "The design"
    message = f"{where} must be {expected}, got {short_repr(value)}."
    if hint:
        message += " " + hint.strip()
    return Problem(path=path, message=message, value=value, expected=expected, kind=kind)


class DesignError(ValueError):
    """Raised when a design that must be valid (to build, generate code, load) is not.

    Attributes:
      problems: Every `Problem` found, in design order.
    """

    def __init__(self, fn: str, problems: Iterable[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p.message}" for p in self.problems[:20])
        more = f"\n  ... and {count - 20} more" if count > 20 else ""
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{fn}: the design has {count} {noun}:\n{lines}{more}")


def short_repr(value: Any, limit: int = 80) -> str:
    """`repr(value)`, shortened to about `limit` characters for messages."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break a message
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: limit - 5] + " ...'" if text[:1] in "'\"" else text[: limit - 4] + " ..."
    return text


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
