import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Asset } from './assets.ts';
import { HttpError } from './http-error.ts';

/** The CSP keeps every script and style our own; images may be data:/blob: for frames drawn in the page. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

export function sendHtml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset | undefined): void {
  if (!asset) throw new HttpError(404, 'no such asset');
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, { ETag: asset.etag });
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': asset.type,
    'Content-Length': asset.body.length,
    ETag: asset.etag,
    'Cache-Control': 'private, no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

const DRAIN_LIMIT = 1024 * 1024;

/**
 * Reads away what is left of a refused request's body, so that the refusal is not reset under a client still
 * sending it; true when all of it was read. Past 1 MiB (or declared so) it stops: the caller closes the connection.
 */
export async function drain(req: IncomingMessage): Promise<boolean> {
  if (req.readableEnded || req.destroyed) return true;
  if (Number(req.headers['content-length'] ?? 0) > DRAIN_LIMIT) return false;
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > DRAIN_LIMIT) return false;
    }
  } catch {
    // The client went away: nothing left to answer.
  }
  return true;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Browsers send Origin on every cross-site POST; without it, Sec-Fetch-Site tells. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = header(req, 'origin');
  if (!origin) return header(req, 'sec-fetch-site') !== 'cross-site';
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/** Text from the request quoted in an answer or a log line: never more than `max` characters of it. */
export function quoted(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
