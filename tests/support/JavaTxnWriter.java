// Writes records in transactions with Kafka's own Java producer: the reference writer for the
// transaction tests (what read_committed must and must not see, offsets committed in a
// transaction).
//
// Run (single-file source launch on the Kafka classpath, see scripts/kafka.sh):
//   scripts/kafka.sh java tests/support/JavaTxnWriter.java [OPTIONS] BOOTSTRAP TOPIC STEP...
// Steps, in order, one producer and one transactional id for all of them:
//   send:N          send N records (begins a transaction if none is open)
//   commit | abort  end the open transaction
//   commit:N        send:N then commit;   abort:N: send:N then abort
//   offsets:GROUP:P=O[,P=O...]
//                   sendOffsetsToTransaction for TOPIC's partitions P (offset O = the next record
//                   to read) to GROUP, generation -1 (a group without members; begins a transaction
//                   if none is open)
//   hold            flush, print "holding" on stdout, then wait for a line (or end) on stdin: a
//                   transaction stays open meanwhile
// Record i (counted over all steps from 0): key "k-i", value "v-i", partition --partition or the
// default partitioner's choice for the key. A transaction still open after the last step is
// aborted by KafkaProducer.close() (counted as "open"); kill the process during a hold to leave
// one to the broker (it aborts it after --transaction-timeout-ms, or at the next initTransactions
// of the same id).
// Options: --transactional-id ID (default java-txn-writer-<random>), --partition P,
//   --transaction-timeout-ms MS (default 60000).
// Output: "holding" lines (see hold), then one JSON line
//   {"transactionalId":"...","committed":N,"aborted":M,"open":K}
// (records sent in committed / aborted / still open transactions). Exit 0, or 1 on an error.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

public class JavaTxnWriter {
  public static void main(String[] argv) throws Exception {
    String txnId = "java-txn-writer-" + UUID.randomUUID();
    Integer partition = null;
    String timeoutMs = "60000";
    List<String> pos = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--transactional-id": txnId = argv[++i]; break;
        case "--partition": partition = Integer.valueOf(argv[++i]); break;
        case "--transaction-timeout-ms": timeoutMs = argv[++i]; break;
        default: pos.add(argv[i]);
      }
    }
    if (pos.size() < 3) {
      System.err.println("usage: JavaTxnWriter [--transactional-id ID] [--partition P]"
          + " [--transaction-timeout-ms MS] BOOTSTRAP TOPIC STEP...");
      System.exit(2);
    }
    String topic = pos.get(1);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pos.get(0));
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId);
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());

    long committed = 0, aborted = 0, open = 0, next = 0;
    boolean inTxn = false;
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      for (String step : pos.subList(2, pos.size())) {
        String[] s = step.split(":", 2);
        switch (s[0]) {
          case "send":
          case "commit":
          case "abort":
            if (s.length == 2) {
              if (!inTxn) producer.beginTransaction();
              inTxn = true;
              int n = Integer.parseInt(s[1]);
              List<Future<RecordMetadata>> sent = new ArrayList<>(n);
              for (int i = 0; i < n; i++, next++) {
                sent.add(producer.send(new ProducerRecord<>(topic, partition, "k-" + next, "v-" + next)));
              }
              for (Future<RecordMetadata> f : sent) f.get(); // a failed send ends the run here
              open += n;
            }
            if (s[0].equals("send")) break;
            if (!inTxn) throw new IllegalStateException(step + ": no open transaction");
            if (s[0].equals("commit")) {
              producer.commitTransaction();
              committed += open;
            } else {
              producer.abortTransaction();
              aborted += open;
            }
            open = 0;
            inTxn = false;
            break;
          case "offsets": {
            String[] g = s.length == 2 ? s[1].split(":", 2) : new String[0];
            if (g.length != 2) throw new IllegalArgumentException("offsets:GROUP:P=O[,P=O...], got " + step);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (String po : g[1].split(",")) {
              String[] kv = po.split("=", 2);
              offsets.put(new TopicPartition(topic, Integer.parseInt(kv[0])),
                  new OffsetAndMetadata(Long.parseLong(kv[1])));
            }
            if (!inTxn) producer.beginTransaction();
            inTxn = true;
            producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(g[0]));
            break;
          }
          case "hold":
            producer.flush();
            System.out.println("holding");
            System.out.flush();
            stdin.readLine();
            break;
          default:
            throw new IllegalArgumentException("unknown step " + step);
        }
      }
    } catch (Exception e) {
      System.err.println("JavaTxnWriter: " + e);
      System.exit(1);
    }
    System.out.println("{\"transactionalId\":\"" + txnId + "\",\"committed\":" + committed
        + ",\"aborted\":" + aborted + ",\"open\":" + open + "}");
    System.exit(0);
  }
}
