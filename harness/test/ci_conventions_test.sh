#!/usr/bin/env bash
# CI conventions: a selection that matches nothing fails (exit 4) unless the job says it may;
# --reporter github annotates failures where they are; list, validate and coverage speak JSON;
# --version answers on both programs.
#   ci_conventions_test.sh HARNESS MOCK_SERVER SOURCE_DIR
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

# GitHub annotations: the failing step's file, line and column; the name's ':' and ',' escaped.
mkdir -p "$work/ci/scenarios"
cat >"$work/ci/scenarios/bad.yaml" <<'YAML'
name: "wrong, on purpose: closed"
participants:
  - id: alice
rooms:
  - { id: room1, participants: [alice] }
steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
    data: { state: closed }
YAML
(cd "$work/ci" && "$harness" run scenarios --reporter github --no-traces >"$work/out" 2>&1)
[ $? = 1 ] || fail "a failing run with --reporter github did not exit 1"
grep -q '^::error file=scenarios/bad.yaml,line=9,col=5,title=FAIL%3A wrong%2C on purpose%3A closed::scenarios/bad.yaml:9:5: error: expected assignedBreakoutRooms for alice' "$work/out" ||
  fail "no GitHub annotation at the failing step: $(grep '^::' "$work/out")"
[ "$(grep -c '^::' "$work/out")" = 1 ] || fail "expected one annotation"

# JSON for CI: read back by another program.
json_check() {  # json_check WHAT PYTHON-EXPRESSION < json
  /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); sys.exit(0 if ($2) else 1)" || fail "$1"
}
"$harness" list scenarios --json | json_check "list --json" \
  "any(s['file'] == 'scenarios/moving/auto-move-on.yaml' and 'smoke' in s['tags'] and s['rules'] for s in d['scenarios']) and d['invalid'] == []"
"$harness" validate scenarios --json | json_check "validate --json" "d['errors'] == 0 and all(f['ok'] for f in d['files'])"
"$harness" validate "$work/ci/scenarios" --json >"$work/v.json"
[ $? = 0 ] || fail "validate --json of valid files did not exit 0"
printf 'name: x\nparticipants: [{id: a}]\nsteps: [{server: opnRoom}]\n' >"$work/ci/scenarios/invalid.yaml"
"$harness" validate "$work/ci/scenarios" --json >"$work/v.json"
[ $? = 2 ] || fail "validate --json of an invalid file did not exit 2"
json_check "validate --json names the error's place" \
  "[(e['line'], e['column']) for f in d['files'] for e in f['errors']] == [(3, 18)]" <"$work/v.json"
"$harness" coverage scenarios --json | json_check "coverage --json" \
  "d['uncovered'] == 0 and d['covered'] == len(d['rules']) and all(r['scenarios'] for r in d['rules'])"

# From any folder of the checkout, with no paths, the commands read the whole scenario tree.
(cd "$src/scenarios/moving" && "$harness" coverage --json) | json_check "coverage from inside the tree" "d['uncovered'] == 0 and d['covered'] > 0"
(cd "$src/docs" && "$harness" run --tag smoke --no-traces >"$work/out" 2>&1) || fail "run from docs/ with no paths: $(cat "$work/out")"
grep -q "passed, 0 failed" "$work/out" || fail "run from docs/ ran nothing: $(cat "$work/out")"

# A usage mistake exits 2 and names what was not understood.
"$harness" frobnicate >/dev/null 2>"$work/err"
[ $? = 2 ] || fail "an unknown subcommand did not exit 2"
grep -q "unknown subcommand 'frobnicate'" "$work/err" || fail "the unknown subcommand is not named: $(cat "$work/err")"
"$harness" rn scenarios >/dev/null 2>"$work/err"
grep -q "did you mean 'run'" "$work/err" || fail "no did-you-mean for 'rn': $(cat "$work/err")"
"$harness" run --frob >/dev/null 2>"$work/err"
[ $? = 2 ] || fail "an unknown option did not exit 2"
grep -q -- "--frob" "$work/err" || fail "the unknown option is not named: $(cat "$work/err")"

"$harness" --version | grep -Eq '^harness [0-9]+\.[0-9]+\.[0-9]+$' || fail "harness --version"
"$mock_server" --version | grep -Eq '^mock_server [0-9]+\.[0-9]+\.[0-9]+$' || fail "mock_server --version"
echo "ok"
