# workerd config for `deno task test:edge` (tests/edge/run.ts): one Worker,
# (twice) tests/edge/worker.ts bundled into worker.js beside a copy of this file, served
# over HTTP on the addresses run.ts gives: `http` on compatibility date
# 2024-09-23 with nodejs_compat (the oldest that has everything), `http-latest`
# on the binary's own date.
#
#   workerd serve config.capnp --socket-addr http=127.0.0.1:P1 --socket-addr http-latest=127.0.0.1:P2
#
# The Worker's outbound network (`internet`, which cloudflare:sockets connect()
# also goes through) allows local addresses: the default one allows only public
# ones, and a connect() to 127.0.0.1 is refused. Its TLS trusts the test CA
# and presents the test client certificate (ca.pem, client.pem, client.key,
# copied from the secure broker's run dir; run.ts drops the `edge:ca` lines
# when no secure broker runs): cloudflare:sockets takes neither per socket.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .producer),
    (name = "latest", worker = .producerLatest),
    (name = "internet", network = (
      allow = ["public", "local"],
      tlsOptions = (
        trustBrowserCas = true,
        trustedCertificates = [embed "ca.pem"], # edge:ca
        keypair = (privateKey = embed "client.key", certificateChain = embed "client.pem"), # edge:ca
      ),
    )),
    # The same without the test CA: `tls: true` through it must be refused.
    (name = "untrusting", network = (
      allow = ["public", "local"],
      tlsOptions = (trustBrowserCas = true),
    )),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8080", http = (), service = "main"),
    (name = "http-latest", address = "127.0.0.1:8081", http = (), service = "latest"),
  ],
);

const producer :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  # nodejs_compat: lib/ imports node:zlib (gzip, zstd), node:net and node:tls
  # (the Node transport, unused here) statically; without it the Worker does not
  # load ("No such module node:net"). 2024-09-23 is the first date on which
  # nodejs_compat includes node:zlib (before it gzip and zstd fail: flag
  # nodejs_zlib not enabled); from 2022-11-30 (the standard stream constructors)
  # plaintext and the other codecs work; before it, connections hang.
  compatibilityDate = "2024-09-23",
  compatibilityFlags = ["nodejs_compat"],
  bindings = .bindings,
);

# The same Worker on the binary's own compatibility date, where nodejs_compat is
# the default (from 2026-08-04) and process.versions.node is set.
const producerLatest :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2026-11-17",
  bindings = .bindings,
);

const bindings :List(Workerd.Worker.Binding) = [
  (name = "KAFKA_BOOTSTRAP", fromEnvironment = "KAFKA_BOOTSTRAP"),
  (name = "KAFKA_SASL_PLAINTEXT", fromEnvironment = "KAFKA_SASL_PLAINTEXT"),
  (name = "KAFKA_SASL_SSL", fromEnvironment = "KAFKA_SASL_SSL"),
  (name = "KAFKA_SSL", fromEnvironment = "KAFKA_SSL"),
  (name = "KAFKA_SASL_USERNAME", fromEnvironment = "KAFKA_SASL_USERNAME"),
  (name = "KAFKA_SASL_PASSWORD", fromEnvironment = "KAFKA_SASL_PASSWORD"),
  # A Fetcher whose connect() goes out through the network without the test CA.
  (name = "UNTRUSTING", service = "untrusting"),
];
