#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing (Node 24, the
# locked npm dependencies), build the apps, and run the relay on the embedded
# SQLite default (./data/relay.db) serving the web client at
# http://127.0.0.1:8787/. Unless --web-only is given, the desktop app is
# started too, signed in against that relay by its Relay URL field; where
# Electron cannot run (no display, or its binary cannot be downloaded) the
# same app stays available in the browser. Extra arguments go to the relay.
set -euo pipefail
cd "$(dirname "$0")/.."

web_only=0
relay_args=()
for arg in "$@"; do
  if [ "$arg" = "--web-only" ]; then web_only=1; else relay_args+=("$arg"); fi
done

. scripts/ensure-node24.sh
npm ci --no-audit --no-fund
npm run build

node relay/main.ts "${relay_args[@]}" &
relay_pid=$!
trap 'kill -TERM "$relay_pid" 2>/dev/null; wait "$relay_pid" 2>/dev/null' EXIT INT TERM

if [ "$web_only" = 0 ]; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" != "Linux" ]; then
    npx electron . || echo "duplex: the desktop app could not start; the web client is served at the address printed above"
  else
    echo "duplex: no display for the desktop app; the web client is served at the address printed above"
  fi
fi
wait "$relay_pid"
