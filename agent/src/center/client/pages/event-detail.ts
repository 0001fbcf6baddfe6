import { api, ApiError } from '../../../web/client/api.ts';
import type { PresentedEvent } from '../../wire.ts';
import { el, type Key, t, tr } from '../dom.ts';
import { dwell, lifecycle, snapUrl, time } from '../format.ts';
import { data, selection } from '../state.ts';

type Ev = PresentedEvent;

interface Detail {
  event: Ev;
  alert: {
    rule: { id: string; type: string; description: string; parameters: Record<string, unknown> };
    model: { name: string; sha256: string };
    objects: { label: string; score: number; trackId: number }[];
    plate?: { text?: string; colour?: string; color?: string; confidence?: number };
    evidence: { clip?: { sha256: string; durationSeconds: number; bytes: number } };
    category?: Record<string, unknown>;
  } | null;
  messages: {
    seq: number;
    state: string;
    snapshot: string | null;
    receivedAt: number;
    dwellSeconds: number;
    operator: { action: string; by: string; unit?: string } | null;
    reason: string | null;
  }[];
  actions: {
    requestId: string;
    action: string;
    by: string;
    role: string | null;
    unit: string | null;
    note: string | null;
    requestedAt: number;
    result: string;
    error: string | null;
  }[];
  deliveries: { forwarder: string; seq: number; state: string; attempts: number; lastError: string | null }[];
}
let detailToken = 0;
/** What the user chose and typed survives the re-renders that live updates cause. */
const form = { event: '', unit: '', note: '' };
let lastResult: { id: string; text: string; ok: boolean } | null = null;
export async function detailPanel(holder: HTMLElement): Promise<void> {
  if (!selection.event) {
    holder.replaceChildren(el('p', { class: 'muted' }, t('detail.pick')));
    return;
  }
  const token = ++detailToken;
  let d: Detail;
  try {
    d = await api<Detail>('GET', `/api/events/${encodeURIComponent(selection.event)}`);
  } catch (err) {
    holder.replaceChildren(el('p', { class: 'error' }, (err as Error).message));
    return;
  }
  if (token !== detailToken) return;
  const e = d.event;
  const a = d.alert;
  const pic = (sha: string | null, cls: string) =>
    sha
      ? el('img', { class: cls, src: snapUrl(sha)!, alt: cls })
      : el('div', { class: `${cls} missing muted` }, t('detail.snapshot.missing'));
  const act = el('div', { class: 'actions', id: 'actions' });
  if (form.event !== e.id) Object.assign(form, { event: e.id, unit: data.units[0] ?? '', note: '' });
  const unit = el('select', { id: 'unit' }, ...data.units.map((u) => el('option', { value: u, selected: u === form.unit }, u)));
  const note = el('input', { id: 'note', placeholder: t('act.note'), maxlength: 2000, value: form.note });
  unit.addEventListener('change', () => (form.unit = unit.value));
  note.addEventListener('input', () => (form.note = note.value));
  const result = el(
    'p',
    { id: 'action-result', class: lastResult?.id === e.id ? (lastResult.ok ? 'ok' : 'error') : 'muted' },
    lastResult?.id === e.id ? lastResult.text : '',
  );
  for (const action of ['ack', 'dispatch', 'false_positive', 'resolve'] as const) {
    const allowed = data.actionRoles[action].includes(data.role);
    const b = el(
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
      api<{ ok: boolean; error?: string }>('POST', `/api/events/${encodeURIComponent(e.id)}/actions`, {
        action,
        ...(action === 'dispatch' ? { unit: unit.value } : {}),
        ...(note.value ? { note: note.value } : {}),
      })
        .then(() => {
          lastResult = { id: e.id, ok: true, text: t('act.ok', { action: t(`act.${action}`) }) };
          form.note = '';
        })
        .catch(
          (err: unknown) =>
            (lastResult = { id: e.id, ok: false, text: t('act.refused', { error: err instanceof ApiError ? err.message : String(err) }) }),
        )
        .finally(() => void detailPanel(holder));
    });
    act.append(b);
  }
  const plate = a?.plate;
  const parts: (Node | null)[] = [
    el('h2', {}, `${e.type} · `, lifecycle(e)),
    el(
      'p',
      { class: 'muted' },
      `${e.id} · ${e.site} / ${e.camera} / ${e.zone} · ${e.address ?? ''} · ${e.lat.toFixed(6)}, ${e.lon.toFixed(6)}`,
    ),
    el(
      'div',
      { class: 'pictures' },
      pic(e.lastSnapshot, 'snapshot'),
      e.clearedSnapshot && e.firstSnapshot && e.clearedSnapshot !== e.lastSnapshot ? pic(e.firstSnapshot, 'snapshot') : null,
    ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, t('col.dwell')),
      el('dd', {}, `${dwell(e.dwellSeconds)} (${time(e.startedAt)} →)`),
      e.categoryCode || e.categoryName ? el('dt', {}, t('detail.category')) : null,
      e.categoryCode || e.categoryName ? el('dd', { id: 'category' }, [e.categoryCode, e.categoryName].filter(Boolean).join(' ')) : null,
      el('dt', {}, t('detail.rule')),
      el('dd', { id: 'rule' }, a ? `${a.rule.description} (${a.rule.id}, ${JSON.stringify(a.rule.parameters)})` : ''),
      el('dt', {}, t('detail.model')),
      el('dd', { id: 'model' }, a ? `${a.model.name} · sha256 ${a.model.sha256.slice(0, 12)}…` : ''),
      el('dt', {}, t('detail.objects')),
      el('dd', { id: 'objects' }, a ? a.objects.map((o) => `${o.label} ${(o.score * 100).toFixed(0)}% #${o.trackId}`).join(', ') : ''),
      plate ? el('dt', {}, t('detail.plate')) : null,
      plate
        ? el(
            'dd',
            { id: 'plate' },
            `${plate.text ?? ''} ${plate.colour ?? plate.color ?? ''} ${plate.confidence !== undefined ? `${Math.round(plate.confidence * 100)}%` : ''}`,
          )
        : null,
      a?.evidence.clip ? el('dt', {}, t('detail.clip')) : null,
      a?.evidence.clip ? el('dd', {}, `${a.evidence.clip.durationSeconds} s · sha256 ${a.evidence.clip.sha256.slice(0, 12)}…`) : null,
    ),
    el('div', { class: 'act-form' }, data.units.length ? el('label', {}, t('act.unit'), unit) : null, el('label', {}, t('act.note'), note)),
    act,
    result,
    el('h3', {}, t('detail.actions')),
    el(
      'ul',
      { id: 'action-log' },
      ...d.actions.map((x) =>
        el(
          'li',
          {},
          `${time(x.requestedAt)} ${x.by} (${x.role ?? ''}) ${t(`act.${x.action}` as Key)}${x.unit ? ` → ${x.unit}` : ''}${x.note ? ` “${x.note}”` : ''}: `,
          el(
            'span',
            { class: x.result === 'ok' ? 'ok' : x.result === 'pending' ? 'muted' : 'error' },
            x.result + (x.error ? ` (${x.error})` : ''),
          ),
        ),
      ),
    ),
    el('h3', {}, t('detail.history')),
    el(
      'ul',
      { id: 'history' },
      ...d.messages.map((m) =>
        el(
          'li',
          {},
          `#${m.seq} ${tr(`state.${m.state}`)} · ${time(m.receivedAt)} · ${dwell(m.dwellSeconds)}${m.operator ? ` · ${tr(`op.${m.operator.action}`)} ${m.operator.by}${m.operator.unit ? ` → ${m.operator.unit}` : ''}` : ''}${m.reason ? ` · ${m.reason}` : ''}`,
        ),
      ),
    ),
    d.deliveries.length ? el('h3', {}, t('detail.deliveries')) : null,
    d.deliveries.length
      ? el(
          'ul',
          { id: 'deliveries' },
          ...d.deliveries.map((x) =>
            el('li', {}, `${x.forwarder} #${x.seq}: ${tr(`fw.${x.state}`)} (${x.attempts})${x.lastError ? ` · ${x.lastError}` : ''}`),
          ),
        )
      : null,
  ];
  holder.replaceChildren(...parts.filter((p): p is Node => p !== null));
}
