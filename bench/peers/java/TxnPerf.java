import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Java client's transactional send mode for bench/peers/run.sh ({@code --transaction-size}):
 * Kafka's own KafkaProducer with a transactional id, {@code initTransactions()} once, then per
 * transaction {@code beginTransaction()}, N asynchronous {@code send(record, callback)} calls and
 * {@code commitTransaction()} (which flushes), until every record is sent; then one JSON line with
 * the same statistics as the other drivers. Kafka's ProducerPerformance has transactions too, but
 * commits by time ({@code --transaction-duration-ms}), not every N records.
 *
 * <p>The clock starts after {@code initTransactions()} (reported as {@code initMs}). A record's
 * latency runs from its send call to its callback (its Produce acknowledgement, not the commit).
 * {@code acked} counts the records of committed transactions; the run stops at the first failed
 * transaction (aborted if it still can be), the rest count as failed.
 *
 * <p>Run as a single-file program: {@code scripts/kafka.sh java bench/peers/java/TxnPerf.java
 * --bootstrap H:P --topic T --num-records N --record-size S --acks all --idempotence true
 * --linger-ms L --batch-size B --transaction-size X [--transactional-id ID]
 * [--compression-type C]} (other options of run.sh, e.g. --mode, are accepted and ignored).
 */
public class TxnPerf {
  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    String topic = required(a, "topic");
    int n = Integer.parseInt(required(a, "num-records"));
    int size = Integer.parseInt(required(a, "record-size"));
    int txnSize = Integer.parseInt(required(a, "transaction-size"));
    String txnId = a.getOrDefault("transactional-id", "txn-perf-" + UUID.randomUUID());
    String compression = a.getOrDefault("compression-type", "none");
    if (txnSize <= 0) throw new IllegalArgumentException("--transaction-size must be positive");

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, required(a, "bootstrap"));
    p.put(ProducerConfig.ACKS_CONFIG, required(a, "acks"));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, required(a, "idempotence"));
    p.put(ProducerConfig.LINGER_MS_CONFIG, required(a, "linger-ms"));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, required(a, "batch-size"));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId);
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) value[i] = (byte) (65 + i % 26);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, value);
    // Written by the producer's I/O thread in the callbacks; read after close(), which joins it.
    double[] latencies = new double[n];
    int committed = 0;
    int transactions = 0;
    double commitSum = 0;
    double commitMax = 0;
    double initMs;
    long start;
    long end;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      // A missing topic would make every send of a transaction wait max.block.ms (60 s): one wait.
      if (producer.partitionsFor(topic).isEmpty()) throw new IllegalStateException("topic " + topic + " has no partitions");
      long t0 = System.nanoTime();
      producer.initTransactions();
      initMs = (System.nanoTime() - t0) / 1e6;
      start = System.nanoTime();
      for (int first = 0; first < n; first += txnSize) {
        int last = Math.min(n, first + txnSize);
        try {
          producer.beginTransaction();
          for (int i = first; i < last; i++) {
            final int index = i;
            final long sentAt = System.nanoTime();
            producer.send(record, (md, e) -> {
              if (e == null) latencies[index] = (System.nanoTime() - sentAt) / 1e6;
            });
          }
          long c = System.nanoTime();
          producer.commitTransaction();
          double ms = (System.nanoTime() - c) / 1e6;
          commitSum += ms;
          commitMax = Math.max(commitMax, ms);
          transactions++;
          committed = last;
        } catch (Exception e) {
          System.err.println("transaction of records " + first + ".." + (last - 1) + " failed, stopping: " + e);
          try {
            producer.abortTransaction();
          } catch (Exception abort) {
            System.err.println("abortTransaction failed too: " + abort);
          }
          break;
        }
      }
      end = System.nanoTime();
    }
    double seconds = (end - start) / 1e9;
    double[] ok = Arrays.copyOf(latencies, committed);
    Arrays.sort(ok);
    double sum = 0;
    for (double l : ok) sum += l;
    int failed = n - committed;

    String settings = String.format(
        "linger.ms=%s batch.size=%s acks=%s enable.idempotence=%s compression.type=%s"
            + " transactional.id=<one per run> transaction.timeout.ms=60000, commit every %d records"
            + " (KafkaProducer defaults otherwise: buffer.memory=33554432"
            + " max.in.flight.requests.per.connection=5; bench/peers/java/TxnPerf.java)",
        a.get("linger-ms"), a.get("batch-size"), a.get("acks"), a.get("idempotence"), compression, txnSize);
    System.out.println(String.format(java.util.Locale.ROOT,
        "{\"client\":\"java\",\"clientVersion\":\"%s\",\"runtime\":\"OpenJDK %s\",\"mode\":\"send\","
            + "\"records\":%d,\"recordSize\":%d,\"acked\":%d,\"failed\":%d,\"recordsPerSec\":%.3f,"
            + "\"mbPerSec\":%.3f,\"avgMs\":%.3f,\"maxMs\":%.3f,\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,"
            + "\"p999\":%.3f,\"transactionSize\":%d,\"transactions\":%d,\"initMs\":%.3f,"
            + "\"commitAvgMs\":%.3f,\"commitMaxMs\":%.3f,\"settings\":\"%s\"}",
        kafkaVersion(), System.getProperty("java.version"), n, size, committed, failed,
        committed / seconds, committed * (double) size / seconds / 1048576, committed == 0 ? 0 : sum / committed,
        pct(ok, 1), pct(ok, 0.5), pct(ok, 0.95), pct(ok, 0.99), pct(ok, 0.999), txnSize, transactions,
        initMs, transactions == 0 ? 0 : commitSum / transactions, commitMax, settings));
    System.exit(failed == 0 ? 0 : 1);
  }

  /** Kafka's client version: AppInfoParser moved to utils.internals in Kafka 4.4. */
  static String kafkaVersion() {
    for (String name : new String[] {
        "org.apache.kafka.common.utils.AppInfoParser",
        "org.apache.kafka.common.utils.internals.AppInfoParser"}) {
      try {
        return (String) Class.forName(name).getMethod("getVersion").invoke(null);
      } catch (ReflectiveOperationException e) {
        // not in this version's jars
      }
    }
    return "unknown";
  }

  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) return 0;
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
  }

  static String required(Map<String, String> a, String name) {
    String v = a.get(name);
    if (v == null) throw new IllegalArgumentException("missing --" + name);
    return v;
  }
}
