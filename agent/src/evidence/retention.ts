import { statfs } from 'node:fs/promises';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Logger } from '../core/log.ts';
import type { EvidenceStore } from './store.ts';

export interface RetentionPolicy {
  /** Evidence older than this is deleted. */
  maxAgeMs: number;
  /** While the disk is fuller than this (percent of the space usable by the agent), the oldest evidence goes. */
  maxDiskUsedPercent: number;
  /** Optional cap on the evidence store's own size. */
  maxStoreBytes?: number;
}

export interface DiskUsage {
  /** Bytes usable by the agent: used + available to unprivileged users (as `df` counts). */
  total: number;
  used: number;
}

export type RetentionReason = 'age' | 'disk' | 'quota';

export interface RetentionItem {
  eventId: string;
  createdAt: number;
  bytes: number;
}

/**
 * Which events to delete, oldest first: every event past the age limit, then the oldest of the rest
 * until the disk is back under its threshold and the store under its cap. Pure.
 */
export function planRetention(
  items: readonly RetentionItem[],
  policy: RetentionPolicy,
  now: number,
  disk: DiskUsage,
): { eventId: string; reason: RetentionReason; bytes: number }[] {
  const ordered = [...items].sort((a, b) => a.createdAt - b.createdAt);
  const plan: { eventId: string; reason: RetentionReason; bytes: number }[] = [];
  let used = disk.used;
  let store = ordered.reduce((n, i) => n + i.bytes, 0);
  let k = 0;
  for (; k < ordered.length && now - ordered[k].createdAt > policy.maxAgeMs; k++) {
    plan.push({ eventId: ordered[k].eventId, reason: 'age', bytes: ordered[k].bytes });
    used -= ordered[k].bytes;
    store -= ordered[k].bytes;
  }
  const diskLimit = (policy.maxDiskUsedPercent / 100) * disk.total;
  for (; k < ordered.length; k++) {
    const overDisk = used > diskLimit;
    const overQuota = policy.maxStoreBytes !== undefined && store > policy.maxStoreBytes;
    if (!overDisk && !overQuota) break;
    plan.push({ eventId: ordered[k].eventId, reason: overDisk ? 'disk' : 'quota', bytes: ordered[k].bytes });
    used -= ordered[k].bytes;
    store -= ordered[k].bytes;
  }
  return plan;
}

export async function diskUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path);
  const used = (s.blocks - s.bfree) * s.bsize;
  return { used, total: used + s.bavail * s.bsize };
}

export interface RetentionResult {
  deleted: number;
  bytes: number;
  byReason: Record<RetentionReason, number>;
}

/** Applies the plan: deletes the events' folders, audits each deletion, logs a summary when anything went. */
export async function runRetention(
  store: EvidenceStore,
  policy: RetentionPolicy,
  deps: { log: Logger; audit?: AuditLog; now?: number; disk?: (path: string) => Promise<DiskUsage> },
): Promise<RetentionResult> {
  const now = deps.now ?? Date.now();
  const disk = await (deps.disk ?? diskUsage)(store.root);
  const plan = planRetention(store.list(), policy, now, disk);
  const result: RetentionResult = { deleted: 0, bytes: 0, byReason: { age: 0, disk: 0, quota: 0 } };
  for (const p of plan) {
    const e = await store.remove(p.eventId);
    if (!e) continue;
    result.deleted++;
    result.bytes += e.bytes;
    result.byReason[p.reason]++;
    await deps.audit?.append('evidence_deleted', {
      eventId: e.eventId,
      camera: e.camera,
      reason: p.reason,
      createdAt: new Date(e.createdAt).toISOString(),
      bytes: e.bytes,
      files: e.files.map((f) => ({ kind: f.kind, sha256: f.sha256, bytes: f.bytes })),
    });
  }
  const log = deps.log.child({ stage: 'evidence' });
  if (result.deleted > 0) {
    log.info({ ...result, diskUsedPercent: Math.round((disk.used / disk.total) * 1000) / 10 }, 'evidence retention deleted old evidence');
  } else {
    log.debug({ events: store.list().length }, 'evidence retention: nothing to delete');
  }
  return result;
}
