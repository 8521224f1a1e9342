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


def _shown(row: FieldRow) -> Any:
    """What the widget of `row` holds for its value."""
    if row.type == "ops":
        return list(row.value or [])
    if row.type == "choice":
        return _label(row.value)
    if row.value is None:
        return ""
    return row.value if row.type == "text" else format_value(row.value)


def show_field_value(field: pn.Column, row: FieldRow) -> None:
    """Makes `field`, made by `field_widget` for a row like `row` (same name, type and
    options), show `row.value` (its watcher runs: mute it, see `field_widget`)."""
    next(iter(field.select(pn.widgets.Widget))).value = _shown(row)


def field_widget(
    row: FieldRow,
    apply: Callable[[Any], None],
    refuse: Callable[[str], None],
    *,
    muted: Callable[[], bool] = lambda: False,
) -> pn.Column:
    """A widget showing `row.value` that calls `apply(new_value)` when the user changes it,
    but for changes made while `muted()` is true (the sheet showing another block's value)."""

    def changed(read: Callable[[Any], Any]) -> Callable[[Any], None]:
        def watcher(event) -> None:
            if muted():
                return
            try:
                apply(read(event.new))
            except (ValueError, TypeError) as err:
                refuse(str(err))

        return watcher

    label = None
    if row.type == "ops":
        # Checkboxes, one per op: Bokeh's MultiChoice builds its Choices.js picker without
        # `allowHTML`, so Choices renders the labels as HTML and warns on every sheet.
        label = pn.pane.HTML(
            f"<label class='wb-field-label'>{html.escape(row.name)}</label>", margin=(5, 10, 0, 10)
        )
        widget = pn.widgets.CheckBoxGroup(
            name=row.name, options=list(row.options), value=_shown(row), width=_WIDTH
        )
        widget.param.watch(changed(list), "value")
    elif row.type == "choice":
        labels = {_label(option): option for option in row.options}
        widget = pn.widgets.Select(
            label=row.name, options=list(labels), value=_shown(row), width=_WIDTH
        )
        widget.param.watch(changed(labels.__getitem__), "value")
    else:
        widget = pn.widgets.TextInput(label=row.name, value=_shown(row), width=_WIDTH)
        widget.param.watch(changed(lambda new: _parsed(row, new)), "value")
    hint = pn.pane.HTML(
        f"<span style='color:#777; font-size: 11px'>{html.escape(row.doc)}</span>",
        margin=(-8, 10, 4, 10),
    )
    return pn.Column(widget, hint) if label is None else pn.Column(label, widget, hint)
