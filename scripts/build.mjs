// `npm run build`: agent/src → dist/src (JavaScript, the same folder depth, so paths relative to a module find
// the project root from both). Compiled into dist.next/ and swapped in with renames: an agent starting meanwhile
// sees the old build or the new one, never half a build.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { distMain, root } from '../bin/build-state.mjs';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const next = join(root, 'dist.next');
const dist = join(root, 'dist');
const old = join(root, 'dist.old');
rmSync(next, { recursive: true, force: true });
const started = new Date();
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', next], { stdio: 'inherit' });
} catch {
  rmSync(next, { recursive: true, force: true });
  process.stderr.write('build: tsc failed; dist/ left as it was\n');
  process.exit(1);
}
// What tsc does not emit travels with the build: data files (the event catalogue), styles, and the TypeScript of
// the browser pages, which the console and the center bundle with esbuild when they start (with the modules those
// pages import).
cpSync(join(root, 'agent', 'src'), join(next, 'src'), { recursive: true, force: false, errorOnExist: false });
rmSync(old, { recursive: true, force: true });
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
// The build is as old as the sources it read: a source edited while tsc ran makes it stale, not current.
utimesSync(distMain, started, started);
