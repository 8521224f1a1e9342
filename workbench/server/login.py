"""Panel's login page (basic auth) with repeated failures slowed down per client address.

After `FREE_FAILURES` wrong passwords from one address, each further attempt must wait
1 s, 2 s, 4 s ... (at most `MAX_WAIT_SECS`) after the last failure; an attempt that comes
sooner is answered 429 without checking the password. A right password clears the count.
"""

from __future__ import annotations

import math
import time

from panel.auth import BasicAuthProvider, BasicLoginHandler

__all__ = ["LoginThrottle", "ThrottledBasicAuthProvider"]

FREE_FAILURES = 3
MAX_WAIT_SECS = 60.0
# Addresses remembered; the oldest is forgotten beyond this (bounds the memory used).
_MAX_CLIENTS = 10_000


class LoginThrottle:
    """Failed logins per client address and how long the next attempt must wait."""

    def __init__(self, free_failures: int = FREE_FAILURES, max_wait: float = MAX_WAIT_SECS):
        self.free_failures = free_failures
        self.max_wait = max_wait
        self._failures: dict[str, tuple[int, float]] = {}  # address -> (count, last time)

    def wait_secs(self, client: str, now: float | None = None) -> float:
        """Seconds `client` must still wait before its next attempt is checked (0: none)."""
        count, last = self._failures.get(client, (0, 0.0))
        if count < self.free_failures:
            return 0.0
        delay = min(self.max_wait, 2.0 ** (count - self.free_failures))
        now = time.monotonic() if now is None else now
        return max(0.0, last + delay - now)

    def failed(self, client: str, now: float | None = None) -> None:
        count, _ = self._failures.pop(client, (0, 0.0))
        if len(self._failures) >= _MAX_CLIENTS:
            self._failures.pop(next(iter(self._failures)))
        self._failures[client] = (count + 1, time.monotonic() if now is None else now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)


class ThrottledLoginHandler(BasicLoginHandler):
    throttle = LoginThrottle()

    def post(self):
        client = self.request.remote_ip or ""
        wait = self.throttle.wait_secs(client)
        if wait > 0:
            seconds = math.ceil(wait)
            self.set_status(429)
            self.set_header("Retry-After", str(seconds))
            self.finish(f"Too many wrong passwords; try again in {seconds} s.\n")
            return
        username = self.get_argument("username", "")
        password = self.get_argument("password", "")
        if self._validate(username, password):
            self.throttle.succeeded(client)
        else:
            self.throttle.failed(client)
        super().post()


class ThrottledBasicAuthProvider(BasicAuthProvider):
    """`BasicAuthProvider` whose login handler is `ThrottledLoginHandler`."""

    @property
    def login_handler(self):
        handler = super().login_handler  # Sets the endpoint and template on Panel's class.
        ThrottledLoginHandler._login_endpoint = handler._login_endpoint
        ThrottledLoginHandler._login_template = handler._login_template
        return ThrottledLoginHandler
