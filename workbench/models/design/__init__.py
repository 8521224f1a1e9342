"""Model designs: the JSON spec, its op catalogue, validation, build, code and storage.

A design describes a model as nested blocks (layers, `repeat`, `stack`, `arg_scope`,
residual and parallel blocks, whole nets). From one design the workbench gets the problems
and per-block scopes, shapes and variables (`validate`, `infer_shapes`), a graph
(`build_design`), readable slimlib code (`generate_code`) and a saved file with its
history (`Workspace`). Templates (`templates`, `template`, `net_design`) give designs to
start from; the op catalogue (`catalogue`, `palette`) drives the palette and editors.

Where each concept lives: the block kinds and their fields in `kinds.py` (the one table the
editor, the analysis, build, codegen and the canvas read); the structure a JSON Schema can
check in `schema.py`; the format's envelope, versions and builders in `spec.py`; the
analysis (ops, arguments, shapes, scopes) in `analysis/`, wrapped by `validate.py`; the
problems it reports in `workbench/problems.py`.

Only building needs TensorFlow: `build_design`, `build_graph` and `BuiltDesign` are
imported from `design.build` when first asked for, so that the rest loads without it.
"""

from typing import Any

from workbench.models.design.catalogue import ArgSpec as ArgSpec
from workbench.models.design.catalogue import OpSpec as OpSpec
from workbench.models.design.catalogue import catalogue as catalogue
from workbench.models.design.catalogue import nets as nets
from workbench.models.design.catalogue import op_spec as op_spec
from workbench.models.design.catalogue import palette as palette
from workbench.models.design.codegen import generate_code as generate_code
from workbench.models.design.spec import dumps as dumps
from workbench.models.design.spec import loads as loads
from workbench.models.design.spec import migrate as migrate
from workbench.models.design.spec import new_design as new_design
from workbench.models.design.templates import net_design as net_design
from workbench.models.design.templates import template as template
from workbench.models.design.templates import templates as templates
from workbench.models.design.validate import Analysis as Analysis
from workbench.models.design.validate import BlockInfo as BlockInfo
from workbench.models.design.validate import analyze as analyze
from workbench.models.design.validate import block_status as block_status
from workbench.models.design.validate import infer_shapes as infer_shapes
from workbench.models.design.validate import validate as validate
from workbench.models.design.workspace import Workspace as Workspace
from workbench.problems import DesignError as DesignError
from workbench.problems import Problem as Problem

__all__ = [
    "Analysis",
    "ArgSpec",
    "BlockInfo",
    "BuiltDesign",
    "DesignError",
    "OpSpec",
    "Problem",
    "Workspace",
    "analyze",
    "block_status",
    "build_design",
    "build_graph",
    "catalogue",
    "dumps",
    "generate_code",
    "infer_shapes",
    "loads",
    "migrate",
    "net_design",
    "nets",
    "new_design",
    "op_spec",
    "palette",
    "template",
    "templates",
    "validate",
]

_BUILD_NAMES = ("BuiltDesign", "build_design", "build_graph")


def __getattr__(name: str) -> Any:
    if name in _BUILD_NAMES:
        from workbench.models.design import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
