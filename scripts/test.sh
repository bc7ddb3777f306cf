#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the pinned Deno and Bun,
# fetches and starts a real Kafka broker with its TLS and SASL listeners
# (`kafka.sh up --secure`, unless a broker is already up), runs the static
# checks, the Deno tests (unit, real-broker, security) and the Bun end-to-end
# and security runs, the npm package (built, packed, installed from its tarball, run
# under Node 24, Node 20, Bun and Deno), the workerd run (tests/edge/), then stops the
# broker it started; last, the broker-fault scenarios
# (tests/faults/) against a 3-node cluster of their own (ports from
# FAULTS_PORT_BASE, default 19092; run dir .cache/run-3), stopped on exit.
# Between the two, the broker-version matrix: the core end-to-end tests
# (produce and read back, transactions) against each of KAFKA_MATRIX's
# Kafka versions besides the default, each on a broker of its own (port
# MATRIX_PORT_BASE, default 29192; run dir .cache/run-matrix-VERSION).
#
#   bash scripts/test.sh            everything
#   bash scripts/test.sh tests/net  only the Deno tests under a path (broker still started)
#   bash scripts/test.sh faults     only the fault scenarios (no single broker)
#   bash scripts/test.sh matrix     only the broker-version matrix (no single broker)
#   SKIP_FAULTS=1 bash scripts/test.sh            everything but the fault scenarios
#   KAFKA_MATRIX="4.0.2 3.9.1" bash scripts/test.sh   the versions of the matrix stage
#   FAULT_RECORDS=200000 bash scripts/test.sh     fault scenarios at full size (default 50,000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh

started=0
faults_started=0
matrix_env=()
MATRIX_VERSIONS="${KAFKA_MATRIX:-4.0.2 4.1.1 3.9.1}"
MATRIX_PORT="${MATRIX_PORT_BASE:-29192}"
FAULTS_ENV=(KAFKA_PORT_BASE="${FAULTS_PORT_BASE:-19092}" KAFKA_RUN_DIR="$PWD/.cache/run-3"
  KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-240}")
stop_broker() {
  if [[ $started == 1 ]]; then bash scripts/kafka.sh down || true; fi
  started=0
}
stop_faults_cluster() {
  if [[ $faults_started == 1 ]]; then env "${FAULTS_ENV[@]}" bash scripts/kafka.sh down || true; fi
  faults_started=0
}
stop_matrix_broker() {
  if [[ ${#matrix_env[@]} -gt 0 ]]; then env "${matrix_env[@]}" bash scripts/kafka.sh down || true; fi
  matrix_env=()
}
trap 'stop_broker; stop_faults_cluster; stop_matrix_broker' EXIT
run_matrix() {
  local v
  for v in $MATRIX_VERSIONS; do
    echo "== Kafka $v: the core end-to-end tests"
    matrix_env=(KAFKA_VERSION="$v" KAFKA_PORT_BASE="$MATRIX_PORT" KAFKA_RUN_DIR="$PWD/.cache/run-matrix-$v")
    env "${matrix_env[@]}" bash scripts/kafka.sh up
    KAFKA_BOOTSTRAP="127.0.0.1:$MATRIX_PORT" \
      deno test -A tests/broker/produce_readback.test.ts tests/transactions/
    stop_matrix_broker
  done
}
if [[ "${1:-}" == matrix ]]; then
  run_matrix
  exit
fi
run_faults() {
  echo "== fault scenarios (3-node cluster)"
  faults_started=1
  env "${FAULTS_ENV[@]}" bash scripts/kafka.sh up --brokers 3
  env "${FAULTS_ENV[@]}" KAFKA_BOOTSTRAP="$(env "${FAULTS_ENV[@]}" bash scripts/kafka.sh bootstrap)" \
    deno test -A tests/faults/
}
if [[ "${1:-}" == faults ]]; then
  run_faults
  exit
fi

# kcat (librdkafka's CLI) reads the compressed topics in tests/broker/compression.test.ts;
# without it (no root, no apt) those steps are skipped, not failed.
install_kcat() {
  command -v kcat >/dev/null && return
  local sudo=""
  if [[ $(id -u) != 0 ]]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "kcat not installed and no root: its read-back steps are skipped" >&2
      return
    fi
  fi
  ($sudo apt-get update && $sudo apt-get install -y kcat) >/dev/null ||
    echo "kcat could not be installed: its read-back steps are skipped" >&2
}
install_kcat

# (Not `status | grep -q`: grep quits at the match, status dies of SIGPIPE, and
# pipefail would call a running broker stopped -- then stop it at exit.)
status="$(bash scripts/kafka.sh status 2>/dev/null || true)"
if [[ $status != *"node 1: running"* ]]; then
  bash scripts/kafka.sh up --secure
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
deno check --doc mod.ts lib/ # the JSDoc examples too
deno check --doc-only README.md
deno doc --lint mod.ts lib/cli/mod.ts lib/otel/mod.ts
deno task lint:layers
deno publish --dry-run --allow-dirty >/dev/null

echo "== deno tests"
deno test -A --ignore=tests/faults,tests/node tests/

echo "== bun end-to-end"
bun tests/bun/e2e.ts
bun tests/bun/security.ts

echo "== npm package (Node 24, Node 20, Bun)"
deno test -A tests/node/

echo "== edge (workerd)"
deno task test:edge

stop_broker # the single broker is not needed any more: leave the cores to the others
run_matrix

if [[ "${SKIP_FAULTS:-0}" != 1 ]]; then
  run_faults
fi
