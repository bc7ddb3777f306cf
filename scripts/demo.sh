#!/usr/bin/env bash
# The README's first command: on a fresh machine, install the pinned Deno and
# Bun, fetch Apache Kafka from Maven Central and start one broker on
# 127.0.0.1:9092, produce to it (a few records, a stream, then one million
# 100-byte records with the perf tool), read the first records back with
# Kafka's own console consumer, and stop the broker (unless --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1
. scripts/tools.sh
bash scripts/kafka.sh up
[[ $keep == 1 ]] || trap 'bash scripts/kafka.sh down' EXIT

topic="demo-$(date +%s)"
bash scripts/kafka.sh topic create "$topic" --partitions 6 >/dev/null
echo "== producing to $topic"
deno run -A scripts/demo.ts "$topic"

echo "== read back by Kafka's ConsoleConsumer (first 5 records)"
bash scripts/kafka.sh java org.apache.kafka.tools.consumer.ConsoleConsumer \
  --bootstrap-server 127.0.0.1:9092 --topic "$topic" --from-beginning --max-messages 5 \
  --timeout-ms 15000 --property print.partition=true --property print.offset=true \
  --property print.key=true --property print.headers=true 2>/dev/null || true

echo "== 1,000,000 x 100 B records, acks=all, idempotent, 6 partitions (Deno, concurrent send)"
deno run -A bench/perf.ts --num-records 1000000 --record-size 100
echo "== the same through pipeTo(producer.writable)"
deno run -A bench/perf.ts --num-records 1000000 --record-size 100 --mode pipe
[[ $keep == 1 ]] && echo "broker left running on 127.0.0.1:9092; stop it with: bash scripts/kafka.sh down"
exit 0
