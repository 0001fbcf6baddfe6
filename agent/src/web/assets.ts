import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  /** A split script's chunks it imports statically (names under /assets/): it does not run without them. */
  chunks?: string[];
}

export interface AssetSources {
  /** name → TypeScript entry file; served as `/assets/NAME.js`, bundled (no CDN, nothing fetched at run time). */
  scripts: Record<string, string>;
  /** name → CSS file; served as `/assets/NAME.css`. */
  styles: Record<string, string>;
  /**
   * name → TypeScript entry whose dynamic imports become chunks loaded on first use (`/assets/chunk-HASH.js`): a page
   * that must open fast leaves a heavy part (a map library) for when it is needed.
   */
  split?: Record<string, string>;
}

const ESBUILD = {
  bundle: true,
  write: false,
  format: 'esm',
  target: 'es2020',
  minify: true,
  charset: 'utf8',
  outdir: '/assets',
  logLevel: 'silent',
} as const;

/** Bundles the front ends once at start with esbuild (already shipped for tsx), kept in memory. */
export async function buildAssets(sources: AssetSources): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  const add = (name: string, body: Buffer, type: string) =>
    out.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  const bundles = [
    ...(Object.keys(sources.scripts).length ? [build({ ...ESBUILD, entryPoints: sources.scripts })] : []),
    ...(sources.split && Object.keys(sources.split).length
      ? [build({ ...ESBUILD, entryPoints: sources.split, splitting: true, chunkNames: 'chunk-[hash]', metafile: true })]
      : []),
  ];
  for (const result of await Promise.all(bundles))
    for (const f of result.outputFiles) {
      const name = f.path.slice('/assets/'.length);
      add(name, Buffer.from(f.contents), 'text/javascript; charset=utf-8');
      // esbuild's metafile names outputs relative to the working directory; matched by their file name.
      const meta = Object.entries(result.metafile?.outputs ?? {}).find(([k]) => k.endsWith(`/${name}`) || k === name)?.[1];
      const chunks = meta?.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path.slice(i.path.lastIndexOf('/') + 1));
      if (chunks?.length) out.get(name)!.chunks = chunks;
    }
  for (const [name, file] of Object.entries(sources.styles)) add(`${name}.css`, await readFile(file), 'text/css; charset=utf-8');
  return out;
}
