"""Deployment (`slimlib.deployment`): one model as clones on several devices and replicas.

Use it as TF-Slim's training scripts did: `from slimlib.deployment import model_deploy`.
"""

from slimlib.deployment import model_deploy as model_deploy
from slimlib.deployment.model_deploy import Clone as Clone
from slimlib.deployment.model_deploy import DeployedModel as DeployedModel
from slimlib.deployment.model_deploy import DeploymentConfig as DeploymentConfig
from slimlib.deployment.model_deploy import create_clones as create_clones
from slimlib.deployment.model_deploy import deploy as deploy
from slimlib.deployment.model_deploy import optimize_clones as optimize_clones

__all__ = [
    "Clone",
    "DeployedModel",
    "DeploymentConfig",
    "create_clones",
    "deploy",
    "model_deploy",
    "optimize_clones",
]
