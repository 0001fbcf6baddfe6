import { api } from '../../web/client/api.ts';
import { h } from '../../web/client/dom.ts';
import { data, state, t } from './state.ts';

/* The top of the phone page: connection, GPS, duty, language; and what waits to be sent. */

export function statusBar(switchLang: () => void): HTMLElement {
  const gps = state.gpsError
    ? state.gpsError === 'denied'
      ? t('gps.denied')
      : t('gps.none')
    : state.fix
      ? t('gps.fix', { m: state.fix.accuracyM ?? '?' })
      : t('gps.none');
  // The feed's connection may linger a while after the signal has gone: the phone's own word counts too.
  const live = state.live && navigator.onLine;
  return h(
    'header',
    { class: 'bar' },
    h('strong', {}, `${t('app.name')} · ${data.user}`),
    h('span', { class: `live ${live ? 'on' : 'off'}`, id: 'live' }, live ? `● ${t('live.on')}` : t('live.off')),
    h('span', { class: `duty ${state.onDuty ? 'on' : 'off'}`, id: 'duty-state' }, state.onDuty ? t('duty.isOn') : t('duty.isOff')),
    h('span', { class: 'gps', id: 'gps' }, gps),
    h('button', { class: 'link', id: 'lang', onclick: switchLang }, t('nav.lang')),
    h(
      'button',
      { class: 'link', id: 'logout', onclick: () => void api('POST', '/api/logout').finally(() => (location.href = '/login')) },
      t('nav.logout'),
    ),
  );
}

/** `dismiss` drops an item the center refused for good, once the officer has read why. */
export function outboxPanel(dismiss: (seq: number) => void): HTMLElement | null {
  if (state.outbox.length === 0 && !state.loginNeeded) return null;
  const items = [...state.outbox].sort((a, b) => a.seq - b.seq);
  return h(
    'section',
    { class: 'outbox', id: 'outbox', 'data-count': items.length },
    h('strong', {}, t('outbox.title', { n: items.length })),
    state.loginNeeded ? h('p', { class: 'error' }, h('a', { href: '/login?next=/patrol' }, t('outbox.login'))) : null,
    h(
      'ol',
      {},
      ...items.map((i) => {
        const what =
          i.kind === 'photo'
            ? t('outbox.photo', { kb: Math.round(i.bytes / 1024), order: i.orderId })
            : t('outbox.transition', { action: t(`act.${i.action}`), order: i.orderId });
        const why = i.refused
          ? t('outbox.refused', { error: i.lastError ?? '' })
          : i.attempts > 0
            ? t('outbox.retry', { n: i.attempts, error: i.lastError || t('outbox.noAnswer') })
            : '';
        return h(
          'li',
          { class: i.refused ? 'refused' : 'waiting', 'data-kind': i.kind },
          what,
          why ? h('small', {}, ` — ${why}`) : null,
          i.refused ? h('button', { class: 'link dismiss', onclick: () => dismiss(i.seq) }, t('outbox.dismiss')) : null,
        );
      }),
    ),
  );
}
