#!/usr/bin/env bash
# One benchmark run of a peer Kafka client, behind one command line for every peer.
#
# Usage: bash bench/peers/run.sh PEER --bootstrap HOST:PORT --topic T --num-records N
#          --record-size S --acks all|1|0 --idempotence true|false --linger-ms L
#          --batch-size B --mode send|sync [--compression-type none|gzip|snappy|lz4|zstd]
#          [--producer-config FILE] [--transaction-size N [--transactional-id ID]]
#        (a codec other than none, and --producer-config: the java driver's send mode only;
#        FILE is a Java properties file for ProducerPerformance's --producer.config, e.g. the
#        security.protocol, ssl.* and sasl.* settings of a secure listener; the topic check
#        uses it too)
#        (--transaction-size: the java driver's send mode only, java/TxnPerf.java: one
#        transactional id per run (default txn-perf-<random>), initTransactions once, then
#        begin, N sends, commit, until every record is sent; needs --idempotence true and
#        --acks all; not with --producer-config)
#   PEER: java (ProducerPerformance / SyncSend.java), librdkafka (confluent-kafka, Python),
#         franz-go (Go), kafkajs (Node 20), platformatic (@platformatic/kafka, Node 22); both
#         on $PEERS_NODE when set
#
# The topic must exist. Records: S bytes, the same payload each time, no key.
# send = asynchronous sends bounded by the client's own buffer; sync = one record, wait for its
# acknowledgement, next record. Progress goes to stderr; the last stdout line is one JSON object
# {"client","clientVersion","runtime","mode","records","recordSize","acked","failed",
#  "recordsPerSec","mbPerSec","avgMs","maxMs","p50","p95","p99","p999","settings"}
# (latencies in ms, MB = 1048576 bytes). Exit 0 on success, 1 if records failed or the client
# broke, 2 on bad arguments, 3 if the peer cannot run here: then the last stdout line is
# {"client":PEER,"unavailable":"<reason>"}.
# Installs what the peer needs on first use (bench/peers/install.sh). Environment:
# KAFKA_TOOL_HEAP (JVM heap for java, default 512m here), PLATFORMATIC_RUNTIME=node|bun,
# PEERS_NODE=PATH (a node binary for kafkajs and platformatic instead of the machine's node and
# Node 22: bench/compare.ts passes the pinned Node 24 its own perf.ts runs on).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$ROOT/.cache/peers}"
PEERS="java librdkafka franz-go kafkajs platformatic"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; }
bad() {
  echo "run.sh: $*" >&2
  echo "usage: bash bench/peers/run.sh PEER --bootstrap HOST:PORT --topic T --num-records N --record-size S --acks all|1|0 --idempotence true|false --linger-ms L --batch-size B --mode send|sync  (--help for more)" >&2
  exit 2
}
unavailable() {
  local reason="${2//\\/\\\\}"
  echo "run.sh: $1 unavailable: $2" >&2
  printf '{"client":"%s","unavailable":"%s"}\n' "$1" "${reason//\"/\\\"}"
  exit 3
}

peer="${1:-}"
[[ "$peer" == -h || "$peer" == --help ]] && { usage; exit 0; }
[[ -n "$peer" ]] || bad "missing PEER (one of: $PEERS)"
[[ " $PEERS " == *" $peer "* ]] || bad "unknown peer '$peer' (expected one of: $PEERS)"
shift

declare -A opt=()
while (($#)); do
  case "$1" in
    --bootstrap | --topic | --num-records | --record-size | --acks | --idempotence | --linger-ms | --batch-size | --mode | --compression-type | --producer-config | --transaction-size | --transactional-id)
      (($# >= 2)) || bad "$1 needs a value"
      opt[${1#--}]="$2"
      shift 2
      ;;
    *) bad "unknown argument '$1'" ;;
  esac
done
for k in bootstrap topic num-records record-size acks idempotence linger-ms batch-size mode; do
  [[ -n "${opt[$k]:-}" ]] || bad "missing --$k"
done
[[ "${opt[num-records]}" =~ ^[1-9][0-9]*$ ]] || bad "--num-records must be a positive integer"
for k in record-size linger-ms batch-size; do
  [[ "${opt[$k]}" =~ ^[0-9]+$ ]] || bad "--$k must be a non-negative integer"
done
((opt[batch-size] > 0)) || bad "--batch-size must be positive"
[[ "${opt[acks]}" =~ ^(all|1|0)$ ]] || bad "--acks must be all, 1 or 0"
[[ "${opt[idempotence]}" =~ ^(true|false)$ ]] || bad "--idempotence must be true or false"
[[ "${opt[mode]}" =~ ^(send|sync)$ ]] || bad "--mode must be send or sync"
[[ "${opt[bootstrap]}" =~ ^[^,:]+:[0-9]+(,[^,:]+:[0-9]+)*$ ]] || bad "--bootstrap must be HOST:PORT[,HOST:PORT...]"
compression="${opt[compression-type]:-none}"
[[ "$compression" =~ ^(none|gzip|snappy|lz4|zstd)$ ]] || bad "--compression-type must be none, gzip, snappy, lz4 or zstd"
if [[ "$compression" != none && ( "$peer" != java || "${opt[mode]}" != send ) ]]; then
  unavailable "$peer" "--compression-type is wired for the java driver's send mode only"
fi
producer_config="${opt[producer-config]:-}"
if [[ -n "$producer_config" ]]; then
  [[ -f "$producer_config" ]] || bad "--producer-config $producer_config: no such file"
  if [[ "$peer" != java || "${opt[mode]}" != send ]]; then
    unavailable "$peer" "--producer-config (security settings) is wired for the java driver's send mode only"
  fi
fi
if [[ "${opt[idempotence]}" == true && "${opt[acks]}" != all ]]; then
  bad "--idempotence true needs --acks all (every client rejects the mix)"
fi
transaction_size="${opt[transaction-size]:-}"
if [[ -n "$transaction_size" ]]; then
  [[ "$transaction_size" =~ ^[1-9][0-9]*$ ]] || bad "--transaction-size must be a positive integer"
  [[ "${opt[idempotence]}" == true ]] || bad "--transaction-size needs --idempotence true (and --acks all)"
  [[ "${opt[mode]}" == send ]] || bad "--transaction-size needs --mode send"
  [[ "$peer" == java ]] || unavailable "$peer" "--transaction-size (transactions) is wired for the java driver only"
  [[ -z "$producer_config" ]] || unavailable "$peer" "--transaction-size with --producer-config is not wired"
elif [[ -n "${opt[transactional-id]:-}" ]]; then
  bad "--transactional-id needs --transaction-size"
fi

# The same argument list for every driver.
args=()
for k in bootstrap topic num-records record-size acks idempotence linger-ms batch-size mode; do
  args+=("--$k" "${opt[$k]}")
done

install_log="$(mktemp)"
trap 'rm -f "$install_log"' EXIT
if ! bash "$HERE/install.sh" "$peer" 2>&1 | tee "$install_log" >&2; then
  unavailable "$peer" "install failed: $(grep -v '^\s*$' "$install_log" | tail -n 1 | cut -c1-200)"
fi

case "$peer" in
  java)
    export KAFKA_TOOL_HEAP="${KAFKA_TOOL_HEAP:-512m}"
    if [[ -n "$transaction_size" ]]; then
      bash "$ROOT/scripts/kafka.sh" java "$HERE/java/TxnPerf.java" "${args[@]}" --compression-type "$compression" \
        --transaction-size "$transaction_size" ${opt[transactional-id]:+--transactional-id "${opt[transactional-id]}"}
    elif [[ "${opt[mode]}" == send ]]; then
      bash "$HERE/java/producer_performance.sh" "${opt[bootstrap]}" "${opt[topic]}" "${opt[num-records]}" \
        "${opt[record-size]}" "${opt[acks]}" "${opt[idempotence]}" "${opt[linger-ms]}" "${opt[batch-size]}" \
        "$compression" "$producer_config"
    else
      bash "$ROOT/scripts/kafka.sh" java "$HERE/java/SyncSend.java" "${args[@]}"
    fi
    ;;
  librdkafka)
    "$PEERS_DIR/py/bin/python" "$HERE/python/librdkafka_perf.py" "${args[@]}"
    ;;
  franz-go)
    "$PEERS_DIR/bin/franz-go-perf" "${args[@]}"
    ;;
  kafkajs)
    node="${PEERS_NODE:-node}"
    command -v "$node" >/dev/null 2>&1 || unavailable kafkajs "$node not found"
    PEERS_NODE_DIR="$PEERS_DIR/node" "$node" "$HERE/node/kafkajs.mjs" "${args[@]}"
    ;;
  platformatic)
    case "${PLATFORMATIC_RUNTIME:-node}" in
      node)
        node22="${PEERS_NODE:-$PEERS_DIR/node/node_modules/.bin/node}"
        "$node22" --version >/dev/null 2>&1 ||
          unavailable platformatic "no Node >= 22: ${PEERS_NODE:-npm package node-linux-$(uname -m)} did not give a runnable binary"
        PEERS_NODE_DIR="$PEERS_DIR/node" "$node22" "$HERE/node/platformatic.mjs" "${args[@]}"
        ;;
      bun)
        # shellcheck source=../../scripts/tools.sh
        . "$ROOT/scripts/tools.sh" || unavailable platformatic "bun could not be installed (scripts/tools.sh)"
        PEERS_NODE_DIR="$PEERS_DIR/node" bun "$HERE/node/platformatic.mjs" "${args[@]}"
        ;;
      *) bad "PLATFORMATIC_RUNTIME must be node or bun" ;;
    esac
    ;;
esac
