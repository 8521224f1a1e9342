"""Panel's component-resource route, limited to logged-in users and this app's own modules.

Panel serves `/components/<module>/<class>/<attribute>/<file>` by importing `<module>` and
reading a resource list from the class: any installed module could be imported by a URL,
by anyone, even with a login page in front of the app. `GuardedComponentHandler` answers
only a logged-in user (when the server has a login), and only for a module that is already
loaded and belongs to one of `APP_PACKAGES`; anything else is 404 without an import.
"""

from __future__ import annotations

import sys

from panel.io.server import ComponentResourceHandler
from tornado.web import HTTPError

__all__ = ["APP_PACKAGES", "GuardedComponentHandler", "guard_component_routes"]

# Packages whose components the app's pages use.
APP_PACKAGES = ("panel", "panel_material_ui", "bokeh", "workbench")


def module_allowed(name: str) -> bool:
    """Whether `name` is a loaded module of one of `APP_PACKAGES`."""
    return name.split(".", 1)[0] in APP_PACKAGES and name in sys.modules


class GuardedComponentHandler(ComponentResourceHandler):
    """`ComponentResourceHandler` behind the login, for `APP_PACKAGES` modules only."""

    async def prepare(self) -> None:
        provider = self.application.auth_provider
        user = None
        if provider.get_user_async is not None:
            user = await provider.get_user_async(self)
        elif provider.get_user is not None:
            user = provider.get_user(self)
        else:
            user = "anonymous"  # The server has no login.
        if not user:
            raise HTTPError(403, "log in first")
        module = (self.path_args[0] if self.path_args else "").split("/", 1)[0]
        if not module_allowed(module):
            raise HTTPError(404, "not a component module of this app")


def guard_component_routes(patterns: list) -> int:
    """Replaces Panel's component handler in tornado `patterns` (in place); returns how many."""
    replaced = 0
    for index, pattern in enumerate(patterns):
        if len(pattern) >= 2 and pattern[1] is ComponentResourceHandler:
            patterns[index] = (pattern[0], GuardedComponentHandler, *pattern[2:])
            replaced += 1
    return replaced
