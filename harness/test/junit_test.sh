#!/usr/bin/env bash
# The JUnit report CI systems read: valid under the part both common JUnit schemas accept
# (junit-ci.xsd, checked with xmllint), with what a CI view needs in it: a testsuite per file with
# a class name from its place in the tree, timestamp and hostname, rules and tags as properties,
# the event log in system-out, the repeat in the name, an UNRESOLVED file named by its scenario's
# name; file and line attributes only when asked for (and then the schemas refuse the report).
#   junit_test.sh HARNESS SOURCE_DIR
set -uo pipefail
harness="$1" src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v xmllint >/dev/null || fail "xmllint is missing (scripts/setup.sh installs libxml2-utils)"
xsd="$src/harness/test/junit-ci.xsd"

tree="$work/project/scenarios"
mkdir -p "$tree/schema" "$tree/moving" "$tree/broken"
cp "$src/scenarios/schema/scenario.schema.json" "$tree/schema/"
scenario() {  # scenario FILE NAME EXTRA-TOP-LEVEL EXPECTED-STATE
  cat >"$1" <<YAML
name: "$2"
rules: [BR-MOVE-1]
tags: [moving, junit]
$3
participants:
  - id: alice
rooms:
  - { id: room1, participants: [alice] }
steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
    data: { state: $4 }
YAML
}
scenario "$tree/moving/opens.yaml" "the room opens <&>" "" open
scenario "$tree/moving/wrong.yaml" "wrong on purpose" "" closed
scenario "$tree/moving/known-bug.yaml" "a known bug" "xfail: the state is never closed here" closed
scenario "$tree/moving/later.yaml" "not yet" "skip: needs a second SDK" open
printf 'name: "named but broken"\nparticipants: [{id: a}]\nsteps: [{server: opnRoom}]\n' >"$tree/broken/typo.yaml"

cd "$work/project"
"$harness" run scenarios --repeat 2 --no-traces --junit "$work/junit.xml" >"$work/out" 2>&1
[ $? = 1 ] || fail "the run did not exit 1: $(cat "$work/out")"
xmllint --noout --schema "$xsd" "$work/junit.xml" 2>"$work/lint" || fail "the report is not valid under junit-ci.xsd: $(cat "$work/lint")"

# What a CI view shows, read back with Python's own XML parser.
/usr/bin/python3 - "$work/junit.xml" <<'PY' || fail "the report's content (above)"
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = {s.get("name"): s for s in root.findall("testsuite")}
problems = []
def check(cond, what):
    if not cond:
        problems.append(what)
check(root.attrib == {}, "testsuites has attributes")
check(sorted(suites) == ["broken.typo", "moving.known-bug", "moving.later", "moving.opens", "moving.wrong"], f"suites {sorted(suites)}")
ids = [int(s.get("id")) for s in root.findall("testsuite")]
check(ids == list(range(len(ids))), f"ids {ids}")
opens = suites.get("moving.opens")
if opens is not None:
    check(opens.get("package") == "moving", "package")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", opens.get("timestamp", "")) is not None, "timestamp")
    check(opens.get("hostname"), "hostname")
    props = [(p.get("name"), p.get("value")) for p in opens.find("properties")]
    check(("file", "scenarios/moving/opens.yaml") in props and ("rule", "BR-MOVE-1") in props and ("tag", "junit") in props, f"properties {props}")
    names = [c.get("name") for c in opens.findall("testcase")]
    check(names == ["the room opens <&> (repeat 1 of 2)", "the room opens <&> (repeat 2 of 2)"], f"names {names}")
    check(all(c.get("classname") == "moving.opens" for c in opens.findall("testcase")), "classname")
    out = opens.find("system-out").text or ""
    check("== the room opens <&> (repeat 1 of 2): PASS ==" in out and "assignedBreakoutRooms" in out, f"system-out {out[:300]!r}")
wrong = suites.get("moving.wrong")
check(wrong is not None and wrong.get("failures") == "2" and wrong.find("testcase/failure").get("type") == "FAIL", "the failure")
check(suites.get("moving.known-bug") is not None and suites["moving.known-bug"].find("testcase/skipped").get("message").startswith("XFAIL: "), "xfail")
typo = suites.get("broken.typo")
check(typo is not None and typo.find("testcase").get("name") == "named but broken" and typo.find("testcase/error").get("type") == "UNRESOLVED",
      "the UNRESOLVED file is not named by its scenario's name")
for p in problems:
    print("junit:", p)
sys.exit(1 if problems else 0)
PY

# The same run from another folder gives the same class names: paths come from the scenario tree.
(cd "$tree/moving" && "$harness" run ../moving/opens.yaml --no-traces --junit "$work/from-inside.xml" >/dev/null 2>&1) ||
  fail "a run from inside the tree failed"
grep -q 'classname="moving.opens"' "$work/from-inside.xml" || fail "the class name depends on the current folder"

# file and line for GitLab and GitHub, when asked: the failing step's line.
"$harness" run scenarios/moving/wrong.yaml --no-traces --junit-file-attributes --junit "$work/attrs.xml" >/dev/null 2>&1
grep -q 'file="scenarios/moving/wrong.yaml" line="12"' "$work/attrs.xml" || fail "no file and line attributes: $(grep testcase "$work/attrs.xml")"
if xmllint --noout --schema "$xsd" "$work/attrs.xml" 2>/dev/null; then
  fail "junit-ci.xsd accepts file attributes, which both schemas refuse: it checks too little"
fi
echo "ok"
