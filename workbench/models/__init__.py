"""UI-agnostic workbench state and logic; imports slimlib, never panel or ipywidgets.

- `design`: the design format (block-kind table, JSON Schema), its analysis, build, code;
- `editor`: undoable edits of a design; `inspect`: layer table, diagram, collections;
- `restore_plan`: restoring a checkpoint into a design; `jobs`: training jobs in their own
  processes; `charts`: a job's metrics shaped for charts;
- `session`: `WorkbenchSession`, one user's design, inspection, plan and training
  settings; every job the app starts goes through it;
- `workspace_root`: `default_workspace`, the folder that holds designs and jobs.
"""
