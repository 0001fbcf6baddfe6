import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import { reasonIn } from '../../../web/reason-words.ts';
import { ruleSentenceZh } from '../../rule-words.ts';
import type { ActionReply, ActionRow, ArchivedAlert, DeliveryRow, EventDetail, EventMessageView, PresentedEvent } from '../../wire.ts';
import { unitName } from '../desk/live.ts';
import { orderBox } from '../desk/open-order.ts';
import { categoryText } from '../desk/show.ts';
import { dwell, lifecycle, objectText, seenAt, seenAtIds, snapUrl, time } from '../format.ts';
import { data, selection } from '../state.ts';
import { type Key, t, tr } from '../words.ts';
import { enlargeable, placeMap } from './event-place.ts';

type Ev = PresentedEvent;

const ACTIONS = ['ack', 'dispatch', 'false_positive', 'resolve'] as const;

/** The panel's own state: what the user chose and typed survives the re-renders that live updates cause. */
const panel = {
  /** Only the latest request draws: an older answer arriving late is dropped. */
  token: 0,
  form: { event: '', unit: '', note: '' },
  lastResult: null as { id: string; text: string; ok: boolean } | null,
};

/** The chosen event in full: pictures, facts, the actions the user's role allows, and its history. */
export async function detailPanel(holder: HTMLElement): Promise<void> {
  if (!selection.event) {
    holder.replaceChildren(h('p', { class: 'muted' }, t('detail.pick')));
    return;
  }
  const token = ++panel.token;
  let d: EventDetail;
  try {
    const site = selection.site ? `?site=${encodeURIComponent(selection.site)}` : '';
    d = await api<EventDetail>('GET', `/api/events/${encodeURIComponent(selection.event)}${site}`);
  } catch (err) {
    holder.replaceChildren(h('p', { class: 'error' }, (err as Error).message));
    return;
  }
  if (token !== panel.token) return;
  const e = d.event;
  const parts: (Node | null)[] = [
    h('h2', {}, h('span', { id: 'detail-type' }, categoryText(e.type)), ' · ', lifecycle(e)),
    h(
      'p',
      { class: 'muted' },
      `${e.id} · `,
      h('span', { id: 'detail-seen-at', title: seenAtIds(e) }, seenAt(e)),
      ` · ${e.address ?? ''} · ${e.lat.toFixed(6)}, ${e.lon.toFixed(6)}`,
    ),
    pictures(e, d.alert),
    placeMap(e),
    orderBox(e),
    facts(e, d.alert),
    pendingBox(e, holder),
    ...actionForm(e, holder),
    ...actionLog(d.actions),
    ...history(d.messages),
    ...deliveries(d.deliveries),
  ];
  holder.replaceChildren(...parts.filter((p): p is Node => p !== null));
}

/** The rule in the page's language: a Chinese sentence, or the box's English one (it states the values), no JSON. */
function ruleText(r: ArchivedAlert['rule']): string {
  return currentLang() === 'zh' ? `${ruleSentenceZh(r)}（${r.id}）` : `${r.description} (${r.id})`;
}

function pictures(e: Ev, a: ArchivedAlert | null): HTMLElement {
  const pic = (sha: string | null, cls: string) =>
    sha ? enlargeable(snapUrl(sha)!, cls, a) : h('div', { class: `${cls} missing muted` }, t('detail.snapshot.missing'));
  return h(
    'div',
    { class: 'pictures' },
    pic(e.lastSnapshot, 'snapshot'),
    e.clearedSnapshot && e.firstSnapshot && e.clearedSnapshot !== e.lastSnapshot ? pic(e.firstSnapshot, 'snapshot') : null,
  );
}

function facts(e: Ev, a: ArchivedAlert | null): HTMLElement {
  const plate = a?.plate;
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, t('col.dwell')),
    h('dd', {}, `${dwell(e.dwellSeconds)} (${time(e.startedAt)} →)`),
    e.categoryCode || e.categoryName ? h('dt', {}, t('detail.category')) : null,
    e.categoryCode || e.categoryName ? h('dd', { id: 'category' }, [e.categoryCode, e.categoryName].filter(Boolean).join(' ')) : null,
    h('dt', {}, t('detail.rule')),
    h('dd', { id: 'rule' }, a ? ruleText(a.rule) : ''),
    h('dt', {}, t('detail.model')),
    h('dd', { id: 'model' }, a ? `${a.model.name} · sha256 ${a.model.sha256.slice(0, 12)}…` : ''),
    h('dt', {}, t('detail.objects')),
    h('dd', { id: 'objects' }, a ? a.objects.map(objectText).join(', ') : ''),
    plate ? h('dt', {}, t('detail.plate')) : null,
    plate
      ? h(
          'dd',
          { id: 'plate' },
          `${plate.text ?? ''} ${plate.colour ?? plate.color ?? ''} ${plate.confidence !== undefined ? `${Math.round(plate.confidence * 100)}%` : ''}`,
        )
      : null,
    a?.evidence.clip ? h('dt', {}, t('detail.clip')) : null,
    a?.evidence.clip ? h('dd', {}, `${a.evidence.clip.durationSeconds} s · sha256 ${a.evidence.clip.sha256.slice(0, 12)}…`) : null,
  );
}

/** The unit and note fields, one button per action (disabled where the role may not), and the last answer. */
function actionForm(e: Ev, holder: HTMLElement): HTMLElement[] {
  const { form } = panel;
  if (form.event !== e.id) Object.assign(form, { event: e.id, unit: data.units[0] ?? '', note: '' });
  const unit = h('select', { id: 'unit' }, ...data.units.map((u) => h('option', { value: u, selected: u === form.unit }, unitName(u))));
  const note = h('input', { id: 'note', placeholder: t('act.note'), maxlength: 2000, value: form.note });
  unit.addEventListener('change', () => (form.unit = unit.value));
  note.addEventListener('input', () => (form.note = note.value));
  const last = panel.lastResult?.id === e.id ? panel.lastResult : null;
  const result = h('p', { id: 'action-result', class: last ? (last.ok ? 'ok' : 'error') : 'muted' }, last ? last.text : '');
  const act = h('div', { class: 'actions', id: 'actions' });
  for (const action of ACTIONS) {
    const allowed = data.actionRoles[action].includes(data.role);
    const b = h(
      'button',
      {
        'data-action': action,
        class: action === 'false_positive' ? 'secondary' : undefined,
        disabled: !allowed,
        title: allowed ? undefined : t('act.noRole'),
      },
      t(`act.${action}`),
    );
    b.addEventListener('click', () => {
      result.className = 'muted';
      result.textContent = t('act.sending');
      for (const x of act.querySelectorAll('button')) (x as HTMLButtonElement).disabled = true;
      send(e, action, unit.value, note.value).finally(() => void detailPanel(holder));
    });
    act.append(b);
  }
  const fields = h(
    'div',
    { class: 'act-form' },
    data.units.length ? h('label', {}, t('act.unit'), unit) : null,
    h('label', {}, t('act.note'), note),
  );
  return [fields, act, result];
}

/** An action whose sending met a lost session: kept in this tab across the login, offered again when it returns. */
const PENDING = 'jifang.center.pendingAction';
interface Pending {
  id: string;
  site: string;
  action: (typeof ACTIONS)[number];
  unit: string;
  note: string;
}
const pending = (): Pending | null => JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as Pending | null;

/** Sends the action; what the box answered (or that it did not) is shown when the panel draws again. */
async function send(e: Ev, action: (typeof ACTIONS)[number], unit: string, note: string): Promise<void> {
  const id = e.id;
  sessionStorage.setItem(PENDING, JSON.stringify({ id, site: e.site, action, unit, note } satisfies Pending));
  try {
    await api<ActionReply>('POST', `/api/events/${encodeURIComponent(id)}/actions?site=${encodeURIComponent(e.site)}`, {
      action,
      ...(action === 'dispatch' ? { unit } : {}),
      ...(note ? { note } : {}),
    });
    panel.lastResult = { id, ok: true, text: t('act.ok', { action: t(`act.${action}`) }) };
    panel.form.note = '';
  } catch (err) {
    // The session is gone: the page is on its way to the login, and the action waits for it to come back.
    if (err instanceof ApiError && err.status === 401) return;
    const why = err instanceof ApiError && err.status === 503 ? t('act.brokerDown') : err instanceof ApiError ? err.message : String(err);
    panel.lastResult = { id, ok: false, text: t('act.refused', { error: why }) };
  }
  sessionStorage.removeItem(PENDING);
}

/** The action the login interrupted, on its event: sent again or dropped, by the user's choice. */
function pendingBox(e: Ev, holder: HTMLElement): HTMLElement | null {
  const p = pending();
  if (!p || p.id !== e.id || p.site !== e.site) return null;
  const again = h('button', { type: 'button', id: 'pending-send' }, t('act.pendingSend'));
  const drop = h('button', { type: 'button', class: 'secondary', id: 'pending-drop' }, t('act.pendingDrop'));
  again.addEventListener('click', () => void send(e, p.action, p.unit, p.note).finally(() => void detailPanel(holder)));
  drop.addEventListener('click', () => {
    sessionStorage.removeItem(PENDING);
    void detailPanel(holder);
  });
  const what = `${t(`act.${p.action}`)}${p.action === 'dispatch' ? ` → ${unitName(p.unit)}` : ''}${p.note ? ` “${p.note}”` : ''}`;
  return h('div', { class: 'pending-action', id: 'pending-action' }, h('p', {}, t('act.pending', { what })), again, ' ', drop);
}

function actionLog(actions: ActionRow[]): HTMLElement[] {
  return [
    h('h3', {}, t('detail.actions')),
    h(
      'ul',
      { id: 'action-log' },
      ...actions.map((x) =>
        h(
          'li',
          {},
          `${time(x.requestedAt)} ${x.by} (${x.role ?? ''}) ${t(`act.${x.action}` as Key)}${x.unit ? ` → ${unitName(x.unit)}` : ''}${x.note ? ` “${x.note}”` : ''}: `,
          h(
            'span',
            { class: x.result === 'ok' ? 'ok' : x.result === 'pending' ? 'muted' : 'error' },
            x.result + (x.error ? ` (${x.error})` : ''),
          ),
        ),
      ),
    ),
  ];
}

function history(messages: EventMessageView[]): HTMLElement[] {
  const operator = (m: EventMessageView) =>
    m.operator ? ` · ${tr(`op.${m.operator.action}`)} ${m.operator.by}${m.operator.unit ? ` → ${unitName(m.operator.unit)}` : ''}` : '';
  return [
    h('h3', {}, t('detail.history')),
    h(
      'ul',
      { id: 'history' },
      ...messages.map((m) =>
        h(
          'li',
          {},
          `#${m.seq} ${tr(`state.${m.state}`)} · ${time(m.receivedAt)} · ${dwell(m.dwellSeconds)}${operator(m)}${m.reason ? ` · ${reasonIn(m.reason, currentLang())}` : ''}`,
        ),
      ),
    ),
  ];
}

function deliveries(rows: DeliveryRow[]): HTMLElement[] {
  if (!rows.length) return [];
  return [
    h('h3', {}, t('detail.deliveries')),
    h(
      'ul',
      { id: 'deliveries' },
      ...rows.map((x) =>
        h('li', {}, `${x.forwarder} #${x.seq}: ${tr(`fw.${x.state}`)} (${x.attempts})${x.lastError ? ` · ${x.lastError}` : ''}`),
      ),
    ),
  ];
}
