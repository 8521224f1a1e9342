"""Model clones across devices and replicas (TF-Slim's `deployment/model_deploy.py`).

`from slimlib.deployment import model_deploy` replaces TF-Slim's `from deployment import
model_deploy`; the names and signatures are the same.
"""

from slimlib._src.deployment import Clone as Clone
from slimlib._src.deployment import DeployedModel as DeployedModel
from slimlib._src.deployment import DeploymentConfig as DeploymentConfig
from slimlib._src.deployment import create_clones as create_clones
from slimlib._src.deployment import deploy as deploy
from slimlib._src.deployment import optimize_clones as optimize_clones

__all__ = [
    "Clone",
    "DeployedModel",
    "DeploymentConfig",
    "create_clones",
    "deploy",
    "optimize_clones",
]
