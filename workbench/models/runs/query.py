"""Sorting and filtering runs: `--sort -val_accuracy`, `--filter status=finished lr<0.01`.

A filter is `FIELD OP VALUE`: OP is one of `=`, `!=`, `<`, `<=`, `>`, `>=` or `~` (the
text contains VALUE, any case). FIELD is a `RunRecord` field or a short alias (`lr`,
`acc`, ...). Number fields compare as numbers; text fields compare as text. A run
without a value for the field never passes a filter on it (but `FIELD=` with nothing after
keeps exactly those). `status` and `optimizer` take only their known values (`status=done`
means `finished`). Runs without a value sort last, either way.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from workbench.models.jobs.config import OPTIMIZERS
from workbench.models.jobs.status_file import STATES
from workbench.models.runs.record import FIELDS, RunRecord
from workbench.problems import did_you_mean

__all__ = [
    "ALIASES",
    "CHOICES",
    "NUMBER_FIELDS",
    "OPERATORS",
    "QueryError",
    "RunFilter",
    "filter_runs",
    "parse_filter",
    "sort_runs",
    "split_filters",
]

#: Short names accepted for fields.
ALIASES = {
    "lr": "learning_rate",
    "acc": "val_accuracy",
    "accuracy": "val_accuracy",
    "best": "best_val_accuracy",
    "best_acc": "best_val_accuracy",
    "state": "status",
    "batch": "batch_size",
    "wd": "weight_decay",
    "duration": "duration_s",
    "throughput": "examples_per_sec",
    "version": "design_version",
}
#: Text fields with a fixed set of values: `status=runing` is an error, not an empty table.
CHOICES = {"status": STATES, "optimizer": OPTIMIZERS}
#: Other words accepted for a state: `status=done` picks the finished runs.
STATE_ALIASES = {"done": "finished"}
NUMBER_FIELDS = frozenset(
    f.name
    for f in dataclasses.fields(RunRecord)
    if any(kind in str(f.type) for kind in ("int", "float"))
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "!=": operator.ne,
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
    "~": lambda value, text: text.lower() in str(value).lower(),
}
OPERATORS = tuple(_OPS)
# The field, the first operator (two-character ones tried first), the value.
_FILTER = re.compile(r"^\s*([A-Za-z_]+)\s*(<=|>=|!=|==|=|<|>|~)\s*(.*?)\s*$")


class QueryError(ValueError):
    """A sort key or filter that cannot be used; the message says what, got and expected."""


def field_name(name: str, what: str) -> str:
    """The `RunRecord` field `name` stands for (an alias or the field itself).

    Raises:
      QueryError: If `name` is neither.
    """
    key = ALIASES.get(name, name)
    if key not in FIELDS:
        choices = sorted({*FIELDS, *ALIASES})
        hint = did_you_mean(name, choices)
        raise QueryError(
            f"{what}: field must be one of {', '.join(FIELDS)} (or {', '.join(sorted(ALIASES))}), "
            f"got {name!r}.{hint}"
        )
    return key


@dataclasses.dataclass(frozen=True)
class RunFilter:
    """One parsed filter: keeps the runs whose `field` compares true with `value`."""

    field: str
    op: str
    value: Any
    text: str

    def __call__(self, run: RunRecord) -> bool:
        got = getattr(run, self.field)
        if self.value is None:  # `FIELD=`: runs without the value.
            return (got is None) == (self.op == "=")
        if got is None:
            return False
        if self.op == "~":
            return _OPS["~"](got, str(self.value))
        if self.field not in NUMBER_FIELDS:
            got, value = str(got).lower(), str(self.value).lower()
            return _OPS[self.op](got, value)
        return _OPS[self.op](got, self.value)


def parse_filter(text: str) -> RunFilter:
    """Parses `FIELD OP VALUE`, e.g. `status=finished`, `lr<0.01`, `design~lenet`.

    Raises:
      QueryError: If `text` is not of that form, names no field, or gives a number field a
        value that is not a number.

    Example:
      >>> parse_filter("lr<0.01")
      RunFilter(field='learning_rate', op='<', value=0.01, text='lr<0.01')
    """
    if not isinstance(text, str):
        raise QueryError(f"filter: must be a str 'FIELD OP VALUE', got {text!r}.")
    match = _FILTER.match(text)
    if match is None:
        raise QueryError(
            f"filter: must be FIELD OP VALUE with OP one of {' '.join(OPERATORS)} "
            f"(e.g. status=finished, lr<0.01), got {text!r}."
        )
    name, op, raw = match.groups()
    op = "=" if op == "==" else op
    key = field_name(name, f"filter {text!r}")
    if raw == "":
        if op not in ("=", "!="):
            raise QueryError(
                f"filter {text!r}: a value must follow {op!r} (only = and != may be left "
                "empty, to pick runs without or with a value)."
            )
        return RunFilter(key, op, None, text)
    value: Any = raw
    if key in CHOICES and op in ("=", "!="):
        value = STATE_ALIASES.get(raw.lower(), raw) if key == "status" else raw
        if value.lower() not in CHOICES[key]:
            hint = did_you_mean(raw, CHOICES[key])
            raise QueryError(
                f"filter {text!r}: {key} must be one of {', '.join(CHOICES[key])}, "
                f"got {raw!r}.{hint}"
            )
    if key in NUMBER_FIELDS and op != "~":
        try:
            value = float(raw)
        except ValueError:
            raise QueryError(
                f"filter {text!r}: {key} is a number, so the value must be a number, got {raw!r}."
            ) from None
        if not math.isfinite(value):  # nan matches nothing, inf everything: a typing slip.
            raise QueryError(
                f"filter {text!r}: {key} is a number, so the value must be a finite number, "
                f"got {raw!r}."
            )
    return RunFilter(key, op, value, text)


def filter_runs(runs: Iterable[RunRecord], filters: Sequence[str | RunFilter]) -> list[RunRecord]:
    """The runs that pass every filter (each a `RunFilter` or its text).

    Raises:
      QueryError: For a filter text that does not parse (see `parse_filter`).
    """
    parsed = [f if isinstance(f, RunFilter) else parse_filter(f) for f in filters]
    return [run for run in runs if all(f(run) for f in parsed)]


def sort_runs(runs: Iterable[RunRecord], key: str) -> list[RunRecord]:
    """The runs sorted by the field `key`; `-key` sorts descending. Missing values go last.

    Raises:
      QueryError: If `key` names no field.

    Example:
      >>> runs = [RunRecord("a", "/a", learning_rate=0.1), RunRecord("b", "/b"),
      ...         RunRecord("c", "/c", learning_rate=0.01)]
      >>> [r.run for r in sort_runs(runs, "-lr")]
      ['a', 'c', 'b']
    """
    if not isinstance(key, str) or not key.strip("-"):
        raise QueryError(
            f"sort: must be a field name, '-' before it to sort descending, got {key!r}."
        )
    descending = key.startswith("-")
    name = field_name(key.lstrip("-"), f"sort {key!r}")
    runs = list(runs)
    present = [r for r in runs if getattr(r, name) is not None]
    missing = [r for r in runs if getattr(r, name) is None]
    if name in NUMBER_FIELDS:
        present.sort(key=lambda r: getattr(r, name), reverse=descending)
    else:
        present.sort(key=lambda r: str(getattr(r, name)).lower(), reverse=descending)
    return present + missing


def split_filters(text: str) -> list[str]:
    """The filters typed in one line, split at commas and spaces (not those around an
    operator).

    Example:
      >>> split_filters("status = finished, lr<0.01  design~le")
      ['status=finished', 'lr<0.01', 'design~le']
    """
    joined = re.sub(r"\s*(<=|>=|!=|==|=|<|>|~)\s*", r"\1", text or "")
    return [part for part in re.split(r"[\s,]+", joined) if part]
