#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the pinned Deno and Bun,
# fetches and starts a real Kafka broker (unless one is already up), runs the
# static checks, the Deno tests (unit and real-broker) and the Bun end-to-end
# run, then stops the broker it started.
#
#   bash scripts/test.sh            everything
#   bash scripts/test.sh tests/net  only the Deno tests under a path (broker still started)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh

started=0
stop_broker() { if [[ $started == 1 ]]; then bash scripts/kafka.sh down || true; fi; }
trap stop_broker EXIT
# (Not `status | grep -q`: grep quits at the match, status dies of SIGPIPE, and
# pipefail would call a running broker stopped -- then stop it at exit.)
status="$(bash scripts/kafka.sh status 2>/dev/null || true)"
if [[ $status != *"node 1: running"* ]]; then
  bash scripts/kafka.sh up
  started=1
fi
export KAFKA_BOOTSTRAP="${KAFKA_BOOTSTRAP:-127.0.0.1:9092}"

if [[ $# -gt 0 ]]; then
  deno test -A "$@"
  exit
fi

echo "== static checks"
deno fmt --check
deno lint
deno check mod.ts bench/ tests/
deno doc --lint mod.ts
deno publish --dry-run --allow-dirty >/dev/null

echo "== deno tests"
deno test -A tests/

echo "== bun end-to-end"
bun tests/bun/e2e.ts
