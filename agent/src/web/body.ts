import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { problemsFromZod } from '../core/errors.ts';
import { HttpError } from './http-error.ts';

export const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * Reads a JSON body of at most `limit` bytes and validates it with `schema`. Refuses with 415 (not JSON),
 * 413 (too large), or 400 naming what is wrong (each zod problem with its field path, as check-config words it).
 */
export async function readJsonBody<S extends z.ZodType>(req: IncomingMessage, schema: S, limit = DEFAULT_BODY_LIMIT): Promise<z.infer<S>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, `expected a JSON body (Content-Type: application/json), got ${type ? `"${type}"` : 'none'}`);
  const raw = await readLimited(req, limit);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error.issues, value);
    throw new HttpError(400, problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '), problems);
  }
  return parsed.data;
}

/** Reads a body of the given content type (e.g. image/jpeg) of at most `limit` bytes: 415 for another type, 413 when larger. */
export async function readRawBody(req: IncomingMessage, type: string, limit: number): Promise<Buffer> {
  const got = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (got !== type) throw new HttpError(415, `expected a body of Content-Type: ${type}, got ${got ? `"${got}"` : 'none'}`);
  return readLimited(req, limit);
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `the body is ${declared} bytes; at most ${limit} are accepted`);
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when over the limit (so the 413 reaches the client), but only so far.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4 * limit) break;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new HttpError(413, `the body is over ${limit} bytes; at most ${limit} are accepted`);
  return Buffer.concat(chunks);
}
