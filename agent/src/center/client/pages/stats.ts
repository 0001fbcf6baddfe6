import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import type { Count, Duration, StatsReport } from '../../stats.ts';
import type { PresentedEvent } from '../../wire.ts';
import { barChart, barList, heatTable } from '../charts.ts';
import { categories, loadCategories } from '../desk/catalogue.ts';
import { seenAt, time } from '../format.ts';
import { eventQuery } from '../state.ts';
import { t, tr } from '../words.ts';
import type { PageView } from './view.ts';

/** The bureau's statistics: counts, trends and handling times over a date range, charted, exportable and printable. */
let root: HTMLElement | null = null;

export const statsPage: PageView = {
  // Drawn once: live events do not move a report of past days; the filters fetch it again.
  render: (main) => {
    if (root && main.contains(root)) return;
    root = h('div', { class: 'stats report', id: 'stats' });
    main.replaceChildren(root);
    void show(root, new URLSearchParams(location.search));
  },
};

const pct = (n: number, of: number) => (of ? `${Math.round((1000 * n) / of) / 10} %` : '—');

/** How fast 90 % went, and of how many; with none, that none did (not "90 % within none"). */
const p90 = (d: Duration): string => (d.n ? t('stats.p90', { t: span(d.p90Seconds), n: d.n }) : t('stats.noneReached'));

/** Seconds in the unit a person reads fastest. */
export function span(s: number | null): string {
  if (s === null) return t('stats.none');
  if (s < 120) return t('ago.s', { n: Math.round(s) });
  if (s < 7200) return t('ago.m', { n: Math.round(s / 60) });
  return t('ago.h', { n: Math.round((s / 3600) * 10) / 10 });
}

/**
 * A category in the page's language: the catalogue's name for the event type (an alert carries only the Chinese
 * name), else the name the alert carried; with the standard's code.
 */
function categoryLabel(type: string, carried: { name: string | null; code: string | null }): string {
  const known = categories.get(type);
  const name = known?.name[currentLang()] ?? carried.name ?? type;
  const code = carried.code ?? known?.code;
  if (!code) return name;
  return currentLang() === 'zh' ? `${name}（${code}）` : `${name} (${code})`;
}

async function show(holder: HTMLElement, q: URLSearchParams): Promise<void> {
  holder.replaceChildren(h('p', { class: 'muted' }, t('stats.loading')));
  const [r] = await Promise.all([api<StatsReport>('GET', `/api/stats/summary?${q}`), loadCategories()]);
  const events = h('section', { class: 'card events-behind', id: 'events-behind' });
  const width = Math.max(320, Math.min(960, holder.clientWidth - 40));
  const days = h('section', { class: 'card' }, h('h3', {}, t('stats.byDay')));
  const weeks = h('section', { class: 'card' }, h('h3', {}, t('stats.byWeek')));
  holder.replaceChildren(
    filters(r, q),
    h('h2', {}, t('stats.title', { from: r.from, to: r.to })),
    summary(r),
    days,
    weeks,
    h(
      'section',
      { class: 'card' },
      h('h3', {}, t('stats.byCategory')),
      barList(
        r.byCategory.map((c) => ({
          key: c.key,
          label: categoryLabel(c.type, c),
          count: c.count,
          extra: `${t('stats.falsePositives')} ${pct(c.falsePositives, c.count)}`,
        })),
        (key) => void eventsBehind(events, r, { type: r.byCategory.find((c) => c.key === key)?.type ?? key }),
      ),
    ),
    h('section', { class: 'card' }, h('h3', {}, t('stats.hourOfWeek')), hourOfWeek(r)),
    places(t('stats.bySite'), r.bySite, (key) => void eventsBehind(events, r, { site: key })),
    places(t('stats.byCamera'), r.byCamera),
    places(t('stats.byZone'), r.byZone),
    ordersView(r.orders),
    events,
  );
  barChart(days, {
    id: 'chart-days',
    labels: r.byDay.map((d) => d.date.slice(5)),
    values: r.byDay.map((d) => d.count),
    label: t('stats.count'),
    width,
    onPick: (i) => void eventsBehind(events, r, { day: r.byDay[i].date }),
  });
  barChart(weeks, {
    id: 'chart-weeks',
    labels: r.weeks.map((w) => w.week.slice(5)),
    values: r.weeks.map((w) => w.count),
    label: t('stats.count'),
    width,
  });
  weeks.append(
    h(
      'table',
      { class: 'queue', id: 'weeks' },
      h('tr', {}, h('th', {}, t('stats.week')), h('th', {}, t('stats.count')), h('th', {}, t('stats.change'))),
      ...r.weeks.map((w) =>
        h(
          'tr',
          {},
          h('td', {}, w.week),
          h('td', {}, String(w.count)),
          h(
            'td',
            { class: w.change === null ? '' : w.change > 0 ? 'up' : 'down' },
            w.change === null ? '—' : `${w.change > 0 ? '+' : ''}${Math.round(w.change * 100)} %`,
          ),
        ),
      ),
    ),
  );
}

function filters(r: StatsReport, q: URLSearchParams): HTMLElement {
  const from = h('input', { type: 'date', id: 'stats-from', value: r.from });
  const to = h('input', { type: 'date', id: 'stats-to', value: r.to });
  const category = h(
    'select',
    { id: 'stats-category' },
    h('option', { value: '' }, t('filter.all')),
    ...r.byCategory.map((c) => h('option', { value: c.key, selected: r.categories.includes(c.key) }, categoryLabel(c.type, c))),
  );
  const query = () => {
    const p = new URLSearchParams({ from: from.value, to: to.value });
    if (category.value) p.set('category', category.value);
    return p;
  };
  const apply = () => {
    const p = query();
    history.replaceState(null, '', `?${p}`);
    if (root) void show(root, p);
  };
  const csv = h('a', { class: 'button', id: 'stats-csv', href: `/api/stats/summary.csv?${q}`, download: '' }, t('stats.csv'));
  return h(
    'div',
    { class: 'filters no-print' },
    h('label', {}, `${t('stats.from')} `, from),
    h('label', {}, `${t('stats.to')} `, to),
    h('label', {}, `${t('stats.category')} `, category),
    h('button', { id: 'stats-apply', onclick: apply }, t('stats.apply')),
    csv,
    h('button', { id: 'stats-print', onclick: () => window.print() }, t('stats.print')),
  );
}

function summary(r: StatsReport): HTMLElement {
  const figure = (id: string, label: string, value: string, note = '') =>
    h('div', { class: 'figure', id }, h('div', { class: 'muted' }, label), h('strong', {}, value), h('div', { class: 'muted' }, note));
  const handling = (id: string, label: string, d: Duration) => figure(id, label, span(d.medianSeconds), p90(d));
  return h(
    'div',
    { class: 'figures' },
    figure('fig-total', t('stats.total'), String(r.total)),
    figure('fig-false', t('stats.falseShare'), pct(r.falsePositives, r.total), `${r.falsePositives} / ${r.total}`),
    handling('fig-ack', t('stats.ack'), r.handling.ack),
    handling('fig-dispatch', t('stats.dispatch'), r.handling.dispatch),
    handling('fig-resolve', t('stats.resolve'), r.handling.resolve),
  );
}

function ordersView(o: StatsReport['orders']): HTMLElement {
  const stage = (id: string, label: string, d: Duration, late?: { late: number; of: number }) =>
    h(
      'div',
      { class: 'figure', id },
      h('div', { class: 'muted' }, label),
      h('strong', {}, span(d.medianSeconds)),
      h('div', { class: 'muted' }, `${p90(d)}${late ? ` · ${t('stats.o.overdue', late)}` : ''}`),
    );
  return h(
    'section',
    { class: 'card', id: 'orders' },
    h('h3', {}, t('stats.orders')),
    h(
      'div',
      { class: 'figures' },
      h(
        'div',
        { class: 'figure', id: 'fig-orders' },
        h('div', { class: 'muted' }, t('stats.o.total')),
        h('strong', {}, String(o.total)),
        h('div', { class: 'muted' }, `${t('stats.o.open', { n: o.open })} · ${t('stats.o.warned', { n: o.warned })}`),
      ),
      h(
        'div',
        { class: 'figure', id: 'fig-corrected' },
        h('div', { class: 'muted' }, t('stats.o.corrected')),
        h('strong', {}, String(o.closedAs.corrected_after_warning ?? 0)),
      ),
      stage('fig-o-dispatch', t('stats.o.dispatch'), o.times.dispatch, o.overdue.dispatch),
      stage('fig-o-arrive', t('stats.o.arrive'), o.times.arrive, o.overdue.arrive),
      stage('fig-o-handle', t('stats.o.handle'), o.times.handle, o.overdue.handle),
      stage('fig-o-close', t('stats.o.close'), o.times.close),
    ),
    h('h4', {}, t('stats.o.closedAs')),
    barList(Object.entries(o.closedAs).map(([reason, n]) => ({ key: reason, label: tr(`close.${reason}`), count: n }))),
  );
}

function hourOfWeek(r: StatsReport): HTMLElement {
  return heatTable({
    id: 'hour-of-week',
    rows: Array.from({ length: 7 }, (_, d) => t(`day.${d}` as 'day.0')),
    columns: Array.from({ length: 24 }, (_, hour) => String(hour)),
    values: r.hourOfWeek,
  });
}

/** A place by its name where the boxes gave one (its ids on hover), else by its ids. */
function places(title: string, rows: (Count & { name?: string | null })[], onPick?: (key: string) => void): HTMLElement {
  return h(
    'section',
    { class: 'card' },
    h('h3', {}, title),
    barList(
      rows.map((c) => ({
        key: c.key,
        label: c.name ?? c.key,
        title: c.name ? c.key : undefined,
        count: c.count,
        extra: `${t('stats.falsePositives')} ${pct(c.falsePositives, c.count)}`,
      })),
      onPick,
    ),
  );
}

/** The events behind a figure, each linking to its page in the queue. */
async function eventsBehind(holder: HTMLElement, r: StatsReport, pick: { type?: string; site?: string; day?: string }): Promise<void> {
  const [fromDay, toDay] = pick.day ? [pick.day, pick.day] : [r.from, r.to];
  // The range's days are the city's, on the offset the server read them on.
  const local = (d: string, end: boolean) =>
    new Date(Date.parse(`${d}T00:00:00Z`) - r.offsetMinutes * 60_000 + (end ? 86_400_000 - 1 : 0)).toISOString();
  const p = new URLSearchParams({ since: local(fromDay, false), until: local(toDay, true), limit: '500' });
  if (pick.type) p.set('type', pick.type);
  if (pick.site) p.set('site', pick.site);
  const got = await api<{ events: PresentedEvent[] }>('GET', `/api/events?${p}`);
  const wanted = new Set(r.categories);
  const list = got.events.filter((e) => !wanted.size || wanted.has(e.categoryCode ?? e.type) || wanted.has(e.type));
  holder.replaceChildren(
    h('h3', {}, `${t('stats.events')} (${list.length})`),
    h(
      'ul',
      {},
      ...list.map((e) =>
        h(
          'li',
          { 'data-event': e.id },
          h(
            'a',
            { href: `/?${eventQuery(e)}` },
            `${time(e.startedAt)} · ${categoryLabel(e.type, { name: e.categoryName, code: e.categoryCode })} · ${seenAt(e)}`,
          ),
        ),
      ),
    ),
  );
  holder.scrollIntoView();
}
