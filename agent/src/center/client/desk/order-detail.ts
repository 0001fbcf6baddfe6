import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { ORDER_ACTION_ROLES } from '../../patrol/access.ts';
import type { CloseReason, Order, OrderAction, Proposal, Transition } from '../../patrol/schema.ts';
import { seenAt, seenAtIds, snapUrl } from '../format.ts';
import { data, eventKey, eventQuery, events } from '../state.ts';
import { keepOrder, orders, unitName } from './live.ts';
import { agoText, byText, categoryText, lateTags, placeText, stateTag, timeText, uuid } from './show.ts';
import { w, wr } from './words.ts';

const CLOSE_REASONS: CloseReason[] = ['handled', 'corrected_after_warning', 'not_found', 'referred', 'duplicate'];
/** States in which the dispatcher picks a unit: first dispatch, or reassigning before the officer is on the spot. */
const DISPATCHABLE: Order['state'][] = ['filed', 'warning', 'dispatched', 'accepted'];

/** A button the user's role may not use is shown disabled, saying why, rather than refused after the click. */
const roleAttrs = (action: OrderAction) =>
  ORDER_ACTION_ROLES[action].includes(data.role) ? {} : { disabled: true, title: w('act.noRole') };

/** What the panel keeps across the redraws live updates cause: the fetched order, its proposals, the last answer. */
const panel = {
  token: 0,
  shown: null as { id: string; updatedAt: string } | null,
  proposals: [] as Proposal[],
  result: null as { id: string; ok: boolean; text: string } | null,
  form: { id: '', reason: 'handled' as CloseReason, note: '' },
};

/** What the order's panel says under its actions next time it draws (an answer that came elsewhere). */
export function sayResult(id: string, ok: boolean, text: string): void {
  panel.result = { id, ok, text };
}

/** The chosen order in full, fetched again only when it changed (the feed's copy carries no transitions). */
export async function orderPanel(holder: HTMLElement, id: string | null): Promise<void> {
  if (!id) {
    panel.shown = null;
    holder.replaceChildren(h('p', { class: 'muted' }, w('orders.pick')));
    return;
  }
  const known = orders.get(id);
  const fresh = panel.shown?.id === id && known?.transitions && known.updatedAt === panel.shown.updatedAt;
  if (!fresh) {
    const token = ++panel.token;
    try {
      const o = await api<Order>('GET', `/api/orders/${encodeURIComponent(id)}`);
      const proposals = DISPATCHABLE.includes(o.state)
        ? (await api<{ proposals: Proposal[] }>('GET', `/api/orders/${encodeURIComponent(id)}/proposals`)).proposals
        : [];
      if (token !== panel.token) return;
      keepOrder(o);
      panel.proposals = proposals;
    } catch (err) {
      if (token === panel.token) holder.replaceChildren(h('p', { class: 'error' }, (err as Error).message));
      return;
    }
  }
  const o = orders.get(id)!;
  panel.shown = { id, updatedAt: o.updatedAt };
  holder.replaceChildren(...orderView(o, () => void orderPanel(holder, id)));
}

function orderView(o: Order, again: () => void): Node[] {
  const last = panel.result?.id === o.id ? panel.result : null;
  return [
    h('h2', { id: 'order-title' }, `${categoryText(o.category)} · `, stateTag(o.state)),
    h('p', { class: 'muted' }, o.id),
    ...lateBanner(o),
    ...links(o),
    h('div', { class: 'order-summary' }, facts(o), h('div', {}, ...linkedAlerts(o))),
    ...proposalTable(o, again),
    ...actionForm(o, again),
    h('p', { id: 'order-result', class: last ? (last.ok ? 'ok' : 'error') : 'muted', role: 'status' }, last?.text ?? ''),
    ...photos(o),
    ...timeline(o.transitions ?? []),
  ];
}

function lateBanner(o: Order): HTMLElement[] {
  const tags = lateTags(o);
  return tags.length ? [h('div', { class: 'late-banner', id: 'order-late' }, ...tags)] : [];
}

/** The order this one repeats, the later ones repeating it, and how often it was sent back. */
function links(o: Order): HTMLElement[] {
  const link = (id: string) => h('a', { href: `/orders?order=${encodeURIComponent(id)}`, 'data-order-link': id }, id);
  const later = [...orders.values()].filter((x) => x.repeatOf === o.id);
  const reopens = (o.transitions ?? []).filter((x) => x.action === 'reopen').length;
  const out: HTMLElement[] = [];
  if (o.repeatOf) out.push(h('p', { class: 'repeat', id: 'repeat-of' }, w('detail.repeatOf'), link(o.repeatOf)));
  if (later.length) out.push(h('p', { class: 'repeat', id: 'repeated-by' }, w('detail.repeatedBy'), ...later.map((x) => link(x.id))));
  if (reopens) out.push(h('p', { class: 'repeat', id: 'reopened' }, w('detail.reopened', { n: reopens })));
  return out;
}

function facts(o: Order): HTMLElement {
  const row = (label: string, value: string | Node, id?: string) => [h('dt', {}, label), h('dd', id ? { id } : {}, value)];
  const due = h(
    'ul',
    { class: 'deadlines' },
    ...(['dispatch', 'arrive', 'handle'] as const).map((s) =>
      h('li', { class: o.overdue.includes(s) ? 'late' : undefined }, `${w(`due.${s}`)} ${timeText(o.due[s])}`),
    ),
  );
  return h(
    'dl',
    { class: 'facts' },
    ...row(w('detail.category'), categoryText(o.category), 'order-category'),
    ...row(w('detail.place'), `${placeText(o)} (${o.place.lat.toFixed(6)}, ${o.place.lon.toFixed(6)})`, 'order-place'),
    ...row(w('detail.unit'), unitName(o.unit) || '—', 'order-unit'),
    ...row(w('detail.openedBy'), `${byText(o.openedBy)} · ${timeText(o.openedAt)}`),
    ...(o.note ? row(w('detail.note'), o.note) : []),
    ...(o.warned ? row('', w('detail.warned')) : []),
    ...(o.escalated.length ? row(w('detail.escalated'), o.escalated.map((x) => w(`stage.${x}`)).join('、'), 'order-escalated') : []),
    ...(o.outcome ? row(w('detail.outcome'), wr(`outcome.${o.outcome}`), 'order-outcome') : []),
    ...(o.closedAs ? row(w('detail.closedAs'), wr(`reason.${o.closedAs}`), 'order-closed-as') : []),
    ...row(w('detail.deadlines'), due),
  );
}

/** Each linked alert with its evidence picture, linking to it in the alert queue. */
function linkedAlerts(o: Order): HTMLElement[] {
  return [
    h('h3', {}, w('detail.alerts')),
    h(
      'div',
      { class: 'linked-alerts', id: 'order-alerts' },
      ...o.events.map((ref) => {
        const e = events.get(eventKey(ref));
        const src =
          (e && snapUrl(e.lastSnapshot)) ?? `/api/events/${encodeURIComponent(ref.id)}/thumbnail?site=${encodeURIComponent(ref.site)}`;
        return h(
          'a',
          { class: 'linked-alert', href: `/?${eventQuery(ref)}`, 'data-event-id': ref.id },
          h('img', { src, alt: e?.type ?? ref.id, loading: 'lazy' }),
          h(
            'span',
            { title: e ? seenAtIds(e) : undefined },
            e ? `${e.address ?? ''} · ${seenAt(e)}` : w('detail.alertGone', { id: ref.id }),
          ),
        );
      }),
    ),
  ];
}

/** The proposed units, the one whose area holds the spot first; one click sends the order to it. */
function proposalTable(o: Order, again: () => void): HTMLElement[] {
  if (!DISPATCHABLE.includes(o.state)) return [];
  if (!panel.proposals.length)
    return [h('h3', {}, w('proposals.title')), h('p', { class: 'muted', id: 'proposals-none' }, w('proposals.none'))];
  const head = [
    'units.name',
    'proposals.why',
    'proposals.distance',
    'proposals.status',
    'proposals.load',
    'proposals.positionAge',
  ] as const;
  const rows = panel.proposals.map((p) =>
    h(
      'tr',
      { 'data-unit': p.unitId, class: p.unitId === o.unit ? 'current' : undefined },
      h('td', {}, p.name),
      h('td', { class: `why why-${p.reason}` }, w(`proposals.reason.${p.reason}`)),
      h(
        'td',
        {},
        p.distanceM === undefined ? '—' : p.distanceM < 1000 ? `${Math.round(p.distanceM)} m` : `${(p.distanceM / 1000).toFixed(1)} km`,
      ),
      h('td', {}, h('span', { class: `unit-status us-${p.status}` }, wr(`status.${p.status}`))),
      h('td', {}, String(p.load)),
      h('td', { class: 'muted' }, p.positionAt ? agoText(p.positionAt) : w('proposals.noPosition')),
      h(
        'td',
        {},
        p.unitId === o.unit
          ? null
          : h(
              'button',
              { class: 'send', ...roleAttrs('dispatch'), onclick: () => void act(o, 'dispatch', again, { unitId: p.unitId }) },
              o.unit ? w('proposals.resend') : w('proposals.send'),
            ),
      ),
    ),
  );
  return [
    h('h3', {}, w('proposals.title')),
    h(
      'table',
      { class: 'queue proposals', id: 'proposals' },
      h('thead', {}, h('tr', {}, ...head.map((k) => h('th', {}, w(k))), h('th'))),
      h('tbody', {}, ...rows),
    ),
  ];
}

/** Verify (the second person), close with a reason, send back: only what the order's state allows is offered. */
function actionForm(o: Order, again: () => void): HTMLElement[] {
  const { form } = panel;
  if (form.id !== o.id) Object.assign(form, { id: o.id, reason: 'handled', note: '' });
  const note = h('input', { id: 'order-note', maxlength: 2000, value: form.note, placeholder: w('act.note') });
  note.addEventListener('input', () => (form.note = note.value));
  const reason = h(
    'select',
    { id: 'close-reason' },
    ...CLOSE_REASONS.map((r) => h('option', { value: r, selected: r === form.reason }, w(`reason.${r}`))),
  );
  reason.addEventListener('change', () => (form.reason = reason.value as CloseReason));
  const button = (action: OrderAction, extra: Record<string, string> = {}) =>
    h(
      'button',
      {
        'data-action': action,
        class: action === 'close' ? 'secondary' : undefined,
        ...roleAttrs(action),
        onclick: () => void act(o, action, again, extra),
      },
      w(`act.${action as 'verify' | 'close' | 'reopen'}`),
    );
  if (o.state === 'closed') return [h('div', { class: 'actions', id: 'order-actions' }, button('reopen'))];
  const parts: (HTMLElement | null)[] = [
    h('div', { class: 'act-form' }, h('label', {}, w('act.closeReason'), reason), h('label', {}, w('act.note'), note)),
    h(
      'div',
      { class: 'actions', id: 'order-actions' },
      o.state === 'handled' ? button('verify') : null,
      button('close'),
      o.state === 'handled' ? button('reopen') : null,
    ),
    o.state === 'handled' ? h('p', { class: 'muted' }, w('act.verifyHint')) : null,
  ];
  return parts.filter((x): x is HTMLElement => x !== null);
}

/** Sends one action with a fresh clientId; the answer (the order as it now is, or why not) shows when it redraws. */
async function act(o: Order, action: OrderAction, again: () => void, extra: { unitId?: string } = {}): Promise<void> {
  const result = document.getElementById('order-result');
  if (result) result.textContent = w('act.sending');
  for (const b of document.querySelectorAll<HTMLButtonElement>('#order-detail button')) b.disabled = true;
  const body = {
    action,
    clientId: uuid(),
    ...extra,
    ...(action === 'close' ? { reason: panel.form.reason } : {}),
    ...(panel.form.note && action !== 'dispatch' ? { note: panel.form.note } : {}),
  };
  try {
    const after = await api<Order>('POST', `/api/orders/${encodeURIComponent(o.id)}/transition`, body);
    keepOrder(after);
    panel.result = { id: o.id, ok: true, text: w('act.done', { what: wr(`action.${action}`) }) };
    panel.form.note = '';
  } catch (err) {
    panel.result = { id: o.id, ok: false, text: w('act.refused', { error: err instanceof ApiError ? err.message : String(err) }) };
  }
  panel.shown = null;
  again();
}

function photos(o: Order): HTMLElement[] {
  return [
    h('h3', {}, w('detail.photos')),
    o.photos.length
      ? h(
          'div',
          { class: 'order-photos', id: 'order-photos' },
          ...o.photos.map((p) => {
            const src = `/api/orders/${encodeURIComponent(o.id)}/photos/${p}`;
            return h('a', { href: src, target: '_blank' }, h('img', { src, alt: w('detail.photos'), loading: 'lazy' }));
          }),
        )
      : h('p', { class: 'muted' }, w('detail.noPhotos')),
  ];
}

/** Every step: when, who, what it did, where the person stood, and what they said. */
function timeline(steps: Transition[]): HTMLElement[] {
  return [
    h('h3', {}, w('detail.timeline')),
    h(
      'ol',
      { class: 'timeline', id: 'order-timeline' },
      ...steps.map((s) =>
        h(
          'li',
          { 'data-action': s.action },
          h('time', {}, timeText(s.at)),
          h('strong', {}, ` ${wr(`action.${s.action}`)}`),
          ` · ${byText(s.by)}`,
          s.unit ? ` → ${unitName(s.unit)}` : '',
          s.outcome ? ` · ${wr(`outcome.${s.outcome}`)}` : '',
          s.reason ? ` · ${wr(`reason.${s.reason}`)}` : '',
          s.where
            ? h(
                'span',
                { class: 'muted where' },
                ` · ${w('detail.where', { lat: s.where.lat.toFixed(5), lon: s.where.lon.toFixed(5) })}${s.where.accuracyM !== undefined ? ` ±${Math.round(s.where.accuracyM)} m` : ''}`,
              )
            : '',
          s.note ? h('div', { class: 'note' }, `“${s.note}”`) : '',
        ),
      ),
    ),
  ];
}
