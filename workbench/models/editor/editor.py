"""`DesignEditor`: the edits a visual builder makes to a design, with selection and undo."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import param

from workbench.models.design import kinds
from workbench.models.editor.blocks import (
    check_block,
    check_design,
    check_field,
    check_literal,
    check_name,
    empty_design,
    iter_blocks,
    new_block,
)
from workbench.models.editor.copy_scopes import rename_copy, used_scopes
from workbench.models.editor.paths import format_path, is_within, locate, parse_path
from workbench.problems import did_you_mean

#: Fields `set_field` may change, per block kind (`""` is the design itself); from the kind
#: table (`design.kinds`), which `set_field` reads on every call.
SETTABLE_FIELDS: dict[str, tuple[str, ...]] = kinds.SETTABLE_FIELDS


class _Null:
    """The `update_args` value that sets an argument to None (JSON null), where None itself
    removes it: `activation_fn=None` on a logits layer overrides an arg_scope's `relu`."""

    def __repr__(self) -> str:
        return "NULL"


#: Pass as a value to `update_args` to set the argument to None rather than remove it.
NULL = _Null()
_CONTAINER_EXAMPLES = (
    "`blocks`, `blocks[2].blocks`, `blocks[1].branches[0]` or `blocks[0].shortcut`"
)
_BLOCK_EXAMPLES = "`blocks[0]`, `blocks[2].blocks[1]` or `blocks[3].block`"
_PLACE_NAMES = {
    "design": "the design itself",
    "blocks": "a list of blocks",
    "branches": "the list of branches of a 'branches' block",
    "block": "a block",
}


class DesignEditor(param.Parameterized):
    """One design being edited: every change goes through a method that checks it first.

    A method given bad input raises and leaves `design`, `selected` and the history as they
    were. Every accepted change replaces `design` with a new dict (so watchers see it) and can
    be undone. Treat `design` as read-only; `block_at` gives a copy to look at.

    Example:
      >>> editor = DesignEditor()
      >>> editor.insert(editor.new_block("conv2d"), "blocks")
      'blocks[0]'
      >>> editor.update_args("blocks[0]", {"num_outputs": 8, "kernel_size": [3, 3]})
      >>> editor.design["blocks"][0]["args"]
      {'num_outputs': 8, 'kernel_size': [3, 3]}
      >>> editor.undo(); editor.design["blocks"][0]["args"]
      {}
    """

    design = param.Dict(
        default=None, constant=True, doc="The design being edited (a design JSON dict)."
    )
    selected = param.String(
        default=None,
        allow_None=True,
        constant=True,
        doc="Path of the selected block (e.g. 'blocks[2].blocks[0]'), or None.",
    )
    can_undo = param.Boolean(False, constant=True, doc="Whether `undo()` has a change to undo.")
    can_redo = param.Boolean(False, constant=True, doc="Whether `redo()` has a change to redo.")
    history_limit = param.Integer(
        100, bounds=(1, None), doc="Most changes `undo()` can step back through, >= 1."
    )

    new_block = staticmethod(new_block)

    def __init__(self, design: dict | None = None, **params: Any) -> None:
        """Starts editing `design` (a copy of it), or an empty design when None.

        Raises:
          TypeError, ValueError: If `design` is not a structurally valid design.
        """
        super().__init__(**params)
        self._undo: list[tuple[dict, str | None]] = []
        self._redo: list[tuple[dict, str | None]] = []
        self.load(empty_design() if design is None else design)

    # ----------------------------------------------------------------------------- reading

    def block_at(self, path: str) -> dict:
        """A copy of the block at `path`.

        Raises:
          ValueError: If `path` is not the path of a block in the design.
        """
        return copy.deepcopy(_block(self.design, path, "DesignEditor.block_at"))

    # ----------------------------------------------------------------------------- edits

    def load(self, design: dict) -> None:
        """Replaces the design with a copy of `design`; clears selection and history.

        Raises:
          TypeError: If `design` or a part of it has the wrong type.
          ValueError: If its format, version or a block is not valid.
        """
        check_design(design, fn="DesignEditor.load")
        self._undo.clear()
        self._redo.clear()
        self._show(copy.deepcopy(design), None)

    def replace(self, design: dict) -> None:
        """Replaces the design with a copy of `design` as one change that `undo()` takes back.

        What "Load template" and "Open" do: the design before stays one Undo away. Unlike
        `load`, the history is kept; the selection is cleared.

        Raises:
          TypeError: If `design` or a part of it has the wrong type.
          ValueError: If its format, version or a block is not valid.
        """
        check_design(design, fn="DesignEditor.replace")
        if design == self.design:
            self.select(None)
            return
        self._undo.append((self.design, self.selected))
        del self._undo[: max(0, len(self._undo) - self.history_limit)]
        self._redo.clear()
        self._show(copy.deepcopy(design), None)

    def insert(self, block: dict, container_path: str, index: int | None = None) -> str:
        """Inserts a copy of `block` into a list of blocks and selects it.

        Args:
          block: A block dict, e.g. from `new_block("conv2d")`.
          container_path: The list to insert into: `blocks`, `blocks[2].blocks`,
            `blocks[1].branches[0]`, `blocks[0].shortcut`, ...
          index: Position in that list, 0 (first) to its length (last); default last.

        Returns:
          The path of the inserted block.

        Raises:
          TypeError: If `block` is not a dict or `index` not an int.
          ValueError: If `block` is not a valid block, `container_path` is not a list of
            blocks in the design, or `index` is out of range.
        """
        fn = "DesignEditor.insert"
        check_block(block, fn=fn, where="block")
        block = copy.deepcopy(block)

        def change(draft: dict) -> dict:
            target = _container(draft, container_path, fn)
            target.insert(_gap(index, target, container_path, fn, default=len(target)), block)
            return block

        return self._edit(change)

    def move(self, path: str, container_path: str, index: int) -> str:
        """Moves a block to a position in the same or another list of blocks, and selects it.

        Args:
          path: The block to move, e.g. `blocks[3]`.
          container_path: The list to move it into (see `insert`).
          index: The gap in that list as it is *now*, before the block leaves its place:
            0 is before the first block, its length after the last (the gap a drop indicator
            points at). Moving a block to either gap beside itself changes nothing.

        Returns:
          The block's new path.

        Raises:
          TypeError: If `index` is not an int.
          ValueError: If `path` is not a block that sits in a list (a repeat's layer does
            not), `container_path` is not a list of blocks or lies inside the block, or
            `index` is out of range.
        """
        fn = "DesignEditor.move"

        def change(draft: dict) -> dict:
            block = _block(draft, path, fn)
            source, position = _listed(draft, path, fn, "move")
            target = _container(draft, container_path, fn)
            if is_within(_canonical(container_path), _canonical(path)):
                raise ValueError(
                    f"{fn}: cannot move {path!r} into itself: `container_path` "
                    f"{container_path!r} lies inside it."
                )
            gap = _gap(index, target, container_path, fn)
            if source is target and gap in (position, position + 1):
                return block
            source.pop(position)
            if source is target and gap > position:
                gap -= 1
            target.insert(gap, block)
            return block

        return self._edit(change)

    def delete(self, path: str) -> None:
        """Removes the block at `path` (with everything inside it).

        Raises:
          ValueError: If `path` is not a block that sits in a list (delete a repeat rather
            than its layer).
        """
        fn = "DesignEditor.delete"

        def change(draft: dict) -> None:
            _block(draft, path, fn)
            source, position = _listed(draft, path, fn, "delete")
            source.pop(position)

        self._edit(change)

    def duplicate(self, path: str) -> str:
        """Inserts a copy of the block at `path` right after it, and selects the copy.

        The copy's scope gets the next free name (`conv1` -> `conv1_2`), so it makes
        variables of its own; a block without a scope keeps none, and in one that has none
        (an arg_scope) the scoped blocks inside are renamed so.

        Returns:
          The path of the copy.

        Raises:
          ValueError: If `path` is not a block that sits in a list (a repeat holds one layer).
        """
        fn = "DesignEditor.duplicate"

        def change(draft: dict) -> dict:
            block = _block(draft, path, fn)
            source, position = _listed(draft, path, fn, "duplicate")
            twin = copy.deepcopy(block)
            rename_copy(twin, used_scopes(draft))
            source.insert(position + 1, twin)
            return twin

        return self._edit(change)

    def update_args(self, path: str, changes: Mapping[str, Any]) -> None:
        """Sets or unsets arguments of a layer or stack (its `args`) or a net (its `options`).

        Args:
          path: The block, e.g. `blocks[0]` or a repeat's layer `blocks[3].block`.
          changes: Argument name -> new value; `None` removes the argument, so the layer's
            default (or an enclosing arg_scope's) applies again; `NULL` sets it to None.
            Tuples are stored as lists.

        Raises:
          TypeError: If `changes` is not a mapping, a name is not a str, or a value is not a
            JSON literal.
          ValueError: If `path` is not a layer, stack or net block, or a name is not an
            identifier.
        """
        fn = "DesignEditor.update_args"
        if not isinstance(changes, Mapping):
            raise TypeError(
                f"{fn}: `changes` must be a mapping of argument names to values, got "
                f"{changes!r} ({type(changes).__name__})."
            )

        def change(draft: dict) -> None:
            block = _block(draft, path, fn)
            field = kinds.argument_fields().get(block["kind"])
            if field is None:
                hint = {
                    "repeat": f" A repeat's arguments are on its layer, {path + '.block'!r}.",
                    "arg_scope": " An arg_scope's are its `defaults` (see `set_field`).",
                }.get(block["kind"], "")
                raise ValueError(
                    f"{fn}: `path` must be the path of a layer, stack or net block, got "
                    f"{path!r}, a {block['kind']!r} block, which takes no arguments.{hint}"
                )
            args = block.setdefault(field, {})
            for name, value in changes.items():
                if value is None:
                    check_name(fn, f"changes name {name!r}", name)
                    args.pop(name, None)
                else:
                    value = None if value is NULL else _plain(value)
                    check_field(block["kind"], field, {name: value}, fn=fn, where="changes")
                    args[name] = value

        self._edit(change)

    def set_field(self, path: str, field: str, value: Any) -> None:
        """Sets one field of a block, or of the design itself when `path` is `""`.

        Fields by kind: layer `op`, `scope`; repeat `count`, `scope`, `block` (a layer
        block); stack `op`, `scope`, `per_layer`; arg_scope `ops`, `defaults`; residual
        `scope`, `activation`; branches `axis`, `scope`; net `name`, `options`, `scope`; the
        design `name`, `input`. A `scope` of None removes the scope (the op's default name
        applies), an `activation` of None the residual's activation.

        Raises:
          TypeError: If `value` has the wrong type for the field.
          ValueError: If `path` is not a block (or `""`), the block kind has no such field,
            or `value` is out of range (e.g. `count` < 1, a repeat given a non-layer block).
        """
        fn = "DesignEditor.set_field"

        def change(draft: dict) -> None:
            if path == "":
                owner, kind = draft, ""
            else:
                owner = _block(draft, path, fn)
                kind = owner["kind"]
            allowed = kinds.settable_fields()[kind]
            if field not in allowed:
                what = "the design" if kind == "" else f"{path!r} (a {kind!r} block)"
                raise ValueError(
                    f"{fn}: `field` must be one of {', '.join(allowed)} for {what}, got "
                    f"{field!r}." + did_you_mean(field, allowed)
                )
            if field in ("scope", "activation") and value is None:
                owner.pop(field, None)
                return
            new = _plain(value)
            if kind == "":
                _check_design_field(field, new, fn)
            else:
                check_field(kind, field, new, fn=fn, where="value")
            owner[field] = copy.deepcopy(new)

        self._edit(change)

    def add_branch(self, path: str, index: int | None = None) -> str:
        """Adds an empty branch to a `branches` block.

        Args:
          path: The `branches` block.
          index: Where among its branches, 0 to their number; default last.

        Returns:
          The new branch's path, a list of blocks such as `blocks[1].branches[2]`.

        Raises:
          TypeError: If `index` is not an int.
          ValueError: If `path` is not a `branches` block, or `index` is out of range.
        """
        fn = "DesignEditor.add_branch"
        result: list[str] = []

        def change(draft: dict) -> None:
            branches = _branches(draft, path, fn)
            gap = _gap(index, branches, path + ".branches", fn, default=len(branches))
            branches.insert(gap, [])
            result.append(format_path([*parse_path(path), "branches", gap]))

        self._edit(change)
        return result[0]

    def remove_branch(self, path: str, branch: int) -> None:
        """Removes one branch (with its blocks) from a `branches` block.

        Raises:
          TypeError: If `branch` is not an int.
          ValueError: If `path` is not a `branches` block, `branch` is out of range, or it
            is the only branch left.
        """
        fn = "DesignEditor.remove_branch"

        def change(draft: dict) -> None:
            branches = _branches(draft, path, fn)
            _check_index(
                branch, len(branches) - 1, "branch", fn, f"{path!r} has {len(branches)} branches"
            )
            if len(branches) == 1:
                raise ValueError(f"{fn}: {path!r} has one branch left; delete the block instead.")
            branches.pop(branch)

        self._edit(change)

    def select(self, path: str | None) -> None:
        """Selects the block at `path`, or nothing when None.

        Raises:
          ValueError: If `path` is not the path of a block in the design.
        """
        if path is not None:
            _block(self.design, path, "DesignEditor.select")
            path = _canonical(path)
        with param.edit_constant(self):
            self.selected = path

    def undo(self) -> None:
        """Goes back to the design (and selection) before the last change.

        Raises:
          ValueError: If there is nothing to undo (`can_undo` is False).
        """
        if not self._undo:
            raise ValueError("DesignEditor.undo: there is nothing to undo (`can_undo` is False).")
        self._redo.append((self.design, self.selected))
        self._show(*self._undo.pop())

    def redo(self) -> None:
        """Applies again the change the last `undo()` took back.

        Raises:
          ValueError: If there is nothing to redo (`can_redo` is False); any new change
            after an undo clears what could be redone.
        """
        if not self._redo:
            raise ValueError("DesignEditor.redo: there is nothing to redo (`can_redo` is False).")
        self._undo.append((self.design, self.selected))
        self._show(*self._redo.pop())

    # ----------------------------------------------------------------------------- internals

    def _edit(self, change: Callable[[dict], dict | None]) -> Any:
        """Applies `change` to a copy of the design; keeps it, with history, if it raises not.

        `change` returns the block to select (a dict inside the copy) or None to keep the
        current selection where it went (None if it was removed).
        """
        draft = copy.deepcopy(self.design)
        kept = _find_block(draft, self.selected)
        chosen = change(draft)
        target = chosen if chosen is not None else kept
        selected = _path_of(draft, target)
        if draft == self.design:
            if chosen is not None:
                self.select(selected)
            return selected
        self._undo.append((self.design, self.selected))
        del self._undo[: max(0, len(self._undo) - self.history_limit)]
        self._redo.clear()
        self._show(draft, selected)
        return selected if chosen is not None else None

    def _show(self, design: dict, selected: str | None) -> None:
        with param.edit_constant(self):
            self.param.update(
                design=design,
                selected=selected,
                can_undo=bool(self._undo),
                can_redo=bool(self._redo),
            )


def _canonical(path: str) -> str:
    return format_path(parse_path(path))


def _block(design: dict, path: str, fn: str) -> dict:
    place, value = locate(design, path, fn=fn)
    if place != "block":
        raise ValueError(
            f"{fn}: `path` must be the path of a block, such as {_BLOCK_EXAMPLES}, got "
            f"{path!r}, which is {_PLACE_NAMES[place]}."
        )
    return value


def _container(design: dict, path: str, fn: str) -> list:
    place, value = locate(design, path, fn=fn, name="container_path", create=True)
    if place != "blocks":
        raise ValueError(
            f"{fn}: `container_path` must be the path of a list of blocks, such as "
            f"{_CONTAINER_EXAMPLES}, got {path!r}, which is {_PLACE_NAMES[place]}."
        )
    return value


def _branches(design: dict, path: str, fn: str) -> list:
    block = _block(design, path, fn)
    if block["kind"] != "branches":
        raise ValueError(
            f"{fn}: `path` must be the path of a 'branches' block, got {path!r}, "
            f"a {block['kind']!r} block."
        )
    return block["branches"]


def _listed(design: dict, path: str, fn: str, verb: str) -> tuple[list, int]:
    """The list holding the block at `path` (already checked to be a block), and its index."""
    steps = parse_path(path)
    if steps[-1] == "block":
        owner = format_path(steps[:-1])
        raise ValueError(
            f"{fn}: cannot {verb} {path!r}, the layer of the repeat {owner!r} (a repeat holds "
            f"exactly one layer); {verb} the repeat, or replace its layer with "
            f"set_field({owner!r}, 'block', ...)."
        )
    _, source = locate(design, format_path(steps[:-1]), fn=fn)
    return source, steps[-1]


def _check_index(index: Any, last: int, name: str, fn: str, holds: str) -> None:
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"{fn}: `{name}` must be an int, got {index!r} ({type(index).__name__}).")
    if not 0 <= index <= last:
        raise ValueError(f"{fn}: `{name}` must be between 0 and {last} ({holds}), got {index}.")


def _gap(index: Any, items: list, path: str, fn: str, default: int | None = None) -> int:
    if index is None and default is not None:
        return default
    _check_index(index, len(items), "index", fn, f"{path!r} holds {len(items)}")
    return index


def _find_block(design: dict, path: str | None) -> dict | None:
    if path is None:
        return None
    try:
        place, value = locate(design, path, fn="DesignEditor")
    except ValueError:
        return None
    return value if place == "block" else None


def _path_of(design: dict, block: dict | None) -> str | None:
    if block is None:
        return None
    return next((path for path, found in iter_blocks(design) if found is block), None)


def _plain(value: Any) -> Any:
    """`value` with tuples turned into lists (JSON has no tuples)."""
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _check_design_field(field: str, value: Any, fn: str) -> None:
    if field == "name":
        if not isinstance(value, str) or not value.strip():
            raise TypeError(f"{fn}: the design's `name` must be a non-empty str, got {value!r}.")
        return
    check_literal(value, fn=fn, where="value")
    shape = value.get("shape") if isinstance(value, dict) else None
    if not isinstance(shape, list) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 1) for d in shape
    ):
        raise ValueError(
            f"{fn}: the design's `input` must be a dict with a `shape` list of ints >= 1 (or "
            f'None), such as {{"shape": [28, 28, 1], "dtype": "float32"}}, got {value!r}.'
        )
