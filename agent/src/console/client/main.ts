import { api } from '../../web/client/api.ts';
import { h, pageData } from '../../web/client/dom.ts';
import { switchLang, translator } from '../../web/client/i18n.ts';
import { webMessages } from '../../web/messages.ts';
import type { PageData } from '../wire.ts';
import { calibrationPage } from './calibration/page.ts';
import { cameraPage } from './camera/page.ts';
import { t } from './dom.ts';
import { healthPage } from './health.ts';
import { camerasPage, eventsPage } from './lists.ts';

const data = pageData<PageData>();
const tw = translator(webMessages);
const app = document.getElementById('app')!;
const main = h('main');
const nav = h(
  'nav',
  { class: 'top' },
  h('strong', {}, t('product')),
  h(
    'a',
    { href: '/', class: data.page === 'cameras' || data.page === 'camera' || data.page === 'calibration' ? 'here' : undefined },
    t('nav.cameras'),
  ),
  h('a', { href: '/events', class: data.page === 'events' ? 'here' : undefined }, t('nav.events')),
  h('a', { href: '/health', class: data.page === 'health' ? 'here' : undefined }, t('nav.health')),
  h('span', { class: 'spacer' }),
  h('span', { class: 'muted', id: 'who' }, `${data.user} (${data.role})`),
  h('button', { class: 'link', id: 'lang-switch', onclick: switchLang }, tw('nav.lang')),
  h(
    'button',
    {
      class: 'link',
      id: 'logout',
      onclick: () => void api('POST', '/api/logout').finally(() => (location.href = '/login')),
    },
    tw('nav.logout'),
  ),
);
app.append(nav, main);

const pages = { cameras: camerasPage, events: eventsPage, camera: cameraPage, calibration: calibrationPage, health: healthPage } as const;
pages[data.page](main, data);
