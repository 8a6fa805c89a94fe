#!/usr/bin/env bash
# Installs what is missing, builds Postern (release) and runs it on
# http://127.0.0.1:3000 with an embedded SQLite file under ./data/.
# Add --demo to fill a demo organization first (its sign-in is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/install-deps.sh
cargo leptos build --release
export LEPTOS_SITE_ROOT=target/site
if [ "${1:-}" = "--demo" ]; then
  target/release/postern demo || true
fi
exec target/release/postern serve --bind "${POSTERN_BIND:-127.0.0.1:3000}"
