#!/usr/bin/env bash
# Prints Postern's throughput figures: the pure access decision, the unlock
# service with durable group-committed events on SQLite, a naive one-commit-
# per-unlock reference, and their ratio. See BENCHMARKS.md.
# Temporary SQLite files go to $TMPDIR (default /tmp) and are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --release -p server --bin postern-bench
