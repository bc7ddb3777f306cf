/**
 * lib/cli/args.ts: the command line into CliArgs — long flags with the value
 * next or after `=`, the one-letter aliases, repeated `--property`, `--help`
 * anywhere, and a UsageError for each mistake that names the flag (and the
 * closest known one) but never echoes a value.
 */
import assert from "node:assert/strict";
import { parseArgs, UsageError } from "../../lib/cli/mod.ts";

const base = ["produce", "--bootstrap-server", "127.0.0.1:9092", "--topic", "t"];

Deno.test("defaults: lines, no key separator, no TLS, not quiet, no properties", () => {
  const args = parseArgs(base);
  assert.equal(args.command, "produce");
  assert.equal(args.bootstrapServer, "127.0.0.1:9092");
  assert.equal(args.topic, "t");
  assert.equal(args.format, "lines");
  assert.equal(args.keySeparator, undefined);
  assert.equal(args.tls, false);
  assert.equal(args.quiet, false);
  assert.equal(args.progress, false);
  assert.deepEqual(args.properties, []);
});

Deno.test("every flag, with its value next or after =, and the short aliases", () => {
  const args = parseArgs([
    "produce",
    "-b",
    "h1:1,h2:2",
    "-t=orders",
    "--format=json",
    "--acks",
    "1",
    "--compression",
    "zstd",
    "--linger-ms",
    "20",
    "--batch-size=65536",
    "--property",
    "linger.ms=30",
    "--producer-property",
    "clientId=a=b",
    "--producer.config",
    "p.properties",
    "--tls",
    "--tls-ca",
    "ca.pem",
    "--tls-cert",
    "c.pem",
    "--tls-key",
    "k.pem",
    "--tls-server-name",
    "kafka.example.com",
    "--sasl-mechanism",
    "SCRAM-SHA-512",
    "--sasl-username",
    "alice",
    "--sasl-password=",
    "--sasl-token-file",
    "token.txt",
    "-q",
    "--progress",
  ]);
  assert.equal(args.bootstrapServer, "h1:1,h2:2");
  assert.equal(args.topic, "orders");
  assert.equal(args.format, "json");
  assert.equal(args.acks, "1");
  assert.equal(args.compression, "zstd");
  assert.equal(args.lingerMs, "20");
  assert.equal(args.batchSize, "65536");
  assert.deepEqual(args.properties, [["linger.ms", "30"], ["clientId", "a=b"]]);
  assert.equal(args.producerConfig, "p.properties");
  assert.equal(args.tls, true);
  assert.equal(args.tlsCa, "ca.pem");
  assert.equal(args.tlsCert, "c.pem");
  assert.equal(args.tlsKey, "k.pem");
  assert.equal(args.tlsServerName, "kafka.example.com");
  assert.equal(args.saslMechanism, "SCRAM-SHA-512");
  assert.equal(args.saslUsername, "alice");
  assert.equal(args.saslPassword, "", "an empty password is a password");
  assert.equal(args.saslTokenFile, "token.txt");
  assert.equal(args.quiet, true);
  assert.equal(args.progress, true);
});

Deno.test("a value that starts with -- needs =; a key separator may be anything", () => {
  assert.equal(parseArgs([...base, "--key-separator=--"]).keySeparator, "--");
  assert.equal(parseArgs([...base, "--key-separator", "\t"]).keySeparator, "\t");
  assert.equal(parseArgs([...base, "--key-separator", "-"]).keySeparator, "-");
  assert.throws(
    () => parseArgs([...base, "--key-separator", "--quiet"]),
    (e) =>
      e instanceof UsageError &&
      e.message ===
        "--key-separator needs a value (write --key-separator=VALUE for one that starts with --)",
  );
});

Deno.test("--help, -h and `help` anywhere ask for the usage", () => {
  assert.equal(parseArgs(["--help"]).command, "help");
  assert.equal(parseArgs(["-h"]).command, "help");
  assert.equal(parseArgs(["help"]).command, "help");
  assert.equal(parseArgs([...base, "--help"]).command, "help");
  assert.equal(parseArgs(["produce", "-h", "--nonsense"]).command, "help");
});

/** Asserts `argv` fails with exactly `message`. */
function refuses(argv: string[], message: string): void {
  assert.throws(() => parseArgs(argv), (e) => {
    assert.ok(e instanceof UsageError, `not a UsageError: ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("mistakes are UsageErrors naming the flag and the closest known one", () => {
  refuses([], "no command given: use `kafkats produce --bootstrap-server H:P --topic T`");
  refuses(
    ["consume"],
    "unknown command: the first argument must be `produce` (`kafkats --help` lists its options)",
  );
  refuses([...base, "--topik", "x"], "unknown option --topik; did you mean --topic?");
  refuses([...base, "--lingerms=5"], "unknown option --lingerms; did you mean --linger-ms?");
  refuses([...base, "--zzzzzz"], "unknown option --zzzzzz");
  refuses([...base, "-x"], "unknown option -x");
  refuses([...base, "--topic"], "--topic needs a value");
  refuses([...base, "--topic", "u"], "--topic is given twice");
  refuses([...base, "--quiet=yes"], "--quiet takes no value");
  refuses([...base, "--format", "csv"], '--format must be lines, json, raw, got "csv"');
  refuses(
    [...base, "--property", "linger.ms"],
    "--property takes KEY=VALUE (e.g. --property linger.ms=20)",
  );
  refuses(
    [...base, "--property", "=5"],
    "--property takes KEY=VALUE (e.g. --property linger.ms=20)",
  );
  refuses([...base, "--tls-ca="], "--tls-ca needs a non-empty value");
  refuses(
    [...base, "stray"],
    "unexpected argument 6 (produce takes no positional arguments; flags start with --)",
  );
});

Deno.test("no error shows a value: a mistyped password flag, a stray secret", () => {
  const secret = "hunter2-secret-value";
  for (
    const argv of [
      [...base, `--sasl-pasword=${secret}`],
      [...base, "--sasl-pasword", secret],
      [...base, "--sasl-password", "p", secret],
      [...base, "--sasl-password", secret, "--sasl-password", secret],
      [secret],
    ]
  ) {
    assert.throws(() => parseArgs(argv), (e) => {
      assert.ok(e instanceof UsageError);
      assert.ok(!e.message.includes(secret), `${argv.join(" ")}: ${e.message}`);
      return true;
    });
  }
});
