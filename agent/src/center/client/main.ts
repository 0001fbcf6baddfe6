import { api } from '../../web/client/api.ts';
import { h } from '../../web/client/dom.ts';
import { currentLang, switchLang } from '../../web/client/i18n.ts';
import type { PresentedBox, PresentedEvent } from '../wire.ts';
import { followPatrol } from './desk/live.ts';
import { w } from './desk/words.ts';
import { PAGE_VIEWS } from './pages/index.ts';
import { CENTER_PAGES } from './pages/table.ts';
import { boxes, data, eventKey, events } from './state.ts';
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
  ...CENTER_PAGES.map((p) =>
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
const main = h('main', { class: `view-${data.view}` });
document.getElementById('app')!.append(nav, main);

function render(): void {
  page.render(main, render);
}

/** Live updates arriving together draw once, at the next frame. */
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
  const [ev, bx] = await Promise.all([
    api<{ events: PresentedEvent[] }>('GET', '/api/events?limit=500'),
    api<{ boxes: PresentedBox[] }>('GET', '/api/boxes'),
  ]);
  for (const e of ev.events) if ((events.get(eventKey(e))?.rev ?? -1) <= e.rev) events.set(eventKey(e), e);
  for (const b of bx.boxes) boxes.set(b.site, b);
  await page.load?.();
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
    if ((events.get(eventKey(e))?.rev ?? -1) > e.rev) return;
    events.set(eventKey(e), e);
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
