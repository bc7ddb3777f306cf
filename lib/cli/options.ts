/**
 * What `produce` works from: the parsed command line, the `--producer.config`
 * file and the environment turned into {@link ProducerOptions} and the
 * CLI's own settings. Precedence, lowest first: the properties file, then
 * `--property` (in order), then the dedicated flags (`--acks`,
 * `--compression`, `--linger-ms`, `--batch-size`, `--tls-*`, `--sasl-*`,
 * `--bootstrap-server`). PEM files are read here, since the producer takes
 * PEM text.
 *
 * @module
 */
import type { ProducerOptions } from "../producer/config.ts";
import { DEFAULTS } from "../producer/defaults.ts";
import type { SaslOptions, TlsOptions } from "../producer/security.ts";
import type { CliArgs, InputFormat } from "./args.ts";
import { UsageError } from "./errors.ts";
import { javaSecurity, type PemSource, type SecuritySpec } from "./java_security.ts";
import {
  type LevelCodec,
  levelValue,
  optionValue,
  propertyTarget,
  type SettableOption,
  type SettableOptions,
} from "./properties.ts";
import { parsePropertiesFile } from "./properties_file.ts";

/** The CLI's default `maxBlockMs`: shorter than the library's 60 s, so an unreachable broker fails soon. */
export const CLI_MAX_BLOCK_MS = 10_000;

/** Environment variable read for the SASL password when `--sasl-password` is not given. */
export const PASSWORD_ENV = "KAFKATS_SASL_PASSWORD";

/** Environment variable read for the OAUTHBEARER token when neither `--sasl-token` nor `--sasl-token-file` is given. */
export const TOKEN_ENV = "KAFKATS_SASL_TOKEN";

/** What building the settings may use from the outside world. */
export interface SettingsIo {
  /** Reads a text file (PEM, properties, token). */
  readTextFile(path: string): Promise<string>;
  /** An environment variable, or undefined. */
  env(name: string): string | undefined;
}

/** Everything `produce` needs to run. */
export interface ProduceSettings {
  /** Options for the producer (not yet checked: the Producer's constructor does that). */
  readonly producer: ProducerOptions;
  /** The topic to write to. */
  readonly topic: string;
  /** The input format. */
  readonly format: InputFormat;
  /** `--key-separator`, or null. */
  readonly keySeparator: string | null;
  /** `--quiet`. */
  readonly quiet: boolean;
  /** `--progress`: the progress line even off a terminal. */
  readonly progress: boolean;
  /** The producer's `maxRequestSize` as it will be: the bound on one line or raw input. */
  readonly maxRequestSize: number;
  /** Settings that were skipped, one sentence each (printed unless `--quiet`). */
  readonly warnings: readonly string[];
}

/**
 * Builds the settings of a `produce` run.
 *
 * @example
 * ```ts
 * import { buildSettings, parseArgs } from "@kafkats/producer/cli";
 * const args = parseArgs(["produce", "-b", "127.0.0.1:9092", "-t", "logs", "--compression", "zstd"]);
 * const settings = await buildSettings(args, {
 *   readTextFile: (path) => Promise.reject(new Error(`no file ${path}`)),
 *   env: () => undefined,
 * });
 * console.log(settings.producer.compressionType, settings.producer.maxBlockMs); // "zstd" 10000
 * ```
 * @throws {UsageError} for a missing topic or broker, a bad property, a file
 *   that cannot be read, or security flags that do not fit together.
 */
export async function buildSettings(args: CliArgs, io: SettingsIo): Promise<ProduceSettings> {
  const options: SettableOptions = {};
  const levels: Partial<Record<LevelCodec, number>> = {};
  const security = new Map<string, string>();
  const warnings: string[] = [];
  const apply = (key: string, text: string, where: string) => {
    const target = propertyTarget(key, where);
    switch (target.kind) {
      case "option":
        set(options, target.option, optionValue(target.option, text, `${where} ${key}`));
        break;
      case "level":
        levels[target.codec] = levelValue(text, `${where} ${key}`);
        break;
      case "security":
        security.set(key, text);
        break;
      case "ignored":
        warnings.push(`${where} ${key} is ignored: ${target.why}`);
    }
  };

  let configSpec: SecuritySpec = {};
  if (args.producerConfig !== undefined) {
    const file = args.producerConfig;
    const text = await readFile(io, file, "--producer.config");
    for (const entry of parsePropertiesFile(text)) {
      apply(entry.key, entry.value, `${file}:${entry.line}:`);
    }
    configSpec = javaSecurity(security, file);
    security.clear();
  }
  for (const [key, text] of args.properties) apply(key, text, "--property");
  const propertySpec = javaSecurity(security, "--property");

  if (args.acks !== undefined) options.acks = optionValue("acks", args.acks, "--acks");
  if (args.compression !== undefined) {
    options.compressionType = optionValue("compressionType", args.compression, "--compression");
  }
  if (args.lingerMs !== undefined) {
    options.lingerMs = optionValue("lingerMs", args.lingerMs, "--linger-ms");
  }
  if (args.batchSize !== undefined) {
    options.batchSize = optionValue("batchSize", args.batchSize, "--batch-size");
  }
  if (args.bootstrapServer !== undefined) options.bootstrapServers = args.bootstrapServer;
  const codec = options.compressionType ?? DEFAULTS.compressionType;
  if (options.compressionLevel === undefined && codec !== "none" && codec !== "snappy") {
    const level = levels[codec];
    if (level !== undefined) options.compressionLevel = level;
  }
  options.maxBlockMs ??= CLI_MAX_BLOCK_MS;

  if (options.bootstrapServers === undefined) {
    throw new UsageError(
      "--bootstrap-server is required (host:port[,host:port…]; or bootstrap.servers in --producer.config)",
    );
  }
  if (args.topic === undefined) throw new UsageError("--topic is required");
  if (args.keySeparator !== undefined && args.format !== "lines") {
    throw new UsageError(
      `--key-separator applies to --format lines only (json lines carry their own key)`,
    );
  }

  const spec: SecuritySpec = { ...configSpec, ...defined(propertySpec), ...flagSpec(args) };
  const secure = await resolveSecurity(spec, io);
  const producer: ProducerOptions = {
    ...(options as ProducerOptions),
    ...(secure.tls === undefined ? {} : { tls: secure.tls }),
    ...(secure.sasl === undefined ? {} : { sasl: secure.sasl }),
  };
  return {
    producer,
    topic: args.topic,
    format: args.format,
    keySeparator: args.keySeparator ?? null,
    quiet: args.quiet,
    progress: args.progress,
    maxRequestSize: options.maxRequestSize ?? DEFAULTS.maxRequestSize,
    warnings,
  };
}

function set<K extends SettableOption>(
  options: SettableOptions,
  option: K,
  value: SettableOptions[K],
): void {
  options[option] = value;
}

/** The fields of `spec` that are set (so a spread does not unset earlier ones). */
function defined(spec: SecuritySpec): SecuritySpec {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
}

/** The security the flags ask for. */
function flagSpec(args: CliArgs): SecuritySpec {
  const spec: SecuritySpec = {};
  if (args.tls) spec.tls = true;
  if (args.tlsCa !== undefined) spec.ca = { file: args.tlsCa };
  if (args.tlsCert !== undefined) spec.cert = { file: args.tlsCert };
  if (args.tlsKey !== undefined) spec.key = { file: args.tlsKey };
  if (args.tlsServerName !== undefined) spec.serverName = args.tlsServerName;
  if (
    args.tlsCa !== undefined || args.tlsCert !== undefined || args.tlsKey !== undefined ||
    args.tlsServerName !== undefined
  ) spec.tls = true;
  if (args.saslMechanism !== undefined) spec.mechanism = args.saslMechanism;
  if (args.saslUsername !== undefined) spec.username = args.saslUsername;
  if (args.saslPassword !== undefined) spec.password = args.saslPassword;
  if (args.saslToken !== undefined) spec.token = args.saslToken;
  if (args.saslTokenFile !== undefined) spec.tokenFile = args.saslTokenFile;
  return spec;
}

const PASSWORD_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

/** The producer's `tls` and `sasl` options for `spec`, reading its files. */
async function resolveSecurity(
  spec: SecuritySpec,
  io: SettingsIo,
): Promise<{ tls?: TlsOptions; sasl?: SaslOptions }> {
  const result: { tls?: TlsOptions; sasl?: SaslOptions } = {};
  if (spec.tls === true) {
    const tls: { ca?: string; cert?: string; key?: string; serverName?: string } = {};
    if (spec.ca !== undefined) tls.ca = await pem(spec.ca, io, "--tls-ca");
    if (spec.keystoreFile !== undefined) {
      const text = await readFile(io, spec.keystoreFile, "ssl.keystore.location");
      tls.cert = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/)?.[0];
      tls.key = text.match(
        /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/,
      )
        ?.[0];
      if (tls.cert === undefined || tls.key === undefined) {
        throw new UsageError(
          `ssl.keystore.location ${spec.keystoreFile}: a PEM keystore holds the private key and its certificate chain; this file lacks ${
            tls.cert === undefined ? "a certificate" : "a private key"
          }`,
        );
      }
    }
    if (spec.cert !== undefined) tls.cert = await pem(spec.cert, io, "--tls-cert");
    if (spec.key !== undefined) tls.key = await pem(spec.key, io, "--tls-key");
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      throw new UsageError(
        tls.cert === undefined
          ? "--tls-key is given without --tls-cert: a client certificate needs both"
          : "--tls-cert is given without --tls-key: a client certificate needs both",
      );
    }
    if (spec.serverName !== undefined) tls.serverName = spec.serverName;
    result.tls = Object.keys(tls).length === 0 ? true : tls;
  } else if (spec.ca !== undefined || spec.cert !== undefined || spec.key !== undefined) {
    throw new UsageError(
      "TLS files are given but security.protocol says no TLS (PLAINTEXT or SASL_PLAINTEXT)",
    );
  }

  const wantsSasl = spec.saslRequired === true || spec.mechanism !== undefined ||
    spec.username !== undefined || spec.password !== undefined || spec.token !== undefined ||
    spec.tokenFile !== undefined;
  if (spec.saslRequired === false && spec.mechanism !== undefined) {
    throw new UsageError(
      "--sasl-mechanism is given but security.protocol says no SASL (PLAINTEXT or SSL)",
    );
  }
  if (!wantsSasl) return result;
  const mechanism = spec.mechanism?.toUpperCase();
  if (mechanism === undefined) {
    throw new UsageError(
      "--sasl-mechanism is required with SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)",
    );
  }
  if (mechanism === "OAUTHBEARER") {
    if (spec.username !== undefined || spec.password !== undefined) {
      throw new UsageError(
        "OAUTHBEARER takes a token (--sasl-token, --sasl-token-file or KAFKATS_SASL_TOKEN), not a username or password",
      );
    }
    if (spec.token !== undefined && spec.tokenFile !== undefined) {
      throw new UsageError("give --sasl-token or --sasl-token-file, not both");
    }
    const tokenFile = spec.tokenFile;
    if (tokenFile !== undefined) {
      const first = (await readFile(io, tokenFile, "--sasl-token-file")).trim();
      if (first === "") throw new UsageError(`--sasl-token-file ${tokenFile} is empty`);
      // Read again for each authentication: a sidecar may refresh the file.
      result.sasl = {
        mechanism: "OAUTHBEARER",
        token: async () => (await io.readTextFile(tokenFile)).trim(),
      };
      return result;
    }
    const token = spec.token ?? io.env(TOKEN_ENV);
    if (token === undefined || token === "") {
      throw new UsageError(
        `OAUTHBEARER needs a token: --sasl-token-file FILE, the ${TOKEN_ENV} environment variable, or --sasl-token`,
      );
    }
    result.sasl = { mechanism: "OAUTHBEARER", token: () => Promise.resolve(token) };
    return result;
  }
  if (!PASSWORD_MECHANISMS.includes(mechanism)) {
    throw new UsageError(
      `--sasl-mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER, got "${
        spec.mechanism!.slice(0, 40)
      }"`,
    );
  }
  if (spec.token !== undefined || spec.tokenFile !== undefined) {
    throw new UsageError(`${mechanism} takes a username and password, not a token`);
  }
  if (spec.username === undefined || spec.username === "") {
    throw new UsageError(`--sasl-username is required for ${mechanism}`);
  }
  const password = spec.password ?? io.env(PASSWORD_ENV);
  if (password === undefined) {
    throw new UsageError(
      `${mechanism} needs a password: set the ${PASSWORD_ENV} environment variable (or --sasl-password, which other users may see in the process list)`,
    );
  }
  result.sasl = {
    mechanism: mechanism as "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512",
    username: spec.username,
    password,
  };
  return result;
}

async function pem(source: PemSource, io: SettingsIo, flag: string): Promise<string> {
  return "pem" in source ? source.pem : await readFile(io, source.file, flag);
}

/** A file's text; a {@link UsageError} naming the flag and the path if it cannot be read. */
async function readFile(io: SettingsIo, path: string, flag: string): Promise<string> {
  try {
    return await io.readTextFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === "ENOENT"
      ? "no such file"
      : code === "EACCES"
      ? "permission denied"
      : code === "EISDIR"
      ? "it is a directory"
      : (error as Error).message?.split("\n")[0] ?? String(error);
    throw new UsageError(`${flag} ${path}: cannot read it (${why})`);
  }
}
