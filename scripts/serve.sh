#!/usr/bin/env bash
# Serves the web app (app.py) with Panel. Called by `make app`; settings come from the environment:
#
#   HOST      interface to bind; default 127.0.0.1 (this machine only).
#   PORT      default 5006.
#   PASSWORD  required when HOST is anything but 127.0.0.1/localhost, at least 12 characters:
#             the app then asks for it on a login page (Panel's --basic-auth; repeated wrong
#             passwords from one address are slowed down). Never passed on a command line, so it
#             does not show up in `ps`.
#   APP_USER  user name for that login page; default "slim".
#   PROCS     serving processes (Panel's --num-procs); default 1. With more, a page and its
#             websocket may reach different processes: see "A class on one server" in README.md.
#   ORIGIN    space-separated host:port values that browsers will use to reach the app (the
#             websocket origin check). Default: HOST:PORT, or every address of this machine when
#             HOST is 0.0.0.0 / ::. Their host names are also the only ones accepted in a
#             request's Host header.
#
# The server is `python -m workbench.server` (Panel's `panel serve` with guards: the Host
# check, a cap on page loads that never connect, Panel's /components/ route limited to
# logged-in users and this app's modules); see workbench/server/__init__.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="${VENV:-.venv}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5006}"
APP_USER="${APP_USER:-slim}"

# A session whose page has not connected within this time is dropped and made again (all its
# components built twice) when it does; workbench/views/panel/local_resources.py keeps such a
# session's stylesheets local. Bokeh's default, 15 s, is too short for a busy 2-core machine.
args=(app.py --address "$HOST" --port "$PORT" --unused-session-lifetime 120000)
PROCS="${PROCS:-1}"
case "$PROCS" in
  '' | *[!0-9]* | 0)
    echo "serve: PROCS must be a whole number of processes, 1 or more; got '$PROCS'." >&2
    exit 2
    ;;
esac
if [ "$PROCS" -gt 1 ]; then args+=(--num-procs "$PROCS"); fi
origins=("127.0.0.1:$PORT" "localhost:$PORT")

case "$HOST" in
  127.0.0.1 | localhost) ;;
  *)
    if [ -z "${PASSWORD:-}" ]; then
      cat >&2 <<EOF
serve: refusing to bind $HOST without a password.
  Serving beyond 127.0.0.1 lets anyone who can reach this machine use the app (and start
  training jobs). Set a password; the app then shows a login page (Panel basic auth):
      make app HOST=$HOST PASSWORD='a long passphrase'    # user name: $APP_USER
EOF
      exit 2
    fi
    if [ "${#PASSWORD}" -lt 12 ]; then
      echo "serve: PASSWORD has ${#PASSWORD} characters; use at least 12 (a passphrase of a few words)." >&2
      exit 2
    fi
    if [ -n "${ORIGIN:-}" ]; then
      read -r -a extra <<<"$ORIGIN"
    elif [ "$HOST" = "0.0.0.0" ] || [ "$HOST" = "::" ]; then
      extra=("$(hostname):$PORT")
      # IPv6 addresses are left out: Bokeh's origin list cannot hold them.
      for address in $(hostname -I 2>/dev/null); do
        case "$address" in *:*) ;; *) extra+=("$address:$PORT") ;; esac
      done
    else
      extra=("$HOST:$PORT")
    fi
    origins+=("${extra[@]}")
    # The credentials go in a private file; Panel reads a {user: password} JSON file.
    auth_file="$(mktemp)"
    trap 'rm -f "$auth_file"' EXIT
    chmod 600 "$auth_file"
    APP_USER="$APP_USER" PASSWORD="$PASSWORD" "$VENV/bin/python" -c \
      'import json, os; print(json.dumps({os.environ["APP_USER"]: os.environ["PASSWORD"]}))' \
      >"$auth_file"
    args+=(--basic-auth "$auth_file")
    # Signs the login cookie; a fresh secret per start logs everyone out on restart. Servers
    # that share a class behind a proxy are given one secret, so a login holds on each.
    if [ -z "${PANEL_COOKIE_SECRET:-}" ]; then
      PANEL_COOKIE_SECRET="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')"
    fi
    export PANEL_COOKIE_SECRET
    unset PASSWORD
    ;;
esac

for origin in "${origins[@]}"; do
  args+=(--allow-websocket-origin "$origin" --allowed-host "${origin%:*}")
done
echo "serve: http://$HOST:$PORT/app" >&2
"$VENV/bin/python" -m workbench.server "${args[@]}"
