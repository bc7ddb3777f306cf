/**
 * buildSettings (lib/cli/options.ts): the command line, a properties file
 * and the environment into producer options — the CLI's maxBlockMs
 * default, precedence (file < --property < flags), codec levels, TLS and
 * SASL from flags, files, the environment and Java's settings, each
 * mistake a UsageError that never shows a secret; the producer accepts
 * what comes out.
 */
import assert from "node:assert/strict";
import {
  buildSettings,
  CLI_MAX_BLOCK_MS,
  parseArgs,
  type ProduceSettings,
  UsageError,
} from "../../lib/cli/mod.ts";
import { resolveConfig } from "../../lib/producer/config.ts";

const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n";
const SECRET = "pa55-w0rd-secret";

/** Settings for `flags` (after `produce -b h:1 -t t`), with these files and environment. */
function settings(
  flags: string[],
  files: Record<string, string> = {},
  env: Record<string, string> = {},
  base = ["-b", "h:1", "-t", "t"],
): Promise<ProduceSettings> {
  return buildSettings(parseArgs(["produce", ...base, ...flags]), {
    readTextFile: (path) => {
      return path in files
        ? Promise.resolve(files[path])
        : Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" }));
    },
    env: (name) => env[name],
  });
}

/** Asserts building fails with exactly `message`, which holds no secret. */
async function refuses(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof UsageError, `not a UsageError: ${e}`);
    assert.equal(e.message, message);
    assert.ok(!e.message.includes(SECRET));
    return true;
  });
}

Deno.test("defaults: maxBlockMs is the CLI's 10 s, everything else the library's", async () => {
  const s = await settings([]);
  assert.equal(CLI_MAX_BLOCK_MS, 10000);
  assert.deepEqual(s.producer, { bootstrapServers: "h:1", maxBlockMs: 10000 });
  assert.equal(s.topic, "t");
  assert.equal(s.format, "lines");
  assert.equal(s.keySeparator, null);
  assert.equal(s.maxRequestSize, 1048576);
  assert.equal(resolveConfig(s.producer).maxBlockMs, 10000);
  const own = await settings([
    "--property",
    "max.block.ms=2500",
    "--property",
    "maxRequestSize=2000000",
  ]);
  assert.equal(own.producer.maxBlockMs, 2500);
  assert.equal(own.maxRequestSize, 2000000);
});

Deno.test("precedence: the properties file, then --property in order, then the flags", async () => {
  const files = {
    "p.properties":
      "bootstrap.servers=file:1\nlinger.ms=10\nacks=0\nbatch.size=100\nclient.id=from-file\n",
  };
  const fromFile = await settings(["--producer.config", "p.properties"], files, {}, ["-t", "t"]);
  assert.deepEqual(fromFile.producer, {
    bootstrapServers: "file:1",
    lingerMs: 10,
    acks: 0,
    batchSize: 100,
    clientId: "from-file",
    maxBlockMs: 10000,
  });
  const s = await settings([
    "--producer.config",
    "p.properties",
    "--property",
    "lingerMs=20",
    "--property",
    "linger.ms=25",
    "--property",
    "acks=1",
    "--linger-ms",
    "30",
    "--acks",
    "all",
    "--compression",
    "lz4",
    "--batch-size",
    "65536",
  ], files);
  assert.deepEqual(s.producer, {
    bootstrapServers: "h:1",
    lingerMs: 30,
    acks: "all",
    batchSize: 65536,
    clientId: "from-file",
    compressionType: "lz4",
    maxBlockMs: 10000,
  });
  const props = await settings(["--property", "lingerMs=20", "--property", "linger.ms=25"]);
  assert.equal(props.producer.lingerMs, 25);
});

Deno.test("codec levels: the chosen codec's level becomes compressionLevel, the others are ignored", async () => {
  const levels = [
    "--property",
    "compression.gzip.level=9",
    "--property",
    "compression.zstd.level=7",
  ];
  assert.equal((await settings([...levels, "--compression", "zstd"])).producer.compressionLevel, 7);
  assert.equal((await settings([...levels, "--compression", "gzip"])).producer.compressionLevel, 9);
  assert.equal(
    (await settings([...levels, "--compression", "lz4"])).producer.compressionLevel,
    undefined,
  );
  assert.equal(
    (await settings([...levels, "--property", "compressionLevel=3", "--compression", "zstd"]))
      .producer.compressionLevel,
    3,
  );
});

Deno.test("serializers are skipped with a warning; a file's mistakes name the file and line", async () => {
  const s = await settings(["--property", "key.serializer=org.apache.kafka.StringSerializer"]);
  assert.deepEqual(s.warnings, [
    "--property key.serializer is ignored: the CLI sends keys as the bytes it reads",
  ]);
  await refuses(
    settings(["--producer.config", "p.properties"], {
      "p.properties": "acks=all\nlinger.ms=soon\n",
    }),
    'p.properties:2: linger.ms: lingerMs must be an integer, got "soon"',
  );
  await refuses(
    settings(["--producer.config", "p.properties"], { "p.properties": "\n\nlinger.msec=1\n" }),
    'p.properties:3:: unknown producer option "linger.msec"; did you mean "linger.ms"?',
  );
  await refuses(
    settings(["--producer.config", "missing.properties"]),
    "--producer.config missing.properties: cannot read it (no such file)",
  );
});

Deno.test("required flags and combinations", async () => {
  await refuses(
    settings([], {}, {}, ["-t", "t"]),
    "--bootstrap-server is required (host:port[,host:port…]; or bootstrap.servers in --producer.config)",
  );
  await refuses(settings([], {}, {}, ["-b", "h:1"]), "--topic is required");
  await refuses(
    settings(["--format", "json", "--key-separator", ":"]),
    "--key-separator applies to --format lines only (json lines carry their own key)",
  );
});

Deno.test("TLS from flags: the runtime's store, or PEM files read here", async () => {
  assert.equal((await settings(["--tls"])).producer.tls, true);
  const files = { "ca.pem": CERT, "c.pem": CERT, "k.pem": KEY };
  const s = await settings(
    [
      "--tls-ca",
      "ca.pem",
      "--tls-cert",
      "c.pem",
      "--tls-key",
      "k.pem",
      "--tls-server-name",
      "kafka.test",
    ],
    files,
  );
  assert.deepEqual(s.producer.tls, { ca: CERT, cert: CERT, key: KEY, serverName: "kafka.test" });
  assert.equal(resolveConfig(s.producer).tls?.serverName, "kafka.test");
  await refuses(
    settings(["--tls-cert", "c.pem"], files),
    "--tls-cert is given without --tls-key: a client certificate needs both",
  );
  await refuses(
    settings(["--tls-ca", "nope.pem"], files),
    "--tls-ca nope.pem: cannot read it (no such file)",
  );
});

Deno.test("SASL from flags and the environment; the flag wins over KAFKATS_SASL_PASSWORD", async () => {
  const env = { KAFKATS_SASL_PASSWORD: SECRET };
  const scram = await settings(
    ["--tls", "--sasl-mechanism", "scram-sha-512", "--sasl-username", "alice"],
    {},
    env,
  );
  assert.deepEqual(scram.producer.sasl, {
    mechanism: "SCRAM-SHA-512",
    username: "alice",
    password: SECRET,
  });
  assert.equal(resolveConfig(scram.producer).sasl?.name, "SCRAM-SHA-512");
  const flag = await settings(
    ["--sasl-mechanism", "PLAIN", "--sasl-username", "bob", "--sasl-password", "other"],
    {},
    env,
  );
  assert.deepEqual(flag.producer.sasl, { mechanism: "PLAIN", username: "bob", password: "other" });
  await refuses(
    settings(["--sasl-mechanism", "PLAIN", "--sasl-username", "bob"]),
    "PLAIN needs a password: set the KAFKATS_SASL_PASSWORD environment variable (or --sasl-password, which other users may see in the process list)",
  );
  await refuses(
    settings(["--sasl-mechanism", "PLAIN"], {}, env),
    "--sasl-username is required for PLAIN",
  );
  await refuses(
    settings(["--sasl-username", "bob", "--sasl-password", SECRET]),
    "--sasl-mechanism is required with SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)",
  );
  await refuses(
    settings(["--sasl-mechanism", "KERBEROS", "--sasl-password", SECRET]),
    '--sasl-mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER, got "KERBEROS"',
  );
});

Deno.test("OAUTHBEARER: a token file read for each authentication, or a token from the environment", async () => {
  const files: Record<string, string> = { "token.txt": "first.jwt.token\n" };
  const s = await settings(
    ["--sasl-mechanism", "OAUTHBEARER", "--sasl-token-file", "token.txt"],
    files,
  );
  const sasl = s.producer.sasl;
  assert.ok(sasl?.mechanism === "OAUTHBEARER");
  assert.equal(await sasl.token(), "first.jwt.token");
  files["token.txt"] = "second.jwt.token";
  assert.equal(await sasl.token(), "second.jwt.token", "read again: a sidecar may refresh it");
  const fromEnv = await settings(["--sasl-mechanism", "OAUTHBEARER"], {}, {
    KAFKATS_SASL_TOKEN: "env.jwt.token",
  });
  assert.ok(fromEnv.producer.sasl?.mechanism === "OAUTHBEARER");
  assert.equal(await fromEnv.producer.sasl.token(), "env.jwt.token");
  await refuses(
    settings(["--sasl-mechanism", "OAUTHBEARER"]),
    "OAUTHBEARER needs a token: --sasl-token-file FILE, the KAFKATS_SASL_TOKEN environment variable, or --sasl-token",
  );
  await refuses(
    settings(["--sasl-mechanism", "OAUTHBEARER", "--sasl-token-file", "empty.txt"], {
      "empty.txt": "\n",
    }),
    "--sasl-token-file empty.txt is empty",
  );
  await refuses(
    settings(["--sasl-mechanism", "OAUTHBEARER", "--sasl-username", "a"]),
    "OAUTHBEARER takes a token (--sasl-token, --sasl-token-file or KAFKATS_SASL_TOKEN), not a username or password",
  );
});

Deno.test("Java security in a properties file: SASL_SSL with SCRAM, a PEM truststore and keystore", async () => {
  const files = {
    "client.properties": [
      "bootstrap.servers=b:9093",
      "security.protocol=SASL_SSL",
      "sasl.mechanism=SCRAM-SHA-512",
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${SECRET}";`,
      "ssl.truststore.type=PEM",
      "ssl.truststore.location=/etc/kafka/ca.pem",
      "ssl.keystore.type=PEM",
      "ssl.keystore.location=/etc/kafka/client.pem",
    ].join("\n"),
    "/etc/kafka/ca.pem": CERT,
    "/etc/kafka/client.pem": KEY + CERT,
  };
  const s = await settings(["--command-config", "client.properties"], files, {}, ["-t", "t"]);
  assert.deepEqual(s.producer, {
    bootstrapServers: "b:9093",
    maxBlockMs: 10000,
    tls: { ca: CERT, cert: CERT.trimEnd(), key: KEY.trimEnd() },
    sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: SECRET },
  });
  resolveConfig(s.producer);
  // The flags override the file's security.
  const other = await settings(
    ["--command-config", "client.properties", "--sasl-username", "bob"],
    files,
    {},
    ["-t", "t"],
  );
  assert.equal(
    other.producer.sasl?.mechanism === "SCRAM-SHA-512" && other.producer.sasl.username,
    "bob",
  );
  await refuses(
    settings(["--property", "security.protocol=SASL_SSL"]),
    "--sasl-mechanism is required with SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)",
  );
  await refuses(
    settings(["--property", "security.protocol=PLAINTEXT", "--sasl-mechanism", "PLAIN"], {}, {
      KAFKATS_SASL_PASSWORD: SECRET,
    }),
    "--sasl-mechanism is given but security.protocol says no SASL (PLAINTEXT or SSL)",
  );
  await refuses(
    settings(["--producer.config", "k.properties"], {
      "k.properties": "ssl.keystore.type=PEM\nssl.keystore.location=only-key.pem\n",
      "only-key.pem": KEY,
    }),
    "ssl.keystore.location only-key.pem: a PEM keystore holds the private key and its certificate chain; this file lacks a certificate",
  );
});
