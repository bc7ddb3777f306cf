/**
 * Producer options by name (lib/cli/properties.ts): every option in
 * camelCase and by Java's dotted name, values converted to their types,
 * an unknown name refused with the closest known one; the `.properties`
 * file parser (properties_file.ts); Java's security settings mapped onto
 * the CLI's (java_security.ts), and those that do not map refused without
 * showing their values.
 */
import assert from "node:assert/strict";
import {
  JAVA_NAMES,
  javaSecurity,
  optionValue,
  parsePropertiesFile,
  propertyTarget,
  UsageError,
} from "../../lib/cli/mod.ts";
import { resolveConfig } from "../../lib/producer/config.ts";

Deno.test("every Java name maps to one of our options, and each option by its own name too", () => {
  const expected: Record<string, string> = {
    "bootstrap.servers": "bootstrapServers",
    "client.id": "clientId",
    acks: "acks",
    "enable.idempotence": "enableIdempotence",
    "linger.ms": "lingerMs",
    "batch.size": "batchSize",
    "buffer.memory": "bufferMemory",
    "compression.type": "compressionType",
    "max.block.ms": "maxBlockMs",
    "delivery.timeout.ms": "deliveryTimeoutMs",
    "request.timeout.ms": "requestTimeoutMs",
    retries: "retries",
    "retry.backoff.ms": "retryBackoffMs",
    "retry.backoff.max.ms": "retryBackoffMaxMs",
    "max.in.flight.requests.per.connection": "maxInFlightRequestsPerConnection",
    "max.request.size": "maxRequestSize",
    "metadata.max.age.ms": "metadataMaxAgeMs",
    "metadata.max.idle.ms": "metadataMaxIdleMs",
    "socket.connection.setup.timeout.ms": "connectTimeoutMs",
    "partitioner.ignore.keys": "partitionerIgnoreKeys",
    "partitioner.adaptive.partitioning.enable": "partitionerAdaptivePartitioning",
    "allow.auto.create.topics": "allowAutoTopicCreation",
  };
  assert.deepEqual({ ...JAVA_NAMES }, expected);
  for (const [java, ours] of Object.entries(expected)) {
    assert.deepEqual(propertyTarget(java, "--property"), { kind: "option", option: ours });
    assert.deepEqual(propertyTarget(ours, "--property"), { kind: "option", option: ours });
  }
  assert.deepEqual(propertyTarget("maxBlockedBytes", "--property"), {
    kind: "option",
    option: "maxBlockedBytes",
  });
  assert.deepEqual(propertyTarget("compression.zstd.level", "--property"), {
    kind: "level",
    codec: "zstd",
  });
  assert.deepEqual(propertyTarget("sasl.jaas.config", "--property"), {
    kind: "security",
    name: "sasl.jaas.config",
  });
  assert.equal(propertyTarget("key.serializer", "--property").kind, "ignored");
});

Deno.test("values: every option's text converts to what the producer's options take", () => {
  const options = {
    bootstrapServers: optionValue("bootstrapServers", "h:1,h:2", "t"),
    clientId: optionValue("clientId", " cli ", "t"),
    acks: optionValue("acks", "-1", "t"),
    enableIdempotence: optionValue("enableIdempotence", "FALSE", "t"),
    lingerMs: optionValue("lingerMs", "20", "t"),
    batchSize: optionValue("batchSize", "+65536", "t"),
    compressionType: optionValue("compressionType", "ZSTD", "t"),
    compressionLevel: optionValue("compressionLevel", "-5", "t"),
    maxBlockMs: optionValue("maxBlockMs", "3000", "t"),
  };
  assert.deepEqual(options, {
    bootstrapServers: "h:1,h:2",
    clientId: "cli",
    acks: "all",
    enableIdempotence: false,
    lingerMs: 20,
    batchSize: 65536,
    compressionType: "zstd",
    compressionLevel: -5,
    maxBlockMs: 3000,
  });
  assert.equal(optionValue("acks", "0", "t"), 0);
  assert.equal(optionValue("acks", "all", "t"), "all");
  // The producer takes them as they are.
  const config = resolveConfig({ ...options, acks: 1, enableIdempotence: false });
  assert.equal(config.lingerMs, 20);
  assert.equal(config.compressionLevel, -5);
});

Deno.test("a bad value names where it came from, the option and the type wanted", () => {
  const cases: [() => unknown, string][] = [
    [
      () => optionValue("lingerMs", "abc", "--property linger.ms"),
      '--property linger.ms: lingerMs must be an integer, got "abc"',
    ],
    [
      () => optionValue("lingerMs", "1.5", "--linger-ms"),
      '--linger-ms: lingerMs must be an integer, got "1.5"',
    ],
    [
      () => optionValue("enableIdempotence", "yes", "p.properties:3: enable.idempotence"),
      'p.properties:3: enable.idempotence: enableIdempotence must be true or false, got "yes"',
    ],
    [() => optionValue("acks", "2", "--acks"), '--acks: acks must be all, -1, 0 or 1, got "2"'],
    [
      () => optionValue("compressionType", "brotli", "--compression"),
      '--compression: compressionType must be none, gzip, snappy, lz4 or zstd, got "brotli"',
    ],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (e) => e instanceof UsageError && e.message === message);
  }
});

Deno.test("unknown names are refused with the closest known one; some cannot be set as text", () => {
  const cases: [string, string][] = [
    ["linger.msec", '--property: unknown producer option "linger.msec"; did you mean "linger.ms"?'],
    ["lingerMS", '--property: unknown producer option "lingerMS"; did you mean "lingerMs"?'],
    ["batchsize", '--property: unknown producer option "batchsize"; did you mean "batchSize"?'],
    ["acsk", '--property: unknown producer option "acsk"; did you mean "acks"?'],
    [
      "compresion.type",
      '--property: unknown producer option "compresion.type"; did you mean "compression.type"?',
    ],
    [
      "sasl.mechanisms",
      '--property: unknown producer option "sasl.mechanisms"; did you mean "sasl.mechanism"?',
    ],
    ["zzzzzzzz", '--property: unknown producer option "zzzzzzzz"'],
    [
      "transactional.id",
      "--property transactional.id cannot be set here: the CLI does not produce in transactions",
    ],
    [
      "tls",
      "--property tls cannot be set here: use --tls, --tls-ca, --tls-cert, --tls-key, --tls-server-name (or security.protocol and ssl.*)",
    ],
    [
      "partitioner.class",
      "--property partitioner.class cannot be set here: a partitioner is a function; the built-in one is used (partitioner.ignore.keys tunes it)",
    ],
  ];
  for (const [name, message] of cases) {
    assert.throws(
      () => propertyTarget(name, "--property"),
      (e) => e instanceof UsageError && e.message === message,
      name,
    );
  }
});

Deno.test("properties files: separators, comments, continuations, escapes, line numbers", () => {
  const text = [
    "# a comment",
    "! another",
    "",
    "bootstrap.servers=h1:9092,h2:9092",
    "  acks : all",
    "linger.ms 20",
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
    '    username="alice" \\',
    '    password="p\\\\w";',
    "client.id=caf\\u00e9\\tx",
    "key\\=with\\:colon=v",
    "empty=",
    "windows=yes\r",
  ].join("\n");
  assert.deepEqual(parsePropertiesFile(text), [
    { key: "bootstrap.servers", value: "h1:9092,h2:9092", line: 4 },
    { key: "acks", value: "all", line: 5 },
    { key: "linger.ms", value: "20", line: 6 },
    {
      key: "sasl.jaas.config",
      value:
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\w";',
      line: 7,
    },
    { key: "client.id", value: "café\tx", line: 10 },
    { key: "key=with:colon", value: "v", line: 11 },
    { key: "empty", value: "", line: 12 },
    { key: "windows", value: "yes", line: 13 },
  ]);
});

Deno.test("Java security: protocols, mechanism, JAAS credentials, PEM stores", () => {
  const settings = (entries: Record<string, string>) =>
    javaSecurity(new Map(Object.entries(entries)), "p.properties");
  assert.deepEqual(settings({ "security.protocol": "PLAINTEXT" }), {
    tls: false,
    saslRequired: false,
  });
  assert.deepEqual(settings({ "security.protocol": "ssl" }), { tls: true, saslRequired: false });
  assert.deepEqual(settings({ "security.protocol": "SASL_PLAINTEXT" }), {
    tls: false,
    saslRequired: true,
  });
  assert.deepEqual(
    settings({
      "security.protocol": "SASL_SSL",
      "sasl.mechanism": "SCRAM-SHA-256",
      "sasl.jaas.config":
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="a \\"quoted\\" one";',
      "ssl.truststore.type": "PEM",
      "ssl.truststore.location": "/etc/ca.pem",
      "ssl.truststore.password": "ignored for PEM",
      "ssl.endpoint.identification.algorithm": "https",
    }),
    {
      tls: true,
      saslRequired: true,
      mechanism: "SCRAM-SHA-256",
      username: "alice",
      password: 'a "quoted" one',
      ca: { file: "/etc/ca.pem" },
    },
  );
  assert.deepEqual(
    settings({
      "sasl.jaas.config":
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=bob password=pw;",
      "ssl.keystore.type": "PEM",
      "ssl.keystore.location": "/etc/client.pem",
    }),
    { username: "bob", password: "pw", keystoreFile: "/etc/client.pem", tls: true },
  );
  assert.deepEqual(
    settings({
      "ssl.truststore.certificates": "-----BEGIN CERTIFICATE-----…",
      "ssl.keystore.certificate.chain": "-----BEGIN CERTIFICATE-----…",
      "ssl.keystore.key": "-----BEGIN PRIVATE KEY-----…",
    }),
    {
      ca: { pem: "-----BEGIN CERTIFICATE-----…" },
      cert: { pem: "-----BEGIN CERTIFICATE-----…" },
      key: { pem: "-----BEGIN PRIVATE KEY-----…" },
      tls: true,
    },
  );
});

Deno.test("Java security that does not map is refused, naming the setting, never its value", () => {
  const secret = "s3cret-Value";
  const cases: [Record<string, string>, string][] = [
    [
      { "security.protocol": "SSL_PLAINTEXT" },
      'p: security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "SSL_PLAINTEXT"',
    ],
    [
      { "sasl.mechanism": "GSSAPI" },
      "p: sasl.mechanism GSSAPI (Kerberos) is not supported: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER",
    ],
    [
      { "sasl.jaas.config": `x required user="a" pass="${secret}";` },
      'p: sasl.jaas.config has no username="…" and password="…" (only the PLAIN and SCRAM login modules map; for OAUTHBEARER use --sasl-token or --sasl-token-file)',
    ],
    [
      { "ssl.truststore.location": "/etc/truststore.jks", "ssl.truststore.password": secret },
      "p: ssl.truststore.location: JKS truststores are not supported, only ssl.truststore.type=PEM; export the CA as PEM (keytool -exportcert -rfc) and pass --tls-ca FILE",
    ],
    [
      { "ssl.keystore.type": "PKCS12", "ssl.keystore.location": "/etc/k.p12" },
      "p: ssl.keystore.location: PKCS12 keystores are not supported, only ssl.keystore.type=PEM; or pass --tls-cert FILE and --tls-key FILE",
    ],
    [
      { "ssl.key.password": secret },
      "p: ssl.key.password: encrypted private keys are not supported; decrypt the key (openssl pkey -in key.pem -out plain.pem)",
    ],
    [
      { "ssl.endpoint.identification.algorithm": "" },
      "p: ssl.endpoint.identification.algorithm cannot turn hostname verification off here; use --tls-server-name NAME for a certificate issued to another name",
    ],
  ];
  for (const [entries, message] of cases) {
    assert.throws(
      () => javaSecurity(new Map(Object.entries(entries)), "p"),
      (e) => e instanceof UsageError && e.message === message && !e.message.includes(secret),
      JSON.stringify(Object.keys(entries)),
    );
  }
  // An OAUTHBEARER login module carries nothing that maps, and is not an error.
  assert.deepEqual(
    javaSecurity(
      new Map([[
        "sasl.jaas.config",
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;",
      ]]),
      "p",
    ),
    {},
  );
});
