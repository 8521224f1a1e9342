"""A session that ends lets go of its TensorFlow graphs: a class's server outlives its sessions."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import panel as pn
from bokeh.client import pull_session
from panel.io.server import get_server

from workbench.models.inspect.shared_builds import SHARED
from workbench.models.session import WorkbenchSession
from workbench.views.panel.app_page import PAGES, WorkbenchApp


def test_release_drops_the_inspect_graph_and_builds_again_on_use(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path))
    session.inspect_if_changed()
    graph = weakref.ref(session.inspect.graph)
    inspect = session.inspect
    assert graph() is not None
    session.release()
    gc.collect()
    # Only the shared builds, a bounded cache the next session may use, still hold it.
    assert graph() is not None and len(SHARED) == 1
    assert inspect.graph is None and inspect.outputs == {} and inspect.model_fn is None
    SHARED.clear()
    gc.collect()
    assert graph() is None
    session.inspect_if_changed()  # Opened again: built anew.
    assert session.inspect is not inspect and session.inspect.graph is not None


def test_release_of_a_session_that_built_nothing_changes_nothing(tmp_path):
    session = WorkbenchSession(workspace=str(tmp_path))
    session.release()
    assert session._inspect is None and session._plan is None


def test_a_served_session_releases_its_graphs_and_pages_when_it_ends(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIM_WORKBENCH_WORKSPACE", str(tmp_path))
    made: list[dict[str, weakref.ref]] = []

    def page():
        app = WorkbenchApp(session=WorkbenchSession(workspace=str(tmp_path)))
        tabs = app.__panel__()
        # Opening Inspect builds the design's graph, in a thread: it is shown from the
        # session's event loop once built.
        tabs.active = PAGES.index("Inspect")
        refs = {"session": app.session, "app": app, "train page": app.train_page}
        made.append({what: weakref.ref(obj) for what, obj in refs.items()})
        return pn.Column(tabs)

    # The server ends a session once no page has been connected to it for a while (15 s by
    # default, checked every 17 s); here, within a fifth of a second.
    server = get_server(
        {"app": page},
        port=0,
        start=False,
        show=False,
        check_unused_sessions_milliseconds=100,
        unused_session_lifetime_milliseconds=100,
    )
    thread = threading.Thread(target=server.io_loop.start, daemon=True)
    thread.start()
    server.start()
    try:
        # Two pages open on the app, each over its websocket, as a browser tab is.
        pages = [pull_session(url=f"http://127.0.0.1:{server.port}/app") for _ in range(2)]
        for refs in made:
            session = refs["session"]()
            assert session.inspect_in_background is not None and session.wait_for_inspect(60)
            deadline = time.monotonic() + 60
            while session.inspect.graph is None and time.monotonic() < deadline:
                time.sleep(0.05)
            refs["graph"] = weakref.ref(session.inspect.graph)
            del session
        gc.collect()
        assert [sorted(w for w, ref in refs.items() if ref() is None) for refs in made] == [[], []]
        assert len(server.get_sessions("/app")) == 2
        for opened in pages:
            opened.close()  # The tab is closed.
        SHARED.clear()  # Else the shared builds keep the design's graph for the next session.
        # The server ends the sessions on its event loop (periodic callbacks stop there):
        # wait for that, not for a fixed time.
        deadline = time.monotonic() + 60
        while True:
            gc.collect()
            alive = [sorted(w for w, ref in refs.items() if ref() is not None) for refs in made]
            if alive == [[], []] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert alive == [[], []]
        assert server.get_sessions("/app") == []
    finally:
        server.io_loop.add_callback(server.stop)
        server.io_loop.add_callback(server.io_loop.stop)
        thread.join(30)
