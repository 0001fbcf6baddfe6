import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/durable.ts';

/**
 * A day's seal: an Ed25519 signature over the file name, the last record's seq and its hash,
 * written next to the daily file as `<file>.sig`. Because every record hashes its predecessor,
 * signing the final hash signs the whole day (and, through `prev`, everything before it).
 */
export const sealSchema = z.strictObject({
  schema: z.literal('jifang.audit-seal/1'),
  file: z.string(),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string(),
  algorithm: z.literal('ed25519'),
  /** The signer's public key (SPKI PEM), to tell which key signed; trust comes from the key given to verify. */
  publicKey: z.string(),
  signature: z.string(),
});
export type Seal = z.infer<typeof sealSchema>;

export function sealPath(file: string): string {
  return `${file}.sig`;
}

function signedMessage(file: string, seq: number, hash: string): Buffer {
  return Buffer.from(`jifang-audit-seal/1\n${basename(file)}\n${seq}\n${hash}\n`, 'utf8');
}

export async function loadSigningKey(path: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`audit signing key ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`audit signing key ${path}: expected an Ed25519 private key in PEM (PKCS#8), e.g. from "jifang audit keygen"`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`audit signing key ${path}: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

export async function loadPublicKey(path: string): Promise<KeyObject> {
  let key: KeyObject;
  try {
    key = createPublicKey(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(
      `audit public key ${path}: expected an Ed25519 public (or private) key in PEM (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`audit public key ${path}: expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/** Writes `<file>.sig` for the file's final record (atomically: a reader sees the old or the new seal). */
export async function writeSeal(file: string, seq: number, hash: string, key: KeyObject, now: number): Promise<Seal> {
  const seal: Seal = {
    schema: 'jifang.audit-seal/1',
    file: basename(file),
    seq,
    hash,
    signedAt: new Date(now).toISOString(),
    algorithm: 'ed25519',
    publicKey: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
    signature: sign(null, signedMessage(file, seq, hash), key).toString('base64'),
  };
  await writeFileAtomic(sealPath(file), `${JSON.stringify(seal, null, 2)}\n`);
  return seal;
}

export function checkSeal(seal: Seal, publicKey: KeyObject): boolean {
  return verify(null, signedMessage(seal.file, seal.seq, seal.hash), publicKey, Buffer.from(seal.signature, 'base64'));
}
