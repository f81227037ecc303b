#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZTIME each, default 10s) on top of its
# committed seed corpus in testdata/fuzz. A crash fails the run and leaves the
# input in testdata/fuzz for a regression test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime="${FUZZTIME:-10s}"
for pkg in ./internal/protocol/oauth ./internal/pages; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "fuzz $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
