/**
 * `kafkats produce` over the secure listeners (`kafka.sh up --secure`):
 * SASL_SSL with SCRAM-SHA-512, the password from KAFKATS_SASL_PASSWORD;
 * the same from a Java properties file (`--producer.config`:
 * security.protocol, sasl.mechanism, sasl.jaas.config, a PEM truststore);
 * mutual TLS on the SSL listener (`--tls-ca`, `--tls-cert`, `--tls-key`);
 * a wrong password refused at once (exit 1, SaslAuthenticationError). The
 * password and the key appear nowhere in stdout or stderr. Kafka's Java
 * consumer reads the records back.
 */
import assert from "node:assert/strict";
import { createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { type CliResult, fromBase64, runCli } from "../support/cli.ts";
import { secureBroker } from "../support/secure_broker.ts";

const secure = secureBroker();

/** Asserts that no secret shows in a run's output. */
function noSecrets(run: CliResult, secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!run.stdout.includes(secret), "a secret in stdout");
    assert.ok(!run.stderr.includes(secret), "a secret in stderr");
  }
}

Deno.test({
  name: "produce over SASL_SSL (SCRAM-SHA-512, env password; a properties file) and mutual TLS",
  ignore: secure === null,
  sanitizeResources: false,
  async fn(t) {
    const s = secure!;
    const dir = await Deno.makeTempDir({ prefix: "kafkats-cli-secure-" });
    try {
      const ca = `${dir}/ca.pem`;
      const cert = `${dir}/client.pem`;
      const key = `${dir}/client.key`;
      await Deno.writeTextFile(ca, s.ca);
      await Deno.writeTextFile(cert, s.clientCert);
      await Deno.writeTextFile(key, s.clientKey);
      const keyBody = s.clientKey.split("\n")[1];
      const secrets = [s.password, keyBody];
      const topic = uniqueTopic("cli-secure");
      await createTopic(topic, 1);
      const expected: string[] = [];

      await t.step("SASL_SSL, SCRAM-SHA-512, password from KAFKATS_SASL_PASSWORD", async () => {
        const run = await runCli([
          "produce",
          "-b",
          s.saslSsl,
          "-t",
          topic,
          "--tls-ca",
          ca,
          "--sasl-mechanism",
          "SCRAM-SHA-512",
          "--sasl-username",
          s.username,
        ], { stdin: "scram-1\nscram-2\n", env: { KAFKATS_SASL_PASSWORD: s.password } });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /^kafkats: 2 records acknowledged /);
        noSecrets(run, secrets);
        expected.push("scram-1", "scram-2");
      });

      await t.step("the same from a Java properties file (--producer.config)", async () => {
        const properties = `${dir}/client.properties`;
        await Deno.writeTextFile(
          properties,
          [
            `bootstrap.servers=${s.saslSsl}`,
            "security.protocol=SASL_SSL",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
            `  username="${s.username}" password="${s.password}";`,
            "ssl.truststore.type=PEM",
            `ssl.truststore.location=${ca}`,
            "key.serializer=org.apache.kafka.common.serialization.StringSerializer",
            "linger.ms=10",
          ].join("\n"),
        );
        const run = await runCli(["produce", "--producer.config", properties, "-t", topic], {
          stdin: "file-1\n",
        });
        assert.equal(run.code, 0, run.stderr);
        const [warning, summary] = run.stderr.split("\n");
        assert.equal(
          warning,
          `kafkats: warning: ${properties}:8: key.serializer is ignored: the CLI sends keys as the bytes it reads`,
        );
        assert.match(summary, /^kafkats: 1 record acknowledged /);
        noSecrets(run, secrets);
        expected.push("file-1");
      });

      await t.step("SSL with a client certificate (--tls-ca, --tls-cert, --tls-key)", async () => {
        const run = await runCli([
          "produce",
          "-b",
          s.ssl,
          "-t",
          topic,
          "--tls-ca",
          ca,
          "--tls-cert",
          cert,
          "--tls-key",
          key,
        ], { stdin: "mtls-1\n" });
        assert.equal(run.code, 0, run.stderr);
        noSecrets(run, secrets);
        expected.push("mtls-1");
      });

      await t.step(
        "a wrong password: exit 1 at once, SaslAuthenticationError, no password shown",
        async () => {
          const wrong = `wrong-${crypto.randomUUID()}`;
          const run = await runCli([
            "produce",
            "-b",
            s.saslSsl,
            "-t",
            topic,
            "--tls-ca",
            ca,
            "--sasl-mechanism",
            "SCRAM-SHA-512",
            "--sasl-username",
            s.username,
            `--sasl-password=${wrong}`,
          ], { stdin: "never\n" });
          assert.equal(run.code, 1, run.stderr);
          assert.match(
            run.stderr,
            /^kafkats: error: SaslAuthenticationError: .*SASL_AUTHENTICATION_FAILED/,
          );
          assert.match(
            run.stderr,
            /kafkats: 0 of 1 records acknowledged .*; 1 not acknowledged\n$/,
          );
          assert.ok(run.ms < 8000, `refused at once, not after maxBlockMs: ${run.ms} ms`);
          noSecrets(run, [...secrets, wrong]);
        },
      );

      await t.step("Kafka's Java consumer reads every record back", async () => {
        const consumed = await readBack(topic, expected.length);
        assert.deepEqual(consumed.map((r) => fromBase64(r.v)), expected);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
