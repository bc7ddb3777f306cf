/**
 * Bad input catalogue, part 1b: the `tls` and `sasl` options. Each bad value
 * is a ConfigError from the constructor that names the field, and never the
 * value given: it may be a password, a token or a private key. No broker is
 * needed (nothing connects before the first send).
 */
import assert from "node:assert/strict";
import { ConfigError, Producer, type ProducerOptions } from "../../mod.ts";
import { resolveConfig } from "../../lib/producer/config.ts";

const BROKER = ["127.0.0.1:9092"];

/** Stands in for a certificate's or a key's base64 body: not to appear in any message. */
const CERT_BODY = "MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVCb2R5Rm9yVGVzdHM=";
const KEY_BODY = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wSecretKeyMaterial=";
const CA = `-----BEGIN CERTIFICATE-----\n${CERT_BODY}\n-----END CERTIFICATE-----\n`;
const CA2 = CA.replace("Q2Vyd", "T3RoZ");
const CERT = CA.replace("Q2Vyd", "Q2xpZ");
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;
const RSA_KEY = KEY.replaceAll("PRIVATE KEY", "RSA PRIVATE KEY");
const EC_KEY = KEY.replaceAll("PRIVATE KEY", "EC PRIVATE KEY");
const PASSWORD = "hunter2-s3cr3t-pässword";
const TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzZWNyZXQtdG9rZW4ifQ.";

/**
 * Asserts `new Producer(options)` throws a ConfigError matching each pattern
 * whose message contains none of `secrets`.
 */
function rejects(
  options: Record<string, unknown>,
  secrets: readonly string[],
  ...patterns: RegExp[]
): void {
  const what = JSON.stringify(options, (_, v) => typeof v === "function" ? "<function>" : v);
  assert.throws(
    () => new Producer({ bootstrapServers: BROKER, ...options } as ProducerOptions),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `${what}: got ${e}`);
      for (const p of patterns) assert.match(e.message, p, what);
      for (const secret of secrets) {
        assert.ok(!e.message.includes(secret), `${what}: the message shows a secret: ${e.message}`);
      }
      return true;
    },
  );
}

const SECRETS = [PASSWORD, TOKEN, CERT_BODY, KEY_BODY];

Deno.test("tls: wrong types of the option and of its fields", () => {
  const shape = /tls must be true or an object \{ ca\?, cert\?, key\?, serverName\? \}/;
  for (const tls of [false, "ca.pem", CA, 1, null, [CA]]) rejects({ tls }, SECRETS, shape);
  rejects({ tls: { ca: 5 } }, SECRETS, /tls\.ca must be a PEM string or an array of them/);
  rejects({ tls: { ca: { pem: CA } } }, SECRETS, /tls\.ca must be a PEM string or an array/);
  rejects({ tls: { ca: [CA, 7] } }, SECRETS, /tls\.ca\[1\] must be a PEM string, got number/);
  rejects({ tls: { ca: [null] } }, SECRETS, /tls\.ca\[0\] must be a PEM string, got null/);
  rejects(
    { tls: { cert: new TextEncoder().encode(CERT), key: KEY } },
    SECRETS,
    /tls\.cert must be a PEM string, got object/,
  );
  rejects(
    { tls: { cert: CERT, key: [KEY] } },
    SECRETS,
    /tls\.key must be a PEM string, got an array/,
  );
  rejects({ tls: { serverName: 42 } }, SECRETS, /tls\.serverName must be a non-empty host name/);
});

Deno.test("tls: unknown keys are named, their values are not", () => {
  rejects(
    { tls: { foo: 1 } },
    SECRETS,
    /^unknown option tls\.foo \(tls takes ca, cert, key and serverName\)$/,
  );
  // Java's names, and a passphrase that must not be echoed.
  rejects({ tls: { passphrase: PASSWORD } }, SECRETS, /unknown option tls\.passphrase/);
  rejects({ tls: { ca: CA, rejectUnauthorized: false } }, SECRETS, /tls\.rejectUnauthorized/);
  rejects({ tls: { "ssl.truststore.location": "/x" } }, SECRETS, /tls\.ssl\.truststore\.location/);
});

Deno.test("tls: a client certificate needs both cert and key", () => {
  rejects(
    { tls: { cert: CERT } },
    SECRETS,
    /^tls\.cert is set without tls\.key: a client certificate needs both$/,
  );
  rejects(
    { tls: { key: KEY } },
    SECRETS,
    /^tls\.key is set without tls\.cert: a client certificate needs both$/,
  );
  rejects({ tls: { ca: CA, key: RSA_KEY } }, SECRETS, /tls\.key is set without tls\.cert/);
});

Deno.test("tls: a file path instead of PEM text says so", () => {
  const path = /give the file's text, not its path/;
  rejects(
    { tls: { ca: "/etc/kafka/ca.pem" } },
    ["/etc/kafka"],
    /^tls\.ca is not a PEM certificate/,
    path,
  );
  rejects(
    { tls: { ca: [CA, "./ca2.pem"] } },
    ["ca2.pem"],
    /^tls\.ca\[1\] is not a PEM certificate/,
    path,
  );
  rejects(
    { tls: { cert: "client.crt", key: KEY } },
    ["client.crt", KEY_BODY],
    /^tls\.cert is not a PEM certificate/,
    path,
  );
  rejects(
    { tls: { cert: CERT, key: "/secrets/client.key" } },
    ["/secrets", CERT_BODY],
    /^tls\.key is not a PEM private key/,
    path,
  );
  // A key where the certificate goes, and the other way round.
  rejects({ tls: { cert: KEY, key: KEY } }, SECRETS, /^tls\.cert is not a PEM certificate/);
  rejects({ tls: { cert: CERT, key: CERT } }, SECRETS, /^tls\.key is not a PEM private key/);
  rejects({ tls: { ca: "" } }, SECRETS, /^tls\.ca is not a PEM certificate/);
  // Only the header: no body.
  rejects(
    { tls: { ca: "-----BEGIN CERTIFICATE----------END CERTIFICATE-----" } },
    SECRETS,
    /^tls\.ca is not a PEM certificate/,
  );
});

Deno.test("tls: an encrypted key is refused, PKCS#8 and legacy OpenSSL alike, without its text", () => {
  const encrypted = /^tls\.key is encrypted: give the key without a passphrase$/;
  const pkcs8 = KEY.replaceAll("PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
  rejects({ tls: { cert: CERT, key: pkcs8 } }, SECRETS, encrypted);
  // Traditional OpenSSL encryption keeps the RSA/EC header and adds Proc-Type.
  for (const kind of ["RSA", "EC"]) {
    const legacy = `-----BEGIN ${kind} PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n` +
      `DEK-Info: AES-256-CBC,0123456789ABCDEF0123456789ABCDEF\n\n${KEY_BODY}\n` +
      `-----END ${kind} PRIVATE KEY-----\n`;
    rejects({ tls: { cert: CERT, key: legacy } }, SECRETS, encrypted);
  }
});

Deno.test("tls: an empty serverName", () => {
  rejects(
    { tls: { ca: CA, serverName: "" } },
    SECRETS,
    /^tls\.serverName must be a non-empty host name$/,
  );
});

Deno.test("sasl: wrong types of the option", () => {
  const shape =
    /^sasl must be an object \{ mechanism, … \} \(mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER\)$/;
  for (const sasl of [PASSWORD, null, true, 0, [{ mechanism: "PLAIN" }]]) {
    rejects({ sasl }, SECRETS, shape);
  }
});

Deno.test("sasl: an unknown mechanism names the supported ones, with a hint for the wrong case", () => {
  const supported = /use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER/;
  rejects(
    { sasl: { mechanism: "GSSAPI", username: "u", password: PASSWORD } },
    SECRETS,
    /^sasl\.mechanism "GSSAPI" is not supported: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER$/,
  );
  rejects(
    { sasl: { mechanism: "plain", username: "u", password: PASSWORD } },
    SECRETS,
    /^sasl\.mechanism "plain" is not supported/,
    /; did you mean "PLAIN"\?$/,
  );
  rejects(
    { sasl: { mechanism: "scram-sha-512", username: "u", password: PASSWORD } },
    SECRETS,
    /did you mean "SCRAM-SHA-512"\?/,
  );
  rejects(
    { sasl: { mechanism: "SCRAM-SHA-1" } },
    SECRETS,
    /"SCRAM-SHA-1" is not supported/,
    supported,
  );
  rejects(
    { sasl: { username: "u", password: PASSWORD } },
    SECRETS,
    /^sasl\.mechanism is not supported/,
  );
  rejects({ sasl: { mechanism: 1 } }, SECRETS, /^sasl\.mechanism is not supported/, supported);
  rejects({ sasl: {} }, SECRETS, /^sasl\.mechanism is not supported/);
});

Deno.test("sasl: unknown keys are named for the mechanism, their values are not", () => {
  rejects(
    { sasl: { mechanism: "PLAIN", user: "alice", password: PASSWORD } },
    SECRETS,
    /^unknown option sasl\.user for PLAIN \(it takes username and password\)$/,
  );
  rejects(
    { sasl: { mechanism: "SCRAM-SHA-256", username: "u", password: PASSWORD, pass: PASSWORD } },
    SECRETS,
    /^unknown option sasl\.pass for SCRAM-SHA-256/,
  );
  rejects(
    { sasl: { mechanism: "OAUTHBEARER", token: () => Promise.resolve(TOKEN), password: PASSWORD } },
    SECRETS,
    /^unknown option sasl\.password for OAUTHBEARER \(it takes token\)$/,
  );
  rejects(
    { sasl: { mechanism: "PLAIN", username: "u", password: PASSWORD, token: TOKEN } },
    SECRETS,
    /^unknown option sasl\.token for PLAIN/,
  );
});

Deno.test("sasl: username and password are required, of the right types", () => {
  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]) {
    const name = new RegExp(`^sasl\\.username must be a non-empty string for ${mechanism}$`);
    rejects({ sasl: { mechanism, password: PASSWORD } }, SECRETS, name);
    rejects({ sasl: { mechanism, username: "", password: PASSWORD } }, SECRETS, name);
    rejects({ sasl: { mechanism, username: 7, password: PASSWORD } }, SECRETS, name);
    rejects(
      { sasl: { mechanism, username: "alice" } },
      SECRETS,
      new RegExp(`^sasl\\.password must be a string for ${mechanism}, got undefined$`),
    );
    rejects(
      { sasl: { mechanism, username: "alice", password: 20240601 } },
      ["20240601"],
      /^sasl\.password must be a string for .*, got number$/,
    );
    rejects(
      { sasl: { mechanism, username: "alice", password: [PASSWORD] } },
      SECRETS,
      /^sasl\.password must be a string .*, got an array$/,
    );
    rejects(
      { sasl: { mechanism, username: "alice", password: null } },
      SECRETS,
      /sasl\.password .*, got null$/,
    );
  }
});

Deno.test("sasl: OAUTHBEARER needs a token function, not a token", () => {
  const fn = /^sasl\.token must be a function returning a promise of the token/;
  rejects({ sasl: { mechanism: "OAUTHBEARER" } }, SECRETS, fn);
  rejects({ sasl: { mechanism: "OAUTHBEARER", token: TOKEN } }, SECRETS, fn);
  rejects({ sasl: { mechanism: "OAUTHBEARER", token: { value: TOKEN } } }, SECRETS, fn);
});

Deno.test("tls: the good shapes resolve", () => {
  const tls = (value: unknown) =>
    resolveConfig({ bootstrapServers: BROKER, tls: value } as ProducerOptions).tls;
  assert.equal(tls(undefined), null, "no tls: plaintext");
  assert.deepEqual(tls(true), { ca: [] }, "true: the runtime's store");
  assert.deepEqual(tls({}), { ca: [] });
  assert.deepEqual(tls({ ca: CA }), { ca: [CA] }, "a string ca is a list of one");
  assert.deepEqual(tls({ ca: [CA, CA2] }), { ca: [CA, CA2] });
  assert.deepEqual(tls({ ca: [] }), { ca: [] });
  // Several certificates in one string (a bundle) stay one string.
  assert.deepEqual(tls({ ca: CA + CA2 }), { ca: [CA + CA2] });
  assert.deepEqual(tls({ cert: CERT, key: KEY }), { ca: [], cert: CERT, key: KEY });
  for (const key of [RSA_KEY, EC_KEY]) {
    assert.deepEqual(tls({ ca: CA, cert: CERT, key }), { ca: [CA], cert: CERT, key });
  }
  assert.deepEqual(tls({ ca: CA, serverName: "kafka.internal" }), {
    ca: [CA],
    serverName: "kafka.internal",
  });
  // Undefined fields count as absent.
  assert.deepEqual(tls({ ca: undefined, cert: undefined, key: undefined }), { ca: [] });
  new Producer({ bootstrapServers: BROKER, tls: { ca: CA, cert: CERT, key: KEY } }).close();
});

Deno.test("sasl: the good shapes resolve to their mechanism", () => {
  const sasl = (value: unknown) =>
    resolveConfig({ bootstrapServers: BROKER, sasl: value } as ProducerOptions).sasl;
  assert.equal(sasl(undefined), null);
  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
    assert.equal(sasl({ mechanism, username: "alice", password: PASSWORD })?.name, mechanism);
    // An empty password is the broker's to refuse.
    assert.equal(sasl({ mechanism, username: "alice", password: "" })?.name, mechanism);
  }
  const token = () => Promise.resolve(TOKEN);
  assert.equal(sasl({ mechanism: "OAUTHBEARER", token })?.name, "OAUTHBEARER");
  new Producer({
    bootstrapServers: BROKER,
    tls: true,
    sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: PASSWORD },
  }).close();
});
