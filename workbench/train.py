"""Entry point of a training job process: `python -m workbench.train --logdir DIR`.

See `workbench.models.jobs.runner` for what the process does, and
`workbench.models.jobs.control.start` for launching one from Python.
"""

from workbench.models.jobs.runner import exit_at_once, main

if __name__ == "__main__":
    exit_at_once(main())
