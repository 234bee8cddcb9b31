#!/usr/bin/env bash
# The standalone mock_server: prints its port, answers /healthz, takes actions on POST /actions,
# plays a scenario's server steps in real time, and exits cleanly on SIGTERM.
set -euo pipefail
bin="$1"
scenario="$2"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

fail() { echo "standalone_test: $*" >&2; exit 1; }

mkfifo "$work/out" "$work/err"
"$bin" --scenario "$scenario" --listen 127.0.0.1:0 -v --record "$work/session.trace.jsonl" >"$work/out" 2>"$work/err" &
pid=$!
exec 4<"$work/out" 5<"$work/err"

# Blocking reads with a bound: they return as soon as the line is printed.
port="" secret=""
while read -r -t 10 line <&4; do
  case "$line" in
    port\ *) port="${line#port }" ;;
    control\ *) secret="${line##* }"; break ;;
  esac
done
[ -n "$port" ] || fail "no port printed"
[ -n "$secret" ] || fail "no control secret printed"

# One HTTP/1.1 request over bash's /dev/tcp, with any extra header lines after the body; prints
# the whole response. control() sends the control secret and a JSON content type.
http() {
  local method="$1" target="$2" body="$3" head="" h
  shift 3
  for h in "$@"; do head+="$h"$'\r\n'; done
  case "$head" in *Host:*) ;; *) head="Host: 127.0.0.1"$'\r\n'"$head" ;; esac
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%s %s HTTP/1.1\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s' "$method" "$target" "$head" "${#body}" "$body" >&3
  cat <&3
  exec 3<&-
}
control() { http "$1" "$2" "${3:-}" "X-Control-Secret: $secret" "Content-Type: application/json"; }

http GET /healthz "" | grep -q "^ok" || fail "/healthz did not answer ok"
control POST /actions '{"action":"assign","participant":"alice","room":"room1"}' | grep -q '"ok":true' || fail "assign was not applied"
control POST /actions '{"action":"opnRoom"}' | grep -q "did you mean\|unknown server action" || fail "a bad action was not refused"
control GET /legs | grep -q '"legs"' || fail "/legs did not answer"

# The control endpoint refuses what a web page could send: no secret, a wrong one, a form post, a
# foreign Origin, a rebound Host. None of them is applied (the recording is checked below).
open='{"action":"openRoom","room":"room1"}'
http POST /actions "$open" "Content-Type: application/json" | grep -q "^HTTP/1.1 401" ||
  fail "an action without the secret was not refused with 401"
http POST /actions "$open" "X-Control-Secret: wrong" "Content-Type: application/json" | grep -q "^HTTP/1.1 401" ||
  fail "a wrong secret was not refused with 401"
http POST /actions "$open" "X-Control-Secret: $secret" "Content-Type: application/x-www-form-urlencoded" |
  grep -q "^HTTP/1.1 415" || fail "a form post was not refused with 415"
http POST /actions "$open" "X-Control-Secret: $secret" "Content-Type: application/json" "Origin: http://evil.example" |
  grep -q "^HTTP/1.1 403" || fail "a foreign Origin was not refused with 403"
http GET /legs "" "X-Control-Secret: $secret" "Host: evil.example" | grep -q "^HTTP/1.1 403" ||
  fail "a foreign Host was not refused with 403"
control POST /actions '{"action":"delayNext","participant":"alice","by":"99999999999999999999999999999999s"}' |
  grep -q '"field":"by"' || fail "an out-of-range duration was not a 400 naming the field"
http GET /healthz "" | grep -q "^ok" || fail "/healthz stopped answering"

# The scenario's steps are played in real time; wait for the last one.
played=""
while read -r -t 10 line <&5; do
  case "$line" in *"all server steps played"*) played=yes; break ;; esac
done
[ -n "$played" ] || fail "the scenario's server steps were not played"

kill -TERM "$pid"
rest="$(cat <&5)"
wait "$pid" || fail "mock_server did not exit 0 on SIGTERM"
case "$rest" in *stopping*) ;; *) fail "no clean stop" ;; esac
# The recording: the header with the meeting, then the server actions as they were applied.
rec="$work/session.trace.jsonl"
head -n 1 "$rec" | grep -q '^{"kind":"trace",.*"source":"mock_server".*"version":1' || fail "the recording has no header: $(head -n 1 "$rec")"
head -n 1 "$rec" | grep -q '"setup":{"participants":\[{"id":"alice"}\]' || fail "the header has no set-up: $(head -n 1 "$rec")"
grep -q '"kind":"server","action":{"action":"assign","participant":"alice","room":"room1"}' "$rec" || fail "POST /actions was not recorded"
grep -q '"kind":"server","action":{"action":"closeRoom","room":"room1"}' "$rec" || fail "the scenario's steps were not recorded"
tail -n 1 "$rec" | grep -q '^{"t":[0-9]*,"kind":"end"}$' || fail "the recording does not end with an end record: $(tail -n 1 "$rec")"
[ "$(grep -c '"kind":"server","action":{"action":"assign","participant":"alice","room":"room1"}' "$rec")" = 2 ] ||
  fail "the group step's assign and POST /actions's were not both recorded"
[ "$(grep -c '"kind":"server"' "$rec")" = 4 ] || fail "expected 4 server records (the refused action is not one): $(cat "$rec")"

# A recording written into a pipe whose reader has gone: an error message and exit 1, not SIGPIPE.
mkfifo "$work/out2" "$work/err2"
"$bin" --scenario "$scenario" --listen 127.0.0.1:0 --no-steps --record /dev/fd/3 3> >(head -c 1 >/dev/null) \
  >"$work/out2" 2>"$work/err2" &
pid=$!
exec 6<"$work/out2" 8<"$work/err2"
port=""
while read -r -t 10 line <&6; do
  case "$line" in port\ *) port="${line#port }"; break ;; esac
done
[ -n "$port" ] || fail "no port printed by the recording server"
# Each refused upgrade is a record; one of them meets the closed pipe.
for _ in $(seq 50); do
  kill -0 "$pid" 2>/dev/null || break
  http GET /signaling "" "Upgrade: websocket" "Connection: Upgrade" "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \
    "Sec-WebSocket-Version: 13" >/dev/null 2>&1 || true
done
status=0
wait "$pid" || status=$?
[ "$status" = 1 ] || fail "a recording into a closed pipe ended with status $status, not 1"
grep -q "Broken pipe" <&8 || fail "no message about the closed pipe"

echo "standalone mock_server: ok (port $port)"
