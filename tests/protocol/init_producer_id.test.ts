import assert from "node:assert/strict";
import { InitProducerId } from "../../lib/protocol/messages/init_producer_id.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

Deno.test("InitProducerId requests match Kafka's encoding (v0, v2, v3, v5)", () => {
  const cases: [number, string | null, bigint | undefined, number | undefined][] = [
    [0, null, undefined, undefined],
    [2, "tx", undefined, undefined],
    [3, null, 77n, 3],
    [5, null, 77n, 3],
  ];
  for (const [v, transactionalId, producerId, producerEpoch] of cases) {
    const w = new Writer();
    InitProducerId.encodeRequest(
      w,
      { transactionalId, transactionTimeoutMs: 60000, producerId, producerEpoch },
      v,
    );
    assert.equal(hex(w.finish()), hex(java(`init_producer_id_request_v${v}`)), `v${v}`);
  }
  // v3+ defaults: producer id -1, epoch -1.
  const w = new Writer();
  InitProducerId.encodeRequest(w, { transactionalId: null, transactionTimeoutMs: 1 }, 4);
  assert.equal(hex(w.finish()), "00" + "00000001" + "ffffffffffffffff" + "ffff" + "00");
});

Deno.test("InitProducerId responses (v0, v2, v3, v5)", () => {
  for (const v of [0, 2, 3, 5]) {
    const r = new Reader(java(`init_producer_id_response_v${v}`));
    assert.deepEqual(InitProducerId.decodeResponse(r, v), {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: 1n << 42n,
      producerEpoch: 7,
    });
    assert.equal(r.remaining, 0);
  }
  const full = java("init_producer_id_response_v2");
  for (let cut = 0; cut < full.length; cut++) {
    assertProtocolError(() => InitProducerId.decodeResponse(new Reader(full.subarray(0, cut)), 2));
  }
});
