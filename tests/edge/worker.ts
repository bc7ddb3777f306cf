/**
 * The Worker `deno task test:edge` runs in workerd (tests/edge/config.capnp):
 * bundled from this file and our TypeScript sources by tests/edge/run.ts.
 *
 * - `GET /produce?topic=T&n=N[&prefix=P][&compression=C][&security=S]` produces
 *   N records (value `<P>-<i>`, key `k-<i mod 7>`) with idempotence on and answers
 *   `{ "acks": [[partition, offset], …] }`, in send order. `security`:
 *   `plaintext` (default, `KAFKA_BOOTSTRAP`), `sasl` (SCRAM-SHA-512 on
 *   `KAFKA_SASL_PLAINTEXT`), `sasl-plain` and `sasl-oauthbearer` (the same
 *   listener), `sasl-ssl` (TLS via `secureTransport`, the CA in
 *   the config's network, and SCRAM-SHA-512 on `KAFKA_SASL_SSL`),
 *   `sasl-ssl-servername` (the same with `tls.serverName: "localhost"`, through
 *   `startTls`), `ssl` (mutual TLS on `KAFKA_SSL`: the client certificate is
 *   the config network's keypair); `transport=explicit` passes
 *   `cloudflareSocketsTransport(connect)` instead of relying on the default.
 * - `POST /scenario` runs the runtime-conformance scenario
 *   (tests/node/app/scenario.mjs, the same lines Node, Bun and Deno run) on
 *   the spec in the body and answers what they print elsewhere.
 * - `GET /codecs` compresses and decompresses with every codec and answers
 *   `{ "<codec>": "ok" | "<error>" }`.
 * - `GET /refusals` answers the error a send fails with, for each TLS option
 *   workerd cannot honour and for connections that fail.
 *
 * A failure answers 500 with `{ "error": "<name>: <message>" }`.
 *
 * @module
 */
import {
  type CloudflareConnect,
  cloudflareSocketsTransport,
  type CompressionType,
  ConfigError,
  Producer,
  type ProducerOptions,
} from "../../mod.ts";
import * as scenario from "../node/app/scenario.mjs";
import { CODECS } from "../../lib/protocol/compression/mod.ts";

/** The bindings tests/edge/config.capnp gives (from the environment). */
export interface Env {
  /** PLAINTEXT listener, host:port. */
  KAFKA_BOOTSTRAP: string;
  /** SASL_PLAINTEXT listener ("" when no secure broker runs). */
  KAFKA_SASL_PLAINTEXT: string;
  /** SASL_SSL listener ("" when no secure broker runs). */
  KAFKA_SASL_SSL: string;
  /** SSL listener requiring a client certificate, which the config's network presents. */
  KAFKA_SSL: string;
  /** A service binding whose `connect()` uses a network that does not trust the test CA. */
  UNTRUSTING: { connect: CloudflareConnect };
  /** The SASL user. */
  KAFKA_SASL_USERNAME: string;
  /** Its password. */
  KAFKA_SASL_PASSWORD: string;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** An unsigned JWT, which the test broker's (test-only) OAUTHBEARER validator takes. */
function unsignedJwt(sub: string): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: "none" })}.${part({ sub, iat: now, exp: now + 3600 })}.`;
}

function securityOptions(security: string, env: Env): ProducerOptions {
  const sasl = {
    mechanism: "SCRAM-SHA-512" as const,
    username: env.KAFKA_SASL_USERNAME,
    password: env.KAFKA_SASL_PASSWORD,
  };
  switch (security) {
    case "plaintext":
      return { bootstrapServers: env.KAFKA_BOOTSTRAP };
    case "sasl":
      return { bootstrapServers: env.KAFKA_SASL_PLAINTEXT, sasl };
    case "sasl-plain":
      return {
        bootstrapServers: env.KAFKA_SASL_PLAINTEXT,
        sasl: { ...sasl, mechanism: "PLAIN" },
      };
    case "sasl-oauthbearer":
      return {
        bootstrapServers: env.KAFKA_SASL_PLAINTEXT,
        sasl: {
          mechanism: "OAUTHBEARER",
          token: () => Promise.resolve({ value: unsignedJwt(sasl.username) }),
        },
      };
    case "sasl-ssl":
      return { bootstrapServers: env.KAFKA_SASL_SSL, sasl, tls: true };
    case "sasl-ssl-servername":
      return { bootstrapServers: env.KAFKA_SASL_SSL, sasl, tls: { serverName: "localhost" } };
    case "ssl":
      return { bootstrapServers: env.KAFKA_SSL, tls: true };
    default:
      throw new Error(`unknown security ${JSON.stringify(security)}`);
  }
}

async function produce(url: URL, env: Env): Promise<Response> {
  const topic = url.searchParams.get("topic");
  const n = Number(url.searchParams.get("n") ?? "1000");
  if (topic === null || !Number.isInteger(n) || n < 0) throw new Error("need topic and n ≥ 0");
  const prefix = url.searchParams.get("prefix") ?? "edge";
  const compressionType = (url.searchParams.get("compression") ?? "none") as CompressionType;
  const producer = new Producer({
    ...securityOptions(url.searchParams.get("security") ?? "plaintext", env),
    ...(url.searchParams.get("transport") === "explicit" ? { transport: await explicit() } : {}),
    enableIdempotence: true,
    compressionType,
    deliveryTimeoutMs: 60000,
  });
  try {
    const sends = Array.from(
      { length: n },
      (_, i) => producer.send({ topic, key: `k-${i % 7}`, value: `${prefix}-${i}` }),
    );
    const mds = await Promise.all(sends);
    return json({ acks: mds.map((md) => [md.partition, Number(md.offset)]) });
  } finally {
    // A Worker's I/O ends with its response: close (which flushes) before answering.
    await producer.close();
  }
}

/**
 * The transport a Worker makes from the `connect` it imported itself (a
 * Worker would `import { connect } from "cloudflare:sockets"`; this file is
 * type-checked by Deno, which cannot resolve that, so it imports it the way
 * lib/net/workerd.ts does).
 */
async function explicit() {
  const sockets = ["cloudflare", "sockets"].join(":");
  const { connect } = await import(sockets) as { connect: CloudflareConnect };
  return cloudflareSocketsTransport(connect);
}

/** The conformance scenario on `spec`: sends, then pipes, each producer closed before answering. */
async function conformance(spec: unknown): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { ...scenario.checks({ Producer, ConfigError }, spec) };
  {
    await using producer = new Producer(scenario.options(spec));
    result.sent = await scenario.sendAll(producer, spec);
  }
  {
    await using producer = new Producer(scenario.options(spec));
    result.piped = await scenario.pipeAll(producer, spec);
  }
  return { runtime: scenario.runtimeName(), ...result };
}

function codecs(): Response {
  const input = new TextEncoder().encode("kafkats on workerd ".repeat(500));
  const result: Record<string, string> = {};
  for (const codec of CODECS.values()) {
    try {
      const back = codec.decompress(codec.compress(input));
      const same = back.length === input.length && back.every((b, i) => b === input[i]);
      result[codec.name] = same ? "ok" : "round trip differs";
    } catch (error) {
      result[codec.name] = describe(error);
    }
  }
  return json(result);
}

/**
 * What a send fails with: for each TLS option workerd cannot honour, and
 * for connections that fail (so that the transport's error mapping is seen).
 */
async function refusals(env: Env): Promise<Response> {
  const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const key = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
  const sasl = {
    mechanism: "SCRAM-SHA-512" as const,
    username: env.KAFKA_SASL_USERNAME,
    password: env.KAFKA_SASL_PASSWORD,
  };
  const cases: Record<string, Partial<ProducerOptions>> = {
    "tls.ca": { tls: { ca: cert } },
    "tls.cert+key": { tls: { cert, key } },
    "tls on a plaintext port": { tls: true },
    "refused port": { bootstrapServers: "127.0.0.1:1", maxBlockMs: 1500 },
  };
  if (env.KAFKA_SASL_SSL !== "") {
    cases["tls: true, the CA not trusted"] = {
      bootstrapServers: env.KAFKA_SASL_SSL,
      sasl,
      tls: true,
      transport: cloudflareSocketsTransport((address, options) =>
        env.UNTRUSTING.connect(address, options)
      ),
    };
    cases["wrong tls.serverName"] = {
      bootstrapServers: env.KAFKA_SASL_SSL,
      sasl,
      tls: { serverName: "wrong.example" },
    };
  }
  const result: Record<string, string> = {};
  for (const [name, options] of Object.entries(cases)) {
    const producer = new Producer({
      bootstrapServers: env.KAFKA_BOOTSTRAP,
      maxBlockMs: 5000,
      ...options,
    });
    try {
      await producer.send({ topic: "edge-refusals", value: "never sent" });
      result[name] = "sent (not refused)";
    } catch (error) {
      result[name] = describe(error);
    } finally {
      await producer.close({ timeoutMs: 0 });
    }
  }
  return json(result);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    try {
      switch (url.pathname) {
        case "/produce":
          return await produce(url, env);
        case "/scenario":
          return json(await conformance(await request.json()));
        case "/codecs":
          return codecs();
        case "/refusals":
          return await refusals(env);
        default:
          return json({ error: `no route ${url.pathname}` }, 404);
      }
    } catch (error) {
      return json({ error: describe(error) }, 500);
    }
  },
};
