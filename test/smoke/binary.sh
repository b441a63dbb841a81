#!/usr/bin/env bash
# Start dist/beadhub from another directory on a free port against a fresh
# database, check /health and one /v1/init, stop it with SIGTERM, expect exit 0.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/dist/beadhub"
db="beadhub_smoke_$$"
port=$(( 20000 + RANDOM % 20000 ))
admin="postgres://postgres@127.0.0.1:5432/postgres"
workdir="$(mktemp -d)"
log="$workdir/server.log"

cleanup() {
  [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null || true
  psql "$admin" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

psql "$admin" -qc "create database $db" >/dev/null
"$bin" version

# A bad setting: one line naming the variable, exit 2, for serve and migrate (issue 17).
for cmd in serve migrate; do
  set +e
  out=$(env -i PATH="$PATH" HOME="$workdir" BEADHUB_DATABASE_URL="postgres://postgres@127.0.0.1:5432" "$bin" "$cmd" 2>&1)
  rc=$?
  set -e
  [ "$rc" = 2 ] || { echo "FAIL: $cmd with a nameless database URL exited $rc"; exit 1; }
  [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "FAIL: $cmd printed more than one line: $out"; exit 1; }
  case "$out" in "configuration error: BEADHUB_DATABASE_URL "*) ;; *) echo "FAIL: $cmd said: $out"; exit 1 ;; esac
done
echo "bad settings: one line, exit 2"
cd "$workdir"
BEADHUB_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" BEADHUB_PORT=$port BEADHUB_HOST=127.0.0.1 \
  BEADHUB_REDIS_PREFIX="smoke:$$:" "$bin" serve >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
health=$(curl -s "http://127.0.0.1:$port/health")
assets=$(curl -s -o /dev/null -w "%{http_code} %{size_download}" "http://127.0.0.1:$port/swagger/assets/swagger-ui-bundle.js")
case "$assets" in "200 "[0-9][0-9][0-9][0-9][0-9][0-9]*) echo "swagger assets served: $assets" ;; *) echo "FAIL: swagger assets: $assets"; exit 1 ;; esac
echo "health: $health"
echo "$health" | grep -q '"status":"ok"'
init=$(curl -s -X POST "http://127.0.0.1:$port/v1/init" -H 'content-type: application/json' \
  -d '{"project_slug":"smoke","repo_origin":"git@github.com:acme/smoke.git","human_name":"Smoke"}')
echo "init: ${init:0:120}…"
echo "$init" | grep -q '"api_key":"aw_sk_'
# The dashboard is embedded: its page and its hashed script come from the binary.
page=$(curl -s "http://127.0.0.1:$port/")
script=$(echo "$page" | grep -o '/assets/app-[a-z0-9]*\.js')
echo "dashboard: / references $script"
curl -sI "http://127.0.0.1:$port$script" | grep -qi 'cache-control: public, max-age=31536000, immutable'
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
echo "exit status after SIGTERM: $status"
redis-cli -h 127.0.0.1 --scan --pattern "smoke:$$:*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
[ "$status" -eq 0 ] || { cat "$log"; exit 1; }
echo "smoke test passed"
