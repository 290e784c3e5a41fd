#!/usr/bin/env bash
# The README's test command. Type-checks, then runs every test file with Node's runner (Node 20 expands
# no globs, so the shell lists the files). PostgreSQL tests run when TUTELA_TEST_DATABASE_URL is set;
# without it they are reported as skipped. A TAP copy goes to .tmp/test-results.tap for .ci/run to count.
# Two files at a time: tests isolate themselves by mission, and much of a file's time is spent waiting on
# a browser, a server process or the store (on 2 cores: 1,228 s one at a time, 924 s two at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
mkdir -p .tmp
echo "== type check"
npx --no-install tsc --noEmit
npx --no-install tsc -p web --noEmit
files=(test/**/*.test.ts)
echo "== ${#files[@]} test files; PostgreSQL: ${TUTELA_TEST_DATABASE_URL:+on}${TUTELA_TEST_DATABASE_URL:-off (set TUTELA_TEST_DATABASE_URL to run that half)}"
exec node --import tsx --test --test-concurrency=2 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=.tmp/test-results.tap \
  "${files[@]}"
