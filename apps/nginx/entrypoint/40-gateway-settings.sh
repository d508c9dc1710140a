#!/bin/sh
# Runs before nginx starts (after the templates are rendered). Checks the
# gateway's variables and writes what derives from them, since nginx cannot
# compute: the read timeout is REQUEST_DEADLINE_MS plus a second, so the
# gateway always waits longer than the chain may take and the chain's own
# 504, naming the slow hop, arrives first. A bad value stops the container
# with one line.
set -eu
fail() {
  echo "Invalid environment: $1" >&2
  exit 1
}

# The services' own rule (packages/ping-core/src/config.ts): an integer, 100-60000.
case "$REQUEST_DEADLINE_MS" in
  '' | 0* | *[!0-9]*) fail "REQUEST_DEADLINE_MS \"$REQUEST_DEADLINE_MS\": must be an integer number of milliseconds (100-60000)" ;;
esac
if [ "${#REQUEST_DEADLINE_MS}" -gt 5 ] || [ "$REQUEST_DEADLINE_MS" -lt 100 ] || [ "$REQUEST_DEADLINE_MS" -gt 60000 ]; then
  fail "REQUEST_DEADLINE_MS \"$REQUEST_DEADLINE_MS\": must be between 100 and 60000"
fi
case "$CLIENT_WEBSOCKET" in
  on | off) ;;
  *) fail "CLIENT_WEBSOCKET \"$CLIENT_WEBSOCKET\": must be on (the dev loop's Vite server) or off" ;;
esac

cat >/tmp/gateway-timeouts.conf <<CONF
# Written at start by /docker-entrypoint.d/40-gateway-settings.sh from REQUEST_DEADLINE_MS=$REQUEST_DEADLINE_MS.
proxy_read_timeout $((REQUEST_DEADLINE_MS + 1000))ms;
CONF
