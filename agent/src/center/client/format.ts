import { trackTag } from '../../contract/track-id.ts';
import { h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import { labelIn } from '../../web/label-words.ts';
import type { EventRow, PresentedEvent } from '../wire.ts';
import { unitName } from './desk/live.ts';
import { data } from './state.ts';
import { t, tr } from './words.ts';

type Ev = PresentedEvent;

/* How the pages write times, durations and an event's state, and how they rank events. */

/**
 * A time on the city's clock, whatever the clock of the computer showing the page: the statistics and the patrol plan
 * count days and hours on it, so the queue and the orders say the same hour.
 */
export const time = (ms: number) =>
  new Date(ms + data.offsetMinutes * 60_000).toLocaleString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB', {
    hour12: false,
    timeZone: 'UTC',
  });
/** A detected object as the reader says it: "小汽车 81% #3" on a Chinese page, "car 81% #3" on an English one. */
export const objectText = (o: { label: string; score: number; trackId: number }): string =>
  `${labelIn(o.label, currentLang())} ${(o.score * 100).toFixed(0)}%${trackTag(o.trackId)}`;
/** A `datetime-local` input's value read on the city's clock, as epoch milliseconds (NaN when empty or not a time). */
export const cityInput = (value: string): number => Date.parse(`${value}Z`) - data.offsetMinutes * 60_000;
export function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 120) return t('ago.s', { n: s });
  if (s < 7200) return t('ago.m', { n: Math.round(s / 60) });
  return t('ago.h', { n: Math.round(s / 3600) });
}
type Place = Pick<EventRow, 'site' | 'camera' | 'zone' | 'cameraName' | 'zoneName'>;
/** Where an event was seen, as people call it: "东门 / 路边" (an id only where the box named nothing). */
export const seenAt = (e: Place): string => `${e.cameraName ?? e.camera} / ${e.zoneName ?? e.zone}`;
/** The ids behind {@link seenAt}, for a tooltip: two cameras of two boxes may share a name. */
export const seenAtIds = (e: Place): string => `${e.site} / ${e.camera} / ${e.zone}`;
export const dwell = (s: number) => (s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);
export const snapUrl = (sha: string | null) => (sha ? `/api/snapshots/${sha}` : null);
export const isOpen = (e: Ev) => e.state !== 'cleared' && e.operatorAction !== 'false_positive' && e.operatorAction !== 'resolve';
/** Most urgent first: open before closed, then those not yet handled by anyone, then the longest standing, then newest. */
export function urgency(a: Ev, b: Ev): number {
  const rank = (e: Ev) => (isOpen(e) ? (e.operatorAction ? 1 : 0) : 2);
  return rank(a) - rank(b) || b.startedAt - a.startedAt;
}
export function lifecycle(e: Ev): HTMLElement {
  const op = e.operatorAction ? ` · ${tr(`op.${e.operatorAction}`)}${e.operatorUnit ? ` (${unitName(e.operatorUnit)})` : ''}` : '';
  return h(
    'span',
    { class: `state state-${e.state}${e.operatorAction ? ` op-${e.operatorAction}` : ''}` },
    `${tr(`state.${e.state}`)}${op}`,
  );
}
