"""Inspecting a slimlib model: layer table, diagram, collections, and the model that holds them.

Everything here takes a model function `fn(inputs) -> logits or (logits, end_points)` with an
input shape, or an already built `tf.Graph` with the layer trace recorded while building it.
"""

from workbench.models.inspect.build import TracedModel as TracedModel
from workbench.models.inspect.build import build_traced as build_traced
from workbench.models.inspect.checkpoint import Checkpoint as Checkpoint
from workbench.models.inspect.checkpoint import CheckpointEntry as CheckpointEntry
from workbench.models.inspect.checkpoint import read_checkpoint as read_checkpoint
from workbench.models.inspect.diagram import Diagram as Diagram
from workbench.models.inspect.diagram import DiagramCluster as DiagramCluster
from workbench.models.inspect.diagram import DiagramEdge as DiagramEdge
from workbench.models.inspect.diagram import DiagramNode as DiagramNode
from workbench.models.inspect.diagram import build_diagram as build_diagram
from workbench.models.inspect.formatting import format_shape as format_shape
from workbench.models.inspect.graph_collections import (
    STANDARD_COLLECTIONS as STANDARD_COLLECTIONS,
)
from workbench.models.inspect.graph_collections import CollectionListing as CollectionListing
from workbench.models.inspect.graph_collections import TensorEntry as TensorEntry
from workbench.models.inspect.graph_collections import VariableEntry as VariableEntry
from workbench.models.inspect.graph_collections import (
    inspect_collections as inspect_collections,
)
from workbench.models.inspect.layer_table import ArgumentRow as ArgumentRow
from workbench.models.inspect.layer_table import LayerRow as LayerRow
from workbench.models.inspect.layer_table import LayerTable as LayerTable
from workbench.models.inspect.layer_table import tabulate_layers as tabulate_layers
from workbench.models.inspect.model import InspectModel as InspectModel
from workbench.models.inspect.render import GraphvizNotFoundError as GraphvizNotFoundError
from workbench.models.inspect.render import render_svg as render_svg

__all__ = [
    "STANDARD_COLLECTIONS",
    "ArgumentRow",
    "Checkpoint",
    "CheckpointEntry",
    "CollectionListing",
    "Diagram",
    "DiagramCluster",
    "DiagramEdge",
    "DiagramNode",
    "GraphvizNotFoundError",
    "InspectModel",
    "LayerRow",
    "LayerTable",
    "TensorEntry",
    "TracedModel",
    "VariableEntry",
    "build_diagram",
    "build_traced",
    "format_shape",
    "inspect_collections",
    "tabulate_layers",
    "read_checkpoint",
    "render_svg",
]
