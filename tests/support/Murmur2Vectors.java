// Test vectors for the default partitioner's hash, computed by Kafka itself
// (org.apache.kafka.common.utils.Utils.murmur2 / toPositive), so unit tests can
// check our TypeScript murmur2 without Java.
//
// Regenerate tests/fixtures/murmur2.jsonl (from the repo root; the output is deterministic):
//   scripts/kafka.sh java tests/support/Murmur2Vectors.java > tests/fixtures/murmur2.jsonl
// or: java -cp "$(scripts/kafka.sh classpath)" tests/support/Murmur2Vectors.java > tests/fixtures/murmur2.jsonl
//
// One JSON object per line:
//   {"key":"<standard base64 of the key bytes>","murmur2":<signed int32>,"partition6":<int>,"partition7":<int>}
// where partitionN = Utils.toPositive(murmur2) % N (what the Java producer picks for a keyed
// record on a topic with N partitions).
// Keys: ASCII strings of lengths 0..9 (every tail length), a few common keys, unicode strings
// (UTF-8 bytes), keys with bytes >= 0x80, all 256 byte values, and 200 pseudo-random keys of
// length 0..64 from java.util.Random(0x5EED).

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;

public class Murmur2Vectors {
  public static void main(String[] args) {
    List<byte[]> keys = new ArrayList<>();
    String[] ascii = {
      "", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi",
      "0", "1", "21", "key", "key-0", "key-1", "key-42", "hello", "kafka", "order-12345",
      "The quick brown fox jumps over the lazy dog",
    };
    for (String s : ascii) keys.add(s.getBytes(StandardCharsets.US_ASCII));
    String[] unicode = {"é", "ß", "日本語", "😀", "Ünïcödé ✓", "ключ", "🙂🙃 emoji key"};
    for (String s : unicode) keys.add(s.getBytes(StandardCharsets.UTF_8));
    int[][] high = {
      {0x80}, {0xff}, {0x80, 0x81}, {0xfe, 0xff, 0x00}, {0xff, 0xff, 0xff, 0xff},
      {0x80, 0x00, 0x00, 0x00, 0x7f}, {0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba},
      {0x00, 0x00, 0x00, 0x00}, {0x00},
    };
    for (int[] h : high) {
      byte[] b = new byte[h.length];
      for (int i = 0; i < h.length; i++) b[i] = (byte) h[i];
      keys.add(b);
    }
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) all[i] = (byte) i;
    keys.add(all);
    Random rnd = new Random(0x5EED);
    for (int i = 0; i < 200; i++) {
      byte[] b = new byte[rnd.nextInt(65)];
      rnd.nextBytes(b);
      keys.add(b);
    }

    Base64.Encoder enc = Base64.getEncoder();
    StringBuilder sb = new StringBuilder();
    for (byte[] k : keys) {
      int h = Utils.murmur2(k);
      int pos = Utils.toPositive(h);
      sb.append("{\"key\":\"").append(enc.encodeToString(k))
          .append("\",\"murmur2\":").append(h)
          .append(",\"partition6\":").append(pos % 6)
          .append(",\"partition7\":").append(pos % 7)
          .append("}\n");
    }
    System.out.print(sb);
    System.out.flush();
  }
}
