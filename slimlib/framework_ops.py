"""Graph helpers (`slim.framework_ops`, TF-Slim's `ops.framework_ops`)."""

from slimlib._src.framework_ops import get_graph_from_inputs as get_graph_from_inputs
from slimlib._src.framework_ops import get_name_scope as get_name_scope

__all__ = ["get_graph_from_inputs", "get_name_scope"]
