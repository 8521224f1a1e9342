"""UI-agnostic workbench state and logic; imports slimlib, never panel or ipywidgets."""
