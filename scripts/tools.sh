#!/usr/bin/env bash
# Pinned JavaScript runtimes and build tools for this repo, installed from the
# npm registry into the ignored folder <repo>/.tools (nothing global is touched).
#
#   bash scripts/tools.sh              install if needed, print the two binary paths
#   . scripts/tools.sh                 (bash) install if needed, put .tools/node_modules/.bin on PATH
#   bash scripts/tools.sh deno ARGS    run the pinned deno with ARGS (same for bun)
#   bash scripts/tools.sh node24       install Node 24 if needed (own prefix .tools/node24), print its path
#   bash scripts/tools.sh node24 ARGS  run it with ARGS
#   bash scripts/tools.sh tsc ARGS     the pinned TypeScript compiler (with @types/node, in
#                                      .tools/build), for `deno task build:npm`
#
# Node 24 has a prefix of its own: its `node` in .tools/node_modules/.bin would
# shadow the machine's Node (20) for npm and everything else on that PATH.
#
# Idempotent: when the binaries already report the pinned versions it does not
# touch the network (a couple of exec's, ~50 ms). Needs node + npm on PATH.
# Override the pins with DENO_VERSION / BUN_VERSION / NODE24_VERSION /
# TYPESCRIPT_VERSION / TYPES_NODE_VERSION.

__tools_main() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  local deno_version="${DENO_VERSION:-2.9.6}"
  local bun_version="${BUN_VERSION:-1.4.5}"
  local node24_version="${NODE24_VERSION:-24.21.0}"
  local typescript_version="${TYPESCRIPT_VERSION:-7.0.2}"
  local types_node_version="${TYPES_NODE_VERSION:-20.19.43}"
  local prefix="$root/.tools"
  local bin="$prefix/node_modules/.bin"
  local component="${1:-runtimes}"

  __tools_ok() {
    # The binaries must run and report the pinned versions.
    case "$1" in
      runtimes)
        local d b
        d="$("$bin/deno" --version 2>/dev/null | head -n1)" || return 1
        b="$("$bin/bun" --version 2>/dev/null)" || return 1
        [[ "$d" == "deno $deno_version "* && "$b" == "$bun_version" ]]
        ;;
      node24)
        [[ "$("$prefix/node24/node_modules/.bin/node" --version 2>/dev/null)" == "v$node24_version" ]]
        ;;
      build)
        [[ "$("$prefix/build/node_modules/.bin/tsc" --version 2>/dev/null)" == *" $typescript_version" ]] &&
          grep -q "\"version\": \"$types_node_version\"" \
            "$prefix/build/node_modules/@types/node/package.json" 2>/dev/null
        ;;
    esac
  }

  # __tools_install COMPONENT DIR PACKAGE@VERSION...: npm install into DIR, then check.
  __tools_install() {
    local what="$1" dir="$2"
    shift 2
    command -v npm >/dev/null 2>&1 || { echo "tools.sh: npm not found on PATH (need Node.js + npm)" >&2; return 1; }
    mkdir -p "$dir" || return 1
    (
      # Serialize concurrent installers (two test jobs starting at once).
      if command -v flock >/dev/null 2>&1; then
        exec 9>"$prefix/.lock"
        flock 9
      fi
      __tools_ok "$what" && exit 0
      echo "tools.sh: installing $* into $dir" >&2
      # Keep each prefix self-contained (a package.json here stops npm from walking up).
      [[ -f "$dir/package.json" ]] || printf '{\n  "private": true\n}\n' >"$dir/package.json"
      npm install --prefix "$dir" --no-fund --no-audit --no-save --loglevel=error "$@" >&2 || exit 1
      if [[ $what == runtimes ]] && ! __tools_ok runtimes; then
        # Fallback for npm setups that skip lifecycle scripts: run the packages'
        # own postinstall (both only copy/link the binary of the platform package).
        echo "tools.sh: binaries not usable after npm install; running the packages' postinstall scripts" >&2
        (cd "$dir/node_modules/deno" && node ./install.cjs) >&2 || true
        (cd "$dir/node_modules/bun" && node ./install.js) >&2 || true
      fi
      __tools_ok "$what" || {
        echo "tools.sh: install of $* finished, but the binaries do not report those versions" >&2
        exit 1
      }
    )
  }

  if ! __tools_ok "$component"; then
    case "$component" in
      runtimes) __tools_install runtimes "$prefix" "deno@$deno_version" "bun@$bun_version" ;;
      node24) __tools_install node24 "$prefix/node24" "node@$node24_version" ;;
      build) __tools_install build "$prefix/build" "typescript@$typescript_version" \
        "@types/node@$types_node_version" ;;
    esac || return 1
  fi

  if [[ $component == runtimes ]]; then
    case ":$PATH:" in
      *":$bin:"*) ;;
      *) export PATH="$bin:$PATH" ;;
    esac
  fi
  TOOLS_BIN="$bin"
  NODE24="$prefix/node24/node_modules/.bin/node"
  TSC="$prefix/build/node_modules/.bin/tsc"
  return 0
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: do not change the caller's shell options; just install + PATH.
  if __tools_main; then
    unset -f __tools_main __tools_ok __tools_install
    return 0
  fi
  unset -f __tools_main __tools_ok __tools_install
  return 1
fi

set -euo pipefail
case "${1:-}" in
  deno | bun | bunx)
    __tools_main
    tool="$1"
    shift
    exec "$TOOLS_BIN/$tool" "$@"
    ;;
  node24)
    __tools_main node24
    shift
    if [[ $# == 0 ]]; then echo "$NODE24"; else exec "$NODE24" "$@"; fi
    ;;
  tsc)
    __tools_main build
    shift
    exec "$TSC" "$@"
    ;;
  "")
    __tools_main
    echo "$TOOLS_BIN/deno"
    echo "$TOOLS_BIN/bun"
    ;;
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    ;;
  *)
    echo "tools.sh: unknown argument '$1' (expected nothing, deno|bun ARGS, node24 [ARGS] or tsc ARGS)" >&2
    exit 2
    ;;
esac
