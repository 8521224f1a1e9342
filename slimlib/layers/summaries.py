"""TF-Slim's `layers.summaries`: `summarize_tensor`, `summarize_activation` and the collections."""

from slimlib._src.layers.summarize import summarize_activation as summarize_activation
from slimlib._src.layers.summarize import summarize_activations as summarize_activations
from slimlib._src.layers.summarize import summarize_biases as summarize_biases
from slimlib._src.layers.summarize import summarize_collection as summarize_collection
from slimlib._src.layers.summarize import summarize_tensor as summarize_tensor
from slimlib._src.layers.summarize import summarize_tensors as summarize_tensors
from slimlib._src.layers.summarize import summarize_variables as summarize_variables
from slimlib._src.layers.summarize import summarize_weights as summarize_weights

__all__ = [
    "summarize_activation",
    "summarize_activations",
    "summarize_biases",
    "summarize_collection",
    "summarize_tensor",
    "summarize_tensors",
    "summarize_variables",
    "summarize_weights",
]
