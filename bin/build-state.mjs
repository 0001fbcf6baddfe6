// Whether dist/ (the JavaScript `npm run build` makes) is there and not older than the sources it was built
// from. Plain JavaScript without dependencies: bin/jifang.mjs and scripts/setup.sh use it before anything loads.
//   node bin/build-state.mjs     prints "current", "stale" or "missing"; exit 0 only when current
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distMain = join(root, 'dist', 'src', 'cli', 'main.js');
const sources = join(root, 'agent', 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(p) : entry.name.endsWith('.ts') ? statSync(p).mtimeMs : 0;
    if (t > newest) newest = t;
  }
  return newest;
}

/** "current" also when the sources are absent: an installed image ships dist/ only. */
export function buildState() {
  let built;
  try {
    built = statSync(distMain).mtimeMs;
  } catch {
    return 'missing';
  }
  let src;
  try {
    src = newestMtime(sources);
  } catch {
    return 'current';
  }
  return src > built ? 'stale' : 'current';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const state = buildState();
  process.stdout.write(`${state}\n`);
  process.exitCode = state === 'current' ? 0 : 1;
}
