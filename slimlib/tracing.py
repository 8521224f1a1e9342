"""Layer trace and argument provenance: what each layer call did, and why."""

from slimlib._src.trace import Argument as Argument
from slimlib._src.trace import LayerRecord as LayerRecord
from slimlib._src.trace import LayerTrace as LayerTrace
from slimlib._src.trace import ScopeOrigin as ScopeOrigin
from slimlib._src.trace import VariableInfo as VariableInfo
from slimlib._src.trace import is_tracing as is_tracing
from slimlib._src.trace import trace_layers as trace_layers

__all__ = [
    "Argument",
    "LayerRecord",
    "LayerTrace",
    "ScopeOrigin",
    "VariableInfo",
    "is_tracing",
    "trace_layers",
]
