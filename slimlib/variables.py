"""Variables (`slim.variables`): creation, lookup, global step and restoring values."""

from slimlib._src.variables import VariableDeviceChooser as VariableDeviceChooser
from slimlib._src.variables import add_model_variable as add_model_variable
from slimlib._src.variables import assert_global_step as assert_global_step
from slimlib._src.variables import assert_or_get_global_step as assert_or_get_global_step
from slimlib._src.variables import assign_from_checkpoint as assign_from_checkpoint
from slimlib._src.variables import assign_from_checkpoint_fn as assign_from_checkpoint_fn
from slimlib._src.variables import assign_from_values as assign_from_values
from slimlib._src.variables import assign_from_values_fn as assign_from_values_fn
from slimlib._src.variables import create_global_step as create_global_step
from slimlib._src.variables import filter_variables as filter_variables
from slimlib._src.variables import get_global_step as get_global_step
from slimlib._src.variables import get_local_variables as get_local_variables
from slimlib._src.variables import get_model_variables as get_model_variables
from slimlib._src.variables import get_or_create_global_step as get_or_create_global_step
from slimlib._src.variables import get_trainable_variables as get_trainable_variables
from slimlib._src.variables import get_unique_variable as get_unique_variable
from slimlib._src.variables import get_variable_full_name as get_variable_full_name
from slimlib._src.variables import get_variables as get_variables
from slimlib._src.variables import get_variables_by_name as get_variables_by_name
from slimlib._src.variables import get_variables_by_suffix as get_variables_by_suffix
from slimlib._src.variables import get_variables_to_restore as get_variables_to_restore
from slimlib._src.variables import global_variable as global_variable
from slimlib._src.variables import local_variable as local_variable
from slimlib._src.variables import model_variable as model_variable
from slimlib._src.variables import variable as variable
from slimlib._src.variables import zero_initializer as zero_initializer

__all__ = [
    "VariableDeviceChooser",
    "add_model_variable",
    "assert_global_step",
    "assert_or_get_global_step",
    "assign_from_checkpoint",
    "assign_from_checkpoint_fn",
    "assign_from_values",
    "assign_from_values_fn",
    "create_global_step",
    "filter_variables",
    "get_global_step",
    "get_local_variables",
    "get_model_variables",
    "get_or_create_global_step",
    "get_trainable_variables",
    "get_unique_variable",
    "get_variable_full_name",
    "get_variables",
    "get_variables_by_name",
    "get_variables_by_suffix",
    "get_variables_to_restore",
    "global_variable",
    "local_variable",
    "model_variable",
    "variable",
    "zero_initializer",
]
