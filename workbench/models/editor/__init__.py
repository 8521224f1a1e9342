"""Editing a model design (the JSON spec of nested blocks) as a visual builder does.

`DesignEditor` holds one design and applies inserts, moves, deletes, argument and field
changes to it, each checked first and each undoable; `paths` names places in a design.
"""

from workbench.models.editor.blocks import KINDS as KINDS
from workbench.models.editor.blocks import STRUCTURE_KINDS as STRUCTURE_KINDS
from workbench.models.editor.blocks import empty_design as empty_design
from workbench.models.editor.blocks import iter_blocks as iter_blocks
from workbench.models.editor.blocks import new_block as new_block
from workbench.models.editor.editor import NULL as NULL
from workbench.models.editor.editor import SETTABLE_FIELDS as SETTABLE_FIELDS
from workbench.models.editor.editor import DesignEditor as DesignEditor
from workbench.models.editor.paths import format_path as format_path
from workbench.models.editor.paths import get_at as get_at
from workbench.models.editor.paths import parse_path as parse_path
from workbench.models.editor.paths import set_at as set_at
