// The input side of a read-process-write loop, with Kafka's own Java consumer: reads a topic
// read_committed for a consumer group G whose offsets the producer under test commits in its
// transactions (TxnOffsetCommit), and answers commands on stdin.
//
// Run (single-file source launch on the Kafka classpath, see scripts/kafka.sh):
//   scripts/kafka.sh java tests/support/TxnSource.java BOOTSTRAP TOPIC GROUP
//
// The consumer: group.id GROUP, enable.auto.commit=false, isolation.level=read_committed,
// assign() to every partition of TOPIC (no subscribe: the group gets no members, so a
// transactional producer's TxnOffsetCommit with generation -1 and no member id is accepted).
// It starts at the group's committed offsets (the beginning where none), then prints "ready".
//
// Commands, one per line; every answer ends with its own line:
//   next N [WAIT_MS]  up to N records, one JSON line each, then "end". Waits up to WAIT_MS
//                     (default 1000) for the first record, then takes what is already fetched
//                     (one or a few polls): an empty batch is fine. Records a poll gave beyond N
//                     are kept for the next "next".
//                     {"p":0,"o":41,"k":"a2V5","v":null}  (key / value standard base64 or null)
//   rewind [WAIT_MS]  drops what was fetched and not returned, seeks every partition to the
//                     group's committed offset (the beginning where none), then "ok" (after an
//                     aborted transaction: read its input again). The committed offsets are read
//                     with require_stable (read_committed), so a transaction still committing
//                     offsets for the group is waited for, up to WAIT_MS (default 30000; then
//                     "error …").
//   quit (or end of stdin)  closes the consumer and exits 0.
// An error while answering prints "error <message>" as that answer's last line instead of "end"
// or "ok" and goes on. Exit 1 if the topic cannot be found (then "error …" on stdout too).

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class TxnSource {
  private static OutputStream out;

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: TxnSource BOOTSTRAP TOPIC GROUP");
      System.exit(2);
    }
    // Answers go straight to fd 1; anything else printing to System.out goes to stderr.
    out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    String topic = args[1];

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "txn-source");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");

    ArrayDeque<ConsumerRecord<byte[], byte[]>> buffered = new ArrayDeque<>();
    Base64.Encoder b64 = Base64.getEncoder();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> tps = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 60_000;
      while (tps.isEmpty()) {
        List<PartitionInfo> infos = null;
        try {
          infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          // retried below
        }
        if (infos != null) for (PartitionInfo pi : infos) tps.add(new TopicPartition(topic, pi.partition()));
        if (tps.isEmpty()) {
          if (System.currentTimeMillis() > deadline) {
            line("error topic '" + topic + "' not found or has no partitions after 60 s");
            System.exit(1);
          }
          Thread.sleep(100);
        }
      }
      consumer.assign(tps);
      rewind(consumer, tps, 30_000);
      line("ready");

      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String cmd;
      while ((cmd = in.readLine()) != null) {
        String[] w = cmd.trim().split("\\s+");
        try {
          switch (w[0]) {
            case "next": {
              int n = Integer.parseInt(w[1]);
              long waitMs = w.length > 2 ? Long.parseLong(w[2]) : 1000;
              long until = System.currentTimeMillis() + waitMs;
              while (buffered.isEmpty()) {
                long left = until - System.currentTimeMillis();
                if (left <= 0) break;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(Math.min(left, 200)))) {
                  buffered.add(r);
                }
              }
              // What else is fetched already (a short poll or two), up to N.
              for (int i = 0; i < 2 && !buffered.isEmpty() && buffered.size() < n; i++) {
                var more = consumer.poll(Duration.ofMillis(10));
                if (more.isEmpty()) break;
                for (ConsumerRecord<byte[], byte[]> r : more) buffered.add(r);
              }
              StringBuilder sb = new StringBuilder();
              for (int i = 0; i < n && !buffered.isEmpty(); i++) {
                ConsumerRecord<byte[], byte[]> r = buffered.poll();
                sb.setLength(0);
                sb.append("{\"p\":").append(r.partition()).append(",\"o\":").append(r.offset()).append(",\"k\":");
                b64OrNull(sb, b64, r.key());
                sb.append(",\"v\":");
                b64OrNull(sb, b64, r.value());
                sb.append('}');
                out.write((sb + "\n").getBytes(StandardCharsets.UTF_8));
              }
              line("end");
              break;
            }
            case "rewind":
              buffered.clear();
              rewind(consumer, tps, w.length > 1 ? Long.parseLong(w[1]) : 30_000);
              line("ok");
              break;
            case "quit":
              out.flush();
              return;
            default:
              line("error unknown command '" + cmd + "'");
          }
        } catch (Exception e) {
          line("error " + String.valueOf(e).replace('\n', ' '));
        }
      }
    } finally {
      out.flush();
    }
  }

  /** Seeks every partition to the group's committed offset, or the beginning where none. */
  private static void rewind(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> tps, long waitMs) {
    Map<TopicPartition, OffsetAndMetadata> committed =
        consumer.committed(new HashSet<>(tps), Duration.ofMillis(waitMs));
    List<TopicPartition> none = new ArrayList<>();
    for (TopicPartition tp : tps) {
      OffsetAndMetadata om = committed.get(tp);
      if (om == null) none.add(tp);
      else consumer.seek(tp, om.offset());
    }
    if (!none.isEmpty()) consumer.seekToBeginning(none);
  }

  private static void line(String s) throws Exception {
    out.write((s + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void b64OrNull(StringBuilder sb, Base64.Encoder enc, byte[] b) {
    if (b == null) sb.append("null");
    else sb.append('"').append(enc.encodeToString(b)).append('"');
  }
}
