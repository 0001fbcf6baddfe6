import { createHash, hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Hex SHA-256 of bytes or text: the one digest behind evidence, snapshots, configs, models and the audit chain. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** Hex SHA-256 of a file, streamed so a model or clip is never read whole. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}
