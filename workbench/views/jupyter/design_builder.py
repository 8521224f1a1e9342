"""A compact design builder for notebooks: add layers by name, see shapes, problems and code.

The drag-and-drop canvas is the web app's builder; in a notebook this widget does the same
edits through the same `DesignEditor` with a few plain controls.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from workbench.models.design import block_status, generate_code, palette
from workbench.models.editor import DesignEditor
from workbench.models.editor.properties import parse_value


class DesignBuilder(widgets.VBox):
    """Op picker + arguments (a JSON object) + Add; the blocks with their output shapes and
    problems; Undo/Delete last; and the generated slimlib code."""

    def __init__(self, editor: DesignEditor | None = None):
        self.editor = editor if editor is not None else DesignEditor()
        ops = [entry["op"] for entry in palette() if entry.get("kind") in (None, "layer")]
        self.op = widgets.Dropdown(options=ops, value="conv2d" if "conv2d" in ops else ops[0],
                                   description="Op")  # fmt: skip
        self.args = widgets.Text(
            value='{"num_outputs": 32, "kernel_size": [3, 3]}',
            description="Arguments",
            layout={"width": "480px"},
        )
        self.add = widgets.Button(description="Add", button_style="primary")
        self.undo = widgets.Button(description="Undo")
        self.delete_last = widgets.Button(description="Delete last")
        self.message = widgets.HTML()
        self.blocks = widgets.HTML()
        self.code = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.op, self.args, self.add]),
                widgets.HBox([self.undo, self.delete_last]),
                self.message,
                self.blocks,
                widgets.Accordion([self.code], titles=("Generated code",)),
            ]
        )
        self.add.on_click(lambda _: self.add_layer(self.op.value, self.args.value))
        self.undo.on_click(lambda _: self._guard(self.editor.undo))
        self.delete_last.on_click(lambda _: self._delete_last())
        self.editor.param.watch(lambda *_: self._show(), ["design"])
        self._show()

    def _guard(self, action, *args) -> bool:
        try:
            action(*args)
        except (ValueError, TypeError) as err:
            self.message.value = f"<b style='color:#b3261e'>{html.escape(str(err))}</b>"
            return False
        self.message.value = ""
        return True

    def add_layer(self, op: str, arguments: str) -> bool:
        """Appends a layer `op` with `arguments` (a JSON object) to the design's top level."""
        try:
            args = parse_value(arguments) if arguments.strip() else {}
        except ValueError as err:
            self.message.value = f"<b style='color:#b3261e'>{html.escape(str(err))}</b>"
            return False
        if not isinstance(args, dict):
            self.message.value = (
                "<b style='color:#b3261e'>Arguments must be a JSON object, "
                f"got {html.escape(arguments)}.</b>"
            )
            return False
        block = {"kind": "layer", "op": op, "args": args}
        return self._guard(self.editor.insert, block, "blocks")

    def _delete_last(self) -> None:
        count = len(self.editor.design["blocks"])
        if count:
            self._guard(self.editor.delete, f"blocks[{count - 1}]")

    def _show(self) -> None:
        design = self.editor.design
        status = block_status(design)
        rows = [f"<tr><td><code>input</code></td><td>{design['input']['shape']}</td><td></td></tr>"]
        for index, block in enumerate(design["blocks"]):
            info = status.get(f"blocks[{index}]", {})
            label = block.get("op") or block.get("kind")
            error = info.get("error")
            cell = (
                f"<span style='color:#b3261e'>{html.escape(error)}</span>"
                if error
                else html.escape(str(info.get("shape")))
            )
            rows.append(
                f"<tr><td><code>{html.escape(str(label))}</code> "
                f"{html.escape(info.get('scope') or '')}</td><td>{cell}</td>"
                f"<td>{info.get('params', 0):,} params</td></tr>"
            )
        self.blocks.value = "<table style='font-size:12px'>" + "".join(rows) + "</table>"
        try:
            code = generate_code(design)
        except ValueError as err:
            code = f"# not valid yet: {err}"
        self.code.value = f"<pre>{html.escape(code)}</pre>"
