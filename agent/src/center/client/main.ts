import { api } from '../../web/client/api.ts';
import { switchLang } from '../../web/client/i18n.ts';
import type { PresentedBox, PresentedEvent } from '../wire.ts';
import { el, t } from './dom.ts';
import { boxesView } from './pages/boxes.ts';
import { board } from './pages/dispatch.ts';
import { forwardersView } from './pages/forwarders.ts';
import { loadStreets, mapView } from './pages/map.ts';
import { renderQueue } from './pages/queue.ts';
import { boxes, data, events } from './state.ts';

type Ev = PresentedEvent;
type Box = PresentedBox;

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

// ---- rendering and the live feed --------------------------------------------------------------------------------
function render(): void {
  switch (data.view) {
    case 'queue':
      renderQueue(main, render);
      break;
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
  if (data.view === 'map') await loadStreets();
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
