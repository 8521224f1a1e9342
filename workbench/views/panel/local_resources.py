"""Keeps every stylesheet of a served page on this server, never on Panel's CDN.

Panel points a component's stylesheets (`loading.css`, `markdown.css`, a theme's CSS) at the
folder its document names as `dist_url`, and at `cdn.holoviz.org` when the document names
none. A document gets its `dist_url` only when its HTML page is rendered. A session whose
page takes longer to connect than the server's unused-session lifetime (Bokeh's default is
15 s, easily reached on a busy machine) is dropped and made again when the page connects, with
no page rendered: every component of that session, and every one added to it later (an
Alert shown after an edit), then asked the CDN for its stylesheets, which fails offline.

A pane updated while its model is out of any document (a Markdown whose bound text changes
as the page redraws around it) takes its stylesheets from Panel's fallback, the CDN, and the
browser asks for them once the model is shown: in a served app that fallback is this server
too.
"""

from __future__ import annotations

import panel as pn
import panel.reactive
from bokeh.document import Document
from panel.io.resources import LOCAL_DIST


def local_dist_url() -> str:
    """The server's own Panel folder, relative to the page as Panel writes it."""
    rel_path = pn.state.rel_path
    return f"{rel_path}/{LOCAL_DIST}" if rel_path else LOCAL_DIST


def keep_resources_local(doc: Document | None = None) -> None:
    """Makes `doc` (default the current session's) resolve stylesheets on this server.

    Call before the session's components are made. Outside a server session (a notebook, a
    test building the app in-process) nothing changes. A `dist_url` Panel has set already
    (the page was rendered) is kept.
    """
    doc = doc if doc is not None else pn.state.curdoc
    if doc is None or doc.session_context is None:
        return
    doc._template_variables.setdefault("dist_url", local_dist_url())
    # Relative to the page, as the app's pages are served at the server's root.
    panel.reactive.CDN_DIST = LOCAL_DIST
