#!/usr/bin/env bash
# Proves that server-only crates never reach the browser's Wasm build.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(cargo tree -p app --target wasm32-unknown-unknown --no-default-features --features hydrate -e normal --prefix none)
if ! grep -q '^leptos ' <<<"$tree"; then
  echo "cargo tree printed no leptos: the check itself is broken" >&2
  exit 1
fi
forbidden=(sqlx sqlx-core argon2 lettre tokio mio axum hyper leptos_axum tower-http rumqttc)
found=0
for crate in "${forbidden[@]}"; do
  if grep -q "^$crate v" <<<"$tree"; then
    echo "FORBIDDEN in the Wasm build: $crate" >&2
    cargo tree -p app --target wasm32-unknown-unknown --no-default-features --features hydrate -i "$crate" >&2 || true
    found=1
  fi
done
if cargo tree -p app --target wasm32-unknown-unknown --no-default-features --features hydrate -i sqlx >/dev/null 2>&1; then
  echo "cargo tree -i sqlx found sqlx in the Wasm build" >&2
  found=1
fi
[ "$found" = 0 ] && echo "Wasm build is clean: none of ${forbidden[*]}"
exit "$found"
