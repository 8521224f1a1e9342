"""ipywidgets views of `workbench.models`, for notebooks."""
