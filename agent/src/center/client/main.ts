import { api, toLogin } from '../../web/client/api.ts';
import { atNextFrame, h } from '../../web/client/dom.ts';
import { currentLang, switchLang } from '../../web/client/i18n.ts';
import type { PresentedBox, PresentedEvent } from '../wire.ts';
import { alertArrived } from './alerting.ts';
import { followPatrol } from './desk/live.ts';
import { w } from './desk/words.ts';
import { isOpen } from './format.ts';
import { PAGE_VIEWS } from './pages/index.ts';
import { openEvent } from './pages/queue-rows.ts';
import { CENTER_PAGES } from './pages/table.ts';
import { boxes, data, eventKey, eventQuery, events } from './state.ts';
import { t } from './words.ts';

/* The center's pages: the chrome every page shares, the page the server said to draw, and the live feed. */

const page = PAGE_VIEWS[data.view];
const live = h('span', { class: 'live', id: 'live' }, '…');
/** How many open work orders are late, on the navigation's link to them, on every page. */
const overdue = h('span', { class: 'badge', id: 'nav-overdue', hidden: true, title: w('nav.overdueTitle') });
const nav = h(
  'nav',
  { class: 'top' },
  h('strong', { title: data.name }, data.name),
  ...CENTER_PAGES.filter((p) => p.id !== 'admin' || data.role === 'admin').map((p) =>
    h(
      'a',
      { href: p.path, class: p.id === data.view ? 'current' : undefined, id: `nav-${p.id}` },
      p.title[currentLang()],
      p.id === 'orders' ? overdue : null,
    ),
  ),
  h('span', { class: 'spacer' }),
  live,
  h('span', { class: 'who', id: 'who', title: `${data.user} · ${data.role}` }, `${data.user} · ${data.role}`),
  h('button', { class: 'link', onclick: switchLang }, t('nav.lang')),
  h(
    'button',
    { class: 'link', id: 'logout', onclick: () => void api('POST', '/api/logout').finally(() => (location.href = '/login')) },
    t('nav.logout'),
  ),
);
/** Busy until the page holds the archive's rows (tests and screen readers wait for it). */
const main = h('main', { class: `view-${data.view}`, 'aria-busy': 'true' });
document.getElementById('app')!.append(nav, main);

function render(): void {
  page.render(main, render);
}

const soon = atNextFrame(render);

/** Alerts are signalled only once the page holds what was there when it opened: those are not new. */
let loaded = false;
/** A notification clicked: the queue opens the alert, any other page goes to the queue with it selected. */
const openFromNotice = (e: PresentedEvent): void => (data.view === 'queue' ? openEvent(e, render) : location.assign(`/?${eventQuery(e)}`));

async function load(): Promise<void> {
  const [ev, bx] = await Promise.all([
    api<{ events: PresentedEvent[] }>('GET', '/api/events?limit=500'),
    api<{ boxes: PresentedBox[] }>('GET', '/api/boxes'),
  ]);
  for (const e of ev.events) if ((events.get(eventKey(e))?.rev ?? -1) <= e.rev) events.set(eventKey(e), e);
  for (const b of bx.boxes) boxes.set(b.site, b);
  await page.load?.();
  loaded = true;
  main.setAttribute('aria-busy', 'false');
  render();
}

/**
 * Live only while this page hears the center, the center hears the broker and its archive takes what it hears;
 * unknown until the feed says.
 */
const link: { feed: boolean; broker: boolean | null; archiveDegraded: string | null } = {
  feed: false,
  broker: null,
  archiveDegraded: null,
};
function showLive(): void {
  const [text, state] = !link.feed
    ? [t('live.off'), 'off']
    : link.broker === false
      ? [t('live.brokerDown'), 'broker-down']
      : link.archiveDegraded
        ? [t('live.archiveDown'), 'archive-down']
        : link.broker
          ? [`● ${t('live.on')}`, 'on']
          : ['…', 'unknown'];
  live.textContent = text;
  live.className = `live ${state}`;
  // Rows the page cannot keep current are shown as such until the feed is back and they are read again.
  main.classList.toggle('stale', !link.feed);
}

const RETRY_MS = 2000;

/**
 * The browser retries a stream that dropped but gives up on one refused (a center still starting answers 502/503 through
 * a proxy, a lost session 401): the page then asks again itself every 2 s, and goes to the login, which brings it back
 * here, when the session is gone.
 */
async function reconnect(): Promise<void> {
  try {
    const res = await fetch('/api/session', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (res.status === 401) {
      toLogin();
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    connect();
  } catch {
    setTimeout(() => void reconnect(), RETRY_MS);
  }
}

function connect(): void {
  const source = new EventSource('/api/stream');
  followPatrol(source, overdue, () => {
    if (page.followsPatrol) soon();
  });
  source.addEventListener('open', () => {
    link.feed = true;
    showLive();
    void load();
  });
  source.addEventListener('error', () => {
    link.feed = false;
    link.broker = null;
    showLive();
    if (source.readyState === EventSource.CLOSED) setTimeout(() => void reconnect(), RETRY_MS);
  });
  source.addEventListener('archive', (m) => {
    link.archiveDegraded = (JSON.parse((m as MessageEvent<string>).data) as { degraded: string | null }).degraded;
    live.title = link.archiveDegraded ?? '';
    showLive();
  });
  source.addEventListener('broker', (m) => {
    link.broker = (JSON.parse((m as MessageEvent<string>).data) as { connected: boolean }).connected;
    showLive();
  });
  source.addEventListener('event', (m) => {
    const e = JSON.parse((m as MessageEvent<string>).data) as PresentedEvent;
    const known = events.get(eventKey(e));
    if ((known?.rev ?? -1) > e.rev) return;
    events.set(eventKey(e), e);
    if (!known && loaded && isOpen(e)) alertArrived(e, openFromNotice);
    soon();
  });
  source.addEventListener('box', (m) => {
    const b = JSON.parse((m as MessageEvent<string>).data) as PresentedBox;
    boxes.set(b.site, b);
    if (page.followsBoxes) soon();
  });
}

render();
connect();
if (page.ticks) setInterval(render, 10_000);
