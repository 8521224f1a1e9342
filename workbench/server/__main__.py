"""`python -m workbench.server`: see `workbench.server`."""

import sys

from workbench.server.command import main

sys.exit(main())
