#!/usr/bin/env bash
# Every whole scenario shown in a Markdown page (a ```yaml block with a "name:" line) validates and
# passes: each is written into a copy of the scenario tree (fixtures and schema beside it, as the
# examples' include: paths expect) and run with `harness run`.
#
#   check-scenario-examples.sh PAGE.md HARNESS SOURCE_DIR
set -euo pipefail
page="$1"
harness="$2"
src="$(cd "$3" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/scenarios/examples"
cp -r "$src/scenarios/fixtures" "$src/scenarios/schema" "$work/scenarios/"

# Split the page into its scenario blocks, each remembering the line it starts on.
awk -v out="$work/scenarios/examples" '
  /^```yaml/ { inb = 1; start = NR + 1; buf = ""; next }
  /^```/ && inb { if (buf ~ /(^|\n)name:/) { n++; f = sprintf("%s/example-%02d-line-%d.yaml", out, n, start); printf "%s", buf > f; close(f) } inb = 0; next }
  inb { buf = buf $0 "\n" }
' "$page"

count=0
for example in "$work"/scenarios/examples/*.yaml; do
  [ -e "$example" ] || break
  count=$((count + 1))
  line="${example##*-line-}"; line="${line%.yaml}"
  if ! out="$("$harness" run "$example" --rules "$src/docs/conformance.md" --no-traces 2>&1)"; then
    echo "$page:$line: the example scenario does not pass:" >&2
    echo "$out" >&2
    exit 1
  fi
done
[ "$count" -gt 0 ] || { echo "$page: no example scenarios found" >&2; exit 1; }
echo "$page: $count example scenario(s) validate and pass"
