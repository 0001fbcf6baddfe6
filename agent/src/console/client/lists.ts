import { api } from '../../web/client/api.ts';
import { clear, every, h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import { objectsIn } from '../../web/label-words.ts';
import { operatorIn, reasonIn } from '../../web/reason-words.ts';
import { ruleTypeLabel } from '../../web/rule-type-words.ts';
import { streamReasonIn } from '../../web/stream-reason-words.ts';
import type { ConsoleEvent, PageData } from '../wire.ts';
import { type Key, t } from './dom.ts';
import { serverWords } from './server-words.ts';

interface Overview {
  cameras: {
    id: string;
    name?: string;
    source: string;
    health?: {
      state: string;
      reason?: string;
      degraded?: string;
      analysedFps: number;
      targetFps: number;
      lastFrameAgeSeconds: number | null;
      skippedFrames: number;
    };
  }[];
}

export function camerasPage(main: HTMLElement, _data: PageData): void {
  const error = h('p', { class: 'error' });
  const body = h('tbody');
  main.append(
    h('h1', {}, t('cameras.title')),
    h(
      'div',
      { class: 'card scroll' },
      h(
        'table',
        { id: 'cameras' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...(['col.camera', 'col.state', 'col.reason', 'col.fps', 'col.age', 'col.skipped', 'col.source'] as Key[]).map((k) =>
              h('th', {}, t(k)),
            ),
            h('th'),
          ),
        ),
        body,
      ),
    ),
    error,
  );
  every(
    2000,
    async () => {
      const o = await api<Overview>('GET', '/api/overview');
      error.textContent = '';
      clear(body);
      body.append(...o.cameras.map(cameraRow));
    },
    (err) => (error.textContent = serverWords((err as Error).message, currentLang())),
  );
}

/** A camera with its health at a glance, and links to its live view and calibration. */
function cameraRow(c: Overview['cameras'][number]): HTMLTableRowElement {
  const hl = c.health;
  return h(
    'tr',
    { 'data-camera': c.id },
    h('td', {}, h('a', { href: `/cameras/${encodeURIComponent(c.id)}` }, c.name ? `${c.name} (${c.id})` : c.id)),
    h('td', {}, h('span', { class: `state state-${hl?.state ?? 'unknown'}` }, hl ? t(`stream.${hl.state}` as Key) : '—')),
    h('td', {}, streamReasonIn(hl?.reason ?? hl?.degraded ?? '', currentLang())),
    h('td', { class: 'num' }, hl ? `${hl.analysedFps.toFixed(1)} / ${hl.targetFps}` : ''),
    h('td', { class: 'num' }, hl?.lastFrameAgeSeconds == null ? t('age.none') : t('age.seconds', { s: hl.lastFrameAgeSeconds.toFixed(1) })),
    h('td', { class: 'num' }, hl ? String(hl.skippedFrames) : ''),
    h('td', { class: 'muted small' }, c.source),
    h(
      'td',
      {},
      h('a', { href: `/cameras/${encodeURIComponent(c.id)}` }, t('link.live')),
      ' · ',
      h('a', { href: `/cameras/${encodeURIComponent(c.id)}/calibration` }, t('link.calibration')),
    ),
  );
}

export function eventsPage(main: HTMLElement, _data: PageData): void {
  const error = h('p', { class: 'error' });
  const body = h('tbody');
  const none = h('p', { class: 'muted' }, t('events.none'));
  main.append(
    h('h1', {}, t('events.title')),
    h(
      'div',
      { class: 'card scroll' },
      h(
        'table',
        { id: 'events' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...(
              [
                'col.time',
                'col.camera',
                'col.zone',
                'col.type',
                'col.state',
                'col.dwell',
                'col.objects',
                'col.operator',
                'col.evidence',
              ] as Key[]
            ).map((k) => h('th', {}, t(k))),
          ),
        ),
        body,
      ),
      none,
    ),
    error,
  );
  every(
    3000,
    async () => {
      const { events } = await api<{ events: EventRow[] }>('GET', '/api/events');
      error.textContent = '';
      none.hidden = events.length > 0;
      clear(body);
      body.append(...events.map(eventRow));
    },
    (err) => (error.textContent = serverWords((err as Error).message, currentLang())),
  );
}

type EventRow = ConsoleEvent & { evidence: { kind: string; name: string; href: string }[] };

/** An event with its state (and why), and its evidence: the snapshot as a thumbnail, the other files as links. */
function eventRow(e: EventRow): HTMLTableRowElement {
  const snap = e.evidence.find((f) => f.kind === 'snapshot');
  return h(
    'tr',
    { 'data-event': e.eventId, title: e.description },
    h('td', { class: 'small' }, new Date(e.startedAt).toLocaleString()),
    h('td', {}, e.camera),
    h('td', {}, e.zone),
    h('td', {}, ruleTypeLabel(e.type, currentLang())),
    h(
      'td',
      {},
      h('span', { class: `state state-${e.state}` }, t(`state.${e.state}` as Key)),
      e.reason ? h('div', { class: 'small muted reason' }, reasonIn(e.reason, currentLang())) : undefined,
    ),
    h('td', { class: 'num' }, `${Math.round(e.dwellSeconds)} s`),
    h('td', { class: 'small' }, objectsIn(e.objects, currentLang())),
    h('td', { class: 'small' }, e.operator ? operatorIn(e.operator, currentLang()) : ''),
    h(
      'td',
      {},
      snap ? h('a', { href: snap.href, target: '_blank' }, h('img', { src: snap.href, class: 'thumb', alt: snap.name })) : undefined,
      ...e.evidence
        .filter((f) => f !== snap)
        .map((f) => h('div', { class: 'small' }, h('a', { href: f.href, target: '_blank' }, `${f.kind}: ${f.name}`))),
    ),
  );
}
