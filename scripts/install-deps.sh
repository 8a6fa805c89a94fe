#!/usr/bin/env bash
# Installs everything Postern needs to build, run and test on a fresh Debian machine.
# Idempotent: each step checks first, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must match the `wasm-bindgen = "=…"` pin in Cargo.toml
CARGO_LEPTOS_VERSION=0.3.10    # 0.3.11 needs a newer rustc than 1.95
BINARYEN_VERSION=132.0.0       # Debian's wasm-opt 108 breaks recent wasm-bindgen output
AIOSMTPD_VERSION=1.4.6         # the loopback SMTP server of server/tests/messaging.rs
SCHEMATHESIS_VERSION=4.32.5    # API fuzzing against /api/openapi.json (scripts/schemathesis.sh)
KISI_CLIENT_VERSION=1.4        # the PyPI `kisi` client of server/tests/kisi_pypi_client.rs

log() { printf '\033[1m[install]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Debian packages: Chromium for Playwright, SQLite tools; never the binaryen package.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if dpkg -s binaryen >/dev/null 2>&1; then
  log "removing Debian's binaryen (its wasm-opt breaks release builds)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq binaryen
fi

# Rust wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# wasm-opt from npm (cargo-leptos takes the first wasm-opt on PATH).
NPM_PREFIX="$(npm prefix -g)"
if ! "$NPM_PREFIX/bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  log "npm install -g binaryen@$BINARYEN_VERSION"
  npm install -g --no-fund --no-audit "binaryen@$BINARYEN_VERSION" >/dev/null
fi

# wasm-bindgen CLI, pinned to the crate version.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~4 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# cargo-leptos, built with cheap release settings (same output, half the time).
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (~18 min, once per machine)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --force
fi

# Playwright from the committed lockfile (uses Debian's Chromium; no browser download).
if [ -f end2end/package-lock.json ]; then
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "npm ci in end2end/"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-fund --no-audit)
  fi
fi
# Python venv with aiosmtpd, the real SMTP server scripts/smtp-sink.py runs
# for the messaging tests (found at .tools/venv/bin/python3).
VENV=.tools/venv
if ! "$VENV/bin/python3" -c "import sys, aiosmtpd; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  log "python3 -m venv $VENV && pip install aiosmtpd==$AIOSMTPD_VERSION"
  python3 -m venv "$VENV"
  "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi
# schemathesis in the same venv (its `st` command), for scripts/schemathesis.sh.
if ! "$VENV/bin/st" --version 2>/dev/null | grep -qx "st, version $SCHEMATHESIS_VERSION"; then
  log "pip install schemathesis==$SCHEMATHESIS_VERSION into $VENV"
  "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
# The PyPI `kisi` client in the same venv, for server/tests/kisi_pypi_client.rs
# (scripts/kisi-pypi-client.py runs it against a test server).
if ! "$VENV/bin/python3" -c "import sys, importlib.metadata as m; sys.exit(m.version('kisi') != '$KISI_CLIENT_VERSION')" 2>/dev/null; then
  log "pip install kisi==$KISI_CLIENT_VERSION into $VENV"
  "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "kisi==$KISI_CLIENT_VERSION"
fi
log "tools ready"
