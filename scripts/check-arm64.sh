#!/usr/bin/env bash
# Proves jifang on ARM64 without ARM64 hardware: a Debian 13 (trixie) arm64 root file system made by debootstrap,
# run under qemu-user-static (binfmt_misc), in which the project is installed the way a user would (Debian's
# nodejs and ffmpeg, `npm ci` fetching the arm64 native modules, `npm run build`), then:
#   1. `jifang detect --json` on the sample photos, compared with the same command on this (x64) machine:
#      the same labels, boxes within 2 px and scores within 0.02;
#   2. the demo (`jifang run configs/demo.yaml`) until its first alert.
# Slow (emulated: the root file system ~10 min, npm ci ~15 min with better-sqlite3 compiled from source when its
# prebuilt binary cannot be downloaded), so it is not part of `npm test`. Idempotent: a finished stage is skipped.
#   scripts/check-arm64.sh [--root DIR] [--stage rootfs|all]      (root: $JIFANG_ARM64_ROOT or /var/tmp/jifang-arm64)
# The project goes in as committed (git archive HEAD), with ../shared's models, samples and plate material beside it as here.
# Needs root (debootstrap, chroot, binfmt_misc) on a Debian/Ubuntu host.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(pwd)

root=${JIFANG_ARM64_ROOT:-/var/tmp/jifang-arm64}
stage=all
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2 ;;
    --stage) stage=$2; shift 2 ;;
    *) echo "usage: scripts/check-arm64.sh [--root DIR] [--stage rootfs|all]" >&2; exit 2 ;;
  esac
done
rootfs=$root/rootfs
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
t0=$(date +%s)
step() { echo "check-arm64: [$(( $(date +%s) - t0 )) s] $*"; }

[ "$(id -u)" = 0 ] || { echo "check-arm64: needs root (debootstrap, chroot, binfmt_misc)" >&2; exit 1; }

# --- host tools ---------------------------------------------------------------------------------------
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
command -v update-binfmts >/dev/null || missing+=(binfmt-support)
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
  || { echo "check-arm64: qemu-aarch64 is registered without the F flag; chroot cannot find the emulator" >&2; exit 1; }

# --- 1. the arm64 root file system ------------------------------------------------------------------------
# Two stages, each resumable: the base system (debootstrap deletes its own /debootstrap folder only when it
# finishes, so a base without it is complete and is kept) and the packages (an apt-get interrupted mid-unpack is
# finished by dpkg --configure -a rather than started again).
timings=$root/timings.txt
mkdir -p "$root"
timed() { # timed NAME SECONDS: one line per finished stage, kept across runs
  echo "$(date -u +%FT%TZ) $1 $2 s" >> "$timings"
  step "$1 took $2 s"
}
if [ ! -e "$rootfs/.jifang-rootfs" ]; then
  if [ -x "$rootfs/usr/bin/apt-get" ] && [ -s "$rootfs/var/lib/dpkg/status" ] && [ ! -e "$rootfs/debootstrap" ]; then
    step "reusing the complete base system in $rootfs"
  else
    step "debootstrap trixie arm64 into $rootfs"
    t=$(date +%s)
    rm -rf "$rootfs"
    debootstrap --arch=arm64 --variant=minbase trixie "$rootfs" "$mirror"
    timed debootstrap $(( $(date +%s) - t ))
  fi
fi

# apt-get and dpkg inside need proc, sys, dev and a pseudo-terminal (without /dev/pts apt stops with "Can not
# write log (Is /dev/pts mounted?)"); the mounts stay until the script exits.
mounts=()
cleanup() { for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
for m in proc sys dev dev/pts; do
  mountpoint -q "$rootfs/$m" || { mount --bind "/$m" "$rootfs/$m"; mounts+=("$rootfs/$m"); }
done
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
# npm inside uses the host's registry and, when the host reaches it through a TLS proxy with its own CA (npm's
# cafile, NODE_EXTRA_CA_CERTS), that CA bundle too; without it npm ci stops with SELF_SIGNED_CERT_IN_CHAIN.
npm_env=("npm_config_registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)")
host_ca=$(npm config get cafile 2>/dev/null || true)
[ -f "$host_ca" ] || host_ca=${NODE_EXTRA_CA_CERTS:-}
if [ -n "$host_ca" ] && [ -f "$host_ca" ]; then
  cp "$host_ca" "$rootfs/etc/ssl/host-ca-bundle.crt"
  npm_env+=(npm_config_cafile=/etc/ssl/host-ca-bundle.crt NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca-bundle.crt)
fi
# in_arm64_exec replaces the calling (sub)shell, so that `in_arm64_exec … &` gives the command's own pid in $!.
in_arm64_exec() { exec chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TZ=UTC "${npm_env[@]}" "$@"; }
in_arm64() { (in_arm64_exec "$@"); }

if [ ! -e "$rootfs/.jifang-rootfs" ]; then
  # What a user installs on a Debian 13 box: Node and ffmpeg from Debian; a compiler for native modules without a
  # downloadable prebuilt binary (Debian's npm brings node-gyp and Node's headers); the CJK font the snapshots need.
  step "apt-get install nodejs npm ffmpeg fonts g++ inside the arm64 root file system"
  t=$(date +%s)
  in_arm64 DEBIAN_FRONTEND=noninteractive dpkg --configure -a
  in_arm64 DEBIAN_FRONTEND=noninteractive apt-get install -y -q -f
  in_arm64 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    nodejs npm ffmpeg ca-certificates fonts-droid-fallback fontconfig python3 make g++
  touch "$rootfs/.jifang-rootfs"
  timed packages $(( $(date +%s) - t ))
fi
step "root file system ready: $(in_arm64 uname -m), node $(in_arm64 node --version), $(in_arm64 ffmpeg -hide_banner -version | head -1)"
[ "$stage" = rootfs ] && exit 0

# --- 2. the project, installed as a user would ---------------------------------------------------------------

# Each line of the set-up stamped with the seconds since it began, so the log shows what npm ci, the build and
# the provisioning each took.
stamped() { local t=$(date +%s) line; while IFS= read -r line; do echo "  [+$(( $(date +%s) - t )) s] $line"; done; }
step "copying the project (git archive HEAD) to /opt/jifang and ../shared beside it"
# node_modules and its stamp in var/ stay: setup.sh runs npm ci again only when package-lock.json changed.
mkdir -p "$rootfs/opt/jifang" "$rootfs/opt/shared"
find "$rootfs/opt/jifang" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name var -exec rm -rf {} +
git archive HEAD | tar -x -C "$rootfs/opt/jifang"
for d in models samples plates; do
  [ -d "$project/../shared/$d" ] && { rm -rf "$rootfs/opt/shared/$d"; cp -a "$project/../shared/$d" "$rootfs/opt/shared/"; }
done
t=$(date +%s)
step "bash scripts/setup.sh (npm ci with the arm64 native modules, npm run build, provisioning)"
in_arm64 bash -c 'cd /opt/jifang && bash scripts/setup.sh' 2>&1 | stamped
timed setup $(( $(date +%s) - t ))
# sharp's binary carries its version in its name.
for f in "$rootfs"/opt/jifang/node_modules/{onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node,better-sqlite3/build/Release/better_sqlite3.node,@img/sharp-linux-arm64/lib/sharp-linux-arm64*.node}; do
  echo "check-arm64:   ${f#"$rootfs"/opt/jifang/node_modules/}: $(file -b "$f" | cut -d, -f1-2)"
done
in_arm64 bash -c 'cd /opt/jifang && node -e "require(\"better-sqlite3\")(\":memory:\"); require(\"sharp\"); require(\"onnxruntime-node\"); console.log(\"check-arm64:   the three native modules load under\", process.arch, process.version)"'

# --- 3. jifang detect: the same detections as on this machine ----------------------------------------------
photos=(samples/bus.jpg samples/dog.jpg samples/street.png samples/street-sf.jpg)
out=$root/out
mkdir -p "$out"
t=$(date +%s)
in_arm64 bash -c "cd /opt/jifang && JIFANG_RUN_FROM=dist node bin/jifang.mjs detect --json ${photos[*]}" > "$out/detect-arm64.json"
timed detect-arm64 $(( $(date +%s) - t ))
t=$(date +%s)
node bin/jifang.mjs detect --json "${photos[@]}" > "$out/detect-x64.json"
timed detect-x64 $(( $(date +%s) - t ))
node --input-type=module - "$out/detect-x64.json" "$out/detect-arm64.json" <<'JS'
import { readFileSync } from 'node:fs';
// Same labels and boxes (within 2 px), scores within 0.02; a detection only one side has must sit within 0.02
// of the threshold (a score just above it on one machine, just below on the other).
const [x64, arm] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
const threshold = 0.25;
let worstScore = 0, worstPx = 0, matched = 0, problems = [];
x64.forEach((img, i) => {
  const other = [...arm[i].detections];
  for (const d of img.detections) {
    const j = other.findIndex((o) => o.label === d.label && ['x1', 'y1', 'x2', 'y2'].every((k) => Math.abs(o.box[k] - d.box[k]) <= 2));
    if (j < 0) { if (d.score > threshold + 0.02) problems.push(`${img.image}: x64 ${d.label} ${d.score} ${JSON.stringify(d.box)} has no arm64 match`); continue; }
    const o = other.splice(j, 1)[0];
    matched++;
    worstScore = Math.max(worstScore, Math.abs(o.score - d.score));
    worstPx = Math.max(worstPx, ...['x1', 'y1', 'x2', 'y2'].map((k) => Math.abs(o.box[k] - d.box[k])));
    if (Math.abs(o.score - d.score) > 0.02) problems.push(`${img.image}: ${d.label} score ${d.score} on x64, ${o.score} on arm64`);
  }
  for (const o of other) if (o.score > threshold + 0.02) problems.push(`${img.image}: arm64 ${o.label} ${o.score} ${JSON.stringify(o.box)} has no x64 match`);
});
console.log(`check-arm64: detect: ${matched} detections matched on ${x64.length} photos; largest score difference ${worstScore.toFixed(3)}, largest box difference ${worstPx.toFixed(1)} px`);
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
JS

# --- 4. the demo until its first alert ------------------------------------------------------------------------
step "npm start's demo (jifang run configs/demo.yaml) until its first alert"
t=$(date +%s)
rm -rf "$rootfs/opt/jifang/data/demo"
# The agent itself must get the signal: a backgrounded shell in between would ignore SIGINT and never pass it on.
in_arm64_exec bash -c 'cd /opt/jifang && exec node bin/jifang.mjs run configs/demo.yaml' > "$out/demo-stdout.txt" 2> "$out/demo-stderr.txt" &
demo=$!
deadline=$(( $(date +%s) + ${JIFANG_ARM64_DEMO_TIMEOUT:-900} ))
until grep -q ' STARTED ' "$out/demo-stdout.txt" 2>/dev/null; do
  if ! kill -0 "$demo" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
    kill -TERM "$demo" 2>/dev/null || true
    echo "check-arm64: no alert from the demo; its stderr:" >&2; tail -20 "$out/demo-stderr.txt" >&2; exit 1
  fi
  sleep 2
done
timed demo-first-alert $(( $(date +%s) - t ))
step "first alert: $(grep -m1 ' STARTED ' "$out/demo-stdout.txt")"
# A clean stop finishes the evidence in flight (the alert's clip, encoded at low priority: slow when emulated).
t=$(date +%s)
kill -TERM "$demo" 2>/dev/null || true
rc=0
wait "$demo" 2>/dev/null || rc=$?
timed demo-stop $(( $(date +%s) - t ))
step "done: the demo stopped on SIGTERM with exit code $rc$(grep -q '"msg":"publisher stopped"' "$out/demo-stderr.txt" && echo ', its publisher drained')"
