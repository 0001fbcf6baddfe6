import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export interface AssetSources {
  /** name → TypeScript entry file; served as `/assets/NAME.js`, bundled (no CDN, nothing fetched at run time). */
  scripts: Record<string, string>;
  /** name → CSS file; served as `/assets/NAME.css`. */
  styles: Record<string, string>;
}

/** Bundles the front ends once at start with esbuild (already shipped for tsx), kept in memory. */
export async function buildAssets(sources: AssetSources): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  const add = (name: string, body: Buffer, type: string) =>
    out.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  if (Object.keys(sources.scripts).length > 0) {
    const result = await build({
      entryPoints: sources.scripts,
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2020',
      minify: true,
      charset: 'utf8',
      outdir: '/assets',
      logLevel: 'silent',
    });
    for (const f of result.outputFiles) add(f.path.slice('/assets/'.length), Buffer.from(f.contents), 'text/javascript; charset=utf-8');
  }
  for (const [name, file] of Object.entries(sources.styles)) add(`${name}.css`, await readFile(file), 'text/css; charset=utf-8');
  return out;
}
