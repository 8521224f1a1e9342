"""Slim Workbench: a Panel web app, Jupyter widgets and a command line around slimlib.

- `workbench.models`: UI-agnostic state and logic (no panel, no ipywidgets): the design
  format and its analysis, the editor, inspection, restore plans, training jobs, and
  `WorkbenchSession`, which ties them together for one user;
- `workbench.views.panel` (the web app) and `workbench.views.jupyter` (notebook widgets)
  bind widgets to the models; `workbench.cli` is the `slim-workbench` command over them;
  `workbench.server` serves the app;
- `workbench.problems`: how every part reports bad input (`Problem`, `DesignError`,
  `did_you_mean`) and writes files (`atomic_write`).

Dependencies point one way: views and the CLI import models, models import `problems` and
slimlib, never the other way (tests/test_module_boundaries.py checks that no import forms
a cycle).
"""
