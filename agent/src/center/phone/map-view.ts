import { h } from '../../web/client/dom.ts';
import type { PhoneMap, PhoneMapSpec } from './map.ts';
import { t } from './state.ts';

/*
 * Where the phone's map sits in the page. One map for the page's life: the page is redrawn at every GPS fix and a
 * map made anew each time would flicker and refetch its tiles, so the same element moves into each redraw. MapLibre
 * and its style are fetched the first time a map is shown (the task list opens without them).
 */

/** After a failed load (the network dropped), the next try waits this long. */
const RETRY_MS = 30_000;

const holder = h('div', { class: 'phone-map', id: 'phone-map' });
let map: PhoneMap | null = null;
let loading = false;
let failedAt = 0;
let wanted: PhoneMapSpec | null = null;

function addStyle(): void {
  if (document.querySelector('link[data-maplibre]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/assets/maplibre.css', 'data-maplibre': '1' }));
}

function load(): void {
  loading = true;
  holder.replaceChildren();
  addStyle();
  import('./map.ts')
    .then(async (m) => {
      map = await m.mountPhoneMap(holder);
      // No WebGL2: the notice stays, and no later redraw tries again.
      if (!map) failedAt = Number.POSITIVE_INFINITY;
      else if (wanted) map.show(wanted);
    })
    .catch((err: unknown) => {
      failedAt = Date.now();
      holder.replaceChildren(h('p', { class: 'map-failed' }, t('map.failed', { why: String((err as Error).message ?? err) })));
    })
    .finally(() => (loading = false));
}

/** The map showing `spec`, loading it the first time (and again after a failure, once the network may be back). */
export function mapView(spec: PhoneMapSpec): HTMLElement {
  wanted = spec;
  if (map) map.show(spec);
  else if (loading) return holder;
  else if (!navigator.onLine) holder.replaceChildren(h('p', { class: 'map-failed' }, t('map.offline')));
  else if (Date.now() - failedAt > RETRY_MS) load();
  return holder;
}
