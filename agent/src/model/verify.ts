import { stat } from 'node:fs/promises';
import { sha256File } from '../core/hash.ts';

/** What a pinned file must be: its SHA-256 and, when known, its size in bytes. */
export interface FilePin {
  sha256: string;
  size?: number;
}

/** A pinned file that is missing or differs from its pin; the message names the file, expected and actual. */
export class FileVerificationError extends Error {
  constructor(
    readonly file: string,
    readonly reason: 'missing' | 'size' | 'sha256',
    message: string,
  ) {
    super(message);
    this.name = 'FileVerificationError';
  }
}

/**
 * Checks a file against its pin: the size first (cheap, catches truncated downloads), then the SHA-256.
 * Resolves to the actual SHA-256.
 */
export async function verifyFile(file: string, pin: FilePin): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new FileVerificationError(file, 'missing', `${file}: file not found (expected SHA-256 ${pin.sha256})`);
  }
  if (pin.size !== undefined && size !== pin.size) {
    throw new FileVerificationError(file, 'size', `${file}: size mismatch: expected ${pin.size} bytes, actual ${size} bytes`);
  }
  const actual = await sha256File(file);
  if (actual !== pin.sha256) {
    throw new FileVerificationError(file, 'sha256', `${file}: SHA-256 mismatch: expected ${pin.sha256}, actual ${actual}`);
  }
  return actual;
}
