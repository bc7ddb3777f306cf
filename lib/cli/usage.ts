/**
 * The text `kafkats --help` prints.
 *
 * @module
 */
import { CLI_MAX_BLOCK_MS, PASSWORD_ENV, TOKEN_ENV } from "./options.ts";
import { INTERRUPT_CLOSE_MS } from "./produce.ts";

/**
 * The usage text.
 *
 * @example
 * ```ts
 * import { USAGE } from "@kafkats/producer/cli";
 * console.log(USAGE.split("\n")[0]); // "Usage: kafkats produce --bootstrap-server HOST:PORT[,…] --topic TOPIC [options] < input"
 * ```
 */
export const USAGE: string =
  `Usage: kafkats produce --bootstrap-server HOST:PORT[,…] --topic TOPIC [options] < input

Reads records from stdin and produces them to TOPIC, batched, with the
kafkats producer (Java's KafkaProducer settings and defaults).

Input:
  --format lines|json|raw     lines (default): one record per line, the value the line
                              without \\n or \\r\\n (an empty line is an empty value).
                              json: one object per line, {"key", "value", "headers",
                              "partition", "timestamp"}; value required (null: tombstone),
                              headers {"k":"v"} or [["k","v"],["k",null]], timestamp in
                              epoch ms; blank lines are skipped.
                              raw: all of stdin as one record.
  --key-separator S           lines: KEY S VALUE, split at the first S; a line without S
                              is an error (exit 3).

Producer:
  -b, --bootstrap-server H:P  brokers to bootstrap from (required)
  -t, --topic T               the topic (required)
  --acks all|-1|0|1           default all
  --compression C             none (default), gzip, snappy, lz4, zstd
  --linger-ms N               default 5
  --batch-size N              default 16384
  --property K=V              any producer option, camelCase or Java's name
                              (linger.ms=20, maxBlockMs=3000, enable.idempotence=false);
                              repeatable. Alias: --producer-property
  --producer.config FILE      a Java .properties file (bootstrap.servers, acks,
                              security.protocol, sasl.mechanism, sasl.jaas.config,
                              ssl.truststore.* of type PEM …). Alias: --command-config
                              Precedence: the file, then --property, then the flags.
  maxBlockMs defaults to ${CLI_MAX_BLOCK_MS} here (the library's is 60000): an unreachable
  broker fails after ${CLI_MAX_BLOCK_MS / 1000} s. --property max.block.ms=N changes it.

Security:
  --tls                       TLS, trusting the runtime's CA store
  --tls-ca FILE               PEM CA(s) to trust instead (implies --tls)
  --tls-cert FILE             PEM client certificate, for mutual TLS (with --tls-key)
  --tls-key FILE              its unencrypted PEM private key
  --tls-server-name NAME      the name the brokers' certificates must be valid for
  --sasl-mechanism M          PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER
  --sasl-username U
  --sasl-password P           better: the ${PASSWORD_ENV} environment variable
                              (a flag shows in the process list)
  --sasl-token T              OAUTHBEARER token (or ${TOKEN_ENV})
  --sasl-token-file FILE      OAUTHBEARER token, read again for each authentication

Output:
  On a terminal, stderr shows a progress line (acknowledged records and MiB, records/s,
  MiB/s, in flight, buffer used, errors), redrawn 4 times a second; at the end one
  summary line on stderr, terminal or not.
  -q, --quiet                 nothing but errors
  --progress                  the progress line even when stderr is not a terminal
  -h, --help                  this text

Exit status:
  0    every record read was acknowledged
  1    a record failed, or the broker was not reachable within maxBlockMs
  2    bad command line or producer options; nothing was sent
  3    a line could not become a record (named in the message); the lines
       before it were sent, nothing after it was read
  130  interrupted (SIGINT): reading stops, records in flight get ${
    INTERRUPT_CLOSE_MS / 1000
  } s to be
       acknowledged; a second SIGINT exits at once

Flags take their value as the next argument or after "=" (--key-separator=--).
`;
