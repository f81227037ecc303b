#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZTIME each, default 60000 executions,
# about what 10 s ran) on top of its committed seed corpus in testdata/fuzz.
# A crash fails the run and leaves the input in testdata/fuzz for a
# regression test. The budget is a count, not a duration: Go 1.26's fuzz
# coordinator can report a spurious "context deadline exceeded" when a
# duration ends while a worker is busy (golang/go#75804, fixed in Go 1.27),
# which failed CI with no input found.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime="${FUZZTIME:-60000x}"
for pkg in ./internal/protocol/oauth ./internal/pages; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "fuzz $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
