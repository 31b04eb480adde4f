#!/usr/bin/env bash
# Runs the example as CI does: a server started for it (the embedded database in memory, the demo data, webhooks to
# loopback allowed), the example against it, then the server stopped. Called through `npm run example:ci`, so the
# Node of node_modules/.bin runs both.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run -s build
PORT="${EXAMPLE_PORT:-4123}"
LOG="$(mktemp)"
DATABASE_URL=memory:// SEED_DEMO=1 WEBHOOK_ALLOW_PRIVATE=1 GRAPHIQL=0 PORT="$PORT" SHUTDOWN_DELAY_SECONDS=0 \
  node dist/src/cli.js serve >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  if node -e "fetch('http://127.0.0.1:$PORT/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    break
  fi
  if ! kill -0 "$SERVER" 2>/dev/null; then
    cat "$LOG"
    exit 1
  fi
  sleep 0.5
done
API_URL="http://127.0.0.1:$PORT" tsx examples/integrator/main.ts || { echo '--- server log'; cat "$LOG"; exit 1; }
