#!/usr/bin/env bash
# Runs the commands of a Markdown walkthrough and checks what they print, so the page cannot go stale.
#
#   check-walkthrough.sh PAGE.md BIN_DIR SOURCE_DIR
#
# In the page:
#   ```console            a session: each "$ command" line is run (bash, from a scratch directory
#   $ harness run X       holding the source tree's docs/ and scenarios/); "  # exits N" at the end
#   expected output       says its exit status (0 otherwise). The lines after a command must each
#   ```                   appear in what it printed (stdout and stderr), in order; a line ending in
#                         "..." is matched up to there.
#   ```yaml file=PATH     writes the block to PATH, for the commands after it.
set -euo pipefail
page="$1"
bin_dir="$(cd "$2" && pwd)"
src="$(cd "$3" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ln -s "$src/docs" "$work/docs"
ln -s "$src/scenarios" "$work/scenarios"
export PATH="$bin_dir:$PATH"

fail() { echo "$page:$1: $2" >&2; exit 1; }

commands=0
cmd="" cmd_line=0 expected_status=0 output="" pos=0
# Checks one expected line against the output of the current command, after the last match.
expect_line() {
  local line_no="$1" want="$2"
  [ -n "$cmd" ] || fail "$line_no" "output line before any command: $want"
  want="${want%...}"
  local rest="${output:$pos}"
  local before="${rest%%"$want"*}"
  if [ "$before" = "$rest" ]; then
    printf '%s\n' "--- what '$cmd' printed:" "$output" >&2
    fail "$line_no" "expected in the output of '$cmd' (line $cmd_line): $want"
  fi
  pos=$((pos + ${#before} + ${#want}))
}
run_command() {
  local line_no="$1" text="$2"
  expected_status=0
  if [[ "$text" =~ ^(.*[^[:space:]])[[:space:]]+#\ exits\ ([0-9]+)$ ]]; then
    text="${BASH_REMATCH[1]}"
    expected_status="${BASH_REMATCH[2]}"
  fi
  cmd="$text" cmd_line="$line_no" pos=0
  local status=0
  output="$(cd "$work" && bash -c "$text" 2>&1)" || status=$?
  if [ "$status" != "$expected_status" ]; then
    printf '%s\n' "--- what it printed:" "$output" >&2
    fail "$line_no" "'$text' exited $status, not $expected_status"
  fi
  commands=$((commands + 1))
}

mode="" file="" n=0 body=""
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  case "$mode" in
    "")
      if [[ "$line" == '```console' ]]; then mode=console; cmd=""
      elif [[ "$line" =~ ^\`\`\`yaml\ file=(.+)$ ]]; then mode=file; file="${BASH_REMATCH[1]}"; body=""
      fi ;;
    console)
      if [[ "$line" == '```' ]]; then mode=""
      elif [[ "$line" == '$ '* ]]; then run_command "$n" "${line#\$ }"
      elif [ -n "$line" ]; then expect_line "$n" "$line"
      fi ;;
    file)
      if [[ "$line" == '```' ]]; then
        mkdir -p "$(dirname "$work/$file")"
        printf '%s' "$body" >"$work/$file"
        mode=""
      else body+="$line"$'\n'
      fi ;;
  esac
done <"$page"
[ -z "$mode" ] || fail "$n" "a code block is not closed"
[ "$commands" -gt 0 ] || fail 1 "no commands found"
echo "$page: $commands commands ran and printed what the page shows"
