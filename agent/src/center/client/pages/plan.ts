import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { PlanView } from '../../patrol-plan.ts';
import type { DiscoveryView } from '../../planner.ts';
import { t } from '../words.ts';
import type { PageView } from './view.ts';

/** The patrol plan: the slots to patrol and why, where patrols can be thinned, and how often planned slots found something. */
let root: HTMLElement | null = null;

export const planPage: PageView = {
  render: (main) => {
    if (root && main.contains(root)) return;
    root = h('div', { class: 'plan report', id: 'plan' });
    main.replaceChildren(root);
    void show(root, new URLSearchParams(location.search));
  },
};

/** A time on the city's clock, `2026-12-08 16:00`, wherever the browser is. */
const cityTime = (ms: number, offsetMinutes: number) => new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
const per = (n: number) => (Math.round(n * 100) / 100).toString();
const share = (s: number | null) => (s === null ? '—' : `${Math.round(s * 1000) / 10} %`);

function trendWord(trend: number | null): string {
  if (trend === null) return '';
  return trend > 1.25 ? t('plan.rising') : trend < 0.8 ? t('plan.falling') : t('plan.steady');
}

async function show(holder: HTMLElement, q: URLSearchParams): Promise<void> {
  holder.replaceChildren(filters(q));
  const [plan, discovery] = await Promise.all([
    api<PlanView>('GET', `/api/plan?${q}`).catch(() => null),
    api<DiscoveryView>('GET', '/api/plan/discovery'),
  ]);
  if (!plan) return void holder.append(h('p', { class: 'muted', id: 'plan-none' }, t('plan.none')));
  const from = cityTime(plan.from, plan.offsetMinutes).slice(0, 10);
  holder.append(
    h('h2', {}, t('plan.title', { from: q.get('from') ?? from, days: Math.round((plan.to - plan.from) / 86_400_000) })),
    h('p', { class: 'muted' }, t('plan.fitted', { at: cityTime(plan.fittedAt, plan.offsetMinutes), m: plan.cellMeters })),
    discoveryView(discovery),
    slotsTable(plan),
    thinList(plan),
  );
}

function filters(q: URLSearchParams): HTMLElement {
  const from = h('input', { type: 'date', id: 'plan-from', value: q.get('from') ?? '' });
  const days = h('input', { type: 'number', id: 'plan-days', min: 1, max: 14, value: q.get('days') ?? '1' });
  const budget = h('input', { type: 'number', id: 'plan-budget', min: 0, max: 2000, value: q.get('budget') ?? '' });
  const apply = () => {
    const p = new URLSearchParams();
    if (from.value) p.set('from', from.value);
    p.set('days', days.value || '1');
    if (budget.value) p.set('budget', budget.value);
    history.replaceState(null, '', `?${p}`);
    if (root) void show(root, p);
  };
  return h(
    'div',
    { class: 'filters no-print' },
    h('label', {}, `${t('plan.from')} `, from),
    h('label', {}, `${t('plan.days')} `, days),
    h('label', {}, `${t('plan.budget')} `, budget),
    h('button', { id: 'plan-apply', onclick: apply }, t('stats.apply')),
    h('button', { id: 'plan-print', onclick: () => window.print() }, t('stats.print')),
  );
}

function discoveryView(d: DiscoveryView): HTMLElement {
  const column = (id: string, title: string, v: DiscoveryView['live'] | null, empty: string) =>
    h(
      'div',
      { class: 'figure', id },
      h('div', { class: 'muted' }, title),
      h('strong', {}, v?.overall.slots ? share(v.overall.share) : '—'),
      h('div', { class: 'muted' }, v?.overall.slots ? `${v.overall.found} / ${v.overall.slots}` : empty),
      h(
        'ul',
        { class: 'weeks muted' },
        ...(v?.weeks ?? []).map((w) =>
          h('li', {}, `${t('plan.weekShare', { week: w.week, found: w.found, slots: w.slots })} (${share(w.share)})`),
        ),
      ),
    );
  return h(
    'section',
    { class: 'card', id: 'discovery' },
    h('h3', {}, t('plan.discovery')),
    h(
      'div',
      { class: 'figures' },
      column('discovery-live', t('plan.live'), d.live, t('plan.noLive')),
      column('discovery-backtest', t('plan.backtest'), d.backtest, '—'),
    ),
  );
}

function slotsTable(p: PlanView): HTMLElement {
  const many = p.areas.length > 1;
  return h(
    'section',
    { class: 'card' },
    h('h3', {}, `${t('plan.slots')} · ${p.slots.length}`),
    h(
      'table',
      { class: 'queue', id: 'plan-slots' },
      h(
        'tr',
        {},
        ...(many ? [h('th', {}, t('plan.area'))] : []),
        h('th', {}, t('plan.when')),
        h('th', {}, t('plan.where')),
        h('th', {}, t('plan.expected')),
        h('th', {}, t('plan.why')),
      ),
      ...p.slots.map((s) =>
        h(
          'tr',
          { class: 'slot', 'data-area': s.area },
          ...(many ? [h('td', {}, s.area)] : []),
          h('td', {}, `${cityTime(s.start, p.offsetMinutes)}–${cityTime(s.end, p.offsetMinutes).slice(11)}`),
          h('td', {}, `${s.centre.lat.toFixed(5)}, ${s.centre.lon.toFixed(5)}`),
          h('td', {}, per(s.expected)),
          h(
            'td',
            {},
            `${t('plan.why.text', { recent: per(s.recentPerWeek), long: per(s.longRunPerWeek) })} · `,
            h('span', { class: `trend ${trendWord(s.trend)}` }, trendWord(s.trend)),
          ),
        ),
      ),
    ),
  );
}

function thinList(p: PlanView): HTMLElement {
  return h(
    'section',
    { class: 'card', id: 'plan-thin' },
    h('h3', {}, t('plan.thin')),
    p.thin.length
      ? h(
          'ul',
          {},
          ...p.thin.map((c) =>
            h(
              'li',
              {},
              `${p.areas.length > 1 ? `${c.area} · ` : ''}${c.centre.lat.toFixed(5)}, ${c.centre.lon.toFixed(5)} · `,
              t('plan.forecast', { f: per(c.forecastPerWeek), long: per(c.longRunPerWeek) }),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('plan.thin.none')),
  );
}
