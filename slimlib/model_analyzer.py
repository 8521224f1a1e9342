"""Model analyzer (`slim.model_analyzer`): element and byte counts of variables and op outputs."""

from slimlib._src.model_analyzer import analyze_ops as analyze_ops
from slimlib._src.model_analyzer import analyze_vars as analyze_vars
from slimlib._src.model_analyzer import tensor_description as tensor_description

__all__ = ["analyze_ops", "analyze_vars", "tensor_description"]
