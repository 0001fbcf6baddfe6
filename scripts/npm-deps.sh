#!/usr/bin/env bash
# Step 2 of scripts/setup.sh: `npm ci` when node_modules is not a complete install of this package-lock.json.
#   scripts/npm-deps.sh [--quiet]
# The stamp (the lock's hash at the last complete install) lives in var/, not in node_modules: a node_modules removed
# or left half-installed by an interrupted `npm ci` is then seen as such instead of taking its stamp with it.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
[ "${1:-}" = --quiet ] && quiet=1
say() { [ "$quiet" = 1 ] || echo "setup: $*"; }

stamp=var/npm-installed
# Where set-ups before the stamp moved kept it: taken over once, and left there for checkouts still reading it.
old_stamp=node_modules/.jifang-setup
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
# npm writes node_modules/.package-lock.json once an install is complete.
complete() { [ -f "$1/.package-lock.json" ]; }

if [ -L node_modules ]; then
  # A node_modules linked from another checkout (a git worktree) is that checkout's to install: `npm ci` here would
  # empty it under everything using it.
  target=$(readlink -f node_modules)
  if ! complete "$target"; then
    echo "setup: node_modules links to $target, which holds no complete npm install: run scripts/setup.sh in $(dirname "$target")" >&2
    exit 1
  fi
  if ! cmp -s package-lock.json "$(dirname "$target")/package-lock.json"; then
    echo "setup: warning: package-lock.json differs from the one of $(dirname "$target"), whose node_modules this checkout links to" >&2
  fi
  exit 0
fi

mkdir -p var
if [ ! -f "$stamp" ] && [ -f "$old_stamp" ]; then cp "$old_stamp" "$stamp"; fi
if complete node_modules && [ "$(cat "$stamp" 2>/dev/null)" = "$lock_hash" ]; then exit 0; fi
say "installing npm dependencies (npm ci)"
rm -f "$stamp"
# onnxruntime-node's install script downloads CUDA libraries; its CPU binaries are already in the package.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
echo "$lock_hash" > "$stamp"
