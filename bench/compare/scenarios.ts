/**
 * The comparison's scenarios and clients, with full and `--quick` record
 * counts.
 *
 * @module
 */

/** Peer clients driven through `bench/peers/run.sh PEER …`. */
export const PEERS: readonly string[] = [
  "java",
  "librdkafka",
  "franz-go",
  "kafkajs",
  "platformatic",
];

/** Producer settings and size of one scenario. */
export interface Scenario {
  /** Id, e.g. `"T1"`. */
  id: string;
  /** Settings in one line for the report (the record count and size are prepended). */
  title: string;
  /**
   * Short settings for RESULTS.md's README table (`T1 1M × 100 B, ` is
   * prepended); scenarios without one are not in that table.
   */
  readme?: string;
  /** Records in a full run. */
  records: number;
  /** Records with `--quick`. */
  quickRecords: number;
  /** Value bytes per record. */
  recordSize: number;
  /** `all`, `1` or `0`. */
  acks: "all" | "1" | "0";
  /** enable.idempotence. */
  idempotence: boolean;
  /** linger.ms. */
  lingerMs: number;
  /** batch.size. */
  batchSize: number;
  /** `compression.type`; default none. */
  compression?: "gzip" | "snappy" | "lz4" | "zstd";
  /** `send` (concurrent, acks counted as they come) or `sync` (await each). */
  mode: "send" | "sync";
  /** Clients in table order (see {@link clientIds}). */
  clients: readonly string[];
  /** Scenario whose Java median the ratio divides by (default: this one). */
  javaRef?: string;
  /** Scenario whose ceiling median the "vs ceiling" column divides by. */
  ceilingRef?: string;
  /**
   * A secure listener of the compare's broker (`kafka.sh up --secure`, started
   * so when a chosen scenario has this): `SSL` with a client certificate
   * (mTLS) or `SASL_SSL` with SCRAM-SHA-512; default the plaintext listener.
   */
  security?: "SSL" | "SASL_SSL";
  /** Plaintext scenario whose same-client median the "vs plaintext" column divides by. */
  plaintextRef?: string;
  /**
   * Records per transaction (`--transaction-size`): one transactional id per
   * run, initTransactions once, then begin, this many concurrent sends,
   * commit, until every record is sent. Absent: no transactions.
   */
  transactionSize?: number;
}

/** Offsets from the port base of `kafka.sh up --secure`'s listeners (see its header). */
export const SECURE_PORT_OFFSETS = { SSL: 10, SASL_SSL: 11, SASL_PLAINTEXT: 12 } as const;

/** The SASL mechanism the SASL_SSL scenarios use. */
export const SASL_MECHANISM = "SCRAM-SHA-512";

const T1_SETTINGS = {
  recordSize: 100,
  acks: "all",
  idempotence: true,
  lingerMs: 5,
  batchSize: 16384,
  mode: "send",
} as const;
const ALL = [...PEERS, "deno", "bun"];
/**
 * Ours on Node too: `node` on the pinned Node 24 (the one kafkajs and
 * platformatic then run on), `node20` on the machine's Node 20.
 */
const ALL_NODE = [...ALL, "node", "node20"];

/** Every scenario, in run order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: "T1",
    readme: "acks=all, idempotent",
    title: "acks=all, idempotent, linger 5 ms, batch 16 KiB, concurrent send",
    records: 1_000_000,
    quickRecords: 100_000,
    ...T1_SETTINGS,
    clients: [...ALL_NODE, "deno-4m", "bun-4m"],
    ceilingRef: "C0",
  },
  {
    id: "T2",
    readme: "same",
    title: "acks=all, idempotent, linger 5 ms, batch 16 KiB, concurrent send",
    records: 200_000,
    quickRecords: 20_000,
    ...T1_SETTINGS,
    recordSize: 1000,
    clients: ALL_NODE,
    ceilingRef: "C0-T2",
  },
  {
    id: "T3",
    readme: "acks=1, batch 1 MiB, linger 10",
    title: "acks=1, not idempotent, linger 10 ms, batch 1 MiB, concurrent send",
    records: 1_000_000,
    quickRecords: 100_000,
    ...T1_SETTINGS,
    acks: "1",
    idempotence: false,
    lingerMs: 10,
    batchSize: 1048576,
    clients: [...ALL, "deno-4m", "bun-4m"],
  },
  {
    id: "L1",
    readme: "`await` each send (p50 / p99 ms)",
    title:
      "sync (await each send), acks=all, idempotent, linger 0 ms (5 ms would add 5 ms to every record)",
    records: 20_000,
    quickRecords: 1_000,
    ...T1_SETTINGS,
    lingerMs: 0,
    mode: "sync",
    clients: ALL_NODE,
  },
  {
    id: "S1",
    readme: "T1 through `pipeTo(producer.writable)`",
    title: "T1's settings through our pipeTo(producer.writable) vs our concurrent send()",
    records: 1_000_000,
    quickRecords: 100_000,
    ...T1_SETTINGS,
    clients: [
      "deno",
      "deno-pipe",
      "deno-pipe100",
      "bun",
      "bun-pipe",
      "bun-pipe100",
      "node",
      "node-pipe",
      "node20",
      "node20-pipe",
    ],
    javaRef: "T1",
    ceilingRef: "C0",
  },
  ...(["gzip", "snappy", "lz4", "zstd"] as const).flatMap((codec) => [
    {
      id: `T1-${codec}`,
      title: `T1 with compression.type=${codec}`,
      records: 1_000_000,
      quickRecords: 100_000,
      ...T1_SETTINGS,
      compression: codec,
      clients: ["java", "deno", "bun"],
    },
    {
      id: `T2-${codec}`,
      title: `T2 with compression.type=${codec}`,
      records: 200_000,
      quickRecords: 20_000,
      ...T1_SETTINGS,
      recordSize: 1000,
      compression: codec,
      clients: ["java", "deno", "bun"],
    },
  ]),
  {
    id: "T1-ssl",
    title:
      `T1 over SSL with a client certificate (mTLS; listener on port base + ${SECURE_PORT_OFFSETS.SSL})`,
    records: 1_000_000,
    quickRecords: 100_000,
    ...T1_SETTINGS,
    security: "SSL",
    clients: ["java", "deno", "bun"],
    plaintextRef: "T1",
  },
  {
    id: "T1-sasl_ssl",
    title:
      `T1 over SASL_SSL with ${SASL_MECHANISM} (server-verified TLS; listener on port base + ${SECURE_PORT_OFFSETS.SASL_SSL})`,
    records: 1_000_000,
    quickRecords: 100_000,
    ...T1_SETTINGS,
    security: "SASL_SSL",
    clients: ["java", "deno", "bun"],
    plaintextRef: "T1",
  },
  {
    id: "X1",
    title:
      "T1's settings in transactions of 10,000 records (commit after each; one transactional id per run)",
    records: 1_000_000,
    quickRecords: 100_000,
    ...T1_SETTINGS,
    transactionSize: 10_000,
    clients: ["java", "deno", "bun"],
  },
  {
    id: "C0",
    readme: "the broker's ceiling (pre-encoded T1 requests)",
    title: "broker ceiling with T1's settings: pre-encoded Produce requests replayed, 5 in flight",
    records: 1_000_000,
    quickRecords: 100_000,
    ...T1_SETTINGS,
    clients: ["ceiling"],
    javaRef: "T1",
  },
  {
    id: "C0-T2",
    title: "broker ceiling with T2's settings",
    records: 200_000,
    quickRecords: 20_000,
    ...T1_SETTINGS,
    recordSize: 1000,
    clients: ["ceiling"],
    javaRef: "T2",
  },
];

/** Every client id any scenario uses. */
export function clientIds(): string[] {
  return [...new Set(SCENARIOS.flatMap((s) => s.clients))];
}
