#!/usr/bin/env bash
# Zero-downtime replacement of one service of the compose stack on this host:
#   IMAGE_TAG=<new tag> npm run compose:replace -- <service>
# For each running container, in turn: start one new container beside the old
# ones (compose --scale with --no-recreate, on the image the compose file names
# with IMAGE_TAG), wait until it is healthy, then stop one old container with
# SIGTERM so it drains (listener closed, requests in flight answered) within
# the service's stop_grace_period. The service ends at its former scale.
# If a new container never gets healthy it is removed and the replacement stops,
# so the old containers not yet replaced keep serving.
#
# One at a time, because Docker's DNS lists a container before it listens and
# the gateway's DNS cache lists a stopped one for up to a second: with at most
# one such peer at a time, the gateway's single retry always finds a live one
# (measured: replacing two johns at once failed 0.3% of /start under load).
#
# Honours COMPOSE_PROJECT_NAME and COMPOSE_FILE (default docker-compose.prod.yml),
# like docker compose itself. REPLACE_HEALTH_TIMEOUT: seconds to wait (default 120).
set -euo pipefail

cd "$(dirname "$0")/.."
export COMPOSE_FILE="${COMPOSE_FILE:-docker-compose.prod.yml}"
health_timeout="${REPLACE_HEALTH_TIMEOUT:-120}"
# Longer than the gateway's DNS cache (resolver valid=1s in apps/nginx).
settle_seconds=2

log() { printf 'compose:replace: %s\n' "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}
name() { docker inspect --format '{{.Name}}' "$1" | sed 's#^/##'; }
health() { docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1"; }
last_health_output() {
  docker inspect --format '{{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}}' "$1" | tail -n 2 | tr '\n' ' '
}
running_ids() { docker compose ps --quiet "$service" | sort; }

[ $# -eq 1 ] || fail "usage: npm run compose:replace -- <service>   (e.g. node-john)"
service="$1"

mapfile -t old_containers < <(running_ids)
scale="${#old_containers[@]}"
[ "$scale" -gt 0 ] || fail "$service has no running container in this project; start the stack first (docker compose -f $COMPOSE_FILE up -d --wait)"
if [ -n "$(docker inspect --format '{{range $port, $bindings := .HostConfig.PortBindings}}{{$port}}{{end}}' "${old_containers[0]}")" ]; then
  fail "$service publishes a host port, so a second container cannot start beside it; only services without published ports can be rolled"
fi

replaced=0
for old in "${old_containers[@]}"; do
  before="$(running_ids)"
  log "starting a new $service container beside $(name "$old") ($((replaced + 1)) of $scale)"
  docker compose up --detach --no-deps --no-recreate --scale "$service=$((scale + 1))" "$service" 2>&1 | sed 's/^/  /' >&2
  new="$(comm -13 <(echo "$before") <(running_ids))"
  [ "$(echo "$new" | grep -c .)" -eq 1 ] || fail "expected one new $service container, found: ${new:-none}"
  new_name="$(name "$new")"

  deadline=$((SECONDS + health_timeout))
  until [ "$(health "$new")" = healthy ]; do
    status="$(health "$new")"
    if [ "$status" = unhealthy ] || [ "$status" = exited ] || [ "$status" = dead ] || [ "$SECONDS" -ge "$deadline" ]; then
      log "last health checks of $new_name: $(last_health_output "$new")"
      docker stop "$new" >/dev/null
      docker rm "$new" >/dev/null
      fail "new container $new_name of $service was still $status after waiting up to ${health_timeout}s; removed it. $replaced of $scale old container(s) were replaced; the other $((scale - replaced)) keep serving"
    fi
    sleep 1
  done
  log "$new_name is healthy; stopping $(name "$old") (SIGTERM: it drains)"
  docker stop "$old" >/dev/null
  docker rm "$old" >/dev/null
  replaced=$((replaced + 1))
  sleep "$settle_seconds"
done
log "done: $service runs $scale new container(s) on $(docker inspect --format '{{.Config.Image}}' "$new")"
