#!/usr/bin/env bash
# Errors are never silent: a selection that matches nothing fails (exit 4) unless the job says it
# may, and --version answers on both programs.
#   selection_test.sh HARNESS MOCK_SERVER SOURCE_DIR
set -uo pipefail
harness="$1" mock_server="$2" src="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$src"

"$harness" run scenarios --filter no-such-scenario >"$work/out" 2>"$work/err"
[ $? = 4 ] || fail "--filter matching nothing did not exit 4"
grep -q "error: no scenarios matched" "$work/err" || fail "no 'no scenarios matched' on stderr: $(cat "$work/err")"

"$harness" run scenarios --tag no-such-tag >/dev/null 2>&1
[ $? = 4 ] || fail "--tag matching nothing did not exit 4"

mkdir "$work/empty"
"$harness" run "$work/empty" >/dev/null 2>&1
[ $? = 4 ] || fail "an empty folder did not exit 4"

"$harness" run "$work/empty" --pass-with-no-scenarios >"$work/out" 2>&1 || fail "--pass-with-no-scenarios did not exit 0"
grep -q "no scenarios matched" "$work/out" || fail "--pass-with-no-scenarios said nothing: $(cat "$work/out")"

# A selection that matches is not affected.
"$harness" run scenarios/moving/auto-move-on.yaml --no-traces >/dev/null 2>&1 || fail "a matching selection did not pass"

"$harness" --version | grep -Eq '^harness [0-9]+\.[0-9]+\.[0-9]+$' || fail "harness --version"
"$mock_server" --version | grep -Eq '^mock_server [0-9]+\.[0-9]+\.[0-9]+$' || fail "mock_server --version"
echo "ok"
