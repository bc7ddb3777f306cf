#!/usr/bin/env bash
# Installs what the peer benchmark drivers need into <repo>/.cache/peers (ignored by git),
# from the package registries only, with pinned versions.
#
# Usage: bash bench/peers/install.sh [PEER...]     (no PEER = all of them)
#   java         Apache Kafka jars (KAFKA_VERSION, default 4.4.0; scripts/kafka.sh fetch; Maven Central)
#   librdkafka   Python venv .cache/peers/py with confluent-kafka (its wheel bundles librdkafka)
#   franz-go     builds bench/peers/franz-go into .cache/peers/bin/franz-go-perf (Go module proxy)
#   kafkajs      npm ci of bench/peers/node/package-lock.json into .cache/peers/node
#   platformatic the same npm install (it also brings Node 22 from the npm package node-linux-*)
#
# Idempotent: each peer keeps a stamp of its pinned inputs; when the stamp matches, nothing
# is downloaded or rebuilt. Progress goes to stderr. Needs Java 17 + Maven, Python 3 with venv,
# Go, Node + npm on PATH (only for the peers asked for).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$ROOT/.cache/peers}"
CONFLUENT_KAFKA_VERSION="2.16.1"
ALL_PEERS=(java librdkafka franz-go kafkajs platformatic)

say() { echo "install.sh: $*" >&2; }
die() { echo "install.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }

# stamp_ok NAME CONTENT: does the stamp NAME hold CONTENT?
stamp_ok() { [[ -f "$PEERS_DIR/.stamp-$1" && "$(cat "$PEERS_DIR/.stamp-$1")" == "$2" ]]; }
stamp_set() { printf '%s' "$2" >"$PEERS_DIR/.stamp-$1"; }
hash_files() { cat "$@" | sha256sum | cut -c1-16; }

install_java() {
  bash "$ROOT/scripts/kafka.sh" fetch
}

install_librdkafka() {
  local want="confluent-kafka==$CONFLUENT_KAFKA_VERSION py=$(python3 -c 'import sys; print(sys.version.split()[0])')"
  if stamp_ok py "$want" && "$PEERS_DIR/py/bin/python" -c 'import confluent_kafka' 2>/dev/null; then
    return 0
  fi
  need python3 "Python 3 with the venv module"
  say "installing confluent-kafka $CONFLUENT_KAFKA_VERSION (bundles librdkafka) into $PEERS_DIR/py"
  rm -rf "$PEERS_DIR/py"
  python3 -m venv "$PEERS_DIR/py"
  "$PEERS_DIR/py/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
    "confluent-kafka==$CONFLUENT_KAFKA_VERSION" >&2
  stamp_set py "$want"
}

install_franz_go() {
  local src="$HERE/franz-go" bin="$PEERS_DIR/bin/franz-go-perf" want
  want="$(hash_files "$src/main.go" "$src/go.mod" "$src/go.sum") $(go version 2>/dev/null || true)"
  if stamp_ok franz-go "$want" && [[ -x "$bin" ]]; then
    return 0
  fi
  need go "need Go 1.26+, the version franz-go v1.22 requires"
  say "building franz-go driver ($(awk '$2 == "github.com/twmb/franz-go" {print $2 "@" $3}' "$src/go.mod")) into $bin"
  mkdir -p "$PEERS_DIR/bin"
  # Modules go to .cache/peers/go; never download a different Go toolchain.
  (cd "$src" && GOTOOLCHAIN=local GOMODCACHE="$PEERS_DIR/go/mod" GOFLAGS="-mod=readonly -modcacherw" \
    go build -trimpath -o "$bin" .) >&2
  stamp_set franz-go "$want"
}

install_node() {
  local src="$HERE/node" dst="$PEERS_DIR/node" want
  want="$(hash_files "$src/package.json" "$src/package-lock.json")"
  if stamp_ok node "$want" && [[ -d "$dst/node_modules/kafkajs" ]]; then
    return 0
  fi
  need npm "Node.js with npm"
  say "installing kafkajs, @platformatic/kafka and Node 22 (npm package node-linux-*) into $dst"
  mkdir -p "$dst"
  cp "$src/package.json" "$src/package-lock.json" "$dst/"
  # Node 20 runs npm here while @platformatic/kafka declares node >= 22: the engine warning is expected.
  (cd "$dst" && npm ci --no-fund --no-audit --loglevel=error --engine-strict=false) >&2
  stamp_set node "$want"
}

main() {
  local peers=("$@") peer done_node=0
  ((${#peers[@]})) || peers=("${ALL_PEERS[@]}")
  mkdir -p "$PEERS_DIR"
  for peer in "${peers[@]}"; do
    case "$peer" in
      java) install_java ;;
      librdkafka) install_librdkafka ;;
      franz-go) install_franz_go ;;
      kafkajs | platformatic)
        ((done_node)) || install_node
        done_node=1
        ;;
      *) die "unknown peer '$peer' (expected one of: ${ALL_PEERS[*]})" ;;
    esac
  done
}

# One installer at a time (two benchmark runs starting together).
mkdir -p "$PEERS_DIR"
if command -v flock >/dev/null 2>&1; then
  exec 7>"$PEERS_DIR/.install.lock"
  flock 7
fi
main "$@"
