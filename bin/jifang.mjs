#!/usr/bin/env node
// Production runs the JavaScript in dist/ (`npm run build`). A checkout whose dist/ is missing or older than
// agent/src runs the TypeScript through tsx, a development dependency; JIFANG_RUN_FROM=dist|source forces one.
// Kept to syntax old Node versions parse, so that they get the version message below instead of a SyntaxError.
import { buildState, distMain } from './build-state.mjs';

const MIN = [20, 9];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < MIN[0] || (major === MIN[0] && minor < MIN[1])) {
  process.stderr.write(
    `jifang: Node.js ${process.versions.node} cannot run jifang: it needs Node.js ${MIN.join('.')} or later (22 or 24 LTS recommended)\n`,
  );
  process.exit(1);
}

const from = process.env.JIFANG_RUN_FROM || (buildState() === 'current' ? 'dist' : 'source');
if (from === 'dist') {
  const state = buildState();
  if (state !== 'current') {
    process.stderr.write(`jifang: dist/ is ${state === 'missing' ? 'missing' : 'older than agent/src'}: run "npm run build"\n`);
    process.exit(1);
  }
  await import(distMain);
} else if (from === 'source') {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(
      'jifang: dist/ is missing or older than agent/src and tsx (a development dependency) is not installed: run "npm run build"\n',
    );
    process.exit(1);
  }
  tsx.register();
  await import('../agent/src/cli/main.ts');
} else {
  process.stderr.write(`jifang: JIFANG_RUN_FROM=${from}: expected dist or source\n`);
  process.exit(2);
}
