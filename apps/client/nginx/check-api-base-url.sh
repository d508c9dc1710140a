#!/bin/sh
# Runs before nginx starts: API_BASE_URL is pasted into /config.js and the
# Content-Security-Policy, so only an empty value (same origin) or a plain
# http(s) URL is accepted; anything else stops the container with one line.
[ -z "$API_BASE_URL" ] && exit 0
if ! printf '%s\n' "$API_BASE_URL" | grep -Eqx 'https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?'; then
  echo "Invalid environment: API_BASE_URL \"$API_BASE_URL\": must be empty or an http(s) URL like https://api.example.com" >&2
  exit 1
fi
