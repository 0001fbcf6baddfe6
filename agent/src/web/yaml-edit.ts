import { copyFile, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { type Document, isMap, isScalar, isSeq, type Node, YAMLMap, YAMLSeq } from 'yaml';
import { writeFileAtomic } from '../core/durable.ts';
import { sha256Hex } from '../core/hash.ts';
import { HttpError } from './http-error.ts';

export interface SaveResult {
  backup: string;
  sha256: string;
}

/**
 * Writes `next` over `file` when it still has `baseSha256`, keeping the previous bytes as `FILE.<time>.bak`. `program`
 * is who saves (the box's agent, the command center): the refusal of a read-only folder names it.
 */
export async function saveConfigText(
  file: string,
  baseSha256: string,
  next: string,
  now = new Date(),
  program: 'agent' | 'center' = 'agent',
): Promise<SaveResult | { conflict: true }> {
  const current = await readFile(file, 'utf8');
  if (sha256Hex(current) !== baseSha256) return { conflict: true };
  const backup = `${file}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
  try {
    await copyFile(file, backup);
    await writeFileAtomic(file, next);
  } catch (err) {
    throw readOnlyRefusal(file, err as NodeJS.ErrnoException, program);
  }
  return { backup, sha256: sha256Hex(next) };
}

/**
 * Both documented deployments mount the config read-only (docker `-v /etc/jifang:/etc/jifang:ro`, systemd
 * `ProtectSystem=strict`): the editor says so, and how to deploy for it, instead of a bare 500.
 */
function readOnlyRefusal(file: string, err: NodeJS.ErrnoException, program: 'agent' | 'center'): Error {
  if (err.code !== 'EROFS' && err.code !== 'EACCES' && err.code !== 'EPERM') return err;
  return new HttpError(
    403,
    `cannot save: ${dirname(file)} is read-only for the ${program} (${err.code}); nothing was written. The console saves by ` +
      `writing ${basename(file)} and a backup beside it, so its folder must be writable by the ${program}'s user: with docker, ` +
      'mount the config folder without ":ro" and owned by uid 10001; with systemd, add the folder to ReadWritePaths= and ' +
      'give the jifang user write access. Otherwise make the change in the file by hand (the diff above) and reload.',
  );
}

type Path = (string | number)[];

/**
 * The yaml library re-prints inline collections in its own spacing (`[ 0, 730 ]`). Lines whose content did not
 * change get their original bytes back (alignment included); new lines get `[0, 730]` as hand-written configs have.
 */
export function keepLayout(before: string, after: string): string {
  const key = (l: string) => {
    const indent = /^\s*/.exec(l)![0];
    return (
      indent +
      l
        .slice(indent.length)
        .replace(/\s+/g, ' ')
        .replace(/([[{]) /g, '$1')
        .replace(/ ([\]}])/g, '$1')
    );
  };
  const original = new Map<string, string>();
  for (const l of before.split('\n')) if (!original.has(key(l))) original.set(key(l), l);
  return after
    .split('\n')
    .map((l) => original.get(key(l)) ?? l.replace(/\[ /g, '[').replace(/ \]/g, ']'))
    .join('\n');
}

export function merge(doc: Document, path: Path, value: unknown): void {
  const current = doc.getIn(path, true) as Node | undefined;
  if (current !== undefined && deepEqual(toJs(current), value)) return;
  if (current && isMap(current) && isPlainObject(value)) {
    for (const item of [...current.items]) {
      const key = isScalar(item.key) ? item.key.value : item.key;
      if (!(String(key) in value)) current.delete(key);
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (current.has(k)) merge(doc, [...path, k], v);
      else current.set(doc.createNode(k), nodeFor(doc, v));
    }
    return;
  }
  if (current && isSeq(current) && Array.isArray(value) && value.every(hasId) && current.items.every((n) => isMap(n) && n.has('id'))) {
    // Items keep their node (and its comments) by id; their content is merged in place.
    const byId = new Map(current.items.map((n) => [String((n as YAMLMap).get('id')), n]));
    // Each node is taken once: an added item with a duplicate id gets a node of its own (and check-config's complaint).
    current.items = value.map((v) => {
      const node = byId.get(String(v.id));
      byId.delete(String(v.id));
      return node ?? nodeFor(doc, v);
    });
    value.forEach((v, i) => merge(doc, [...path, i], v));
    return;
  }
  if (current && isScalar(current) && !isObjectLike(value)) {
    current.value = value;
    return;
  }
  doc.setIn(path, nodeFor(doc, value));
}

/** Points and polygons are written inline (`[[150, 595], [430, 595]]`) as in the hand-written configs. */
function nodeFor(doc: Document, value: unknown): unknown {
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number')))) {
    const seq = doc.createNode(value) as YAMLSeq;
    seq.flow = true;
    return seq;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const v of value) seq.items.push(nodeFor(doc, v));
    return seq;
  }
  if (isPlainObject(value)) {
    const map = new YAMLMap();
    for (const [k, v] of Object.entries(value)) if (v !== undefined) map.set(doc.createNode(k), nodeFor(doc, v));
    // Small maps of plain values (a lat/lon, a window) read best inline too.
    if (Object.values(value).every((v) => typeof v !== 'object' || v === null) && Object.keys(value).length <= 4) map.flow = true;
    return map;
  }
  return doc.createNode(value);
}

function toJs(node: Node): unknown {
  return (node as { toJSON(): unknown }).toJSON();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isObjectLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function hasId(v: unknown): v is { id: unknown } {
  return isPlainObject(v) && 'id' in v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A unified-style line diff with 2 lines of context: what the installer reads before saving. */
export function lineDiff(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  // LCS table on lines: configs are a few hundred lines.
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: { op: ' ' | '-' | '+'; line: string; at: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', line: a[i++], at: j++ });
    else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ op: '-', line: a[i++], at: j });
    else ops.push({ op: '+', line: b[j], at: j++ });
  }
  const keep = new Set<number>();
  ops.forEach((o, k) => {
    if (o.op !== ' ') for (let d = -2; d <= 2; d++) keep.add(k + d);
  });
  const out: string[] = [];
  let gap = false;
  ops.forEach((o, k) => {
    if (!keep.has(k)) {
      if (!gap) out.push('…');
      gap = true;
      return;
    }
    gap = false;
    out.push(`${o.op} ${o.op === '-' ? '    ' : String(o.at + 1).padStart(4)} ${o.line}`);
  });
  return out.join('\n');
}
