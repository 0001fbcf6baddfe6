import type { AuditRecord } from '../audit/record.ts';
import type { DatasetOutcome } from './dataset-manifest.ts';

/** What the audit log says of one event: its rule, its category and the operator's verdict. */
export interface EventVerdict {
  eventId: string;
  camera?: string;
  type?: string;
  category?: string;
  /** Undefined: nobody confirmed or rejected it (ack only, dispatched but never seen cleared, ended on its own). */
  outcome?: DatasetOutcome;
}

/**
 * Reads operator decisions out of audit records (in log order): `false_positive` rejects an event; `resolve`
 * confirms it; a `dispatch` followed by the rules seeing the violation `cleared` confirms it too. Refused
 * commands (`ok: false`) decide nothing.
 */
export function eventVerdicts(records: Iterable<Pick<AuditRecord, 'kind' | 'data'>>): Map<string, EventVerdict> {
  const out = new Map<string, EventVerdict & { dispatched: boolean; cleared: boolean; rejected: boolean; resolved: boolean }>();
  const entry = (eventId: string) => {
    let e = out.get(eventId);
    if (!e) {
      e = { eventId, dispatched: false, cleared: false, rejected: false, resolved: false };
      out.set(eventId, e);
    }
    return e;
  };
  for (const r of records) {
    const d = r.data;
    if (r.kind === 'event_decision' && typeof d.eventId === 'string') {
      const e = entry(d.eventId);
      if (typeof d.camera === 'string') e.camera = d.camera;
      const rule = d.rule as { type?: unknown } | undefined;
      if (typeof rule?.type === 'string') e.type = rule.type;
      if (typeof d.category === 'string') e.category = d.category;
      if (d.state === 'cleared') e.cleared = true;
    } else if (r.kind === 'operator_command' && d.command === 'event' && d.ok === true) {
      const p = d.payload as { eventId?: unknown; action?: unknown } | undefined;
      if (typeof p?.eventId !== 'string') continue;
      const e = entry(p.eventId);
      if (p.action === 'dispatch') e.dispatched = true;
      else if (p.action === 'false_positive') e.rejected = true;
      else if (p.action === 'resolve') e.resolved = true;
    }
  }
  const verdicts = new Map<string, EventVerdict>();
  for (const { dispatched, cleared, rejected, resolved, ...e } of out.values()) {
    const outcome: DatasetOutcome | undefined = rejected
      ? 'false_positive'
      : resolved
        ? 'resolved'
        : dispatched && cleared
          ? 'cleared'
          : undefined;
    verdicts.set(e.eventId, { ...e, ...(outcome && { outcome }) });
  }
  return verdicts;
}
