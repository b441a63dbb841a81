#!/usr/bin/env bash
# Zero-config smoke test (issue 10): dist/beadhub with NO database or Redis
# configured, started from an empty temporary directory with a clean
# environment. Checks /health, /v1/init, a 1,000-issue sync, a chat stream, a
# lock round-trip, SIGTERM → exit 0, that a second process on the same data
# directory is refused, and that the data survives a restart and a kill -9.
# Prints timings.
# Needs curl and jq; builds nothing (run `make build` first).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/dist/beadhub"
[ -x "$bin" ] || { echo "missing $bin: run make build first" >&2; exit 1; }
work="$(mktemp -d)"
data="$work/data"
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
pid=""

cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/server*.log; do echo "--- $f" >&2; tail -n 30 "$f" >&2; done
  exit 1
}

now_ms() { date +%s%3N; }

# start <log>: launch the binary in embedded mode from the empty work dir.
start() {
  (cd "$work" && exec env -i PATH="$PATH" HOME="$work" BEADHUB_DATA_DIR="$data" \
    BEADHUB_HOST=127.0.0.1 BEADHUB_PORT="$port" BEADHUB_SHUTDOWN_GRACE_SECONDS=2 "$bin" serve) >"$1" 2>&1 &
  pid=$!
}

# wait_health: poll /health for up to 90 s (the first start initialises the database).
wait_health() {
  for _ in $(seq 1 900); do
    curl -sf "$base/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "server exited during startup"
    sleep 0.1
  done
  fail "no /health within 90 s"
}

stop() {
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  pid=""
  [ "$status" -eq 0 ] || fail "exit status after SIGTERM: $status"
  echo "SIGTERM → exit 0"
}

# call METHOD PATH TOKEN [BODY] → prints "<status> <body>"
call() {
  local args=(-s -o "$work/body" -w '%{http_code}' -X "$1" "$base$2" -H 'content-type: application/json')
  [ -n "$3" ] && args+=(-H "authorization: Bearer $3")
  [ $# -ge 4 ] && args+=(--data-binary "$4")
  local code
  code=$(curl "${args[@]}")
  echo "$code $(cat "$work/body")"
}

expect_status() { # expect_status WANT "<status> <body>" what
  [ "${2%% *}" = "$1" ] || fail "$3: wanted $1, got ${2:0:300}"
}

"$bin" version
echo "== first start on an empty data directory ($data)"
t0=$(now_ms)
start "$work/server1.log"
wait_health
echo "timing: first start (initialise + migrate) to /health: $(( $(now_ms) - t0 )) ms" \
  "($(grep -o '"from":"[a-z ]*"' "$work/server1.log" | head -n 1))"
grep -q "embedded mode: single process only, data in $data" "$work/server1.log" || fail "no embedded-mode log line"
health=$(curl -s "$base/health")
echo "health: $health"
echo "$health" | jq -e '.status == "ok" and .checks.database == "ok" and .checks.redis == "ok"' >/dev/null || fail "health: $health"

echo "== second process on the same data directory is refused"
set +e
refused=$(cd "$work" && env -i PATH="$PATH" HOME="$work" BEADHUB_DATA_DIR="$data" BEADHUB_PORT=$((port + 1)) \
  timeout 30 "$bin" serve 2>&1)
refused_status=$?
set -e
echo "second process: exit $refused_status: $(echo "$refused" | tail -n 1)"
[ "$refused_status" -ne 0 ] || fail "second process was not refused"
echo "$refused" | grep -q "data directory $data is in use by another beadhub process (pid $pid)" || fail "unclear refusal: $refused"

echo "== /v1/init"
r=$(call POST /v1/init "" '{"project_slug":"smoke","alias":"alice","human_name":"Alice","repo_origin":"git@github.com:acme/smoke.git"}')
expect_status 200 "$r" "init alice"
alice=$(echo "${r#* }" | jq -r .api_key)
alice_ws=$(echo "${r#* }" | jq -r .workspace_id)
r=$(call POST /v1/init "" '{"project_slug":"smoke","alias":"bob","human_name":"Bob","repo_origin":"git@github.com:acme/smoke.git"}')
expect_status 200 "$r" "init bob"
bob=$(echo "${r#* }" | jq -r .api_key)
echo "alice workspace $alice_ws"

echo "== POST /v1/bdh/sync with 1,000 issues"
issues=$(seq 0 999 | jq -c '{id: "sm-\(.)", title: "Smoke issue \(.)", status: "open", priority: (. % 4), issue_type: "task"}')
jq -n --arg ws "$alice_ws" --arg jsonl "$issues"$'\n' \
  '{workspace_id: $ws, alias: "alice", human_name: "Alice", repo_origin: "git@github.com:acme/smoke.git",
    sync_mode: "full", issues_jsonl: $jsonl, sync_protocol_version: 0}' >"$work/sync.json"
t0=$(now_ms)
r=$(call POST /v1/bdh/sync "$alice" "@$work/sync.json")
echo "timing: sync of 1,000 issues: $(( $(now_ms) - t0 )) ms"
expect_status 200 "$r" "sync"
echo "sync: $(echo "${r#* }" | jq -c '{synced, issues_count, stats}')"
echo "${r#* }" | jq -e '.synced and .issues_count == 1000 and .stats.inserted == 1000' >/dev/null || fail "sync: ${r:0:300}"

echo "== chat: alice → bob, bob's stream sees the message"
r=$(call POST /v1/chat/sessions "$alice" '{"to_aliases":["bob"],"message":"hello from the smoke test"}')
expect_status 200 "$r" "chat send"
session=$(echo "${r#* }" | jq -r .session_id)
deadline=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
stream=$(curl -sN --max-time 8 -H "authorization: Bearer $bob" "$base/v1/chat/sessions/$session/stream?deadline=$deadline" || true)
echo "$stream" | grep -q '^event: message' || fail "no message event on the stream: ${stream:0:300}"
echo "$stream" | grep -q 'hello from the smoke test' || fail "message body missing on the stream"
echo "stream: $(echo "$stream" | grep -c '^event: message') message event(s)"

echo "== lock round-trip"
r=$(call POST /v1/reservations "$alice" '{"resource_key":"src/main.go","ttl_seconds":60}')
expect_status 200 "$r" "acquire"
r=$(call POST /v1/reservations "$bob" '{"resource_key":"src/main.go"}')
expect_status 409 "$r" "acquire by another agent"
echo "${r#* }" | jq -e '.holder_alias == "alice"' >/dev/null || fail "409 body: $r"
r=$(call POST /v1/reservations/release "$alice" '{"resource_key":"src/main.go"}')
expect_status 200 "$r" "release"
echo "${r#* }" | jq -e '.status == "released"' >/dev/null || fail "release: $r"
r=$(call POST /v1/reservations "$bob" '{"resource_key":"src/main.go"}')
expect_status 200 "$r" "acquire after release"
echo "acquired, refused to another agent (409), released, re-acquired"

echo "== SIGTERM, then restart on the same data directory"
stop
[ ! -e "$data/beadhub.lock" ] || fail "lock file left behind after a clean stop"
t0=$(now_ms)
start "$work/server2.log"
wait_health
echo "timing: restart to /health: $(( $(now_ms) - t0 )) ms"
r=$(call GET /v1/beads/issues/sm-999 "$alice")
expect_status 200 "$r" "issue after restart"
echo "${r#* }" | jq -e '.title == "Smoke issue 999"' >/dev/null || fail "issue after restart: $r"
r=$(call POST /v1/bdh/sync "$alice" "@$work/sync.json")
expect_status 200 "$r" "re-sync after restart"
echo "${r#* }" | jq -e '.issues_count == 1000 and .stats.inserted == 0' >/dev/null || fail "re-sync: ${r:0:300}"
r=$(call GET "/v1/reservations" "$bob")
echo "${r#* }" | jq -e '[.reservations[] | select(.resource_key == "src/main.go" and .holder_alias == "bob")] | length == 1' \
  >/dev/null || fail "reservation after restart: ${r:0:300}"
echo "after restart: 1,000 issues, bob's lock and both agents' keys are still there"

echo "== kill -9, then start again (stale lock and socket are taken over)"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=""
[ -e "$data/beadhub.lock" ] || fail "expected a stale lock file after kill -9"
t0=$(now_ms)
start "$work/server3.log"
wait_health
echo "timing: start after kill -9 to /health: $(( $(now_ms) - t0 )) ms"
r=$(call GET /v1/beads/issues/sm-0 "$alice")
expect_status 200 "$r" "issue after kill -9"
stop
echo "embedded smoke test passed"
