import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/**
 * The stages of agent/src in the order the data flows, as docs/ARCHITECTURE.md names it: a folder may import the
 * folders before it and never one after it. `core` holds the words every stage speaks.
 */
const LAYERS = [
  'core',
  'audit',
  'model',
  'ingest',
  'motion',
  'detect',
  'plate',
  'track',
  'rules',
  'catalogue',
  'geo',
  'alert',
  'evidence',
  'health',
  'loop',
  'publish',
  'commands',
  'config',
  'web',
  'console',
  'risk',
  'center',
  'runtime',
  'cli',
];

const src = join(projectRoot, 'agent/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** Every relative import of a file, static, dynamic and type-only alike, resolved to a file path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm))
    out.push(resolve(dirname(file), m[1]));
  return out;
}

const layerOf = (file: string): string => relative(src, file).split('/')[0];

const files = sourceFiles(src);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('architecture: imports follow the data flow', () => {
  it('every file of agent/src lives in a known stage folder', () => {
    const unknown = files.map((f) => relative(src, f)).filter((f) => !LAYERS.includes(f.split('/')[0]));
    expect(unknown).toEqual([]);
  });

  it('no stage imports a stage after it', () => {
    const upward: string[] = [];
    for (const [file, deps] of graph) {
      const from = LAYERS.indexOf(layerOf(file));
      for (const dep of deps) {
        const to = LAYERS.indexOf(layerOf(dep));
        if (to > from) upward.push(`${relative(src, file)} → ${relative(src, dep)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('every relative import names a file that exists', () => {
    const missing = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => !graph.has(d)).map((d) => `${relative(src, file)} → ${relative(src, d)}`),
    );
    expect(missing).toEqual([]);
  });

  it('no import cycle between files of the agent, type-only imports included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].map((p) => relative(src, p)).join(' → '));
        else if (!state.has(d) && graph.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
