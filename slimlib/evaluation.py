"""Evaluation (`slim.evaluation`): evaluate checkpoints once or as they appear."""

from slimlib._src.evaluation import checkpoints_iterator as checkpoints_iterator
from slimlib._src.evaluation import evaluate_once as evaluate_once
from slimlib._src.evaluation import evaluation_loop as evaluation_loop
from slimlib._src.evaluation import wait_for_new_checkpoint as wait_for_new_checkpoint

__all__ = [
    "checkpoints_iterator",
    "evaluate_once",
    "evaluation_loop",
    "wait_for_new_checkpoint",
]
