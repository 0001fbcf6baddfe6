import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { PresentedEvent } from '../../wire.ts';
import { cityInput } from '../format.ts';
import { t } from '../words.ts';
import { eventRow, eventTable } from './queue-rows.ts';

/** One page of `GET /api/events/search`. */
interface SearchPage {
  events: PresentedEvent[];
  total: number;
  page: number;
  pageSize: number;
}

const PAGE_SIZE = 25;

/** The archive search as the operator left it: it survives the redraws live updates cause. */
const search = {
  text: '',
  since: '',
  until: '',
  page: 1,
  result: null as SearchPage | null,
  error: '',
};

/** Whether the queue shows search results instead of the live alerts. */
export const searching = (): boolean => search.result !== null || search.error !== '';

/** A `datetime-local` value (on the city's clock) as the API's ISO time. */
const iso = (local: string): string | undefined => (local ? new Date(cityInput(local)).toISOString() : undefined);

async function run(redraw: () => void): Promise<void> {
  const q = new URLSearchParams({ page: String(search.page), pageSize: String(PAGE_SIZE) });
  if (search.text.trim()) q.set('q', search.text.trim());
  const since = iso(search.since);
  const until = iso(search.until);
  if (since) q.set('since', since);
  if (until) q.set('until', until);
  try {
    search.result = await api<SearchPage>('GET', `/api/events/search?${q}`);
    search.error = '';
  } catch (err) {
    search.result = null;
    search.error = (err as Error).message;
  }
  redraw();
}

/**
 * The search form: a part of a plate, an address or an id, and a time range; searched on the server. Made once by the
 * queue: live updates redraw the rows under an operator who is typing here.
 */
export function searchForm(redraw: () => void): HTMLFormElement {
  const text = h('input', { type: 'search', id: 'search-q', placeholder: t('search.placeholder') });
  const since = h('input', { type: 'datetime-local', id: 'search-since' });
  const until = h('input', { type: 'datetime-local', id: 'search-until' });
  const f = h(
    'form',
    { class: 'filters search', id: 'search', role: 'search' },
    h('label', { class: 'grow' }, t('search.label'), text),
    h('label', {}, t('search.since'), since),
    h('label', {}, t('search.until'), until),
    h('button', { type: 'submit', id: 'search-go' }, t('search.go')),
  );
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    Object.assign(search, { text: text.value, since: since.value, until: until.value, page: 1 });
    void run(redraw);
  });
  return f;
}

/** The results: a page of rows (opened like the queue's), how many in all, and the pager. */
export function searchResults(redraw: () => void): HTMLElement[] {
  const close = h('button', { type: 'button', class: 'secondary', id: 'search-close' }, t('search.close'));
  close.addEventListener('click', () => {
    Object.assign(search, { result: null, error: '', page: 1 });
    redraw();
  });
  if (search.error) return [h('p', { class: 'error', id: 'search-error' }, search.error), close];
  const r = search.result;
  if (!r) return [];
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  const go = (page: number) => () => {
    search.page = page;
    void run(redraw);
  };
  const prev = h('button', { type: 'button', class: 'secondary', id: 'search-prev', disabled: r.page <= 1 }, t('search.prev'));
  const next = h('button', { type: 'button', class: 'secondary', id: 'search-next', disabled: r.page >= pages }, t('search.next'));
  prev.addEventListener('click', go(r.page - 1));
  next.addEventListener('click', go(r.page + 1));
  const count = h('span', { id: 'search-count' }, t('search.count', { total: r.total, page: r.page, pages }));
  return [
    h('div', { class: 'pager' }, count, prev, next, close),
    r.events.length
      ? eventTable(
          'search-results',
          r.events.map((e) => eventRow(e, redraw)),
        )
      : h('p', { class: 'muted', id: 'search-empty' }, t('search.none')),
  ];
}
