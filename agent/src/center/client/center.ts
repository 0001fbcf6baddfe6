import { api, ApiError } from '../../web/client/api.ts';
import { currentLang, switchLang, translator } from '../../web/client/i18n.ts';
import type { PresentedBox, PresentedEvent } from '../wire.ts';
import { centerMessages } from './messages.ts';

type Ev = PresentedEvent;
type Box = PresentedBox;
const t = translator(centerMessages);
type Key = keyof typeof centerMessages;

interface PageData {
  view: 'queue' | 'map' | 'dispatch' | 'boxes' | 'forwarders';
  name: string;
  user: string;
  role: string;
  actionRoles: Record<string, string[]>;
  units: string[];
  reminderMinutes: number;
  map: {
    tileUrl: string | null;
    tileCrs: string;
    attribution: string | null;
    center: { lat: number; lon: number } | null;
    streets: boolean;
  };
}
const data = JSON.parse(document.getElementById('page-data')!.textContent!) as PageData;
const events = new Map<string, Ev>();
const boxes = new Map<string, Box>();
let selected: string | null = new URLSearchParams(location.search).get('event');

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const svg = (tag: string, attrs: Record<string, string | number>) => {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};
const tr = (key: string, vars?: Record<string, string | number>) => (key in centerMessages ? t(key as Key, vars) : key);
const time = (ms: number) => new Date(ms).toLocaleString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 120) return t('ago.s', { n: s });
  if (s < 7200) return t('ago.m', { n: Math.round(s / 60) });
  return t('ago.h', { n: Math.round(s / 3600) });
}
const dwell = (s: number) => (s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);
const snapUrl = (sha: string | null) => (sha ? `/api/snapshots/${sha}` : null);
const isOpen = (e: Ev) => e.state !== 'cleared' && e.operatorAction !== 'false_positive' && e.operatorAction !== 'resolve';
/** Most urgent first: open before closed, then those not yet handled by anyone, then the longest standing, then newest. */
function urgency(a: Ev, b: Ev): number {
  const rank = (e: Ev) => (isOpen(e) ? (e.operatorAction ? 1 : 0) : 2);
  return rank(a) - rank(b) || b.startedAt - a.startedAt;
}
function lifecycle(e: Ev): HTMLElement {
  const op = e.operatorAction ? ` · ${tr(`op.${e.operatorAction}`)}${e.operatorUnit ? ` (${e.operatorUnit})` : ''}` : '';
  return el(
    'span',
    { class: `state state-${e.state}${e.operatorAction ? ` op-${e.operatorAction}` : ''}` },
    `${tr(`state.${e.state}`)}${op}`,
  );
}

// ---- chrome -------------------------------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const live = el('span', { class: 'live', id: 'live' }, '…');
const nav = el(
  'nav',
  { class: 'top' },
  el('strong', {}, data.name),
  ...(['queue', 'map', 'dispatch', 'boxes', 'forwarders'] as const).map((v) =>
    el('a', { href: v === 'queue' ? '/' : `/${v}`, class: v === data.view ? 'current' : undefined, id: `nav-${v}` }, t(`nav.${v}`)),
  ),
  el('span', { class: 'spacer' }),
  live,
  el('span', { class: 'who', id: 'who' }, `${data.user} · ${data.role}`),
);
const langBtn = el('button', { class: 'link' }, t('nav.lang'));
langBtn.addEventListener('click', switchLang);
const outBtn = el('button', { class: 'link', id: 'logout' }, t('nav.logout'));
outBtn.addEventListener('click', () => void api('POST', '/api/logout').finally(() => (location.href = '/login')));
nav.append(langBtn, outBtn);
const main = el('main', { class: `view-${data.view}` });
app.append(nav, main);

// ---- queue --------------------------------------------------------------------------------------------------------
const filters = { site: '', type: '', state: '', since: '', open: true };
function filtered(): Ev[] {
  const since = filters.since ? Date.parse(filters.since) : NaN;
  return [...events.values()]
    .filter(
      (e) =>
        (!filters.open || isOpen(e)) &&
        (!filters.site || e.site === filters.site) &&
        (!filters.type || e.type === filters.type) &&
        (!filters.state || e.state === filters.state) &&
        (Number.isNaN(since) || e.startedAt >= since),
    )
    .sort(urgency);
}
function options(values: string[], current: string, label: (v: string) => string = (v) => v): HTMLOptionElement[] {
  return [
    el('option', { value: '' }, t('filter.all')),
    ...[...new Set(values)].sort().map((v) => el('option', { value: v, selected: v === current }, label(v))),
  ];
}
function filterBar(): HTMLElement {
  const all = [...events.values()];
  const pick = (name: 'site' | 'type' | 'state', values: string[], label?: (v: string) => string) => {
    const s = el('select', { id: `filter-${name}` }, ...options(values, filters[name], label));
    s.addEventListener('change', () => {
      filters[name] = s.value;
      render();
    });
    return el('label', {}, t(`filter.${name === 'site' ? 'box' : name}`), s);
  };
  const since = el('input', { type: 'datetime-local', id: 'filter-since', value: filters.since });
  since.addEventListener('change', () => {
    filters.since = since.value;
    render();
  });
  const open = el('input', { type: 'checkbox', id: 'filter-open', checked: filters.open });
  open.addEventListener('change', () => {
    filters.open = open.checked;
    render();
  });
  return el(
    'div',
    { class: 'filters' },
    pick(
      'site',
      all.map((e) => e.site),
    ),
    pick(
      'type',
      all.map((e) => e.type),
    ),
    pick('state', ['started', 'updated', 'ended', 'cleared'], (v) => tr(`state.${v}`)),
    el('label', {}, t('filter.since'), since),
    el('label', { class: 'check' }, open, t('filter.open')),
  );
}
function queueTable(): HTMLElement {
  const rows = filtered();
  if (!rows.length) return el('p', { class: 'muted', id: 'queue-empty' }, t('queue.empty'));
  const body = el('tbody');
  for (const e of rows) {
    const row = el(
      'tr',
      { 'data-event-id': e.id, class: e.id === selected ? 'selected' : undefined },
      el('td', {}, el('img', { class: 'thumb', src: e.thumbnail, alt: '', loading: 'lazy' })),
      el(
        'td',
        {},
        el('div', { class: 'type' }, e.type),
        e.categoryCode || e.categoryName
          ? el('div', { class: 'muted category' }, [e.categoryCode, e.categoryName].filter(Boolean).join(' '))
          : null,
      ),
      el(
        'td',
        {},
        el('div', {}, e.address ?? `${e.lat.toFixed(5)}, ${e.lon.toFixed(5)}`),
        el('div', { class: 'muted' }, `${e.site} / ${e.camera} / ${e.zone}`),
      ),
      el('td', { class: 'dwell' }, dwell(e.dwellSeconds)),
      el('td', {}, lifecycle(e)),
      el('td', { class: 'muted' }, time(e.startedAt)),
    );
    row.addEventListener('click', () => {
      selected = e.id;
      history.replaceState(null, '', `?event=${encodeURIComponent(e.id)}`);
      render();
    });
    body.append(row);
  }
  const head = el(
    'tr',
    {},
    ...(['col.picture', 'col.type', 'col.place', 'col.dwell', 'col.state', 'col.started'] as const).map((k) => el('th', {}, t(k))),
  );
  return el('table', { class: 'queue', id: 'queue' }, el('thead', {}, head), body);
}

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
async function detailPanel(holder: HTMLElement): Promise<void> {
  if (!selected) {
    holder.replaceChildren(el('p', { class: 'muted' }, t('detail.pick')));
    return;
  }
  const token = ++detailToken;
  let d: Detail;
  try {
    d = await api<Detail>('GET', `/api/events/${encodeURIComponent(selected)}`);
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
const detail = el('section', { class: 'detail card', id: 'detail' });
const queueList = el('section', { class: 'list' });

// ---- dispatch board -----------------------------------------------------------------------------------------------
function board(): HTMLElement {
  const dispatched = [...events.values()]
    .filter((e) => e.operatorAction === 'dispatch' && e.state !== 'cleared')
    .sort((a, b) => (a.dispatchedAt ?? 0) - (b.dispatchedAt ?? 0));
  const cleared = [...events.values()].filter((e) => e.state === 'cleared').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
  const card = (e: Ev, pictures: boolean) => {
    const since = e.dispatchedAt ?? e.operatorAt;
    const late = since !== null && Date.now() - since > data.reminderMinutes * 60_000 && e.state !== 'cleared';
    return el(
      'div',
      { class: `board-row card${late ? ' late' : ''}`, 'data-event-id': e.id },
      el(
        'div',
        {},
        el('strong', {}, e.type),
        ' ',
        lifecycle(e),
        el('div', { class: 'muted' }, `${e.address ?? ''} · ${e.site}/${e.camera}`),
        el('div', {}, `${e.operatorUnit ?? ''} · ${e.operatorBy ?? ''}`),
        since ? el('div', { class: 'since' }, t('board.since', { t: ago(since) })) : null,
        late ? el('div', { class: 'warn remind' }, t('board.remind')) : null,
      ),
      pictures
        ? el(
            'div',
            { class: 'pair' },
            el(
              'figure',
              {},
              el('img', { class: 'before', src: snapUrl(e.firstSnapshot) ?? '', alt: t('board.before') }),
              el('figcaption', {}, t('board.before')),
            ),
            el(
              'figure',
              {},
              el('img', { class: 'after', src: snapUrl(e.clearedSnapshot) ?? '', alt: t('board.after') }),
              el('figcaption', {}, t('board.after')),
            ),
          )
        : el('img', { class: 'thumb', src: e.thumbnail, alt: '' }),
    );
  };
  return el(
    'div',
    { class: 'board' },
    el(
      'section',
      { id: 'board-dispatched' },
      el('h2', {}, t('board.dispatched')),
      ...(dispatched.length ? dispatched.map((e) => card(e, false)) : [el('p', { class: 'muted' }, t('board.none'))]),
    ),
    el(
      'section',
      { id: 'board-cleared' },
      el('h2', {}, t('board.cleared')),
      ...(cleared.length ? cleared.map((e) => card(e, true)) : [el('p', { class: 'muted' }, t('board.none'))]),
    ),
  );
}

// ---- boxes --------------------------------------------------------------------------------------------------------
function boxesView(): HTMLElement {
  if (!boxes.size) return el('p', { class: 'muted' }, t('boxes.none'));
  return el(
    'div',
    { class: 'boxes', id: 'boxes' },
    ...[...boxes.values()].map((b) =>
      el(
        'div',
        { class: `box card ${b.online ? 'online' : 'offline'}`, 'data-site': b.site },
        el(
          'h3',
          {},
          el('span', { class: 'dot' }),
          `${b.site} `,
          el('span', { class: 'status' }, b.online ? t('boxes.online') : t('boxes.offline')),
        ),
        el(
          'div',
          { class: 'muted' },
          `${b.boxId ?? ''} · ${t('boxes.version')} ${b.agentVersion ?? '?'} · ${t('boxes.lastContact')} ${ago(b.lastContact)}`,
        ),
        el(
          'ul',
          {},
          ...b.cameras.map((c) =>
            el(
              'li',
              { 'data-camera': c.camera },
              `${c.name ?? c.camera}: `,
              el('span', { class: `cam-${c.state ?? 'unknown'}` }, c.state ?? '?'),
              c.reason ? ` (${c.reason})` : '',
              c.health ? ` · ${c.health.analysedFps ?? '?'} fps · ${c.health.reconnects ?? 0} reconnects` : '',
            ),
          ),
        ),
      ),
    ),
  );
}

// ---- forwarders ---------------------------------------------------------------------------------------------------
async function forwardersView(holder: HTMLElement): Promise<void> {
  const r = await api<{
    forwarders: {
      id: string;
      name: string;
      url: string;
      states: string[];
      stats: { pending: number; delivered: number; failed: number; lastError: string | null; lastDeliveredAt: number | null };
    }[];
  }>('GET', '/api/forwarders');
  if (!r.forwarders.length) return void holder.replaceChildren(el('p', { class: 'muted' }, t('fw.none')));
  holder.replaceChildren(
    el(
      'table',
      { class: 'queue', id: 'forwarders' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'id'),
          el('th', {}, 'URL'),
          el('th', {}, t('fw.pending')),
          el('th', {}, t('fw.delivered')),
          el('th', {}, t('fw.failed')),
          el('th', {}, t('fw.lastError')),
        ),
      ),
      el(
        'tbody',
        {},
        ...r.forwarders.map((f) =>
          el(
            'tr',
            { 'data-forwarder': f.id },
            el('td', {}, f.name),
            el('td', { class: 'muted' }, f.url),
            el('td', { class: 'pending' }, String(f.stats.pending)),
            el('td', { class: 'delivered' }, String(f.stats.delivered)),
            el('td', { class: 'failed' }, String(f.stats.failed)),
            el('td', { class: 'error' }, f.stats.lastError ?? ''),
          ),
        ),
      ),
    ),
  );
}

// ---- map ----------------------------------------------------------------------------------------------------------
let streets: { features: { geometry: { type: string; coordinates: unknown } }[] } | null = null;
function mapView(): HTMLElement {
  const open = [...events.values()].filter(isOpen);
  const pts = open.map((e) => e.map);
  const boxPts = new Map<string, [number, number]>();
  // Where the box's status says it stands; a box from before statuses carried a location, by its first event.
  for (const b of boxes.values()) if (b.map) boxPts.set(b.site, b.map);
  for (const e of events.values()) if (!boxPts.has(e.site)) boxPts.set(e.site, e.map);
  const all = [...pts, ...boxPts.values()];
  const c = data.map.center;
  if (!all.length && c) all.push([c.lon, c.lat]);
  if (!all.length) all.push([121.4737, 31.2304]);
  const W = 1000,
    H = 620,
    pad = 60;
  const lons = all.map((p) => p[0]),
    lats = all.map((p) => p[1]);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  // Metres per degree at this latitude; at least 300 m across so one point still shows its street.
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * k, 0.003),
    spanY = Math.max(Math.max(...lats) - Math.min(...lats), 0.003);
  const scale = Math.min((W - 2 * pad) / spanX, (H - 2 * pad) / spanY);
  const cx = (Math.min(...lons) + Math.max(...lons)) / 2,
    cy = (Math.min(...lats) + Math.max(...lats)) / 2;
  const px = (p: [number, number]): [number, number] => [W / 2 + (p[0] - cx) * k * scale, H / 2 - (p[1] - cy) * scale];
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'map', id: 'map' });
  if (data.map.tileUrl) {
    // Web Mercator tiles of the city's own server, at the zoom that fits; points are drawn in the tiles' datum.
    const z = Math.max(1, Math.min(19, Math.floor(Math.log2((scale * 360) / 256 / k))));
    const n = 2 ** z;
    const tx = (lon: number) => ((lon + 180) / 360) * n;
    const ty = (lat: number) => ((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * n;
    const lonOf = (x: number) => (x / n) * 360 - 180;
    const latOf = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
    const left = cx - W / 2 / (k * scale),
      right = cx + W / 2 / (k * scale),
      top = cy + H / 2 / scale,
      bottom = cy - H / 2 / scale;
    for (let x = Math.floor(tx(left)); x <= Math.floor(tx(right)); x++) {
      for (let y = Math.floor(ty(top)); y <= Math.floor(ty(bottom)); y++) {
        const [x0, y0] = px([lonOf(x), latOf(y)]);
        const [x1, y1] = px([lonOf(x + 1), latOf(y + 1)]);
        s.append(
          svg('image', {
            href: data.map.tileUrl.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)),
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
            preserveAspectRatio: 'none',
          }),
        );
      }
    }
  } else {
    s.append(svg('rect', { x: 0, y: 0, width: W, height: H, class: 'paper' }));
    for (let i = 1; i < 10; i++)
      s.append(
        svg('line', { x1: (W * i) / 10, y1: 0, x2: (W * i) / 10, y2: H, class: 'grid' }),
        svg('line', { x1: 0, y1: (H * i) / 10, x2: W, y2: (H * i) / 10, class: 'grid' }),
      );
  }
  for (const f of streets?.features ?? []) {
    const lines =
      f.geometry.type === 'LineString'
        ? [f.geometry.coordinates]
        : f.geometry.type === 'MultiLineString' || f.geometry.type === 'Polygon'
          ? (f.geometry.coordinates as unknown[])
          : [];
    for (const line of lines as [number, number][][])
      s.append(svg('polyline', { points: line.map((p) => px(p).join(',')).join(' '), class: 'street' }));
  }
  for (const [site, p] of boxPts) {
    const [x, y] = px(p);
    const b = boxes.get(site);
    s.append(svg('rect', { x: x - 9, y: y - 9, width: 18, height: 18, class: `boxmark ${b?.online ? 'online' : 'offline'}` }));
    const label = svg('text', { x: x + 12, y: y - 10, class: 'label' });
    label.textContent = site;
    s.append(label);
  }
  for (const e of open) {
    const [x, y] = px(e.map);
    const g = svg('g', { class: `evmark ${e.operatorAction ?? 'new'}`, 'data-event-id': e.id });
    g.append(svg('circle', { cx: x, cy: y, r: 8 }));
    const title = svg('title', {});
    title.textContent = `${e.type} · ${e.address ?? ''} · ${dwell(e.dwellSeconds)}`;
    g.append(title);
    g.addEventListener('click', () => (location.href = `/?event=${encodeURIComponent(e.id)}`));
    s.append(g);
  }
  // Scale bar: a round number of metres near 150 px.
  const mPerPx = 111_320 / scale;
  const nice = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((m) => m / mPerPx > 100) ?? 10000;
  const len = nice / mPerPx;
  s.append(svg('line', { x1: 20, y1: H - 24, x2: 20 + len, y2: H - 24, class: 'scalebar' }));
  const sl = svg('text', { x: 20, y: H - 32, class: 'label', id: 'scale' });
  sl.textContent = nice >= 1000 ? `${nice / 1000} km` : `${nice} m`;
  const corner = (x: number, y: number, anchor: string, txt: string) => {
    const tx = svg('text', { x, y, class: 'coord', 'text-anchor': anchor });
    tx.textContent = txt;
    s.append(tx);
  };
  const inv = (x: number, y: number): [number, number] => [cx + (x - W / 2) / (k * scale), cy - (y - H / 2) / scale];
  const [l, tp] = inv(0, 0),
    [r, bt] = inv(W, H);
  corner(6, 16, 'start', `${tp.toFixed(5)}, ${l.toFixed(5)}`);
  corner(W - 6, H - 8, 'end', `${bt.toFixed(5)}, ${r.toFixed(5)}`);
  s.append(sl);
  const legend = el(
    'p',
    { class: 'muted legend' },
    data.map.tileUrl ? (data.map.attribution ?? '') : t('map.offline'),
    ` · ${open.length} ${t('map.events')} · ${boxPts.size} ${t('map.boxes')}`,
  );
  return el('div', {}, s, legend);
}

// ---- rendering and the live feed --------------------------------------------------------------------------------
function render(): void {
  switch (data.view) {
    case 'queue': {
      if (main.firstChild !== queueList) main.replaceChildren(queueList, detail);
      queueList.replaceChildren(filterBar(), queueTable());
      // Not while the user is typing a note or choosing a unit: a live update must not take the field away.
      const typing =
        document.activeElement instanceof HTMLElement &&
        detail.contains(document.activeElement) &&
        document.activeElement.matches('input, select, textarea');
      if (!typing) void detailPanel(detail);
      break;
    }
    case 'dispatch':
      main.replaceChildren(board());
      break;
    case 'boxes':
      main.replaceChildren(boxesView());
      break;
    case 'map':
      main.replaceChildren(mapView());
      break;
    case 'forwarders': {
      const holder = el('section', { class: 'card' });
      main.replaceChildren(holder);
      void forwardersView(holder);
      break;
    }
  }
}

let pending = false;
function soon(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

async function load(): Promise<void> {
  const [ev, bx] = await Promise.all([api<{ events: Ev[] }>('GET', '/api/events?limit=500'), api<{ boxes: Box[] }>('GET', '/api/boxes')]);
  for (const e of ev.events) if ((events.get(e.id)?.rev ?? -1) <= e.rev) events.set(e.id, e);
  for (const b of bx.boxes) boxes.set(b.site, b);
  if (data.view === 'map' && data.map.streets && !streets) streets = await api('GET', '/api/streets');
  render();
}

function connect(): void {
  const source = new EventSource('/api/stream');
  source.addEventListener('open', () => {
    live.textContent = `● ${t('live.on')}`;
    live.className = 'live on';
    void load();
  });
  source.addEventListener('error', () => {
    live.textContent = t('live.off');
    live.className = 'live off';
  });
  source.addEventListener('event', (m) => {
    const e = JSON.parse((m as MessageEvent<string>).data) as Ev;
    if ((events.get(e.id)?.rev ?? -1) > e.rev) return;
    events.set(e.id, e);
    soon();
  });
  source.addEventListener('box', (m) => {
    const b = JSON.parse((m as MessageEvent<string>).data) as Box;
    boxes.set(b.site, b);
    if (data.view === 'boxes' || data.view === 'map') soon();
  });
}

render();
connect();
// Times since dispatch and last contact move on their own.
setInterval(() => {
  if (data.view === 'dispatch' || data.view === 'boxes') render();
}, 10_000);
