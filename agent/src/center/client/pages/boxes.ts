import { el, t } from '../dom.ts';
import { ago } from '../format.ts';
import { boxes } from '../state.ts';

export function boxesView(): HTMLElement {
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
