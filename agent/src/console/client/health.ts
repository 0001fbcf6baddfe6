import { api } from '../../web/client/api.ts';
import { clear, every, h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import { streamReasonIn } from '../../web/stream-reason-words.ts';
import type { BoxHealth, HealthView, PageData } from '../wire.ts';
import { type Key, t } from './dom.ts';
import { serverWords } from './server-words.ts';

type CameraRow = HealthView['cameras'][number];

const DROPS: Record<string, { zh: string; en: string }> = {
  expired: { zh: '过期', en: 'expired' },
  full: { zh: '队列已满', en: 'outbox full' },
  too_large: { zh: '过大', en: 'too large' },
  rejected: { zh: '被拒收', en: 'rejected' },
  missing: { zh: '文件缺失', en: 'file missing' },
};

/** The box's health in words: each camera, the broker link, the outbox and the data disk, refreshed every 3 s. */
export function healthPage(main: HTMLElement, _data: PageData): void {
  const summary = h('p', { id: 'health-summary' });
  const body = h('div', { id: 'health' });
  const error = h('p', { class: 'error' });
  main.append(
    h('h1', {}, t('health.title')),
    summary,
    body,
    error,
    h(
      'p',
      { class: 'muted small' },
      t('health.raw'),
      ' ',
      h('a', { href: '/healthz' }, '/healthz (JSON)'),
      ' · ',
      h('a', { href: '/metrics' }, '/metrics (Prometheus)'),
    ),
  );
  every(
    3000,
    async () => {
      const hl = await api<HealthView>('GET', '/api/health');
      error.textContent = '';
      const issues =
        hl.cameras.filter((c) => c.state !== 'streaming' || c.degraded).length +
        Number(!hl.box.broker.connected) +
        Number(!!hl.box.degraded);
      clear(summary);
      summary.append(
        h(
          'span',
          { class: issues ? 'state state-failed' : 'state state-streaming' },
          issues ? t('health.attention', { n: issues }) : t('health.ok'),
        ),
        ' ',
        h('span', { class: 'muted small' }, t('health.updated', { time: new Date(hl.at).toLocaleTimeString() })),
      );
      clear(body);
      body.append(camerasCard(hl.cameras), boxCards(hl.box));
    },
    (err) => (error.textContent = serverWords((err as Error).message, currentLang())),
  );
}

function camerasCard(cameras: CameraRow[]): HTMLElement {
  const lang = currentLang();
  const head = (['col.camera', 'col.state', 'col.fps', 'col.age', 'health.reconnects', 'health.why'] as Key[]).map((k) =>
    h('th', {}, t(k)),
  );
  const row = (c: CameraRow) => {
    const state = c.state === 'streaming' && c.degraded ? 'degraded' : c.state;
    const why = [c.reason, c.degraded].filter((x): x is string => !!x).map((x) => streamReasonIn(x, lang));
    return h(
      'tr',
      { 'data-camera': c.camera },
      h('td', {}, h('a', { href: `/cameras/${encodeURIComponent(c.camera)}` }, c.name ? `${c.name} (${c.camera})` : c.camera)),
      h('td', {}, h('span', { class: `state state-${state === 'degraded' ? 'connecting' : state}` }, t(`stream.${state}` as Key))),
      h('td', { class: 'num' }, `${c.analysedFps.toFixed(1)} / ${c.targetFps}`),
      h('td', { class: 'num' }, c.lastFrameAgeSeconds == null ? t('age.none') : t('age.seconds', { s: c.lastFrameAgeSeconds.toFixed(1) })),
      h('td', { class: 'num' }, String(c.reconnects)),
      h('td', { class: 'small' }, why.join('；')),
    );
  };
  return h(
    'div',
    { class: 'card scroll' },
    h('h2', {}, t('health.cameras')),
    cameras.length
      ? h('table', { id: 'health-cameras' }, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...cameras.map(row)))
      : h('p', { class: 'muted' }, t('health.noCameras')),
  );
}

/** The broker, the outbox and the disk, each a card of label–value lines. */
function boxCards(box: BoxHealth): HTMLElement {
  const lang = currentLang();
  const { broker, outbox, disk } = box;
  const dropped = Object.entries(outbox.dropped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${DROPS[why]?.[lang] ?? why} ${n}`);
  const pct = disk.freeBytes !== null && disk.totalBytes ? Math.round((disk.freeBytes / disk.totalBytes) * 100) : null;
  return h(
    'div',
    { class: 'health-cards' },
    box.degraded ? h('p', { class: 'warn', id: 'box-degraded' }, t('health.degraded'), ' ', box.degraded) : undefined,
    card('health-broker', 'health.broker', [
      [
        'col.state',
        h(
          'span',
          { class: `state state-${broker.connected ? 'streaming' : 'failed'}` },
          t(broker.connected ? 'health.connected' : 'health.disconnected'),
        ),
      ],
      ['health.address', broker.url],
      ['health.reconnects', String(broker.reconnects)],
      ['health.delivered', String(broker.delivered)],
    ]),
    card('health-outbox', 'health.outbox', [
      ['health.queued', t('health.queuedValue', { n: outbox.messages, size: bytes(outbox.bytes) })],
      ['health.oldest', outbox.oldestAgeSeconds === null ? '—' : t('health.seconds', { s: Math.round(outbox.oldestAgeSeconds) })],
      ['health.held', String(outbox.held)],
      ['health.dropped', dropped.length ? dropped.join('，') : '0'],
    ]),
    card('health-disk', 'health.disk', [
      ['health.folder', disk.path],
      [
        'health.free',
        disk.freeBytes === null || disk.totalBytes === null
          ? t('health.unknown')
          : t('health.freeValue', { free: bytes(disk.freeBytes), total: bytes(disk.totalBytes), pct: pct ?? 0 }),
      ],
    ]),
  );
}

function card(id: string, title: Key, lines: [Key, string | HTMLElement][]): HTMLElement {
  return h(
    'div',
    { class: 'card', id },
    h('h2', {}, t(title)),
    h('dl', { class: 'facts' }, ...lines.flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])),
  );
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
