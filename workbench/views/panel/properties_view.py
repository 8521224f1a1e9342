"""Property sheet of the selected block: its fields, then its arguments (typed, with their
defaults and scoped defaults shown); with nothing selected, the design's name and input.

Making a sheet's widgets (and their Bokeh models) is most of the cost of selecting a block,
so sheets are kept, the ones not shown hidden: selecting a block whose sheet has the same
shape as a kept one (the same kind, fields and argument rows: another conv2d, say) shows
that sheet again with the block's values written into its widgets.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
from collections.abc import Callable, Iterator
from typing import Any

import panel as pn
import param

from workbench.models.design import choices
from workbench.models.editor import NULL, DesignEditor
from workbench.models.editor.fields import FieldRow, arg_scope_rows, block_fields
from workbench.models.editor.properties import (
    NAMED,
    PICKED,
    PropertyRow,
    format_value,
    parse_value,
    picked_name,
    property_rows,
    python_text,
    starting_value,
)
from workbench.models.editor.scope_defaults import StaleDefault, stale_defaults
from workbench.views.panel.field_widgets import field_widget, show_field_value
from workbench.views.panel.safe_text import markdown_message

_DEFAULT = "(default)"
_STALE_STYLE = (
    "color:#8a1414; background:#fdecec; border:1px solid #f3b7b7; border-radius:4px; "
    "padding:6px 8px; font-size:12px"
)
_SOURCE_COLOURS = {"call": "#1f5f99", "arg_scope": "#1b7f3b", "default": "#777777"}
#: Block sheets kept per session, each for one shape of sheet: as many as the kinds of layer
#: a template has, so moving among its blocks writes values instead of making widgets.
MAX_KEPT_SHEETS = 8


def _label(value) -> str:
    return "None" if value is None else str(value)


def _hint_html(row: PropertyRow) -> str:
    """Under a field: where its value comes from, coloured by source."""
    value, source = row.effective
    if source == "arg_scope":
        hint = f"arg_scope ({row.scoped[1]}): {python_text(value)}"
    elif row.required:
        hint = "required"
    else:
        hint = f"default: {python_text(row.default)}"
    return (
        f"<span style='color:{_SOURCE_COLOURS[source]}; font-size: 11px'>{html.escape(hint)}</span>"
    )


def _picked_label(row: PropertyRow) -> str:
    """What the pick of a `PICKED` row shows."""
    return _label(row.value) if row.is_set else _DEFAULT


def _typed_text(row: PropertyRow) -> str:
    """What the text field of a typed row holds: the block's own value, else nothing."""
    return format_value(row.value) if row.is_set else ""


def _named_label(row_type: str, value: Any, is_set: bool) -> str:
    """What the name list above a `NAMED` row's text shows for `value`."""
    if not is_set:
        return _DEFAULT
    name = "None" if value is None else picked_name(value)
    return name if name in choices.names(row_type) or name == "None" else _DEFAULT


def _title_html(title: str, place: str) -> str:
    return (
        f"<b style='font-size: 15px'>{html.escape(str(title))}</b> "
        f"<span style='color:#666; font-size: 12px'>{html.escape(place)}</span>"
    )


def _title(block: dict, path: str) -> str:
    kind = block.get("kind")
    if kind == "repeat":
        return f"repeat of {(block.get('block') or {}).get('op')}"
    return block.get("op") or block.get("name") or kind


class _Target:
    """The block (path; "" for the design) a sheet shows and edits now. A sheet reused for
    another block points its target there, and its widgets' watchers follow."""

    def __init__(self, path: str):
        self.path = path


@dataclasses.dataclass(eq=False)
class _Sheet:
    """A sheet and the widgets that show values, to write another block's values into.

    Attributes:
      layout: The sheet as shown.
      target: The block it shows and edits.
      shape: What it was made for; a block giving an equal shape can be shown in it.
      title: The heading (op and path).
      fields: The block field widgets (`field_widget`), in `block_fields` order.
      arguments: Argument name -> its widgets (a pick; a text; or a name list and a text).
      hints: Argument name -> the hint under it.
      used: When it was last shown (a counter): the least recently shown goes first.
    """

    layout: pn.Column
    target: _Target
    shape: tuple
    title: pn.pane.HTML
    fields: list[pn.Column]
    arguments: dict[str, list[pn.widgets.Widget]]
    hints: dict[str, pn.pane.HTML]
    used: int = 0


class PropertiesView(pn.viewable.Viewer):
    """Fields for every hyper-parameter of the selected layer, bound to a `DesignEditor`.

    A field left empty (or at "(default)") removes the argument from the block, so the
    scoped default or the function's default applies; the hint under each field says which.
    """

    editor = param.ClassSelector(class_=DesignEditor)
    message = param.String(default="", doc="Why the last typed value was refused.")
    kept_sheets = param.Integer(
        default=MAX_KEPT_SHEETS,
        bounds=(0, None),
        doc="How many block sheets are kept to show other blocks of their shape in; 0: a new "
        "sheet for every selection.",
    )

    def __init__(self, **params):
        super().__init__(**params)
        self._hints: dict[str, pn.pane.HTML] = {}  # The shown sheet's hints, to refresh.
        # True while an edit made in this sheet runs: the widgets already show it, so the
        # sheet is kept (only the hints are refreshed) instead of being filled or built again.
        self._own_edit = False
        # True while a sheet's widgets are given another block's values: not edits.
        self._filling = False
        # The design's sheet is kept with everything it was made from, and shown again only
        # for equal values: (key, sheet). Block sheets are kept by shape (see `_shape`).
        self._design_sheet: tuple[tuple, _Sheet] | None = None
        self._blocks: list[_Sheet] = []
        self._shown: _Sheet | None = None
        self._uses = 0
        self._holder = pn.Column(sizing_mode="stretch_width")
        self._show()
        self.editor.param.watch(self._redraw, ["selected", "design"])
        # A refused value stays typed in its widget: those sheets no longer show the design.
        self.param.watch(lambda event: event.new and self._forget_sheets(), "message")

    @contextlib.contextmanager
    def _editing(self) -> Iterator[None]:
        self._own_edit = True
        try:
            yield
        finally:
            self._own_edit = False

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        self._filling = True
        try:
            yield
        finally:
            self._filling = False

    def _forget_sheets(self) -> None:
        self._design_sheet = None
        self._blocks = []

    @property
    def shown_sheet(self) -> pn.viewable.Viewable:
        """The sheet on the page: the selected block's, or the design's."""
        return next(sheet for sheet in self._holder.objects if sheet.visible)

    def _shape(self, path: str, block: dict, fields: list[FieldRow], rows) -> tuple:
        """What a block's sheet is made from but for values: blocks of equal shapes can be
        shown in one sheet. An arg_scope's sheet (notes on defaults that no longer fit, a
        note while it lists no ops) is shown again only for the same block as it is."""
        kind = block.get("kind")
        if kind == "arg_scope":
            return (
                "arg_scope",
                path,
                block,
                fields,
                rows,
                stale_defaults(self.editor.design, path),
            )
        argument_shape = (
            None if rows is None else tuple((r.name, r.type, r.options, r.required) for r in rows)
        )
        return (kind, tuple((f.name, f.type, f.options, f.doc) for f in fields), argument_shape)

    def _redraw(self, *_events) -> None:
        if self._own_edit:
            self._refresh_hints()
            if not self.editor.selected and self._design_sheet and not self.message:
                # The design sheet's own widgets made the edit and show it already.
                self._design_sheet = (self._design_key(), self._design_sheet[1])
        else:
            self._show()

    def _design_key(self) -> tuple:
        return ("", block_fields(self.editor.design, ""))

    def _show(self) -> None:
        """Shows the sheet of the selection: a kept one when one fits, else a new one."""
        path = self.editor.selected or ""
        if not path:
            key = self._design_key()
            if self._design_sheet is None or self._design_sheet[0] != key:
                self._design_sheet = (key, self._build(""))
            sheet = self._design_sheet[1]
        else:
            block = self.editor.block_at(path)
            fields = block_fields(self.editor.design, path)
            rows = self._rows(path, block)
            shape = self._shape(path, block, fields, rows)
            fits = [kept for kept in self._blocks if kept.shape == shape and self.kept_sheets]
            sheet = fits[0] if fits else None
            if sheet is None:
                sheet = self._build(path, block=block, fields=fields, rows=rows, shape=shape)
                if shape[0] == "arg_scope":  # Made for one state of one scope: one is kept.
                    self._blocks = [kept for kept in self._blocks if kept.shape[0] != "arg_scope"]
                self._blocks.append(sheet)
            else:
                self._fill(sheet, path, block, fields, rows)
        self._uses += 1
        sheet.used = self._uses
        while len(self._blocks) > max(self.kept_sheets, 1):  # The shown one was used last.
            self._blocks.remove(min(self._blocks, key=lambda kept: kept.used))
        self._shown, self._hints = sheet, sheet.hints
        kept = [self._design_sheet[1]] if self._design_sheet else []
        kept += self._blocks
        for each in kept:
            if each.layout.visible and each is not sheet and each.target.path:
                # A hidden sheet names no block: the page shows each path once.
                each.title.object = ""
            each.layout.visible = each is sheet
        # In the order they were made: a new order would have Bokeh walk the whole document
        # again (tens of ms), as a new sheet does.
        layouts = [each.layout for each in kept]
        if self._holder.objects != layouts:
            self._holder.objects = layouts

    def _fill(self, sheet: _Sheet, path: str, block: dict, fields: list[FieldRow], rows) -> None:
        """Writes the values of the block at `path` into `sheet`, made for the same shape,
        and points its widgets' edits at that block."""
        sheet.target.path = path
        with self._writing():
            sheet.title.object = _title_html(_title(block, path), path)
            for field, row in zip(sheet.fields, fields, strict=True):
                show_field_value(field, row)
            for row in rows or ():
                widgets = sheet.arguments[row.name]
                if row.type in PICKED:
                    widgets[0].value = _picked_label(row)
                else:
                    if row.type in NAMED:
                        widgets[0].value = _named_label(row.type, row.value, row.is_set)
                    widgets[-1].param.update(
                        value=_typed_text(row), placeholder=python_text(row.effective[0])
                    )
                hint = sheet.hints[row.name]
                if hint.object != _hint_html(row):
                    hint.object = _hint_html(row)

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

    def _field(
        self, row: PropertyRow, setter: Callable[[str, Any], None], sheet_hints: dict
    ) -> tuple[pn.viewable.Viewable, list[pn.widgets.Widget]]:
        """An argument row and its value widgets; `setter(name, value)` sets it, removes it
        for None, and sets it to None for `NULL`."""
        if row.type in PICKED:
            widgets = [self._picked(row, setter)]
        elif row.type in NAMED:
            text = self._typed(row, setter, label="")
            widgets = [self._name_picker(row, text), text]
        else:
            widgets = [self._typed(row, setter, label=row.name + (" *" if row.required else ""))]
        hint = pn.pane.HTML(_hint_html(row), margin=(-8, 10, 4, 10))
        sheet_hints[row.name] = hint
        return pn.Column(*widgets, hint), widgets

    def _picked(self, row: PropertyRow, setter: Callable[[str, Any], None]) -> pn.widgets.Select:
        labels = {_DEFAULT: _DEFAULT, **{_label(o): o for o in row.options}}
        widget = pn.widgets.Select(
            label=row.name, options=list(labels), value=_picked_label(row), width=220
        )

        def picked(event, name=row.name):
            if self._filling:
                return
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
            label=label, value=_typed_text(row), placeholder=python_text(value), width=220
        )

        def typed(event, name=row.name):
            if self._filling:
                return
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
        options = [_DEFAULT, *choices.names(row.type), "None"]
        picker = pn.widgets.Select(
            label=row.name,
            options=options,
            value=_named_label(row.type, row.value, row.is_set),
            width=220,
        )
        syncing = []  # Non-empty while one widget updates the other.

        def update(widget: pn.widgets.Widget, value: str) -> None:
            syncing.append(True)
            try:
                widget.value = value
            finally:
                syncing.clear()

        def picked(event):
            if syncing or self._filling:
                return
            if event.new == _DEFAULT:
                update(text, "")
            elif event.new == "None":
                update(text, "null")
            else:
                update(text, format_value(starting_value(row.type, event.new)))

        def typed(event):
            if syncing or self._filling:
                return
            try:
                value = parse_value(event.new) if event.new.strip() else None
            except ValueError:
                return  # The field's own watcher reports it.
            update(picker, _named_label(row.type, value, bool(event.new.strip())))

        picker.param.watch(picked, "value")
        text.param.watch(typed, "value")
        return picker

    def _field_setter(self, target: _Target, name: str) -> Callable[[Any], None]:
        """Sets one field of the block `target` shows (of the design when its path is "")."""
        editor = self.editor

        def apply(value: Any) -> None:
            # New ops give an arg_scope other rows: only then is the sheet built again.
            with contextlib.nullcontext() if name == "ops" else self._editing():
                if name.startswith("input."):
                    given = dict(editor.design.get("input") or {})
                    given[name.split(".", 1)[1]] = value
                    editor.set_field("", "input", given)
                else:
                    editor.set_field(target.path, name, value)
            self.message = ""

        return apply

    def _rows(self, path: str, block: dict) -> list[PropertyRow] | None:
        """The argument rows of a layer, stack, net or repeat, or an arg_scope's defaults;
        None for blocks without arguments."""
        design, kind = self.editor.design, block.get("kind")
        if kind == "arg_scope":
            return arg_scope_rows(design, path)
        if kind not in ("layer", "stack", "net", "repeat"):
            return None
        try:
            return property_rows(design, f"{path}.block" if kind == "repeat" else path)
        except (ValueError, KeyError):  # An op the catalogue does not know: marked on the canvas.
            return None

    def _row_setter(self, target: _Target, kind: str) -> Callable[[str, Any], None]:
        """`setter(name, value)` of the argument rows of the block `target` shows."""
        editor = self.editor
        if kind == "arg_scope":

            def set_default(name: str, value: Any) -> None:
                defaults = dict(editor.block_at(target.path).get("defaults") or {})
                if value is None:
                    defaults.pop(name, None)
                else:
                    defaults[name] = None if value is NULL else value
                editor.set_field(target.path, "defaults", defaults)

            return set_default

        def set_argument(name: str, value: Any) -> None:
            path = f"{target.path}.block" if kind == "repeat" else target.path
            editor.update_args(path, {name: value})

        return set_argument

    def _arguments(
        self, target: _Target, block: dict, rows: list[PropertyRow] | None, sheet_hints: dict
    ) -> tuple[list[pn.viewable.Viewable], dict[str, list[pn.widgets.Widget]]]:
        if rows is None:
            return [], {}
        setter = self._row_setter(target, block.get("kind"))
        fields: list[pn.viewable.Viewable] = []
        widgets: dict[str, list[pn.widgets.Widget]] = {}
        for row in rows:
            field, widgets[row.name] = self._field(row, setter, sheet_hints)
            fields.append(field)
        if block.get("kind") != "arg_scope":
            return fields, widgets
        path = target.path
        if not block.get("ops"):
            fields = [pn.pane.Markdown("*Pick the ops this scope sets defaults for.*")]
        # Defaults some listed op does not take have no field: each gets a way to clear it.
        design = self.editor.design
        notes = [self._stale(path, stale) for stale in stale_defaults(design, path)]
        return [*notes, *fields], widgets

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
            label=f"Clear {stale.name}", button_type="danger", width=220, margin=(0, 10, 8, 10)
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

    def _refresh_hints(self, sheet: _Sheet | None = None) -> None:
        """Where each value of the shown sheet (or `sheet`) now comes from."""
        hints = sheet.hints if sheet is not None else self._hints
        path = sheet.target.path if sheet is not None else self.editor.selected
        rows = self._rows(path, self.editor.block_at(path)) if path else None
        for row in rows or ():
            hint = hints.get(row.name)
            if hint is not None and hint.object != _hint_html(row):
                hint.object = _hint_html(row)

    def _build(
        self,
        path: str,
        *,
        block: dict | None = None,
        fields: list[FieldRow] | None = None,
        rows: list[PropertyRow] | None = None,
        shape: tuple = (),
    ) -> _Sheet:
        """A new sheet of the block at `path` (of the design when `path` is "")."""
        design = self.editor.design
        target = _Target(path)
        if fields is None:
            fields = block_fields(design, path)
        if path and block is None:
            block = self.editor.block_at(path)
            rows = self._rows(path, block)
        field_columns = [
            field_widget(
                row, self._field_setter(target, row.name), self._refuse, muted=self._is_filling
            )
            for row in fields
        ]
        if path:
            title = pn.pane.HTML(_title_html(_title(block, path), path))
        else:
            title = pn.pane.HTML(_title_html("design", ""))
        parts: list[pn.viewable.Viewable] = [title, *field_columns]
        hints: dict[str, pn.pane.HTML] = {}
        arguments: dict[str, list[pn.widgets.Widget]] = {}
        if not path:
            parts.append(pn.pane.Markdown("*Select a block on the canvas to edit it.*"))
        else:
            more, arguments = self._arguments(target, block, rows, hints)
            parts += more
        layout = pn.Column(*parts, scroll=True, max_height=620)
        return _Sheet(layout, target, shape, title, field_columns, arguments, hints)

    def _is_filling(self) -> bool:
        return self._filling

    def sheet(self) -> pn.viewable.Viewable:
        """A new sheet of the selected block (of the design when nothing is selected)."""
        return self._build(self.editor.selected or "").layout

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.pane.Alert(
                self.param.message.rx.pipe(markdown_message),
                alert_type="danger",
                visible=pn.bind(bool, self.param.message),
            ),
            self._holder,
            width=260,
        )
