import { readFileSync } from 'node:fs';
import type { Secret } from './schema.ts';

/** Reads a secret given inline, as `{ file }` or as `{ env }`; surrounding whitespace (a trailing newline) is trimmed. */
export function readSecret(secret: Secret, what: string): string {
  if (typeof secret === 'string') return secret;
  if ('file' in secret) {
    try {
      return readFileSync(secret.file, 'utf8').trim();
    } catch (err) {
      throw new Error(`${what}: cannot read secret file ${secret.file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  const v = process.env[secret.env];
  if (v === undefined) throw new Error(`${what}: environment variable ${secret.env} is not set`);
  return v;
}
