"""The served app against crafted HTTP requests: a real `python -m workbench.server` process.

A one-line Panel app stands in for app.py (the guards sit in front of any app, and a tiny
page builds its session in milliseconds). The server has a login (basic auth), allows the
hosts 127.0.0.1 and localhost, and keeps at most 30 unconnected page loads per client.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "a long passphrase for tests"
TINY_APP = "import panel as pn\n\npn.pane.Markdown('tiny').servable()\n"
PER_CLIENT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, port: int, log: Path):
        self.port = port
        self.log = log
        self.cookie = ""

    def request(self, method, path, *, body=None, host=None, cookie=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": host or f"127.0.0.1:{self.port}", **(headers or {})}
        if cookie:
            sent["Cookie"] = cookie
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body)
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response, text

    def login(self, password=PASSWORD):
        return self.request("POST", "/login", body={"username": "slim", "password": password})


def _serve(folder: Path, log_name: str):
    """Starts `python -m workbench.server` on the tiny app in `folder` (its workspace is
    `folder/workspace`); returns the process and a logged-in `Server`."""
    port = _free_port()
    log = folder / log_name
    command = [
        *(sys.executable, "-m", "workbench.server", "tiny.py", "--port", str(port)),
        *("--address", "127.0.0.1", "--basic-auth", "auth.json"),
        *("--allowed-host", "127.0.0.1", "--allowed-host", "localhost"),
        *("--max-pending-per-client", str(PER_CLIENT)),
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PANEL_COOKIE_SECRET="s" * 40)
    env.pop("SLIM_WORKBENCH_WORKSPACE", None)
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    served = Server(port, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            try:
                response, _ = served.login()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert response.status == 302, log.read_text()
    except BaseException:
        process.terminate()
        raise
    served.cookie = "; ".join(
        value.split(";", 1)[0] for key, value in response.getheaders() if key == "Set-Cookie"
    )
    return process, served


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    (folder / "tiny.py").write_text(TINY_APP)
    (folder / "auth.json").write_text('{"slim": "%s"}' % PASSWORD)
    return folder


@pytest.fixture(scope="module")
def server(folder):
    process, served = _serve(folder, "serve.log")
    try:
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_component_route_refuses_anonymous_users_and_imports_nothing(server):
    # `this` prints the Zen of Python when imported: the log shows whether it was.
    response, _ = server.request("GET", "/components/this/s/__css__/a.css")
    assert response.status == 403
    response, _ = server.request("GET", "/components/this/s/__css__/a.css", cookie=server.cookie)
    assert response.status == 404
    # A module of the app's own packages gets past the guard, to Panel's own lookup.
    response, _ = server.request(
        "GET", "/components/panel.layout/NoSuchThing/__css__/a.css", cookie=server.cookie
    )
    assert response.status == 404
    log = server.log.read_text()
    assert "Beautiful is better than ugly" not in log
    assert "GET /components/this/s/__css__/a.css (127.0.0.1): not a component module" in log
    assert "NoSuchThing/__css__/a.css (127.0.0.1): Component not found" in log


def test_host_header_must_name_an_allowed_host(server):
    response, text = server.request("GET", "/tiny", host="evil.example:80", cookie=server.cookie)
    assert response.status == 400
    assert "Host 'evil.example' is not one this server answers to" in text
    response, _ = server.request("GET", "/login", host=f"localhost:{server.port}")
    assert response.status == 200


def test_page_loads_without_a_websocket_are_capped_per_client(server):
    # A class of 30 opening the page at once (from one address) is served ...
    statuses = [server.request("GET", "/tiny", cookie=server.cookie)[0].status for _ in range(30)]
    assert statuses == [200] * PER_CLIENT
    # ... and a loop of page loads that never connect stops building sessions.
    response, text = server.request("GET", "/tiny", cookie=server.cookie)
    assert response.status == 429
    assert int(response.getheader("Retry-After")) >= 1
    assert f"({PER_CLIENT} at most)" in text
    # Other pages still answer.
    assert server.request("GET", "/login")[0].status == 200


def test_repeated_wrong_passwords_are_slowed_down(server):
    for _ in range(3):
        response, _ = server.login("wrong password")
        assert response.status == 302 and "error=" in response.getheader("Location")
    started = time.monotonic()
    refused = [server.login("wrong password")[0].status for _ in range(20)]
    assert refused == [429] * 20  # Answered without checking the password ...
    response, text = server.login()  # ... the right one too, until the wait is over.
    assert response.status == 429 and "try again in 1 s" in text
    time.sleep(max(0.0, 1.05 - (time.monotonic() - started)))
    response, _ = server.login()
    assert response.status == 302 and "error=" not in response.getheader("Location")
    response, _ = server.login("wrong password")  # The count started again.
    assert response.status == 302


def test_two_servers_on_one_workspace_share_the_failure_count(server, folder):
    # As `--num-procs 2` does, two processes serve the same workspace; an attacker who
    # spreads the attempts over both still gets 3 free ones in all.
    process, other = _serve(folder, "serve2.log")  # Its own login cleared the count.
    try:
        for served in (server, other, server):
            response, _ = served.login("wrong password")
            assert response.status == 302 and "error=" in response.getheader("Location")
        started = time.monotonic()
        for served in (other, server):
            response, text = served.login("wrong password")
            assert response.status == 429 and "try again in 1 s" in text
        time.sleep(max(0.0, 1.05 - (time.monotonic() - started)))
        response, _ = other.login()
        assert response.status == 302 and "error=" not in response.getheader("Location")
        assert server.login("wrong password")[0].status == 302  # Cleared for both.
        server.login()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_huge_request_body_is_refused_unread(server):
    # Anyone can post to /login; Tornado would buffer up to 100 MB of each such body.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    size = 8 * 2**20
    conn.putrequest("POST", "/login")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    try:
        conn.send(b"x" * size)
        status = conn.getresponse().status
    except OSError:  # The server closed the connection without reading the body.
        status = None
    finally:
        conn.close()
    assert status in (None, 400, 413), status
    assert server.request("GET", "/login")[0].status == 200  # Still serving.
