import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/paths.ts';

/**
 * The folders of agent/src and which may import which, as docs/ARCHITECTURE.md draws it. Within each list a folder may
 * import the folders before it and never one after it. A new folder is one line in the list of the side that uses it:
 * SHARED when both the box and the center use it, else BOX or CENTER.
 */

/** What the box and the center share: `core` (the words every stage speaks), `contract` (the wire), then the stages both use. */
const SHARED = ['core', 'contract', 'geo', 'publish', 'web'];
/** The box, in the order the data flows: it may import the shared rooms, never the center. */
const BOX = [
  'audit',
  'model',
  'ingest',
  'motion',
  'detect',
  'plate',
  'track',
  'rules',
  'catalogue',
  'evidence',
  'alert',
  'health',
  'loop',
  'commands',
  'config',
  'console',
  'runtime',
];
/** The command center: it may import the shared rooms (boxes reach it only through the contract), never a box stage. */
const CENTER = ['risk', 'center'];
/** The composition root of both (`jifang run`, `jifang center`): it may import everything. */
const ROOT = ['cli'];

const SIDES = { shared: SHARED, box: BOX, center: CENTER, root: ROOT } as const;
type Side = keyof typeof SIDES;
const FOLDERS = Object.values(SIDES).flat();

function placeOf(folder: string): { side: Side; rank: number } {
  const side = (Object.keys(SIDES) as Side[]).find((s) => SIDES[s].includes(folder));
  if (!side) throw new Error(`unknown folder ${folder}`);
  return { side, rank: SIDES[side].indexOf(folder) };
}

/** `across`: between the box and the center; `upward`: to a later folder of the same side, or to a side above. */
function verdict(fromFolder: string, toFolder: string): 'ok' | 'upward' | 'across' {
  if (fromFolder === toFolder) return 'ok';
  const from = placeOf(fromFolder);
  const to = placeOf(toFolder);
  if (from.side === to.side) return to.rank < from.rank ? 'ok' : 'upward';
  if (from.side === 'root' || to.side === 'shared') return 'ok';
  if (to.side === 'root' || from.side === 'shared') return 'upward';
  return 'across';
}

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

const folderOf = (file: string): string => relative(src, file).split('/')[0];

const files = sourceFiles(src);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Every import of a known file whose verdict is `kind`, as "from → to". */
function importsThat(kind: 'upward' | 'across'): string[] {
  const found: string[] = [];
  for (const [file, deps] of graph) {
    for (const dep of deps) {
      if (graph.has(dep) && verdict(folderOf(file), folderOf(dep)) === kind) found.push(`${relative(src, file)} → ${relative(src, dep)}`);
    }
  }
  return found;
}

describe('architecture: imports follow the data flow', () => {
  it('every file of agent/src lives in a known folder', () => {
    const unknown = files.map((f) => relative(src, f)).filter((f) => !FOLDERS.includes(f.split('/')[0]));
    expect(unknown).toEqual([]);
  });

  it('no folder imports a folder after it on its side, and the shared rooms import neither side', () => {
    expect(importsThat('upward')).toEqual([]);
  });

  it('the center imports no box stage and no box stage imports the center', () => {
    expect(importsThat('across')).toEqual([]);
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
