import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import { streamReasonIn } from '../../../web/stream-reason-words.ts';
import { ago } from '../format.ts';
import { boxes } from '../state.ts';
import { t, tr } from '../words.ts';
import type { PageView } from './view.ts';

/** Every box: online or not, its version, its last contact and its cameras' states. */
export const boxesPage: PageView = {
  render: (main) => main.replaceChildren(boxesView()),
  followsBoxes: true,
  ticks: true,
};

function boxesView(): HTMLElement {
  if (!boxes.size) return h('p', { class: 'muted' }, t('boxes.none'));
  return h(
    'div',
    { class: 'boxes', id: 'boxes' },
    ...[...boxes.values()].map((b) =>
      h(
        'div',
        { class: `box card ${b.online ? 'online' : 'offline'}`, 'data-site': b.site },
        h(
          'h3',
          {},
          h('span', { class: 'dot' }),
          `${b.site} `,
          h('span', { class: 'status' }, b.online ? t('boxes.online') : t('boxes.offline')),
        ),
        h(
          'div',
          { class: 'muted' },
          `${b.boxId ?? ''} · ${t('boxes.version')} ${b.agentVersion ?? '?'} · ${t('boxes.lastContact')} ${ago(b.lastContact)}`,
        ),
        h(
          'ul',
          {},
          ...b.cameras.map((c) =>
            h(
              'li',
              { 'data-camera': c.camera },
              `${c.name ?? c.camera}: `,
              h('span', { class: `cam-${c.state ?? 'unknown'}` }, tr(`cam.${c.state ?? 'unknown'}`)),
              c.reason ? ` (${streamReasonIn(c.reason, currentLang())})` : '',
              c.health ? ` · ${t('boxes.health', { fps: c.health.analysedFps ?? '?', n: c.health.reconnects ?? 0 })}` : '',
              c.health?.degraded ? h('span', { class: 'cam-degraded' }, ` · ${streamReasonIn(c.health.degraded, currentLang())}`) : '',
            ),
          ),
        ),
      ),
    ),
  );
}
