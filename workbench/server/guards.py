"""Request guards applied before any handler runs: the `Host` check and pending-session caps.

`guarded_tornado(base, policy)` returns a subclass of Bokeh's tornado application whose
`find_handler` asks `policy` first; a refused request is answered by `RefusalHandler`
with the status and a one-line reason, and never reaches Panel. `log_request` (called when
a response is done) tells `policy` which page loads built a session.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterable

from tornado.web import RequestHandler

__all__ = ["PendingPageLoads", "RefusalHandler", "RequestPolicy", "guarded_tornado"]


class RefusalHandler(RequestHandler):
    """Answers every method with `status` and `reason` (plain text)."""

    def initialize(self, status: int, reason: str, retry_after: int | None = None) -> None:
        self._refusal_status = status
        self._message = reason
        self._retry_after = retry_after

    def prepare(self) -> None:
        self.set_status(self._refusal_status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        if self._retry_after is not None:
            self.set_header("Retry-After", str(self._retry_after))
        self.finish(self._message + "\n")


class PendingPageLoads:
    """Counts, per client address, page loads whose page has not connected its websocket.

    A page load builds a session on the server; the page then opens `<app>/ws`. A load
    counts as pending until a websocket from the same address opens, or until `lifetime`
    seconds pass (Bokeh drops an unconnected session then).

    Args:
      lifetime: Seconds an unconnected session lives (`--unused-session-lifetime`).
    """

    def __init__(self, lifetime: float):
        self.lifetime = lifetime
        self._loads: dict[str, collections.deque[float]] = {}

    def _expire(self, client: str, now: float) -> collections.deque[float]:
        loads = self._loads.setdefault(client, collections.deque())
        while loads and now - loads[0] > self.lifetime:
            loads.popleft()
        if not loads:
            del self._loads[client]
        return loads

    def pending(self, client: str, now: float | None = None) -> int:
        """Page loads of `client` still waiting for their websocket."""
        return len(self._expire(client, time.monotonic() if now is None else now))

    def total(self, now: float | None = None) -> int:
        """Pending page loads of every client."""
        now = time.monotonic() if now is None else now
        return sum(len(self._expire(client, now)) for client in list(self._loads))

    def loaded(self, client: str, now: float | None = None) -> None:
        """Records a page load of `client`."""
        now = time.monotonic() if now is None else now
        self._expire(client, now)
        self._loads.setdefault(client, collections.deque()).append(now)

    def connected(self, client: str) -> None:
        """Records a websocket of `client`: its oldest pending load is no longer pending."""
        loads = self._loads.get(client)
        if loads:
            loads.popleft()
            if not loads:
                del self._loads[client]

    def seconds_until_free(self, client: str, now: float | None = None) -> int:
        """Seconds until the oldest pending load of `client` expires (at least 1)."""
        now = time.monotonic() if now is None else now
        loads = self._expire(client, now)
        return max(1, int(self.lifetime - (now - loads[0])) + 1) if loads else 1


class RequestPolicy:
    """Decides whether a request may reach the app.

    Args:
      allowed_hosts: Host names (no port) accepted in the `Host` header; compared without
        case. Empty means any host.
      app_paths: URL paths of the served apps, e.g. `["/app"]`.
      max_pending_per_client: Unconnected page loads one address may hold.
      max_pending_sessions: Unconnected page loads the whole server may hold.
      session_lifetime: Seconds an unconnected session lives.
    """

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str],
        app_paths: Iterable[str],
        max_pending_per_client: int,
        max_pending_sessions: int,
        session_lifetime: float,
    ):
        self.allowed_hosts = {host.lower() for host in allowed_hosts}
        self.app_paths = {path.rstrip("/") for path in app_paths}
        self.max_pending_per_client = max_pending_per_client
        self.max_pending_sessions = max_pending_sessions
        self.loads = PendingPageLoads(session_lifetime)
        self._in_flight: collections.Counter[str] = collections.Counter()

    def refusal(self, method: str, host: str, path: str, client: str) -> dict | None:
        """None to let the request through, else the `RefusalHandler` arguments.

        A page load let through counts as in flight until `answered` is called for it.
        """
        name = host.lower()
        if self.allowed_hosts and name not in self.allowed_hosts:
            return {
                "status": 400,
                "reason": f"Host {host!r} is not one this server answers to "
                f"({', '.join(sorted(self.allowed_hosts))}).",
            }
        if method != "GET":
            return None
        stripped = path.rstrip("/")
        if stripped.endswith("/ws") and stripped[: -len("/ws")] in self.app_paths:
            self.loads.connected(client)
            return None
        if stripped not in self.app_paths:
            return None
        if self.loads.pending(client) + self._in_flight[client] >= self.max_pending_per_client:
            wait = self.loads.seconds_until_free(client)
            return {
                "status": 429,
                "reason": f"Too many pages opened from {client} that never connected "
                f"({self.max_pending_per_client} at most); try again in {wait} s.",
                "retry_after": wait,
            }
        if self.loads.total() + sum(self._in_flight.values()) >= self.max_pending_sessions:
            return {
                "status": 503,
                "reason": f"The server holds {self.max_pending_sessions} pages that have not "
                "connected yet; try again in a minute.",
                "retry_after": 60,
            }
        self._in_flight[client] += 1
        return None

    def in_flight(self, client: str) -> int:
        """Page loads of `client` let through and not answered yet."""
        return self._in_flight.get(client, 0)

    def answered(self, client: str, status: int) -> None:
        """Ends a page load let through by `refusal`; one that built a session (200) is
        pending until its websocket opens."""
        self._in_flight[client] -= 1
        if self._in_flight[client] <= 0:
            del self._in_flight[client]
        if status == 200:
            self.loads.loaded(client)


def guarded_tornado(base: type, policy: RequestPolicy) -> type:
    """A subclass of the tornado application `base` that consults `policy` on each request."""

    class GuardedTornado(base):
        def find_handler(self, request, **kwargs):
            client = request.remote_ip or ""
            in_flight = policy.in_flight(client)
            refusal = policy.refusal(request.method or "", request.host_name, request.path, client)
            if refusal is not None:
                return self.get_handler_delegate(request, RefusalHandler, refusal)
            request.workbench_page_load = policy.in_flight(client) > in_flight
            return super().find_handler(request, **kwargs)

        def log_request(self, handler):
            request = handler.request
            if getattr(request, "workbench_page_load", False):
                policy.answered(request.remote_ip or "", handler.get_status())
            super().log_request(handler)

    return GuardedTornado
