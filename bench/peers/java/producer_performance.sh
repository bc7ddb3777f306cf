#!/usr/bin/env bash
# The Java client's send mode for bench/peers/run.sh: Kafka's own ProducerPerformance
# (kafka-producer-perf-test) from the Kafka jars (KAFKA_VERSION, default 4.4.0), with --throughput -1 and the run's settings
# as --producer-props. Its progress lines go to stderr; its final summary line is turned into
# the contract's JSON line on stdout.
#
# PRODUCER_CONFIG, if given, is a properties file passed as --producer.config (security settings:
# ProducerPerformance splits each --producer-props entry at every '=', so a sasl.jaas.config cannot
# go there) and as the topic check's --command-config.
#
# Usage: producer_performance.sh BOOTSTRAP TOPIC NUM_RECORDS RECORD_SIZE ACKS IDEMPOTENCE LINGER_MS BATCH_SIZE [COMPRESSION [PRODUCER_CONFIG]]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
bootstrap="$1" topic="$2" num="$3" size="$4" acks="$5" idem="$6" linger="$7" batch="$8" compression="${9:-none}"
config="${10:-}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
topic_config=() producer_config=() security=""
if [[ -n "$config" ]]; then
  topic_config=(--command-config "$config")
  producer_config=(--producer.config "$config")
  security=" $(sed -nE 's/^security\.protocol=(.*)$/security.protocol=\1/p; s/^sasl\.mechanism=(.*)$/sasl.mechanism=\1/p' "$config" | tr '\n' ' ' | sed 's/ $//') (--producer.config)"
fi

# ProducerPerformance would wait max.block.ms (60 s) for every record of a missing topic.
if ! bash "$ROOT/scripts/kafka.sh" java org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
  "${topic_config[@]}" --describe --topic "$topic" >"$out" 2>&1 || ! grep -q "Topic: $topic" "$out"; then
  cat "$out" >&2
  echo "producer_performance.sh: topic '$topic' not found at $bootstrap" >&2
  exit 1
fi

rc=0
bash "$ROOT/scripts/kafka.sh" java org.apache.kafka.tools.ProducerPerformance \
  --topic "$topic" --num-records "$num" --record-size "$size" --throughput -1 "${producer_config[@]}" \
  --producer-props bootstrap.servers="$bootstrap" acks="$acks" enable.idempotence="$idem" \
  linger.ms="$linger" batch.size="$batch" compression.type="$compression" | tee "$out" >&2 || rc=$?

# e.g. "200000 records sent, 17594.8 records/sec (1.68 MB/sec), 2544.86 ms avg latency,
#       3997.00 ms max latency, 2697 ms 50th, 3724 ms 95th, 3805 ms 99th, 3960 ms 99.9th."
summary="$(grep -E '^[0-9]+ records sent, .* 99\.9th\.$' "$out" | tail -n 1 || true)"
if [[ -z "$summary" ]]; then
  echo "producer_performance.sh: ProducerPerformance printed no summary line (exit $rc)" >&2
  exit 1
fi
runtime="$(java -version 2>&1 | sed -nE '1s/^[a-z]+ version "([^"]+)".*/\1/p')"
settings="linger.ms=$linger batch.size=$batch acks=$acks enable.idempotence=$idem compression.type=$compression$security (ProducerPerformance --throughput -1; KafkaProducer defaults otherwise: buffer.memory=33554432 max.in.flight.requests.per.connection=5; latency percentiles are whole ms as the tool prints them)"
echo "$summary" | awk -v num="$num" -v size="$size" -v runtime="$runtime" -v settings="$settings" -v version="${KAFKA_VERSION:-4.4.0}" '
{
  gsub(/[(),]/, " ")
  # fields: sent records sent rps records/sec mbps MB/sec avg ms avg latency max ms max latency p50 ms 50th ...
  sent = $1; rps = $4; mbps = sprintf("%.3f", rps * size / 1048576); avg = $8; max = $12; p50 = $16; p95 = $19; p99 = $22; p999 = $25
  printf "{\"client\":\"java\",\"clientVersion\":\"%s\",\"runtime\":\"OpenJDK %s\",\"mode\":\"send\",", version, runtime
  printf "\"records\":%d,\"recordSize\":%d,\"acked\":%d,\"failed\":%d,", num, size, sent, num - sent
  printf "\"recordsPerSec\":%s,\"mbPerSec\":%s,\"avgMs\":%s,\"maxMs\":%s,", rps, mbps, avg, max
  printf "\"p50\":%s,\"p95\":%s,\"p99\":%s,\"p999\":%s,\"settings\":\"%s\"}\n", p50, p95, p99, p999, settings
}'
((rc == 0)) && ((${num} == $(awk '{print $1}' <<<"$summary"))) || exit 1
