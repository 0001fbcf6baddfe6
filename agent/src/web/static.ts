import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The real path of `relative` inside `root`, or undefined when it is not a regular file there: `..`, absolute
 * paths, NUL bytes, encoded separators and symbolic links that lead out of `root` all come back undefined.
 */
export async function resolveInside(root: string, relative: string): Promise<string | undefined> {
  if (relative.includes('\0') || relative.includes('\\')) return undefined;
  const base = await realpath(root).catch(() => undefined);
  if (!base) return undefined;
  const candidate = resolve(base, `.${sep}${relative}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return undefined;
  const real = await realpath(candidate).catch(() => undefined);
  if (!real?.startsWith(base + sep)) return undefined;
  const st = await stat(real).catch(() => undefined);
  return st?.isFile() ? real : undefined;
}

/** Streams a file found by resolveInside; false (nothing sent) when there is none, so the caller answers 404. */
export async function sendFileInside(
  res: ServerResponse,
  root: string,
  relative: string,
  opts: { headOnly?: boolean; cache?: string } = {},
): Promise<boolean> {
  const file = await resolveInside(root, relative);
  if (!file) return false;
  const st = await stat(file);
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': opts.cache ?? 'private, max-age=300',
  });
  if (opts.headOnly) {
    res.end();
    return true;
  }
  // pipeline closes the file when the client goes away mid-download (pipe() left it open: one descriptor per abort).
  await pipeline(createReadStream(file), res).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  });
  return true;
}
