"""The web app's four pages, one module each, every one a view of a `WorkbenchSession`.

- `build`: palette, canvas, properties, templates, saved designs and the generated code;
- `inspect`: the built design's diagram, layer table and collections;
- `train`: training settings, start/stop/resume and live charts of the workspace's jobs;
- `finetune`: the design compared with a checkpoint, restore/train choices, launch.

The pages hold widgets and layout only; what they do (build, compare, start a job) is a
method of `workbench.models.session.WorkbenchSession`. `workbench.views.panel.app_page` puts
them in tabs. Inspect and Fine-tune import TensorFlow: import them when first needed.
"""
