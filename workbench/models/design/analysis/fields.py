"""The fields of a block or of the design: the required ones are there, no unknown ones."""

from __future__ import annotations

from workbench.models.design.analysis.state import State, bad
from workbench.problems import did_you_mean, join_path


def check_fields(
    state: State,
    obj: dict,
    path: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    what: str,
) -> bool:
    """Reports each missing required field and each unknown one; True when there are none."""
    ok = True
    allowed = required + optional
    for field in required:
        if field not in obj:
            bad(
                state,
                join_path(path, field),
                f"given ({what} needs {', '.join(map(repr, required))})",
                None,
                kind="structure",
            )
            ok = False
    for key in obj:
        if key not in allowed and key != "kind":
            bad(
                state,
                join_path(path, key) if isinstance(key, str) else path,
                f"one of the fields of {what} ({', '.join(allowed)})",
                key,
                kind="unknown",
                hint=did_you_mean(str(key), allowed),
            )
            ok = False
    return ok
