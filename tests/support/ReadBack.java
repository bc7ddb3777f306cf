// Reads every record of a topic back with Kafka's own Java consumer and prints
// one JSON object per line to stdout (the reference reader for our producer tests).
//
// Run (Java 17+, single-file source launch; needs the Kafka jars, see scripts/kafka.sh):
//   java -cp "$(scripts/kafka.sh classpath)" tests/support/ReadBack.java [--isolation LEVEL] BOOTSTRAP TOPIC EXPECTED [TIMEOUT_MS]
//   scripts/kafka.sh java tests/support/ReadBack.java 127.0.0.1:9092 my-topic 1000
//   scripts/kafka.sh java tests/support/ReadBack.java --isolation read_committed 127.0.0.1:9092 my-topic 1000
//
// Output, one line per record, partitions interleaved, offsets ascending within a partition:
//   {"p":0,"o":41,"t":1700000000000,"tt":"CreateTime","k":"a2V5","v":null,"h":[["h1","dmFs"],["h2",null]]}
//   p partition, o offset, t timestamp (ms), tt "CreateTime" | "LogAppendTime",
//   k / v key / value as standard base64 (with padding) or null, h headers in order as
//   [key (JSON string), value (base64 or null)].
// At the end one line to stderr:
//   readback: count=N expected=E partitions=P reason=complete|end|timeout elapsedMs=X isolation=LEVEL
//
// Stops when it has read >= EXPECTED records and reached the end offsets (so extra records,
// e.g. duplicates, are still printed), or when it reached the end offsets with fewer records
// and nothing more arrived for a quiet period (3 s), or at TIMEOUT_MS (default 60000, a hard cap).
// Exit code 0 in all those cases (compare the count yourself); 1 on errors (topic missing, ...).
// --isolation (or -i): the consumer's isolation.level, read_uncommitted (default) or
// read_committed. Under read_committed the end offsets are the last stable offsets (the
// consumer's endOffsets and position agree on that), so an open transaction ends the read at
// its first offset: "complete" if EXPECTED records were read before it, else "end" after the
// quiet period; aborted records and transaction markers are skipped either way (markers are
// never printed, aborted records only under read_uncommitted).
// No group id, nothing committed.

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class ReadBack {
  private static final long QUIET_MS = 3000;

  public static void main(String[] args) throws Exception {
    String isolation = "read_uncommitted";
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("--isolation") || args[i].equals("-i")) && i + 1 < args.length) {
        isolation = args[++i];
      } else if (args[i].startsWith("--isolation=")) {
        isolation = args[i].substring("--isolation=".length());
      } else {
        positional.add(args[i]);
      }
    }
    if (positional.size() < 3 || positional.size() > 4
        || !(isolation.equals("read_committed") || isolation.equals("read_uncommitted"))) {
      System.err.println("usage: ReadBack [--isolation read_committed|read_uncommitted]"
          + " BOOTSTRAP TOPIC EXPECTED_COUNT [TIMEOUT_MS]");
      System.exit(2);
    }
    args = positional.toArray(new String[0]);
    // Our JSON goes straight to fd 1; anything else that prints to System.out
    // (e.g. a logging default configuration) is sent to stderr instead.
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 20);
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));

    String bootstrap = args[0];
    String topic = args[1];
    long expected = Long.parseLong(args[2]);
    long timeoutMs = args.length > 3 ? Long.parseLong(args[3]) : 60_000L;
    long start = System.currentTimeMillis();
    long deadline = start + timeoutMs;

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "readback");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100000");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20));
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 << 20));
    props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, String.valueOf(1 << 20));
    props.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");

    long count = 0;
    String reason;
    int partitionCount = 0;
    Base64.Encoder b64 = Base64.getEncoder();
    StringBuilder sb = new StringBuilder(4096);

    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      while (true) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          System.err.println("readback: topic '" + topic + "' not found or has no partitions before the timeout");
          System.exit(1);
        }
        List<PartitionInfo> infos;
        try {
          infos = consumer.partitionsFor(topic, Duration.ofMillis(Math.min(left, 5000)));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          infos = null;
        }
        if (infos != null && !infos.isEmpty()) {
          for (PartitionInfo pi : infos) tps.add(new TopicPartition(pi.topic(), pi.partition()));
          break;
        }
        Thread.sleep(100);
      }
      partitionCount = tps.size();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = endOffsets(consumer, tps, deadline);
      long lastProgress = System.currentTimeMillis();

      while (true) {
        long now = System.currentTimeMillis();
        if (now >= deadline) {
          reason = "timeout";
          break;
        }
        ConsumerRecords<byte[], byte[]> recs = consumer.poll(Duration.ofMillis(Math.min(200, deadline - now)));
        if (!recs.isEmpty()) {
          lastProgress = System.currentTimeMillis();
          for (ConsumerRecord<byte[], byte[]> r : recs) {
            sb.setLength(0);
            sb.append("{\"p\":").append(r.partition())
                .append(",\"o\":").append(r.offset())
                .append(",\"t\":").append(r.timestamp())
                .append(",\"tt\":\"").append(tsType(r.timestampType())).append('"')
                .append(",\"k\":");
            b64OrNull(sb, b64, r.key());
            sb.append(",\"v\":");
            b64OrNull(sb, b64, r.value());
            sb.append(",\"h\":[");
            boolean first = true;
            for (Header h : r.headers()) {
              if (!first) sb.append(',');
              first = false;
              sb.append('[');
              jsonString(sb, h.key());
              sb.append(',');
              b64OrNull(sb, b64, h.value());
              sb.append(']');
            }
            sb.append("]}\n");
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            count++;
          }
        }
        if (atEnd(consumer, tps, end)) {
          // Reached the end offsets we know of: refresh them to see whether more arrived.
          end = endOffsets(consumer, tps, deadline);
          if (atEnd(consumer, tps, end)) {
            if (count >= expected) {
              reason = "complete";
              break;
            }
            if (System.currentTimeMillis() - lastProgress >= QUIET_MS) {
              reason = "end";
              break;
            }
          } else {
            lastProgress = System.currentTimeMillis();
          }
        }
      }
    }
    out.flush();
    System.err.println("readback: count=" + count + " expected=" + expected + " partitions=" + partitionCount
        + " reason=" + reason + " elapsedMs=" + (System.currentTimeMillis() - start)
        + " isolation=" + isolation);
    System.err.flush();
    System.exit(0);
  }

  private static Map<TopicPartition, Long> endOffsets(
      KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps, long deadline) {
    long left = Math.max(1, deadline - System.currentTimeMillis());
    try {
      return consumer.endOffsets(tps, Duration.ofMillis(Math.min(left, 10_000)));
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return new HashMap<>(); // unknown: treated as "not at end", retried next round
    }
  }

  private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps,
      Map<TopicPartition, Long> end) {
    for (TopicPartition tp : tps) {
      Long e = end.get(tp);
      if (e == null) return false;
      if (consumer.position(tp, Duration.ofSeconds(10)) < e) return false;
    }
    return true;
  }

  private static String tsType(TimestampType t) {
    switch (t) {
      case CREATE_TIME: return "CreateTime";
      case LOG_APPEND_TIME: return "LogAppendTime";
      default: return "NoTimestampType";
    }
  }

  private static void b64OrNull(StringBuilder sb, Base64.Encoder enc, byte[] b) {
    if (b == null) sb.append("null");
    else sb.append('"').append(enc.encodeToString(b)).append('"');
  }

  /** Minimal JSON string escaper (RFC 8259): quotes, backslash, control characters. */
  private static void jsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        case '\n': sb.append("\\n"); break;
        case '\r': sb.append("\\r"); break;
        case '\t': sb.append("\\t"); break;
        case '\b': sb.append("\\b"); break;
        case '\f': sb.append("\\f"); break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c); // other chars (incl. surrogate pairs) pass through, encoded as UTF-8
          }
      }
    }
    sb.append('"');
  }
}
