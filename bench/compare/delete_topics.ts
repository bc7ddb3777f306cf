/**
 * Deletes a topic after its run, so a full compare (several GB of records)
 * does not fill the disk. A minimal DeleteTopics (key 20) v4 codec lives here
 * because `lib/protocol` has no use for it: request topic_names[] (compact
 * strings), timeout_ms, tagged fields; response throttle_time_ms,
 * responses[] { name, error_code, tagged fields }, tagged fields (flexible
 * from v4).
 *
 * @module
 */
import type { ApiCodec } from "../../lib/protocol/api.ts";
import { adminConnection } from "../../tests/support/cluster.ts";

/** DeleteTopics request: the names and how long the controller may take. */
interface DeleteTopicsRequest {
  names: string[];
  timeoutMs: number;
}

/** Per-topic error codes of a DeleteTopics response. */
interface DeleteTopicsResponse {
  results: { name: string | null; errorCode: number }[];
}

const DeleteTopics: ApiCodec<DeleteTopicsRequest, DeleteTopicsResponse> = {
  apiKey: 20,
  name: "DeleteTopics",
  minVersion: 4,
  maxVersion: 4,
  flexibleFrom: 4,
  encodeRequest(w, req) {
    w.array(req.names, true, (w, name) => w.compactString(name));
    w.int32(req.timeoutMs).taggedFields();
  },
  decodeResponse(r) {
    r.int32(); // throttle
    const results = r.array(true, (r) => {
      const name = r.compactString();
      const errorCode = r.int16();
      r.taggedFields();
      return { name, errorCode };
    }) ?? [];
    r.taggedFields();
    return { results };
  },
};

/** Deletes `topic`; throws when the broker reports an error other than "unknown topic". */
export async function deleteTopic(topic: string, bootstrap: string): Promise<void> {
  const connection = await adminConnection(bootstrap);
  try {
    const res = await connection.request(DeleteTopics, 4, {
      names: [topic],
      timeoutMs: 30000,
    }, 35000);
    const code = res.results[0]?.errorCode ?? -1;
    if (code !== 0 && code !== 3) throw new Error(`DeleteTopics ${topic}: error ${code}`);
  } finally {
    connection.close();
  }
}
