#!/bin/sh
# The container's entrypoint: checks what a bind mount gets wrong on day one, then runs jifang under tini.
# The agent runs as uid 10001 (user jifang); the host folders are mounted, so their owner is the host's business.
set -eu
uid=$(id -u)
problem() {
  echo "jifang: $1" >&2
  echo "jifang: on the host run:  $2" >&2
  exit 78
}
# `run CONFIG` (the box's image) and `center CONFIG` (the command center's, Dockerfile.center) get the checks.
case "${1:-}:${2:-}" in
  run:?* | center:?*) config=$2 ;;
  *) config= ;;
esac
case "$config" in dead-letters | healthcheck) config= ;; esac
if [ -n "$config" ]; then
  [ -r "$config" ] || problem "cannot read $config as uid $uid (mount the config folder: -v /etc/jifang:/etc/jifang:ro)" \
    "sudo chown -R root:10001 /etc/jifang && sudo chmod -R g+rX /etc/jifang"
  data=${JIFANG_DATA_DIR:-/var/lib/jifang}
  probe="$data/.jifang-write-test.$$"
  if ! ( : > "$probe" ) 2>/dev/null; then
    problem "cannot write to $data as uid $uid (the data folder: the box's outbox, evidence and audit log; the center's snapshots)" "sudo chown -R 10001:10001 /var/lib/jifang"
  fi
  rm -f "$probe"
  for f in /etc/jifang/secrets/* /etc/jifang/tls/* /run/secrets/*; do
    [ -e "$f" ] || continue
    [ -r "$f" ] || problem "cannot read $f as uid $uid" "sudo chown root:10001 $f && sudo chmod 640 $f"
  done
fi
exec /usr/bin/tini -- node /opt/jifang/bin/jifang.mjs "$@"
