"""Output and collection helpers (`slim.utils`)."""

from slimlib._src.utils import append_tensor_alias as append_tensor_alias
from slimlib._src.utils import channel_dimension as channel_dimension
from slimlib._src.utils import collect_named_outputs as collect_named_outputs
from slimlib._src.utils import constant_value as constant_value
from slimlib._src.utils import convert_collection_to_dict as convert_collection_to_dict
from slimlib._src.utils import gather_tensors_aliases as gather_tensors_aliases
from slimlib._src.utils import get_tensor_aliases as get_tensor_aliases
from slimlib._src.utils import get_variable_collections as get_variable_collections
from slimlib._src.utils import last_dimension as last_dimension
from slimlib._src.utils import n_positive_integers as n_positive_integers
from slimlib._src.utils import scope_name_of as scope_name_of
from slimlib._src.utils import smart_cond as smart_cond
from slimlib._src.utils import static_cond as static_cond
from slimlib._src.utils import static_or_dynamic_map_fn as static_or_dynamic_map_fn
from slimlib._src.utils import two_element_tuple as two_element_tuple

__all__ = [
    "append_tensor_alias",
    "channel_dimension",
    "collect_named_outputs",
    "constant_value",
    "convert_collection_to_dict",
    "gather_tensors_aliases",
    "get_tensor_aliases",
    "get_variable_collections",
    "last_dimension",
    "n_positive_integers",
    "scope_name_of",
    "smart_cond",
    "static_cond",
    "static_or_dynamic_map_fn",
    "two_element_tuple",
]
