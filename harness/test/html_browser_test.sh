#!/usr/bin/env bash
# The HTML report in a real browser (Debian's chromium, headless): a run with a failing scenario
# is written as a page; the page lists the failure, shows expected against observed and the
# source line, draws the timeline, and its filters work (the filters live in the address's
# #fragment, which the page reads and writes). Also `harness show` of the failure's trace and
# `harness merge --html`, and a screenshot left in the build folder.
#   html_browser_test.sh HARNESS SOURCE_DIR OUT_DIR
set -uo pipefail
harness="$1" src="$2" out="$3"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || fail "chromium is missing (scripts/setup.sh installs it)"
mkdir -p "$out"

tree="$work/project/scenarios"
mkdir -p "$tree/schema" "$tree/moving"
cp "$src/scenarios/schema/scenario.schema.json" "$tree/schema/"
cp "$src/scenarios/moving/auto-move-on.yaml" "$src/scenarios/moving/auto-move-off.yaml" "$tree/moving/"
cat >"$tree/moving/closed-too-soon.yaml" <<'YAML'
name: "the room is closed when it opens </script><b>not markup</b>"
rules: [BR-EVT-2]
tags: [moving, html]
participants:
  - id: alice
    displayName: Alice
rooms:
  - { id: room1, name: Room 1, participants: [alice] }
steps:
  - server: openRoom
    room: room1
  - expect: assignedBreakoutRooms
    data: { state: closed }
YAML
cd "$work/project"
"$harness" run scenarios --html "$work/report.html" --json "$work/report.json" --trace-dir "$work/traces" >"$work/out" 2>&1
[ $? = 1 ] || fail "the run did not exit 1: $(cat "$work/out")"
grep -q '<script src\|<link \|@import\|url(' "$work/report.html" && fail "the page loads something from elsewhere"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$work/report.html" || fail "the page does not forbid the network"

dom() {  # dom PAGE FRAGMENT: the page's DOM once its script has run
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" --virtual-time-budget=5000 \
    --dump-dom "file://$1#$2" 2>/dev/null
}
page_check() {  # page_check WHAT PAGE FRAGMENT PYTHON-CONDITION (on `html`)
  dom "$2" "$3" >"$work/dom.html" || fail "$1: chromium failed"
  /usr/bin/python3 - "$work/dom.html" "$4" <<'PY' || fail "$1"
import sys
html = open(sys.argv[1], encoding="utf-8").read()
ok = 'data-ready="true"' in html and eval(sys.argv[2].strip().replace("\n", " "))
if not ok:
    print(html[:3000], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

name='the room is closed when it opens &lt;/script&gt;&lt;b&gt;not markup&lt;/b&gt;'
# The failing scenario first, selected: expected against observed, the source line marked, a timeline.
page_check "the failure is not shown in full" "$work/report.html" "" \
  "'data-outcome=\"FAIL\"' in html and '$name' in html and '<b>not markup</b>' not in html
   and 'Expected against observed' in html and '{\"state\":\"closed\"}' in html and 'expected \"closed\", observed \"open\"' in html
   and 'class=\"hl\">  12    - expect: assignedBreakoutRooms' in html and 'role=\"grid\"' in html and 'tl-cell has-fail' in html"
# Filters: by outcome, by search, by tag.
page_check "the outcome filter does not filter" "$work/report.html" "o=PASS" \
  "html.count('data-outcome=\"PASS\"') == 2 and 'data-outcome=\"FAIL\"' not in html and '2 of 3 shown' in html"
page_check "the search does not filter" "$work/report.html" "q=auto-move%20joins" \
  "'1 of 3 shown' in html and 'data-outcome=\"FAIL\"' not in html"
page_check "the tag filter does not filter" "$work/report.html" "tag=html" \
  "'1 of 3 shown' in html and 'data-outcome=\"FAIL\"' in html"
# A cell named in the address is selected and inspected: its JSON and the frames at that moment.
page_check "a timeline cell cannot be inspected" "$work/report.html" "cell=alice%400" \
  "'<h3>alice at +0.000s</h3>' in html and 'Frames at this moment' in html and '\"kind\": \"event\"' in html
   and '\"method\": \"joinMeeting\"' in html and 'aria-pressed=\"true\" aria-label=\"alice at +0.000s' in html"
page_check "a passing scenario's timeline is not drawn from its event log" "$work/report.html" "o=PASS&q=auto-move%20joins&cell=alice%403000" \
  "'<h3>alice at +3.000s</h3>' in html and '\"type\": \"join\"' in html"

# harness show: a trace as the same page.
trace="$(ls "$work"/traces/*.trace.jsonl | head -1)"
"$harness" show "$trace" -o "$work/show.html" 2>/dev/null || fail "harness show failed"
page_check "harness show does not show the failure" "$work/show.html" "" \
  "'data-outcome=\"FAIL\"' in html and 'Expected against observed' in html and 'tl-cell has-fail' in html"

# harness merge --html: shards as one page.
"$harness" run scenarios --shard 1/2 --json "$work/s1.json" --no-traces >/dev/null 2>&1
"$harness" run scenarios --shard 2/2 --json "$work/s2.json" --no-traces >/dev/null 2>&1
"$harness" merge "$work/s1.json" "$work/s2.json" --html "$work/merged.html" >/dev/null 2>&1
[ -s "$work/merged.html" ] || fail "harness merge --html wrote nothing"
page_check "the merged page is not the run's" "$work/merged.html" "" "'3 of 3 shown' in html and 'data-outcome=\"FAIL\"' in html"

# A screenshot of the failing run, for people (docs/harness.md shows one like it).
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" --hide-scrollbars \
  --window-size=1400,1100 --virtual-time-budget=5000 --screenshot="$out/html-report.png" "file://$work/report.html" >/dev/null 2>&1
[ -s "$out/html-report.png" ] || fail "no screenshot"
echo "ok (screenshot: $out/html-report.png)"
