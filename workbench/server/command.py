"""The `python -m workbench.server` command: Panel's `serve` with the guards of this package."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from bokeh.command.subcommand import Argument
from panel.auth import BasicAuthProvider
from panel.command.serve import Serve

from workbench.server.components import guard_component_routes
from workbench.server.guards import RequestPolicy, guarded_tornado
from workbench.server.login import ThrottledBasicAuthProvider

__all__ = ["GuardedServe", "main"]

# A class of 30 behind one address (a school's NAT) opening the app at once still fits.
DEFAULT_MAX_PENDING_PER_CLIENT = 40
DEFAULT_MAX_PENDING_SESSIONS = 150
# Largest HTTP request body read. The app takes no uploads over HTTP (files come through the
# websocket); a login form is a few hundred bytes. Tornado's default, 100 MB, would let
# anyone who can reach the login page make the server buffer that much per request.
MAX_BODY_BYTES = 2**20
# Bokeh's default when --unused-session-lifetime is not given.
_BOKEH_SESSION_LIFETIME_MS = 15000


class GuardedServe(Serve):
    """`panel serve`, plus the `Host` check, the pending-session caps, the guarded component
    route and the throttled login page (see `workbench.server`)."""

    name = "serve"
    args = (
        *Serve.args,
        (
            "--allowed-host",
            Argument(
                action="append",
                default=None,
                metavar="NAME",
                help="A host name the Host header may carry (repeat; default: any).",
            ),
        ),
        (
            "--max-pending-per-client",
            Argument(
                type=int,
                default=DEFAULT_MAX_PENDING_PER_CLIENT,
                help="Page loads one address may hold before their pages connect.",
            ),
        ),
        (
            "--max-pending-sessions",
            Argument(
                type=int,
                default=DEFAULT_MAX_PENDING_SESSIONS,
                help="Page loads the server may hold before their pages connect.",
            ),
        ),
    )

    def customize_kwargs(self, args, server_kwargs):
        kwargs = super().customize_kwargs(args, server_kwargs)
        guard_component_routes(kwargs["extra_patterns"])
        http_kwargs = dict(kwargs.get("http_server_kwargs") or {})
        http_kwargs.setdefault("max_body_size", MAX_BODY_BYTES)
        kwargs["http_server_kwargs"] = http_kwargs
        provider = kwargs.get("auth_provider")
        if type(provider) is BasicAuthProvider:
            # Panel built it from the command line; only its login handler changes.
            provider.__class__ = ThrottledBasicAuthProvider
        return kwargs

    def invoke(self, args: argparse.Namespace):
        import bokeh.server.server as bokeh_server

        for name in ("max_pending_per_client", "max_pending_sessions"):
            if getattr(args, name) < 1:
                raise SystemExit(f"serve: --{name.replace('_', '-')} must be at least 1.")
        prefix = "/" + (args.prefix or "").strip("/") if args.prefix else ""
        apps = [
            f"{prefix}/{os.path.splitext(os.path.basename(path.rstrip('/')))[0]}"
            for path in args.files
        ]
        lifetime_ms = args.unused_session_lifetime or _BOKEH_SESSION_LIFETIME_MS
        policy = RequestPolicy(
            allowed_hosts=args.allowed_host or [],
            app_paths=apps,
            max_pending_per_client=args.max_pending_per_client,
            max_pending_sessions=args.max_pending_sessions,
            session_lifetime=lifetime_ms / 1000,
        )
        # This process only serves: the Server it builds uses the guarded application.
        bokeh_server.BokehTornado = guarded_tornado(bokeh_server.BokehTornado, policy)
        if args.num_procs == 1:
            # Sweeps started before a restart launch their pending runs again at once, not
            # only when a page is first opened. With --num-procs the serving processes are
            # forked from this one: a thread started here would not run in them (and forking
            # beside a running thread is unsafe), so each starts its own on its first page.
            from workbench.models.sweeps import ensure_scheduler
            from workbench.models.workspace_root import default_workspace

            ensure_scheduler(default_workspace(create=True))
        return super().invoke(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the server until it is stopped; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m workbench.server",
        description="Serves Panel apps (as `panel serve`) with the workbench's guards.",
    )
    command = GuardedServe(parser=parser)
    args = parser.parse_args(argv)
    command.invoke(args)
    return 0
