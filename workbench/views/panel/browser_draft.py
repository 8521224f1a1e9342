"""`BrowserDraftId`: the browser's draft id, kept in its localStorage and told to the server.

The server cannot read localStorage, and a new session knows nothing of the browser it
serves: this empty component reads the id when rendered (storing `fresh`, a new random id,
the first time) and sets `draft_id`, which the app then uses to restore and keep the draft
(`workbench.models.design.drafts`). The server checks the id again before using it.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

from workbench.models.design.drafts import new_draft_id

#: The localStorage key holding the draft id.
STORAGE_KEY = "slim-workbench-draft"


class BrowserDraftId(JSComponent):
    """Reports the browser's draft id in `draft_id` once the page is shown."""

    fresh = param.String(doc="The id stored when the browser has none yet.")
    draft_id = param.String(default="", doc="The browser's draft id, set by the browser.")

    _esm = f"""
export function render({{ model }}) {{
  const key = "{STORAGE_KEY}"
  let id = null
  try {{ id = window.localStorage.getItem(key) }} catch (err) {{}}
  if (id == null || !/^[0-9a-f]{{32}}$/.test(id)) {{
    id = model.fresh
    try {{ window.localStorage.setItem(key, id) }} catch (err) {{}}
  }}
  model.draft_id = id
}}
"""

    def __init__(self, **params):
        params.setdefault("fresh", new_draft_id())
        params.setdefault("width", 0)
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)
