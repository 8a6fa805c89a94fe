#!/usr/bin/env bash
# The whole test suite: unit and property tests, integration tests on SQLite
# and PostgreSQL, the Wasm dependency check, API fuzzing (schemathesis) and
# Playwright in Chromium.
# Installs what is missing first; a second run skips the installs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
started=$(date +%s)

step "Installing what is missing"
scripts/install-deps.sh

step "Checking that server-only crates stay out of the Wasm build"
scripts/check-wasm-deps.sh

step "Making sure PostgreSQL answers"
scripts/ensure-postgres.sh
PG_ADMIN_URL="${POSTERN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
export POSTERN_TEST_POSTGRES_URL="$PG_ADMIN_URL"
RUN_DB="postern_run_$(date +%s)_$$"
psql "$PG_ADMIN_URL/postgres" -qc "CREATE DATABASE $RUN_DB" >/dev/null
cleanup() { psql "$PG_ADMIN_URL/postgres" -qc "DROP DATABASE IF EXISTS $RUN_DB WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "Unit, property and integration tests (SQLite and PostgreSQL)"
cargo nextest run -p postern -p server --no-fail-fast

step "Building the site (cargo-leptos)"
cargo leptos build

step "API fuzzing (schemathesis)"
scripts/schemathesis.sh

step "End-to-end tests (Playwright, Chromium; server on PostgreSQL database $RUN_DB)"
(cd end2end && POSTERN_E2E_DATABASE_URL="$PG_ADMIN_URL/$RUN_DB" npx playwright test)

step "All tests passed in $(( $(date +%s) - started )) s"
