#!/usr/bin/env bash
# What `harness run` writes, under hostile names and paths: reports that cannot be written are an
# error (exit 3) while the others are still written whole; a trace is never written through a
# symbolic link; the console and the reports stay clean whatever the scenario's strings hold.
#   outputs_test.sh HARNESS DATA_DIR
set -euo pipefail
harness="$1"
data="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "outputs_test: $*" >&2; exit 1; }
cd "$work"
cp "$data/hostile/escape-sequences.yaml" hostile.yaml
touch not-a-directory

# A report path that cannot be written: exit 3, a message naming it, and the other report whole.
status=0
"$harness" run hostile.yaml --junit not-a-directory/junit.xml --json report.json >out.txt 2>err.txt || status=$?
[ "$status" = 3 ] || fail "an unwritable report gave exit status $status, not 3"
grep -q "not-a-directory/junit.xml: error: cannot write" err.txt || fail "no error naming the report: $(cat err.txt)"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' report.json || fail "the JSON report is not valid JSON"
ls | grep -q '\.tmp-' && fail "a temporary file was left behind: $(ls)"

# The console and both reports are clean: no raw escape or C1 control, XML that parses.
if LC_ALL=C grep -q $'\x1b' out.txt err.txt; then fail "an escape character reached the terminal"; fi
if grep -q $'\xc2\x9b' out.txt; then fail "a C1 control reached the terminal"; fi
grep -q '\\x1b\[31m' out.txt || fail "the escape is not shown as \\x1b: $(head -3 out.txt)"
"$harness" run hostile.yaml --junit junit.xml --no-traces >/dev/null 2>&1 || true
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' junit.xml || fail "the JUnit report is not well-formed XML"

# A trace folder that is a symbolic link (as a checkout could hold): refused, nothing written there.
mkdir elsewhere
ln -s elsewhere linked-traces
status=0
"$harness" run hostile.yaml --trace-dir linked-traces >out.txt 2>err.txt || status=$?
[ "$status" = 3 ] || fail "a trace through a symbolic link gave exit status $status, not 3"
grep -q "symbolic link" err.txt || fail "no message about the symbolic link: $(cat err.txt)"
[ -z "$(ls elsewhere)" ] || fail "a trace was written through the link: $(ls elsewhere)"
echo "outputs_test: ok"
