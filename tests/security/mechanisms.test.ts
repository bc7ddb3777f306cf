/**
 * Every way into the secure broker (`kafka.sh up --secure`): PLAIN,
 * SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER over SASL_SSL and over
 * SASL_PLAINTEXT, and mutual TLS on the SSL listener. Each sends keyed and
 * unkeyed records with headers; Kafka's Java consumer reads them all back
 * (over the plaintext listener) exactly as sent.
 */
import assert from "node:assert/strict";
import { Producer, type ProducerRecord } from "../../mod.ts";
import { b64, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { secureBroker } from "../support/secure_broker.ts";
import { accesses } from "./cases.ts";

const broker = secureBroker();
const PER_CASE = 300;
const PARTITIONS = 3;

Deno.test({
  name:
    "every mechanism over SASL_SSL and SASL_PLAINTEXT, and mutual TLS, delivers what Java reads back",
  ignore: broker === null,
  async fn() {
    const topic = uniqueTopic("security-mechanisms");
    await createTopic(topic, PARTITIONS, { bootstrap: broker!.plaintext });
    const sent = new Map<string, ProducerRecord>();
    for (const access of accesses(broker!)) {
      let tokens = 0;
      const sasl = access.options.sasl;
      const options = sasl?.mechanism === "OAUTHBEARER"
        ? { ...access.options, sasl: { ...sasl, token: () => (tokens++, sasl.token()) } }
        : access.options;
      const records: ProducerRecord[] = Array.from({ length: PER_CASE }, (_, i) => ({
        topic,
        key: i % 3 === 0 ? null : `${access.name}/${i % 17}`,
        value: `${access.name} #${i}`,
        headers: { case: access.name, i: String(i) },
      }));
      const producer = new Producer({ ...options, maxBlockMs: 20000 });
      try {
        const mds = await Promise.all(records.map((r) => producer.send(r)));
        assert.equal(mds.length, PER_CASE, access.name);
        assert.equal(producer.metrics().recordErrors, 0, access.name);
      } finally {
        await producer.close();
      }
      if (sasl?.mechanism === "OAUTHBEARER") assert.ok(tokens >= 1, `${access.name}: token asked`);
      for (const r of records) sent.set(String(r.value), r);
    }
    const consumed = await readBack(topic, sent.size, broker!.plaintext);
    assert.equal(consumed.length, sent.size);
    const seen = new Set<string>();
    for (const c of consumed) {
      const value = new TextDecoder().decode(Uint8Array.from(atob(c.v!), (ch) => ch.charCodeAt(0)));
      const record = sent.get(value);
      assert.ok(record, `unexpected record ${value}`);
      assert.ok(!seen.has(value), `duplicate ${value}`);
      seen.add(value);
      assert.equal(
        c.k,
        record.key === null ? null : b64(new TextEncoder().encode(record.key as string)),
      );
      const headers = Object.fromEntries(c.h.map(([k, v]) => [k, v]));
      assert.equal(
        headers.case,
        b64(new TextEncoder().encode((record.headers as Record<string, string>).case)),
      );
    }
    assert.equal(seen.size, sent.size);
  },
});
