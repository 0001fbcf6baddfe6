import { MAX_RESEND, type ResendDetail } from '../contract/commands.ts';
import { absentRanges, type Range } from '../core/ranges.ts';
import type { OutboxConfig } from './config.ts';
import type { Outbox, OutboxMessage } from './outbox.ts';

/** What `cmd/resend` answers: refused (with the same detail) when nothing of the range is kept any more. */
export type ResendOutcome = { ok: true; detail: ResendDetail } | { ok: false; error: string; detail: ResendDetail };

/**
 * Publishes again, through `publish`, the delivered messages of publications `from`…`to` (default: the latest) the
 * outbox still keeps, at most MAX_RESEND publications; says which of the range it no longer has.
 */
export function resendKept(
  outbox: Outbox,
  range: { from: number; to?: number | undefined },
  publish: (message: OutboxMessage, payload: Buffer) => void,
  window: Pick<OutboxConfig, 'keepDeliveredHours' | 'keepDeliveredMegabytes'>,
): ResendOutcome {
  const { from } = range;
  const latest = outbox.latestPublication;
  const last = Math.min(range.to ?? latest, latest);
  if (last < from) return { ok: true, detail: { from, through: last, latest, resent: 0, queued: 0, notKept: [], more: false } };
  const kept = outbox.kept(from, last, MAX_RESEND);
  for (const { message, payload } of kept.messages) publish(message, payload);
  const present = [...kept.resent, ...kept.queued].sort((a, b) => a - b);
  const notKept = absentRanges(from, kept.through, present);
  const detail: ResendDetail = {
    from,
    through: kept.through,
    latest,
    resent: kept.resent.length,
    queued: kept.queued.length,
    notKept: notKept.map((r) => [r[0], r[1]]),
    more: kept.through < last,
  };
  if (present.length > 0 || notKept.length === 0) return { ok: true, detail };
  return { ok: false, error: notKeptError(notKept, window), detail };
}

function notKeptError(ranges: readonly Range[], w: Pick<OutboxConfig, 'keepDeliveredHours' | 'keepDeliveredMegabytes'>): string {
  const which = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
  return `publications ${which} are no longer kept: this box keeps delivered alerts ${w.keepDeliveredHours} h and at most ${w.keepDeliveredMegabytes} MB (mqtt.outbox.keepDeliveredHours, keepDeliveredMegabytes), or dropped them before delivery`;
}
