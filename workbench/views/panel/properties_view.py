"""Property sheet of the selected layer: typed fields, defaults and scoped defaults shown."""

from __future__ import annotations

import html

import panel as pn
import param

from workbench.models.editor import DesignEditor
from workbench.models.editor.properties import (
    PICKED,
    PropertyRow,
    format_value,
    parse_value,
    property_rows,
)

_DEFAULT = "(default)"
_SOURCE_COLOURS = {"call": "#1f5f99", "arg_scope": "#1b7f3b", "default": "#777777"}


def _label(value) -> str:
    return "None" if value is None else str(value)


class PropertiesView(pn.viewable.Viewer):
    """Fields for every hyper-parameter of the selected layer, bound to a `DesignEditor`.

    A field left empty (or at "(default)") removes the argument from the block, so the
    scoped default or the function's default applies; the hint under each field says which.
    """

    editor = param.ClassSelector(class_=DesignEditor)
    message = param.String(default="", doc="Why the last typed value was refused.")

    def set_value(self, path: str, name: str, value) -> None:
        """Sets (or with None-as-default, removes) one argument of the block at `path`."""
        try:
            self.editor.update_args(path, {name: value})
            self.message = ""
        except (ValueError, TypeError) as err:
            self.message = str(err)

    def _field(self, path: str, row: PropertyRow) -> pn.viewable.Viewable:
        value, source = row.effective
        if source == "arg_scope":
            hint = f"arg_scope ({row.scoped[1]}): {format_value(value)}"
        elif row.required:
            hint = "required"
        else:
            hint = f"default: {format_value(row.default)}"
        hint_html = (
            f"<span style='color:{_SOURCE_COLOURS[source]}; font-size: 11px'>"
            f"{html.escape(hint)}</span>"
        )
        if row.type in PICKED:
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
                    self.editor.update_args(path, {name: None})
                else:
                    self.set_value(path, name, chosen)

            widget.param.watch(picked, "value")
        else:
            widget = pn.widgets.TextInput(
                label=row.name + (" *" if row.required else ""),
                value=format_value(row.value) if row.is_set else "",
                placeholder=format_value(value),
                width=220,
            )

            def typed(event, name=row.name):
                if not event.new.strip():
                    self.editor.update_args(path, {name: None})
                    return
                try:
                    parsed = parse_value(event.new)
                except ValueError as err:
                    self.message = str(err)
                    return
                self.set_value(path, name, parsed)

            widget.param.watch(typed, "value")
        return pn.Column(widget, pn.pane.HTML(hint_html, margin=(-8, 10, 4, 10)))

    def sheet(self) -> pn.viewable.Viewable:
        path = self.editor.selected
        if not path:
            return pn.pane.Markdown("*Select a layer to edit its arguments.*")
        try:
            rows = property_rows(self.editor.design, path)
        except (ValueError, KeyError, IndexError, TypeError):
            block = self.editor.block_at(path)
            return pn.pane.Markdown(
                f"*`{block.get('kind')}` block: edit it on the canvas "
                "(drag blocks in and out of it).*"
            )
        op = self.editor.block_at(path).get("op")
        return pn.Column(
            pn.pane.HTML(
                f"<b style='font-size: 15px'>{html.escape(str(op))}</b> "
                f"<span style='color:#666; font-size: 12px'>{html.escape(path)}</span>"
            ),
            *[self._field(path, row) for row in rows],
            scroll=True,
            max_height=620,
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.pane.Alert(
                self.param.message, alert_type="danger", visible=pn.bind(bool, self.param.message)
            ),
            pn.bind(lambda *_: self.sheet(), self.editor.param.selected, self.editor.param.design),
            width=260,
        )
