#!/usr/bin/env bash
# harness merge: three shards of the suite, merged, are the unsharded run (JSON and JUnit, times
# aside); a missing shard, a shard twice, an unsharded report and an unreadable one are refused.
#   merge_test.sh HARNESS SOURCE_DIR
set -uo pipefail
harness="$1" src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$src"

run=(run scenarios --exclude-tag scale --repeat 2 --no-traces)
for k in 1 2 3; do
  "$harness" "${run[@]}" --shard "$k/3" --json "$work/shard$k.json" >/dev/null 2>&1 || fail "shard $k/3 did not pass"
done
"$harness" "${run[@]}" --json "$work/all.json" --junit "$work/all.xml" >/dev/null 2>&1 || fail "the unsharded run did not pass"

(cd "$work" && "$harness" merge shard3.json shard1.json shard2.json --json merged.json --junit merged.xml >out 2>&1) ||
  fail "merging the three shards failed: $(cat "$work/out")"
grep -q "^merged 3 shards: " "$work/out" || fail "no summary: $(cat "$work/out")"

/usr/bin/python3 - "$work/all.json" "$work/merged.json" <<'PY' || fail "the merged JSON report is not the unsharded one"
import json, sys
def results(path):
    d = json.load(open(path))
    for s in d["scenarios"]:
        s.pop("wallTimeMs")
    return d["repeats"], d["counts"], d["scenarios"]
a, b = results(sys.argv[1]), results(sys.argv[2])
if a != b:
    for x, y in zip(a[2], b[2]):
        if x != y:
            print("unsharded:", x["file"], x["name"], "| merged:", y["file"], y["name"])
            break
    sys.exit(1)
PY

normalise() { sed -E 's/ time="[0-9.]+"//; s/ timestamp="[^"]*"//; s/ hostname="[^"]*"//' "$1"; }
diff <(normalise "$work/all.xml") <(normalise "$work/merged.xml") >"$work/junit.diff" ||
  fail "the merged JUnit report differs from the unsharded one: $(head -20 "$work/junit.diff")"
if command -v xmllint >/dev/null; then
  xmllint --noout --schema "$src/harness/test/junit-ci.xsd" "$work/merged.xml" 2>/dev/null || fail "the merged JUnit report is not valid"
fi

refused() {  # refused WHAT EXPECTED-MESSAGE REPORT...
  local what="$1" message="$2"
  shift 2
  (cd "$work" && "$harness" merge "$@" >/dev/null 2>err)
  [ $? = 2 ] || fail "$what: not exit 2"
  grep -q "$message" "$work/err" || fail "$what: no '$message' in: $(cat "$work/err")"
}
refused "a missing shard" "missing shard 2/3" shard1.json shard3.json
refused "a shard twice" "shard 1/3 is given twice" shard1.json shard1.json shard2.json shard3.json
refused "an unsharded report" "not the report of a shard" all.json
printf '{"format": "something else"}' >"$work/other.json"
refused "another kind of JSON" "not a harness report" other.json
printf '[[[[' >"$work/broken.json"
refused "a broken file" "not JSON" broken.json
refused "a file that is not there" "no-such.json: error" no-such.json
echo "ok"
