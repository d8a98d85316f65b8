#!/usr/bin/env bash
# Runs a command against a throwaway Redis server made for this run (REDIS_URL), then stops it.
set -euo pipefail
command -v redis-server >/dev/null || { echo "Redis is not installed (Debian package redis-server)" >&2; exit 1; }
dir=$(mktemp -d /tmp/virtualtrip-redis.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --dir "$dir" \
  --logfile "$dir/log" --pidfile "$dir/pid" >/dev/null
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
export REDIS_URL="redis://127.0.0.1:$port/0"
"$@"
