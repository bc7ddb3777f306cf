"""librdkafka driver for bench/peers/run.sh, through the confluent-kafka Python package.

send: produce() as fast as librdkafka's queue accepts (BufferError = queue full: poll and retry),
poll(0) after each produce to serve delivery callbacks. sync: produce one record, poll until its
delivery callback ran. Latency is librdkafka's own per-message latency (Message.latency(): from
produce() to the moment the delivery callback runs). Prints one JSON line on stdout.
"""
import argparse
import json
import math
import platform
import sys
import time

from confluent_kafka import KafkaException, Producer, libversion, version

# librdkafka defaults left as they are (named in the JSON "settings").
LIBRDKAFKA_DEFAULTS = (
    "queue.buffering.max.messages=100000 queue.buffering.max.kbytes=1048576 "
    "batch.num.messages=10000 max.in.flight=1000000 (5 when idempotent) compression=none "
    "partitioner=consistent_random sticky.partitioning.linger.ms=10"
)
SYNC_WAIT_S = 130  # per record in sync mode; librdkafka itself fails a message after message.timeout.ms


def main():
    a = parse_args()
    conf = {
        "bootstrap.servers": a.bootstrap,
        "linger.ms": a.linger_ms,
        "batch.size": a.batch_size,
        "acks": a.acks,
        "enable.idempotence": a.idempotence == "true",
    }
    try:
        producer = Producer(conf)
    except KafkaException as e:
        sys.exit(f"librdkafka_perf: bad configuration: {e}")
    value = bytes(65 + i % 26 for i in range(a.record_size))
    latencies = []
    failed = [0, None]  # count, first error
    delivered = [0]

    def on_delivery(err, msg):
        delivered[0] += 1
        if err is not None:
            failed[0] += 1
            failed[1] = failed[1] or err
        else:
            latencies.append(msg.latency() * 1000.0)

    start = time.perf_counter()
    last_report = start
    for i in range(a.num_records):
        if failed[0]:
            break  # stop at the first failure: the records not sent count as failed
        try:
            if a.mode == "sync":
                producer.produce(a.topic, value, on_delivery=on_delivery)
                deadline = time.monotonic() + SYNC_WAIT_S
                while delivered[0] <= i and time.monotonic() < deadline:
                    producer.poll(0.1)
                if delivered[0] <= i:
                    failed[1] = f"no delivery report within {SYNC_WAIT_S} s"
                    break
            else:
                while True:
                    try:
                        producer.produce(a.topic, value, on_delivery=on_delivery)
                        break
                    except BufferError:
                        producer.poll(0.05)
                producer.poll(0)
        except KafkaException as e:
            failed[0] += 1
            failed[1] = failed[1] or e
            break
        if i & 4095 == 0 and time.perf_counter() - last_report >= 5:
            last_report = time.perf_counter()
            rate = len(latencies) / (last_report - start)
            print(f"{len(latencies)} records acked, {rate:.0f} records/sec", file=sys.stderr)
    left = producer.flush(SYNC_WAIT_S)
    elapsed = time.perf_counter() - start
    if left:
        print(f"{left} records not acknowledged within {SYNC_WAIT_S} s", file=sys.stderr)
    failed[0] = a.num_records - len(latencies)  # failed, never acknowledged, or never sent
    if failed[0]:
        print(f"{failed[0]} records failed; first error: {failed[1]}", file=sys.stderr)

    latencies.sort()
    n = len(latencies)

    def pct(p):
        return round(latencies[min(n - 1, math.floor(n * p))], 3) if n else 0

    print(json.dumps({
        "client": "librdkafka",
        "clientVersion": libversion()[0],
        "runtime": f"CPython {platform.python_version()} + confluent-kafka {version()}",
        "mode": a.mode,
        "records": a.num_records,
        "recordSize": a.record_size,
        "acked": n,
        "failed": failed[0],
        "recordsPerSec": round(n / elapsed, 3),
        "mbPerSec": round(n * a.record_size / elapsed / 1048576, 3),
        "avgMs": round(sum(latencies) / n, 3) if n else 0,
        "maxMs": round(latencies[-1], 3) if n else 0,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "p999": pct(0.999),
        "settings": f"linger.ms={a.linger_ms} batch.size={a.batch_size} acks={a.acks} "
        f"enable.idempotence={a.idempotence} ({LIBRDKAFKA_DEFAULTS}; "
        + ("produce, then poll until delivered)" if a.mode == "sync" else "produce + poll(0) per record)"),
    }))
    sys.exit(1 if failed[0] else 0)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--num-records", type=int, required=True)
    p.add_argument("--record-size", type=int, required=True)
    p.add_argument("--acks", choices=["all", "1", "0"], required=True)
    p.add_argument("--idempotence", choices=["true", "false"], required=True)
    p.add_argument("--linger-ms", type=int, required=True)
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--mode", choices=["send", "sync"], required=True)
    return p.parse_args()


if __name__ == "__main__":
    main()
