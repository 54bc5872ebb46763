#!/bin/sh
# Stops the dockerd that scripts/setup-docker.sh started (by its recorded
# PID), and nothing else: a Docker engine that was already running when
# setup ran is left alone. Idempotent.
#
#   SECCHECK_CACHE   cache root (default ~/.cache/seccheck)
set -eu

DIR="${SECCHECK_CACHE:-$HOME/.cache/seccheck}/docker"
PIDFILE="$DIR/dockerd.pid"

say() { printf 'stop-docker: %s\n' "$*"; }

if [ ! -f "$PIDFILE" ]; then
  say "no dockerd started by setup-docker; nothing to do"
  exit 0
fi
pid=$(cat "$PIDFILE")
# A recycled PID must not be killed: check it is still a dockerd.
if ! kill -0 "$pid" 2>/dev/null || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
  say "dockerd (PID $pid) is no longer running"
  rm -f "$PIDFILE"
  exit 0
fi
say "stopping dockerd (PID $pid)"
kill -TERM "$pid"
# dockerd stops its containers first (10 s each by default); give it 30 s, then SIGKILL.
i=0
while kill -0 "$pid" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then
    say "dockerd (PID $pid) still running after 30 s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.5
done
rm -f "$PIDFILE"
say "stopped"
