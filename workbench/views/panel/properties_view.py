"""Property sheet of the selected block: its fields, then its arguments (typed, with their
defaults and scoped defaults shown); with nothing selected, the design's name and input."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Iterator
from typing import Any

import panel as pn
import param

from workbench.models.design import choices
from workbench.models.editor import NULL, DesignEditor
from workbench.models.editor.fields import arg_scope_rows, block_fields
from workbench.models.editor.properties import (
    NAMED,
    PICKED,
    PropertyRow,
    format_value,
    parse_value,
    picked_name,
    property_rows,
    starting_value,
)
from workbench.models.editor.scope_defaults import StaleDefault, stale_defaults
from workbench.views.panel.field_widgets import field_widget

_DEFAULT = "(default)"
_STALE_STYLE = (
    "color:#8a1414; background:#fdecec; border:1px solid #f3b7b7; border-radius:4px; "
    "padding:6px 8px; font-size:12px"
)
_SOURCE_COLOURS = {"call": "#1f5f99", "arg_scope": "#1b7f3b", "default": "#777777"}


def _label(value) -> str:
    return "None" if value is None else str(value)


def _hint_html(row: PropertyRow) -> str:
    """Under a field: where its value comes from, coloured by source."""
    value, source = row.effective
    if source == "arg_scope":
        hint = f"arg_scope ({row.scoped[1]}): {format_value(value)}"
    elif row.required:
        hint = "required"
    else:
        hint = f"default: {format_value(row.default)}"
    return (
        f"<span style='color:{_SOURCE_COLOURS[source]}; font-size: 11px'>{html.escape(hint)}</span>"
    )


class PropertiesView(pn.viewable.Viewer):
    """Fields for every hyper-parameter of the selected layer, bound to a `DesignEditor`.

    A field left empty (or at "(default)") removes the argument from the block, so the
    scoped default or the function's default applies; the hint under each field says which.
    """

    editor = param.ClassSelector(class_=DesignEditor)
    message = param.String(default="", doc="Why the last typed value was refused.")

    def __init__(self, **params):
        super().__init__(**params)
        self._hints: dict[str, pn.pane.HTML] = {}  # Argument name -> its hint, to refresh.
        # True while an edit made in this sheet runs: the widgets already show it, so the
        # sheet is kept (only the hints are refreshed) instead of being built again.
        self._own_edit = False
        # The last sheet of the design and of a block are kept, the one not shown hidden:
        # showing one again for the same fields and values (a click back on the canvas
        # background, a layer dropped where the last one was) reuses its widgets and their
        # Bokeh models instead of building them anew. Slot -> (key, sheet, hints).
        self._kept: dict[str, tuple[tuple, pn.viewable.Viewable, dict]] = {}
        self._holder = pn.Column(sizing_mode="stretch_width")
        self._show()
        self.editor.param.watch(self._redraw, ["selected", "design"])
        # A refused value stays typed in its widget: that sheet no longer shows the design.
        self.param.watch(lambda event: event.new and self._kept.clear(), "message")

    @contextlib.contextmanager
    def _editing(self) -> Iterator[None]:
        self._own_edit = True
        try:
            yield
        finally:
            self._own_edit = False

    @property
    def shown_sheet(self) -> pn.viewable.Viewable:
        """The sheet on the page: the selected block's, or the design's."""
        return next(sheet for sheet in self._holder.objects if sheet.visible)

    def _sheet_key(self, path: str) -> tuple:
        """Everything the sheet of `path` is made from: equal keys make equal sheets."""
        design = self.editor.design
        if not path:
            return ("", block_fields(design, ""))
        block = self.editor.block_at(path)
        found = self._rows(path, block)
        stale = stale_defaults(design, path) if block.get("kind") == "arg_scope" else None
        return (path, block, block_fields(design, path), found and found[0], stale)

    def _redraw(self, *_events) -> None:
        if self._own_edit:
            self._refresh_hints()
            slot = "block" if self.editor.selected else "design"
            if slot in self._kept and not self.message:
                # The sheet's own widgets made the edit and show it already.
                _, sheet, hints = self._kept[slot]
                self._kept[slot] = (self._sheet_key(self.editor.selected or ""), sheet, hints)
        else:
            self._show()

    def _show(self) -> None:
        """Shows the sheet of the selection, a kept one when it was made for the same key."""
        path = self.editor.selected or ""
        slot = "block" if path else "design"
        key = self._sheet_key(path)
        kept = self._kept.get(slot)
        if kept is not None and kept[0] == key:
            sheet, self._hints = kept[1], kept[2]
        else:
            sheet = self.sheet()
            self._kept[slot] = (key, sheet, self._hints)
        other = self._kept.get("design" if path else "block")
        sheet.visible = True
        if other is None:
            self._holder.objects = [sheet]
        else:
            other[1].visible = False
            self._holder.objects = [other[1], sheet] if path else [sheet, other[1]]

    def _refuse(self, message: str) -> None:
        self.message = message

    def _guarded(self, change: Callable[[], None]) -> None:
        """Runs an edit; what the editor refuses becomes the message, and nothing changes."""
        try:
            with self._editing():
                change()
            self.message = ""
        except (ValueError, TypeError) as err:
            self.message = str(err)

    def _field(self, row: PropertyRow, setter: Callable[[str, Any], None]) -> pn.viewable.Viewable:
        """An argument row; `setter(name, value)` sets it, removes it for None, and sets it
        to None for `NULL`."""
        if row.type in PICKED:
            widgets = [self._picked(row, setter)]
        elif row.type in NAMED:
            text = self._typed(row, setter, label="")
            widgets = [self._name_picker(row, text), text]
        else:
            widgets = [self._typed(row, setter, label=row.name + (" *" if row.required else ""))]
        hint = pn.pane.HTML(_hint_html(row), margin=(-8, 10, 4, 10))
        self._hints[row.name] = hint
        return pn.Column(*widgets, hint)

    def _picked(self, row: PropertyRow, setter: Callable[[str, Any], None]) -> pn.widgets.Select:
        labels = {_DEFAULT: _DEFAULT, **{_label(o): o for o in row.options}}
        widget = pn.widgets.Select(
            label=row.name,
            options=list(labels),
            value=_label(row.value) if row.is_set else _DEFAULT,
            width=220,
        )

        def picked(event, name=row.name):
            chosen = labels[event.new]
            if chosen == _DEFAULT:
                self._guarded(lambda: setter(name, None))
            else:
                self._guarded(lambda: setter(name, NULL if chosen is None else chosen))

        widget.param.watch(picked, "value")
        return widget

    def _typed(
        self, row: PropertyRow, setter: Callable[[str, Any], None], label: str
    ) -> pn.widgets.TextInput:
        value, _ = row.effective
        widget = pn.widgets.TextInput(
            label=label,
            value=format_value(row.value) if row.is_set else "",
            placeholder=format_value(value),
            width=220,
        )

        def typed(event, name=row.name):
            if not event.new.strip():
                self._guarded(lambda: setter(name, None))
                return
            try:
                parsed = parse_value(event.new)
            except ValueError as err:
                self.message = str(err)
                return
            self._guarded(lambda: setter(name, NULL if parsed is None else parsed))

        widget.param.watch(typed, "value")
        return widget

    def _name_picker(self, row: PropertyRow, text: pn.widgets.TextInput) -> pn.widgets.Select:
        """A list of the initializers (or regularizers) above the JSON field: picking one
        writes its name and parameters into the field, ready to edit."""
        names = choices.names(row.type)
        options = [_DEFAULT, *names, "None"]

        def shown(value: Any, is_set: bool) -> str:
            if not is_set:
                return _DEFAULT
            name = "None" if value is None else picked_name(value)
            return name if name in options else _DEFAULT

        picker = pn.widgets.Select(
            label=row.name, options=options, value=shown(row.value, row.is_set), width=220
        )
        syncing = []  # Non-empty while one widget updates the other.

        def update(widget: pn.widgets.Widget, value: str) -> None:
            syncing.append(True)
            try:
                widget.value = value
            finally:
                syncing.clear()

        def picked(event):
            if syncing:
                return
            if event.new == _DEFAULT:
                update(text, "")
            elif event.new == "None":
                update(text, "null")
            else:
                update(text, format_value(starting_value(row.type, event.new)))

        def typed(event):
            if syncing:
                return
            try:
                value = parse_value(event.new) if event.new.strip() else None
            except ValueError:
                return  # The field's own watcher reports it.
            update(picker, shown(value, bool(event.new.strip())))

        picker.param.watch(picked, "value")
        text.param.watch(typed, "value")
        return picker

    def _field_setter(self, path: str, name: str) -> Callable[[Any], None]:
        """Sets one field of the block at `path` (of the design when `path` is "")."""
        editor = self.editor

        def apply(value: Any) -> None:
            # New ops give an arg_scope other rows: only then is the sheet built again.
            with contextlib.nullcontext() if name == "ops" else self._editing():
                if name.startswith("input."):
                    given = dict(editor.design.get("input") or {})
                    given[name.split(".", 1)[1]] = value
                    editor.set_field("", "input", given)
                else:
                    editor.set_field(path, name, value)
            self.message = ""

        return apply

    def _rows(self, path: str, block: dict) -> tuple[list[PropertyRow], Callable] | None:
        """The argument rows of a layer, stack, net or repeat, or an arg_scope's defaults,
        and the function setting one; None for blocks without arguments."""
        editor, design, kind = self.editor, self.editor.design, block.get("kind")
        if kind == "arg_scope":

            def set_default(name: str, value: Any) -> None:
                defaults = dict(editor.block_at(path).get("defaults") or {})
                if value is None:
                    defaults.pop(name, None)
                else:
                    defaults[name] = None if value is NULL else value
                editor.set_field(path, "defaults", defaults)

            return arg_scope_rows(design, path), set_default
        if kind not in ("layer", "stack", "net", "repeat"):
            return None
        target = f"{path}.block" if kind == "repeat" else path
        try:
            rows = property_rows(design, target)
        except (ValueError, KeyError):  # An op the catalogue does not know: marked on the canvas.
            return None

        def set_argument(name: str, value: Any) -> None:
            editor.update_args(target, {name: value})

        return rows, set_argument

    def _arguments(self, path: str, block: dict) -> list[pn.viewable.Viewable]:
        found = self._rows(path, block)
        if found is None:
            return []
        rows, setter = found
        fields: list[pn.viewable.Viewable] = [self._field(row, setter) for row in rows]
        if block.get("kind") != "arg_scope":
            return fields
        if not block.get("ops"):
            fields = [pn.pane.Markdown("*Pick the ops this scope sets defaults for.*")]
        # Defaults some listed op does not take have no field: each gets a way to clear it.
        design = self.editor.design
        return [*(self._stale(path, stale) for stale in stale_defaults(design, path)), *fields]

    def _stale(self, path: str, stale: StaleDefault) -> pn.viewable.Viewable:
        """A default that no longer fits the scope's ops: what is wrong, and a button
        clearing it (the sheet has no field for it)."""
        text = (
            f"<b>{html.escape(stale.name)}</b> = {html.escape(format_value(stale.value))}<br>"
            f"{html.escape(stale.message)}"
        )
        note = pn.pane.HTML(
            f"<div role='alert' style='{_STALE_STYLE}'>{text}</div>",
            width=220,
            margin=(6, 10, 2, 10),
        )
        clear = pn.widgets.Button(
            label=f"Clear {stale.name}", color="danger", width=220, margin=(0, 10, 8, 10)
        )

        def cleared(_event) -> None:
            defaults = dict(self.editor.block_at(path).get("defaults") or {})
            defaults.pop(stale.name, None)
            try:  # Not as an edit of this sheet: the sheet is made again without the row.
                self.editor.set_field(path, "defaults", defaults)
            except (ValueError, TypeError) as err:
                self.message = str(err)
                return
            self.message = ""

        clear.on_click(cleared)
        return pn.Column(note, clear, margin=0)

    def _refresh_hints(self) -> None:
        """After an edit made in the sheet: where each value now comes from."""
        path = self.editor.selected
        found = self._rows(path, self.editor.block_at(path)) if path else None
        for row in found[0] if found else ():
            hint = self._hints.get(row.name)
            if hint is not None and hint.object != _hint_html(row):
                hint.object = _hint_html(row)

    def sheet(self) -> pn.viewable.Viewable:
        """The sheet of the selected block (of the design when nothing is selected)."""
        self._hints = {}
        path = self.editor.selected or ""
        design = self.editor.design
        if path:
            block = self.editor.block_at(path)
            kind = block.get("kind")
            title = block.get("op") or block.get("name") or kind
            if kind == "repeat":
                title = f"repeat of {(block.get('block') or {}).get('op')}"
        else:
            block, kind, title = design, "", "design"
        fields = [
            field_widget(row, self._field_setter(path, row.name), self._refuse)
            for row in block_fields(design, path)
        ]
        parts: list[pn.viewable.Viewable] = [
            pn.pane.HTML(
                f"<b style='font-size: 15px'>{html.escape(str(title))}</b> "
                f"<span style='color:#666; font-size: 12px'>{html.escape(path or kind)}</span>"
            ),
            *fields,
        ]
        if not path:
            parts.append(pn.pane.Markdown("*Select a block on the canvas to edit it.*"))
        else:
            parts += self._arguments(path, block)
        return pn.Column(*parts, scroll=True, max_height=620)

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.pane.Alert(
                self.param.message, alert_type="danger", visible=pn.bind(bool, self.param.message)
            ),
            self._holder,
            width=260,
        )
