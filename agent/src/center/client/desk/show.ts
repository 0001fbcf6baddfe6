import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import type { Order, Stage } from '../../patrol/schema.ts';
import { ago, time } from '../format.ts';
import { events } from '../state.ts';
import { categories } from './catalogue.ts';
import { centerNow, lateNow } from './live.ts';
import { w, wr } from './words.ts';

/* How the patrol pages say things in words: categories, units, people, states, places, lateness. */

/** The category as the standard names it (in the page's language) with its code; the id only when nothing knows it. */
export function categoryText(id: string): string {
  const c = categories.get(id);
  if (c) return [c.name[currentLang()], c.code].filter(Boolean).join(' ');
  // An order opened from an alert: the box's alert carried the standard's name and code.
  for (const e of events.values())
    if (e.type === id && (e.categoryName || e.categoryCode)) return [e.categoryName, e.categoryCode].filter(Boolean).join(' ');
  return id;
}

/** Who did it, in words: a person's login name, the system, or the camera box of a site. */
export function byText(by: string): string {
  if (by === 'system') return w('by.system');
  if (by.startsWith('box:')) return w('by.box', { site: by.slice(4) });
  return by;
}

export const stateTag = (state: Order['state']): HTMLElement => h('span', { class: `wo-state wo-${state}` }, wr(`state.${state}`));

export const placeText = (o: Order): string => o.place.address ?? `${o.place.lat.toFixed(5)}, ${o.place.lon.toFixed(5)}`;

/** "派遣超时 12 分钟" per late stage (`first`: only the earliest, the one holding the order up), or nothing. */
export function lateTags(o: Order, first = false): HTMLElement[] {
  const late = lateNow(o);
  return (first ? late.slice(0, 1) : late).map((s: Stage) =>
    h(
      'span',
      { class: 'late-stage', 'data-stage': s },
      w('due.lateBy', { stage: w(`stage.${s}`), t: ago(Date.parse(o.due[s]) - (centerNow() - Date.now())) }),
    ),
  );
}

/** How long ago, by the center's clock: "12 秒前". */
export const agoText = (iso: string): string => w('ago', { t: ago(Date.parse(iso) - (centerNow() - Date.now())) });

export const timeText = (iso: string): string => time(Date.parse(iso));

/** A UUID for `clientId`: crypto.randomUUID exists only on HTTPS or localhost, getRandomValues everywhere. */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
