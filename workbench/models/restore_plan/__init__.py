"""Restore planning: which variables to restore from a checkpoint, which to train, and the
slimlib code that does it (TF-Slim's "Fine-Tuning Existing Models")."""

from workbench.models.restore_plan.batch_norm import BatchNormUpdates as BatchNormUpdates
from workbench.models.restore_plan.batch_norm import batch_norm_updates as batch_norm_updates
from workbench.models.restore_plan.codegen import generate_code as generate_code
from workbench.models.restore_plan.compare import STATUSES as STATUSES
from workbench.models.restore_plan.compare import UnusedEntry as UnusedEntry
from workbench.models.restore_plan.compare import VariableMatch as VariableMatch
from workbench.models.restore_plan.compare import classify as classify
from workbench.models.restore_plan.compare import compare_with_checkpoint as compare_with_checkpoint
from workbench.models.restore_plan.names import RULE_KINDS as RULE_KINDS
from workbench.models.restore_plan.names import NameRule as NameRule
from workbench.models.restore_plan.names import apply_rules as apply_rules
from workbench.models.restore_plan.plan import RestorePlan as RestorePlan
from workbench.models.restore_plan.scopes import ScopeNode as ScopeNode
from workbench.models.restore_plan.scopes import ScopeTree as ScopeTree
from workbench.models.restore_plan.traps import TRAP_KINDS as TRAP_KINDS
from workbench.models.restore_plan.traps import Trap as Trap
from workbench.models.restore_plan.traps import exclude_traps as exclude_traps

__all__ = [
    "RULE_KINDS",
    "STATUSES",
    "TRAP_KINDS",
    "BatchNormUpdates",
    "NameRule",
    "RestorePlan",
    "ScopeNode",
    "ScopeTree",
    "Trap",
    "UnusedEntry",
    "VariableMatch",
    "apply_rules",
    "batch_norm_updates",
    "classify",
    "compare_with_checkpoint",
    "exclude_traps",
    "generate_code",
]
