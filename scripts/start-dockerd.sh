#!/usr/bin/env bash
# Make sure a docker engine answers here: install Debian's docker.io when missing (as root), start
# dockerd with no bridge and no iptables (containers get no network at all) when it is not running,
# and wait for it, bounded. Idempotent; exits non-zero with a message when the engine cannot start.
#
#   DOCKERD_LOG (default /var/log/mljudge-dockerd.log)   DOCKERD_WAIT seconds (default 60)
set -euo pipefail
# Never stop without saying why: name the command and line that failed.
trap 'echo "start-dockerd.sh: error: \"$BASH_COMMAND\" failed (exit $?) at line $LINENO" >&2' ERR

LOG="${DOCKERD_LOG:-/var/log/mljudge-dockerd.log}"
WAIT="${DOCKERD_WAIT:-60}"

die() { echo "start-dockerd: error: $*" >&2; exit 1; }
log() { echo "start-dockerd: $*" >&2; }

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  log "the docker engine is already running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "dockerd is not installed and we are not root (apt-get install docker.io)"
  log "installing docker.io"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io; } >&2 \
    || die "apt-get install docker.io failed"
fi
command -v docker >/dev/null 2>&1 || die "the docker client is missing"

if ! pgrep -x dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "dockerd is not running and only root can start it here"
  log "starting dockerd (log: $LOG)"
  mkdir -p "$(dirname "$LOG")"
  nohup dockerd --bridge=none --iptables=false >>"$LOG" 2>&1 </dev/null &
  disown || true
fi

for _ in $(seq 1 $((WAIT * 2))); do
  if docker info >/dev/null 2>&1; then
    log "the docker engine answers"
    exit 0
  fi
  sleep 0.5
done
tail -n 20 "$LOG" >&2 2>/dev/null || true
die "dockerd did not answer within ${WAIT} s (see $LOG)"
