#!/usr/bin/env bash
# Pinned JavaScript runtimes for this repo, installed from the npm registry into
# the ignored folder <repo>/.tools (nothing global is touched).
#
#   bash scripts/tools.sh              install if needed, print the two binary paths
#   . scripts/tools.sh                 (bash) install if needed, put .tools/node_modules/.bin on PATH
#   bash scripts/tools.sh deno ARGS    run the pinned deno with ARGS (same for bun)
#
# Idempotent: when both binaries already report the pinned versions it does not
# touch the network (a couple of exec's, ~50 ms). Needs node + npm on PATH.
# Override the pins with DENO_VERSION / BUN_VERSION.

__tools_main() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  local deno_version="${DENO_VERSION:-2.9.6}"
  local bun_version="${BUN_VERSION:-1.4.5}"
  local prefix="$root/.tools"
  local bin="$prefix/node_modules/.bin"

  __tools_ok() {
    # The binaries must run and report the pinned versions.
    local d b
    d="$("$bin/deno" --version 2>/dev/null | head -n1)" || return 1
    b="$("$bin/bun" --version 2>/dev/null)" || return 1
    [[ "$d" == "deno $deno_version "* && "$b" == "$bun_version" ]]
  }

  if ! __tools_ok; then
    command -v npm >/dev/null 2>&1 || { echo "tools.sh: npm not found on PATH (need Node.js + npm)" >&2; return 1; }
    mkdir -p "$prefix" || return 1
    (
      # Serialize concurrent installers (two test jobs starting at once).
      if command -v flock >/dev/null 2>&1; then
        exec 9>"$prefix/.lock"
        flock 9
      fi
      __tools_ok && exit 0
      echo "tools.sh: installing deno@$deno_version bun@$bun_version into $prefix" >&2
      # Keep .tools self-contained (a package.json here stops npm from walking up).
      [[ -f "$prefix/package.json" ]] || printf '{\n  "private": true\n}\n' >"$prefix/package.json"
      npm install --prefix "$prefix" --no-fund --no-audit --no-save --loglevel=error \
        "deno@$deno_version" "bun@$bun_version" >&2 || exit 1
      if ! __tools_ok; then
        # Fallback for npm setups that skip lifecycle scripts: run the packages'
        # own postinstall (both only copy/link the binary of the platform package).
        echo "tools.sh: binaries not usable after npm install; running the packages' postinstall scripts" >&2
        (cd "$prefix/node_modules/deno" && node ./install.cjs) >&2 || true
        (cd "$prefix/node_modules/bun" && node ./install.js) >&2 || true
      fi
      __tools_ok || {
        echo "tools.sh: install finished but deno/bun do not report $deno_version/$bun_version:" >&2
        "$bin/deno" --version >&2 || true
        "$bin/bun" --version >&2 || true
        exit 1
      }
    ) || return 1
  fi

  case ":$PATH:" in
    *":$bin:"*) ;;
    *) export PATH="$bin:$PATH" ;;
  esac
  TOOLS_BIN="$bin"
  return 0
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: do not change the caller's shell options; just install + PATH.
  if __tools_main; then
    unset -f __tools_main __tools_ok
    return 0
  fi
  unset -f __tools_main __tools_ok
  return 1
fi

set -euo pipefail
__tools_main
case "${1:-}" in
  deno | bun | bunx)
    tool="$1"
    shift
    exec "$TOOLS_BIN/$tool" "$@"
    ;;
  "")
    echo "$TOOLS_BIN/deno"
    echo "$TOOLS_BIN/bun"
    ;;
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    ;;
  *)
    echo "tools.sh: unknown argument '$1' (expected nothing, deno ARGS or bun ARGS)" >&2
    exit 2
    ;;
esac
