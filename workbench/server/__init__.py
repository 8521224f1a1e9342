"""Serving the web app: Panel's `panel serve`, with the guards a shared server needs.

`python -m workbench.server app.py [panel serve options] [guard options]` (what
`scripts/serve.sh` runs) is `panel serve` plus:

- `Host` check: a request whose `Host` header names none of `--allowed-host` gets 400, so a
  page on another site cannot reach the app through DNS rebinding.
- Component resources: Panel's `/components/<module>/...` route imports whatever module a
  URL names. Here it answers only logged-in users and only modules of this app's own
  packages that are already loaded; nothing is imported because of a URL.
- Pending sessions: every page load builds a full session that lives until its page
  connects (or `--unused-session-lifetime` passes). A client may hold at most
  `--max-pending-per-client` unconnected page loads (429 beyond), the server at most
  `--max-pending-sessions` (503 beyond).
- Logins: after a few wrong passwords from one address, the next attempt must wait
  (1 s, then doubling up to 60 s); an early attempt gets 429 without being checked. The
  count is a file in the workspace shared by every serving process (`login_throttle`).
"""
