import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { GENESIS_HASH, parseRecordLine } from './record.ts';
import { checkSeal, sealPath, sealSchema } from './sign.ts';

export interface SealCheck {
  file: string;
  /** `unchecked`: a seal exists but no public key was given to check it against. */
  status: 'valid' | 'unchecked' | 'missing';
  /** Seq the seal covers, and how many records of the file come after it (written after the last seal). */
  seq?: number;
  unsealedRecords?: number;
}

export type AuditVerification =
  | {
      ok: true;
      files: number;
      records: number;
      /** seq and prev of the first record checked: seq 0 with the genesis prev means the chain is complete from its start. */
      first: { seq: number; prev: string } | undefined;
      head: { seq: number; hash: string } | undefined;
      seals: SealCheck[];
      /**
       * With a public key: the newest day's records no seal covers (all of them when its seal is missing). They chain,
       * but a day rewritten with its seal deleted chains as well: they cannot be told from a forgery until sealed.
       */
      unverified?: { file: string; afterSeq: number | undefined; records: number };
    }
  | { ok: false; file: string; line: number; reason: string; records: number };

/**
 * Recomputes the chain over `files` (sorted by name, which for daily files is chronological):
 * every record's own hash, its link to the record before (across files), consecutive seq, and
 * each file's seal (`<file>.sig`) when present. Reports the first broken record.
 * With a public key every day but the newest must be sealed: a day rewritten from its first record on, with its
 * seal deleted, chains as well as the real one, and only the missing seal tells. The newest day may be unsealed
 * (a running agent seals it at midnight or when it stops): its records past the last seal are reported unverified.
 */
export async function verifyAuditFiles(files: readonly string[], opts: { publicKey?: KeyObject } = {}): Promise<AuditVerification> {
  if (files.length === 0) throw new Error('audit verify: expected at least one audit file');
  const ordered = [...files].sort((a, b) => basename(a).localeCompare(basename(b)));
  let records = 0;
  let prev: { seq: number; hash: string } | undefined;
  let first: { seq: number; prev: string } | undefined;
  const seals: SealCheck[] = [];
  let fileRecords = 0;
  for (const file of ordered) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      return {
        ok: false,
        file,
        line: 0,
        reason: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        records,
      };
    }
    const lines = text.split('\n');
    const complete = text.endsWith('\n') || text.length === 0;
    if (complete) lines.pop();
    const bySeq = new Map<number, string>();
    fileRecords = lines.length;
    for (let i = 0; i < lines.length; i++) {
      const at = (reason: string) => ({ ok: false as const, file, line: i + 1, reason, records });
      if (!complete && i === lines.length - 1) return at('incomplete last line (no newline): a torn write, or the file was cut');
      const parsed = parseRecordLine(lines[i]);
      if (!parsed.ok) return at(parsed.reason);
      const r = parsed.record;
      if (prev === undefined) {
        if (r.seq === 0 && r.prev !== GENESIS_HASH) return at('the first record (seq 0) must have the genesis prev (64 zeros)');
        first = { seq: r.seq, prev: r.prev };
      } else {
        if (r.prev !== prev.hash) {
          return at(
            `prev does not match the hash of the record before (seq ${prev.seq}): a record was edited, deleted, inserted or moved here`,
          );
        }
        if (r.seq !== prev.seq + 1) return at(`seq ${r.seq} follows seq ${prev.seq}: records were deleted or reordered`);
      }
      prev = { seq: r.seq, hash: r.hash };
      bySeq.set(r.seq, r.hash);
      records++;
    }
    const seal = await checkFileSeal(file, bySeq, prev?.seq, opts.publicKey);
    if ('reason' in seal) return { ok: false, file: sealPath(file), line: 0, reason: seal.reason, records };
    if (opts.publicKey && seal.status === 'missing' && file !== ordered[ordered.length - 1]) {
      const reason = `${basename(file)} has no seal, yet a later day follows it: the seal was deleted (the day may have been rewritten) or the day was written without a signing key`;
      return { ok: false, file: sealPath(file), line: 0, reason, records };
    }
    seals.push(seal);
  }
  const newest = seals[seals.length - 1];
  const unverified = opts.publicKey ? unsealedTail(newest, fileRecords) : undefined;
  return { ok: true, files: ordered.length, records, first, head: prev, seals, ...(unverified ? { unverified } : {}) };
}

/** The newest day's records past its seal (all of them without one), or undefined when the seal covers the day. */
function unsealedTail(newest: SealCheck, records: number): { file: string; afterSeq: number | undefined; records: number } | undefined {
  if (newest.status === 'missing') return records > 0 ? { file: newest.file, afterSeq: undefined, records } : undefined;
  const tail = newest.unsealedRecords ?? 0;
  return tail > 0 ? { file: newest.file, afterSeq: newest.seq, records: tail } : undefined;
}

async function checkFileSeal(
  file: string,
  bySeq: Map<number, string>,
  lastSeq: number | undefined,
  publicKey: KeyObject | undefined,
): Promise<SealCheck | { reason: string }> {
  let raw: string;
  try {
    raw = await readFile(sealPath(file), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, status: 'missing' };
    return { reason: `cannot read the seal (${(err as NodeJS.ErrnoException).code})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { reason: 'the seal is not valid JSON' };
  }
  const parsed = sealSchema.safeParse(json);
  if (!parsed.success)
    return { reason: `not a jifang.audit-seal/1 document (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})` };
  const seal = parsed.data;
  if (seal.file !== basename(file)) return { reason: `the seal is for ${seal.file}, not ${basename(file)}` };
  const hash = bySeq.get(seal.seq);
  if (hash === undefined) return { reason: `the seal covers seq ${seal.seq}, which is not in ${basename(file)}: records were removed` };
  if (hash !== seal.hash)
    return { reason: `the seal's hash for seq ${seal.seq} differs from the record's: the log was rewritten after it was sealed` };
  if (publicKey && !checkSeal(seal, publicKey)) return { reason: 'the signature does not verify with the given public key' };
  return { file, status: publicKey ? 'valid' : 'unchecked', seq: seal.seq, unsealedRecords: (lastSeq ?? seal.seq) - seal.seq };
}
