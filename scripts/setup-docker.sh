#!/bin/sh
# Makes a Docker engine answer for the container:ARCH engines (issue 6).
# If `docker info` already answers, nothing is done. Otherwise installs
# Debian's docker.io (root, Debian 12) and starts dockerd in the background,
# its log and PID under the cache, and waits for its socket.
# Idempotent; scripts/stop-docker.sh stops only the dockerd started here.
# Run by `npm run setup:docker` and .ci/run.
#
#   SECCHECK_CACHE           cache root (default ~/.cache/seccheck); state in $SECCHECK_CACHE/docker/
#   SECCHECK_DOCKER_DEADLINE seconds to wait for the socket (default 60)
set -eu

DIR="${SECCHECK_CACHE:-$HOME/.cache/seccheck}/docker"
LOG="$DIR/dockerd.log"
PIDFILE="$DIR/dockerd.pid"
DEADLINE="${SECCHECK_DOCKER_DEADLINE:-60}"

say() { printf 'setup-docker: %s\n' "$*"; }
die() { printf 'setup-docker: error: %s\n' "$*" >&2; exit 1; }
tail_log() { [ -f "$LOG" ] && tail -n 3 "$LOG" | tr '\n' ' ' | cut -c1-400; }

answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

if answers; then
  say "a Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')); nothing to do"
  exit 0
fi

# A dockerd we started earlier may still be coming up: wait for it rather than start a second one.
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  say "dockerd (PID $(cat "$PIDFILE")) started earlier is not answering yet; waiting"
else
  [ "$(id -u)" = 0 ] || die "no Docker engine answers and starting one needs root (apt-get install docker.io, dockerd)"
  if ! command -v dockerd >/dev/null 2>&1; then
    command -v apt-get >/dev/null || die "no dockerd and no apt-get to install docker.io (Debian 12)"
    say "installing docker.io (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"
  # Debian's docker.io puts its client in /usr/bin; some images ship only a client elsewhere.
  command -v docker >/dev/null 2>&1 || die "docker client not found (docker.io should provide /usr/bin/docker)"
  mkdir -p "$DIR"
  say "starting dockerd (log: $LOG)"
  # setsid: dockerd outlives this script and the npm process that ran it.
  setsid dockerd >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
fi

pid=$(cat "$PIDFILE")
i=0
while ! answers; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PIDFILE"
    die "dockerd exited during startup; log $LOG: $(tail_log)"
  fi
  i=$((i + 1))
  [ "$i" -le $((DEADLINE * 2)) ] || die "dockerd (PID $pid) not answering after ${DEADLINE}s; log $LOG: $(tail_log)"
  sleep 0.5
done
say "dockerd (PID $pid) answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')); stop it with scripts/stop-docker.sh"
