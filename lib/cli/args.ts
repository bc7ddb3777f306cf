/**
 * The command line, parsed: `kafkats produce --flag value …` into
 * {@link CliArgs}. Values stay strings here; options.ts turns them into
 * producer options. Errors are {@link UsageError}s naming the flag (and the
 * closest known one), never its value: it may be a password or a token.
 *
 * @module
 */
import { closestName } from "../util/closest.ts";
import { UsageError } from "./errors.ts";

/** The input formats of `produce`. */
export type InputFormat = "lines" | "json" | "raw";

/** What the command line asked for. */
export interface CliArgs {
  /** `produce`, or `help` (`--help`, `-h`, `kafkats help`). */
  readonly command: "produce" | "help";
  /** `--bootstrap-server` (`-b`): `host:port[,host:port…]`. */
  readonly bootstrapServer?: string;
  /** `--topic` (`-t`). */
  readonly topic?: string;
  /** `--format`: `lines` (default), `json` or `raw`. */
  readonly format: InputFormat;
  /** `--key-separator`: splits each line at its first occurrence into key and value. */
  readonly keySeparator?: string;
  /** `--acks`. */
  readonly acks?: string;
  /** `--compression`. */
  readonly compression?: string;
  /** `--linger-ms`. */
  readonly lingerMs?: string;
  /** `--batch-size`. */
  readonly batchSize?: string;
  /** `--property K=V` (`--producer-property`), in command-line order. */
  readonly properties: readonly (readonly [string, string])[];
  /** `--producer.config FILE` (`--command-config`): a Java properties file. */
  readonly producerConfig?: string;
  /** `--tls`: TLS with the runtime's CA store (implied by the other `--tls-*` flags). */
  readonly tls: boolean;
  /** `--tls-ca FILE`: PEM CA(s) to trust instead of the runtime's store. */
  readonly tlsCa?: string;
  /** `--tls-cert FILE`: PEM client certificate (mutual TLS). */
  readonly tlsCert?: string;
  /** `--tls-key FILE`: PEM private key of the client certificate. */
  readonly tlsKey?: string;
  /** `--tls-server-name NAME`: the name to verify the brokers' certificates for. */
  readonly tlsServerName?: string;
  /** `--sasl-mechanism`. */
  readonly saslMechanism?: string;
  /** `--sasl-username`. */
  readonly saslUsername?: string;
  /** `--sasl-password` (better: the `KAFKATS_SASL_PASSWORD` environment variable). */
  readonly saslPassword?: string;
  /** `--sasl-token` (OAUTHBEARER; or `KAFKATS_SASL_TOKEN`). */
  readonly saslToken?: string;
  /** `--sasl-token-file FILE` (OAUTHBEARER; read again for each authentication). */
  readonly saslTokenFile?: string;
  /** `--quiet` (`-q`): print nothing but errors. */
  readonly quiet: boolean;
  /** `--progress`: draw the progress line even when stderr is not a terminal. */
  readonly progress: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The fields a flag with a value sets. */
type ValueField = Exclude<
  {
    [K in keyof CliArgs]-?: CliArgs[K] extends string | undefined ? K : never;
  }[keyof CliArgs],
  "command"
>;

/** How each flag is read: into a string field, a boolean, or the repeated properties. */
type FlagSpec =
  | { readonly kind: "value"; readonly field: ValueField }
  | { readonly kind: "bool"; readonly field: "tls" | "quiet" | "progress" }
  | { readonly kind: "property" }
  | { readonly kind: "config" }
  | { readonly kind: "help" };

const value = (field: ValueField): FlagSpec => ({ kind: "value", field });

/** Every flag of `produce`, by its long name (without `--`). */
const FLAGS: Readonly<Record<string, FlagSpec>> = {
  "bootstrap-server": value("bootstrapServer"),
  topic: value("topic"),
  format: value("format"),
  "key-separator": value("keySeparator"),
  acks: value("acks"),
  compression: value("compression"),
  "linger-ms": value("lingerMs"),
  "batch-size": value("batchSize"),
  property: { kind: "property" },
  "producer-property": { kind: "property" },
  "producer.config": { kind: "config" },
  "command-config": { kind: "config" },
  tls: { kind: "bool", field: "tls" },
  "tls-ca": value("tlsCa"),
  "tls-cert": value("tlsCert"),
  "tls-key": value("tlsKey"),
  "tls-server-name": value("tlsServerName"),
  "sasl-mechanism": value("saslMechanism"),
  "sasl-username": value("saslUsername"),
  "sasl-password": value("saslPassword"),
  "sasl-token": value("saslToken"),
  "sasl-token-file": value("saslTokenFile"),
  quiet: { kind: "bool", field: "quiet" },
  progress: { kind: "bool", field: "progress" },
  help: { kind: "help" },
};

/** One-letter aliases. */
const SHORT: Readonly<Record<string, string>> = {
  "-b": "bootstrap-server",
  "-t": "topic",
  "-q": "quiet",
  "-h": "help",
};

const FORMATS: readonly InputFormat[] = ["lines", "json", "raw"];

/**
 * Parses the arguments after the program name. A flag's value follows it
 * (`--topic orders`) or is joined with `=` (`--topic=orders`; needed for a
 * value that starts with `--`). Single-valued flags may be given once;
 * `--property` repeats.
 *
 * @example
 * ```ts
 * import { parseArgs } from "@kafkats/producer/cli";
 * const args = parseArgs(["produce", "-b", "127.0.0.1:9092", "-t", "orders", "--property", "linger.ms=20"]);
 * console.log(args.topic, args.properties); // "orders" [["linger.ms", "20"]]
 * ```
 * @throws {UsageError} naming the flag at fault.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args: Mutable<CliArgs> = {
    command: "produce",
    format: "lines",
    properties: [],
    tls: false,
    quiet: false,
    progress: false,
  };
  if (argv.length === 0) {
    throw new UsageError(
      "no command given: use `kafkats produce --bootstrap-server H:P --topic T`",
    );
  }
  const [command, ...rest] = argv;
  if (command === "help" || command === "--help" || command === "-h") {
    return { ...args, command: "help" };
  }
  if (command !== "produce") {
    // Not echoed: a mistyped command line may put a secret first.
    throw new UsageError(
      "unknown command: the first argument must be `produce` (`kafkats --help` lists its options)",
    );
  }
  const properties: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith("-")) {
      throw new UsageError(
        `unexpected argument ${i + 2} (produce takes no positional arguments; flags start with --)`,
      );
    }
    const equals = arg.indexOf("=");
    const written = equals < 0 ? arg : arg.slice(0, equals);
    const name = SHORT[written] ?? (written.startsWith("--") ? written.slice(2) : "");
    const spec = Object.hasOwn(FLAGS, name) ? FLAGS[name] : undefined;
    if (spec === undefined) throw unknownFlag(written);
    const flag = `--${name}`;
    if (spec.kind === "help") return { ...args, command: "help" };
    if (spec.kind === "bool") {
      if (equals >= 0) throw new UsageError(`${flag} takes no value`);
      args[spec.field] = true;
      continue;
    }
    let text: string;
    if (equals >= 0) {
      text = arg.slice(equals + 1);
    } else {
      const next = rest[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new UsageError(
          `${flag} needs a value${
            next === undefined ? "" : ` (write ${flag}=VALUE for one that starts with --)`
          }`,
        );
      }
      text = next;
      i++;
    }
    if (spec.kind === "property") {
      properties.push(parseProperty(text, flag));
      continue;
    }
    const field = spec.kind === "config" ? "producerConfig" : spec.field;
    if (seen.has(field)) throw new UsageError(`${flag} is given twice`);
    seen.add(field);
    if (field === "format") {
      if (!(FORMATS as readonly string[]).includes(text)) {
        throw new UsageError(
          `--format must be ${FORMATS.join(", ")}, got "${text.slice(0, 40)}"`,
        );
      }
      args.format = text as InputFormat;
    } else if (text === "" && field !== "saslPassword") {
      throw new UsageError(`${flag} needs a non-empty value`);
    } else {
      args[field] = text;
    }
  }
  args.properties = properties;
  return args;
}

/** `K=V` of `--property`. */
function parseProperty(text: string, flag: string): [string, string] {
  const equals = text.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(`${flag} takes KEY=VALUE (e.g. ${flag} linger.ms=20)`);
  }
  return [text.slice(0, equals).trim(), text.slice(equals + 1)];
}

function unknownFlag(written: string): UsageError {
  const bare = written.replace(/^-+/, "");
  const closest = closestName(bare, Object.keys(FLAGS));
  const shown = written.slice(0, 60);
  return new UsageError(
    `unknown option ${shown}${closest === null ? "" : `; did you mean --${closest}?`}`,
  );
}
