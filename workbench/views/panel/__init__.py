"""The Panel web app served from `app.py`: `app_page` puts the pages in tabs.

- `pages/`: one module per page (build, inspect, train, finetune), each a view of the
  session (`workbench.models.session.WorkbenchSession`);
- components the pages are made of: `canvas/` (the design canvas), `properties_view` and
  `field_widgets` (the selected block's sheet), `inspect_view`, `finetune_view`,
  `metrics_figure` and `plotly_guard` (charts), `runs_view`, `compare_view`,
  `compare_figure` and `experiments_view` (the Train page's runs table and Compare),
  `preload` (imports the TensorFlow-backed pages in the background).

Views bind to the models' own parameters (`pn.bind`, `param.depends`): they hold widgets
and layout, never the logic of an action. Text a person typed, read from disk or quoted in
an error goes into a Markdown, Alert or HTML pane only through `safe_text` (Panel puts a
pane's text into the page as HTML); Panel's `Str` pane does too, so none is used.
"""
