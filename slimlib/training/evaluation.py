"""Hook-based evaluation (`slim.training.evaluation`, also `slim.train_eval`).

Restore a checkpoint and run eval ops until a hook (`StopAfterNEvalsHook`) stops them.
"""

from slimlib._src.eval_hooks import StopAfterNEvalsHook as StopAfterNEvalsHook
from slimlib._src.eval_hooks import SummaryAtEndHook as SummaryAtEndHook
from slimlib._src.eval_hooks import get_or_create_eval_step as get_or_create_eval_step
from slimlib._src.evaluation import checkpoints_iterator as checkpoints_iterator
from slimlib._src.evaluation import wait_for_new_checkpoint as wait_for_new_checkpoint
from slimlib._src.hook_evaluation import evaluate_once as evaluate_once
from slimlib._src.hook_evaluation import evaluate_repeatedly as evaluate_repeatedly

__all__ = [
    "StopAfterNEvalsHook",
    "SummaryAtEndHook",
    "checkpoints_iterator",
    "evaluate_once",
    "evaluate_repeatedly",
    "get_or_create_eval_step",
    "wait_for_new_checkpoint",
]
