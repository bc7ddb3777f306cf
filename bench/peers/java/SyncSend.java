import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Java client's sync mode for bench/peers/run.sh: {@code send(record).get()} N times with
 * Kafka's own KafkaProducer, then one JSON line with the same statistics as the other drivers.
 * Run as a single-file program: {@code scripts/kafka.sh java bench/peers/java/SyncSend.java
 * --bootstrap H:P --topic T --num-records N --record-size S --acks all --idempotence true
 * --linger-ms L --batch-size B}.
 */
public class SyncSend {
  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    String topic = required(a, "topic");
    int n = Integer.parseInt(required(a, "num-records"));
    int size = Integer.parseInt(required(a, "record-size"));

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, required(a, "bootstrap"));
    p.put(ProducerConfig.ACKS_CONFIG, required(a, "acks"));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, required(a, "idempotence"));
    p.put(ProducerConfig.LINGER_MS_CONFIG, required(a, "linger-ms"));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, required(a, "batch-size"));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) value[i] = (byte) (65 + i % 26);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, value);
    double[] latencies = new double[n];
    int acked = 0;
    int failed = 0;
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        try {
          producer.send(record).get(130, TimeUnit.SECONDS);
          latencies[acked++] = (System.nanoTime() - t) / 1e6;
        } catch (Exception e) {
          // Stop at the first failure: the next sends would each wait up to max.block.ms.
          System.err.println("send failed, stopping: " + e);
          failed = n - acked;
          break;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double[] ok = Arrays.copyOf(latencies, acked);
    Arrays.sort(ok);
    double sum = 0;
    for (double l : ok) sum += l;

    String settings = String.format(
        "linger.ms=%s batch.size=%s acks=%s enable.idempotence=%s (KafkaProducer defaults otherwise:"
            + " buffer.memory=33554432 max.in.flight.requests.per.connection=5 compression.type=none;"
            + " send(record).get() per record)",
        a.get("linger-ms"), a.get("batch-size"), a.get("acks"), a.get("idempotence"));
    System.out.println(String.format(java.util.Locale.ROOT,
        "{\"client\":\"java\",\"clientVersion\":\"%s\",\"runtime\":\"OpenJDK %s\",\"mode\":\"sync\","
            + "\"records\":%d,\"recordSize\":%d,\"acked\":%d,\"failed\":%d,\"recordsPerSec\":%.3f,"
            + "\"mbPerSec\":%.3f,\"avgMs\":%.3f,\"maxMs\":%.3f,\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,"
            + "\"p999\":%.3f,\"settings\":\"%s\"}",
        kafkaVersion(), System.getProperty("java.version"), n, size, acked, failed, acked / seconds,
        acked * (double) size / seconds / 1048576, acked == 0 ? 0 : sum / acked,
        pct(ok, 1), pct(ok, 0.5), pct(ok, 0.95), pct(ok, 0.99), pct(ok, 0.999), settings));
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
