"""Where the workspace is: the one folder that holds a user's designs and jobs.

The command line and the web app both start from `default_workspace()`, so that
`slim-workbench jobs` lists the jobs the app started, and the other way round. Inside the
workspace, `workbench.models.design.workspace` stores designs and `workbench.models.jobs`
keeps each job in its log directory.
"""

from __future__ import annotations

import os

#: Environment variable naming the workspace folder.
WORKSPACE_ENV = "SLIM_WORKBENCH_WORKSPACE"
#: The workspace's folder name in the current directory when the variable is unset.
DEFAULT_FOLDER = "workspace"


def default_workspace(*, create: bool = False) -> str:
    """`$SLIM_WORKBENCH_WORKSPACE`, else `workspace/` in the current folder, as a real path.

    Args:
      create: Whether to make the folder (and its parents) when it is missing. Default
        False: a command that only reads the workspace should not leave an empty one behind.

    Returns:
      The absolute path, symlinks resolved.

    Example:
      >>> os.path.isabs(default_workspace())
      True
    """
    path = os.path.realpath(
        os.environ.get(WORKSPACE_ENV) or os.path.join(os.getcwd(), DEFAULT_FOLDER)
    )
    if create:
        os.makedirs(path, exist_ok=True)
    return path
