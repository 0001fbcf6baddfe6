#!/usr/bin/env bash
# Idempotent set-up for running (default) or testing (--test) jifang on Debian 12 with Node >= 20.
#   1. system packages: ffmpeg and a CJK font (always); mosquitto, openssl, the GStreamer RTSP server and Chromium (--test)
#   2. npm dependencies (scripts/npm-deps.sh: npm ci when node_modules is not a complete install of package-lock.json)
#   3. the JavaScript build in dist/ (npm run build) when it is missing or older than agent/src
#   4. the default model and the sample media: models/ → ../shared → download from the pinned URL (SHA-256 checked)
# Every step checks first and does nothing when already done, so `npm start` / `npm test` can call it each time.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
with_test=0
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1 ;;
    --test) with_test=1 ;;
    *) echo "usage: scripts/setup.sh [--quiet] [--test]" >&2; exit 2 ;;
  esac
done
say() { [ "$quiet" = 1 ] || echo "setup: $*"; }

# --- 1. system packages -------------------------------------------------------------------------------
missing=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
# Snapshots print camera and zone names, often Chinese: a CJK font for sharp's text rendering.
[ -e /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || missing+=(fonts-droid-fallback)
if [ "$with_test" = 1 ]; then
  # The broker and mosquitto_passwd (password files for the TLS/ACL tests) both come with the mosquitto package.
  { [ -x /usr/sbin/mosquitto ] && command -v mosquitto_passwd >/dev/null; } || missing+=(mosquitto)
  command -v openssl >/dev/null || missing+=(openssl)
  # The command center's archive is tested on a real PostgreSQL: the tests run initdb/pg_ctl in a temp folder.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # The web console's browser tests drive Debian's Chromium with playwright-core (no browser download).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Debian's interpreter on purpose: it is the one with the GObject bindings (see shared/README.md).
  /usr/bin/python3 -c 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0"); from gi.repository import Gst; Gst.init(None); assert Gst.ElementFactory.find("rtph264pay") and Gst.ElementFactory.find("h264parse") and Gst.ElementFactory.find("qtdemux")' 2>/dev/null \
    || missing+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt=(apt-get)
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then apt=(sudo apt-get); else
      echo "setup: missing system packages: ${missing[*]}. Run as root: apt-get install -y ${missing[*]}" >&2; exit 1
    fi
  fi
  echo "setup: installing system packages: ${missing[*]}"
  "${apt[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. npm dependencies ------------------------------------------------------------------------------
npm_args=()
[ "$quiet" = 1 ] && npm_args+=(--quiet)
bash scripts/npm-deps.sh "${npm_args[@]}"

# --- 3. the JavaScript build -------------------------------------------------------------------------
if ! node bin/build-state.mjs >/dev/null; then
  say "building dist/ (npm run build)"
  node scripts/build.mjs
fi

# --- 4. model and sample media ------------------------------------------------------------------------
provision_args=()
[ "$quiet" = 1 ] && provision_args+=(--quiet)
node --import tsx scripts/provision.ts "${provision_args[@]}"
