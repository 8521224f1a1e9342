"""`python -m workbench.models.jobs --logdir DIR`: the same job process as `workbench.train`."""

import sys

from workbench.models.jobs.runner import main

if __name__ == "__main__":
    sys.exit(main())
