"""A widget per block field (`FieldRow`): typed text, ints, JSON, a pick or several picks.

Text is parsed as data (`parse_value`), never executed; text that does not parse, and
values the editor refuses, are passed to `refuse` as a message and change nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import panel as pn

from workbench.models.editor.fields import FieldRow
from workbench.models.editor.properties import format_value, parse_value

_WIDTH = 220


def _label(value: Any) -> str:
    return "None" if value is None else str(value)


def _parsed(row: FieldRow, text: str) -> Any:
    """The value typed for `row`: None when cleared; a name as typed; JSON otherwise."""
    text = text.strip()
    if not text:
        return None
    if row.type == "text":
        return text
    value = parse_value(text)
    if row.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"`{row.name}` must be a whole number such as 3, got {text!r}.")
    return value


def field_widget(
    row: FieldRow, apply: Callable[[Any], None], refuse: Callable[[str], None]
) -> pn.viewable.Viewable:
    """A widget showing `row.value` that calls `apply(new_value)` when the user changes it."""

    def changed(read: Callable[[Any], Any]) -> Callable[[Any], None]:
        def watcher(event) -> None:
            try:
                apply(read(event.new))
            except (ValueError, TypeError) as err:
                refuse(str(err))

        return watcher

    if row.type == "ops":
        widget = pn.widgets.MultiChoice(
            label=row.name, options=list(row.options), value=list(row.value or []), width=_WIDTH
        )
        widget.param.watch(changed(list), "value")
    elif row.type == "choice":
        labels = {_label(option): option for option in row.options}
        widget = pn.widgets.Select(
            label=row.name, options=list(labels), value=_label(row.value), width=_WIDTH
        )
        widget.param.watch(changed(labels.__getitem__), "value")
    else:
        if row.value is None:
            text = ""
        else:
            text = row.value if row.type == "text" else format_value(row.value)
        widget = pn.widgets.TextInput(label=row.name, value=text, width=_WIDTH)
        widget.param.watch(changed(lambda new: _parsed(row, new)), "value")
    hint = pn.pane.HTML(
        f"<span style='color:#777; font-size: 11px'>{html.escape(row.doc)}</span>",
        margin=(-8, 10, 4, 10),
    )
    return pn.Column(widget, hint)
