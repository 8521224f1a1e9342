"""`DesignCanvas`: the drag-and-drop model builder, a Panel `JSComponent` bound to an editor.

The browser side (`canvas.js`, `canvas.css`) draws the palette and the design and reports what
the user did (drop, click, key) as small messages. This side turns each message into one
`DesignEditor` call; the editor's new state flows back into the component's parameters,
which redraws. Nothing here decides what a valid design is: the editor refuses bad edits and
the `status` mapping (from the design package's validation) marks invalid blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import param
from panel.custom import JSComponent

from workbench.models.design import kinds
from workbench.models.editor import STRUCTURE_KINDS, DesignEditor, new_block
from workbench.models.editor.scope_defaults import inherited_arguments
from workbench.problems import did_you_mean
from workbench.views.panel.browser_messages import AppliesBrowserMessages

#: Palette entries for the structure kinds, appended to every palette (from the kind table).
STRUCTURE_PALETTE: list[dict[str, str]] = [
    {"group": "structure", "kind": kind.name, "doc": kind.doc}
    for kind in kinds.KIND_TABLE.values()
    if kind.group == "structure"
]

#: Actions the browser sends, with the message keys each one needs.
ACTIONS: dict[str, tuple[str, ...]] = {
    "insert": ("container", "index"),
    "move": ("path", "container", "index"),
    "replace_layer": ("path", "op"),
    "select": ("path",),
    "delete": ("path",),
    "duplicate": ("path",),
    "add_branch": ("path",),
    "remove_branch": ("path", "branch"),
    "undo": (),
    "redo": (),
}


class DesignCanvas(AppliesBrowserMessages, JSComponent):
    """Palette plus the design drawn as nested blocks; edits go through a `DesignEditor`.

    Drag a palette entry into a list of blocks to insert it, drag a block to move it (within
    or between lists), drop a layer op on a repeat's layer to replace it, click to select,
    Delete/Backspace to delete, Ctrl+D to duplicate, Ctrl+Z / Ctrl+Shift+Z to undo/redo.
    A refused edit leaves the design as it was and shows the editor's message.

    Example:
      >>> canvas = DesignCanvas(DesignEditor(), palette=[{"group": "core", "op": "flatten"}])
      >>> canvas.apply({"action": "insert", "op": "flatten", "container": "blocks", "index": 0})
      True
      >>> canvas.spec["blocks"]
      [{'kind': 'layer', 'op': 'flatten', 'args': {}}]
    """

    # Not `design`: every Panel component already has a `design` parameter (its look).
    spec = param.Dict(default={}, doc="The design drawn, kept equal to the editor's `design`.")
    selected = param.String(default=None, allow_None=True, doc="Path of the selected block.")
    can_undo = param.Boolean(False, doc="Whether the Undo button is enabled.")
    can_redo = param.Boolean(False, doc="Whether the Redo button is enabled.")
    palette = param.List(
        default=[],
        item_type=dict,
        doc="Layer ops to offer, `[{'group': 'convolution', 'op': 'conv2d', 'doc': '...'}]` "
        "(`'kind': 'net'` for a whole net); the structure kinds are always added.",
    )
    status = param.Dict(
        default={},
        doc="Validation per block path: `{'blocks[0]': {'shape': [28, 28, 32], 'error': None}}`; "
        "`error` marks the block invalid.",
    )
    message = param.String(default="", doc="Why the last edit was refused; empty when it was not.")
    inherited = param.Dict(
        default={},
        doc="What each layer and stack takes from enclosing arg_scopes, by path: "
        "`{'blocks[0].blocks[0]': {'padding': {'value': 'VALID', 'from': 'blocks[0]'}}}`; "
        "drawn beside the block's own arguments, marked as inherited.",
    )

    _esm = "canvas.js"
    # The CSS text itself, not its file name: Panel also asks for a file name relative to the
    # page (/canvas.css), which answers 404 and shows as a console error.
    _stylesheets = [(Path(__file__).parent / "canvas.css").read_text(encoding="utf-8")]

    @property
    def _constants(self) -> dict[str, Any]:
        # Sent once with the component: the entries the browser appends to every palette,
        # and how each block kind is drawn (`kinds.canvas_layout`), so that canvas.js
        # declares no kinds or fields of its own.
        return {"structure": STRUCTURE_PALETTE, "kinds": kinds.canvas_layout()}

    def __init__(
        self,
        editor: DesignEditor | None = None,
        *,
        validate: Callable[[dict], Mapping[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        """Binds a canvas to `editor` (a new, empty one when None).

        Args:
          editor: The editor whose design is drawn and changed.
          validate: Optional function of the design returning `status`; called on every
            change of the design, and its result sent with the design in one update (so the
            browser never shows a new design with the old design's messages).
          **params: `palette`, `status` and Panel layout options (`height`, `sizing_mode`...).
        """
        params.setdefault("height", 640)
        params.setdefault("sizing_mode", "stretch_width")
        super().__init__(**params)
        self._editor = editor if editor is not None else DesignEditor()
        self._validate = validate
        self._editor.param.watch(self._follow, ["design", "selected", "can_undo", "can_redo"])
        self._follow()

    @property
    def editor(self) -> DesignEditor:
        """The `DesignEditor` this canvas shows and edits."""
        return self._editor

    def _apply(self, msg: Mapping[str, Any]) -> None:
        """Applies `{"action": ..., ...}` to the editor; see `ACTIONS` for the keys each action
        needs. An insert names its palette entry by `op` (a layer), `kind` (a structure kind)
        or both (`{"kind": "net", "op": "vgg_16"}`). The editor raises for an edit it refuses.
        """
        if not isinstance(msg, Mapping):
            raise TypeError(f"DesignCanvas: a message must be a dict, got {msg!r}.")
        action = msg.get("action")
        if action not in ACTIONS:
            raise ValueError(
                f"DesignCanvas: `action` must be one of {', '.join(ACTIONS)}, got {action!r}."
            )
        missing = [key for key in ACTIONS[action] if key not in msg]
        if missing:
            raise KeyError(f"DesignCanvas: a {action!r} message needs {', '.join(missing)}.")
        editor = self._editor
        if action == "insert":
            editor.insert(palette_block(msg), msg["container"], msg["index"])
        elif action == "move":
            editor.move(msg["path"], msg["container"], msg["index"])
        elif action == "replace_layer":
            editor.set_field(msg["path"], "block", new_block(msg["op"], ready=True))
            editor.select(msg["path"] + ".block")
        elif action == "select":
            editor.select(msg["path"])
        elif action == "delete":
            editor.delete(msg["path"])
        elif action == "duplicate":
            editor.duplicate(msg["path"])
        elif action == "add_branch":
            editor.add_branch(msg["path"])
        elif action == "remove_branch":
            editor.remove_branch(msg["path"], msg["branch"])
        elif action == "undo":
            editor.undo()
        else:
            editor.redo()

    def _follow(self, *events: param.parameterized.Event) -> None:
        editor = self._editor
        updates: dict[str, Any] = {
            "spec": editor.design,
            "selected": editor.selected,
            "can_undo": editor.can_undo,
            "can_redo": editor.can_redo,
        }
        if not events or any(event.name == "design" for event in events):
            updates["inherited"] = _inherited(editor.design)
            if self._validate is not None:
                updates["status"] = dict(self._validate(editor.design))
        self.param.update(**updates)


def _inherited(design: dict) -> dict:
    """`inherited_arguments(design)`, or nothing for a design it cannot read (the editor's
    validation marks what is wrong)."""
    try:
        return inherited_arguments(design)
    except (ValueError, TypeError, KeyError):
        return {}


def palette_block(entry: Mapping[str, Any]) -> dict:
    """The new block a palette entry stands for.

    Args:
      entry: `{"op": "conv2d"}` (a layer), `{"kind": "residual"}` (a structure kind) or
        `{"kind": "net", "op": "vgg_16"}` (a whole net); other keys are ignored.

    Returns:
      A block from `new_block`.

    Raises:
      ValueError: If the entry names neither an op nor a known kind.
    """
    kind, op = entry.get("kind"), entry.get("op")
    if kind == "net":
        return new_block("net", name=op)
    if kind in STRUCTURE_KINDS:
        return new_block(kind, ready=True)
    if kind in (None, "layer") and op is not None:
        return new_block("layer", op=op, ready=True)
    known = (*STRUCTURE_KINDS, "net")
    named = {key: entry[key] for key in ("kind", "op") if key in entry}
    raise ValueError(
        f"DesignCanvas: a palette entry must have an `op` or a `kind` among "
        f"{', '.join(known)}, got {named!r}." + (did_you_mean(kind, known) if kind else "")
    )


def editor_view(
    editor: DesignEditor,
    palette: Sequence[Mapping[str, Any]],
    status: Mapping[str, Any] | Callable[[dict], Mapping[str, Any]] | None = None,
    **params: Any,
) -> DesignCanvas:
    """A `DesignCanvas` wired to `editor`, its palette and the validation status.

    Args:
      editor: The editor to show and change.
      palette: Layer ops offered, `[{"group": "convolution", "op": "conv2d", "doc": "..."}]`.
      status: Per-block validation `{path: {"shape": [...], "error": "..."}}`, or a function
        of the design returning it, called again after every change of the design.
      **params: More `DesignCanvas` parameters (`height`, `sizing_mode`, ...).

    Returns:
      The canvas; set its `status` later when validation is computed elsewhere.

    Example:
      >>> editor = DesignEditor()
      >>> canvas = editor_view(editor, [], lambda design: {"": {"blocks": len(design["blocks"])}})
      >>> _ = editor.insert(editor.new_block("flatten"), "blocks")
      >>> canvas.status
      {'': {'blocks': 1}}
    """
    palette = [dict(entry) for entry in palette]
    if callable(status):
        return DesignCanvas(editor, validate=status, palette=palette, **params)
    return DesignCanvas(editor, palette=palette, status=dict(status or {}), **params)
