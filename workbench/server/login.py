"""Panel's login page (basic auth) with repeated failures slowed down per client address.

After `FREE_FAILURES` wrong passwords from one address, each further attempt must wait
1 s, 2 s, 4 s ... (at most `MAX_WAIT_SECS`) after the last failure; an attempt that comes
sooner is answered 429 without checking the password. A right password clears the count.
The count is kept in the workspace and shared by every serving process (`--num-procs`), see
`workbench.server.login_throttle`.
"""

from __future__ import annotations

import math
import os

from panel.auth import BasicAuthProvider, BasicLoginHandler

from workbench.models.workspace_root import default_workspace
from workbench.server.login_throttle import (
    FREE_FAILURES,
    MAX_WAIT_SECS,
    STATE_FILE,
    LoginThrottle,
)

__all__ = [
    "FREE_FAILURES",
    "MAX_WAIT_SECS",
    "LoginThrottle",
    "ThrottledBasicAuthProvider",
    "workspace_throttle",
]


def workspace_throttle() -> LoginThrottle:
    """The throttle whose count is kept in the default workspace (made if missing)."""
    return LoginThrottle(os.path.join(default_workspace(create=True), STATE_FILE))


class ThrottledLoginHandler(BasicLoginHandler):
    # Made on the first login, in the serving process (after any fork).
    _throttle: LoginThrottle | None = None

    @classmethod
    def throttle(cls) -> LoginThrottle:
        if cls._throttle is None:
            cls._throttle = workspace_throttle()
        return cls._throttle

    def post(self):
        client = self.request.remote_ip or ""
        wait = self.throttle().attempt(client)
        if wait > 0:
            seconds = math.ceil(wait)
            self.set_status(429)
            self.set_header("Retry-After", str(seconds))
            self.finish(f"Too many wrong passwords; try again in {seconds} s.\n")
            return
        username = self.get_argument("username", "")
        password = self.get_argument("password", "")
        if self._validate(username, password):
            self.throttle().succeeded(client)
        super().post()


class ThrottledBasicAuthProvider(BasicAuthProvider):
    """`BasicAuthProvider` whose login handler is `ThrottledLoginHandler`."""

    @property
    def login_handler(self):
        handler = super().login_handler  # Sets the endpoint and template on Panel's class.
        ThrottledLoginHandler._login_endpoint = handler._login_endpoint
        ThrottledLoginHandler._login_template = handler._login_template
        return ThrottledLoginHandler
