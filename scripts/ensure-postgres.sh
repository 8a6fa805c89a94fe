#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster if it does not answer on 127.0.0.1:5432.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432; then exit 0; fi
echo "PostgreSQL is not answering; starting it"
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
else
  echo "No PostgreSQL cluster is installed here (pg_ctlcluster missing)." >&2
  exit 1
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "PostgreSQL did not start within 30 s." >&2
exit 1
