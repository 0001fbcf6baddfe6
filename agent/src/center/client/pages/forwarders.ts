import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { ForwarderView } from '../../wire.ts';
import { t } from '../words.ts';
import type { PageView } from './view.ts';

/** The forwarders to city platforms and how their deliveries stand (fetched again at every change). */
export const forwardersPage: PageView = {
  render: (main) => {
    const holder = h('section', { class: 'card' });
    main.replaceChildren(holder);
    void forwardersView(holder);
  },
};

async function forwardersView(holder: HTMLElement): Promise<void> {
  const r = await api<{ forwarders: ForwarderView[] }>('GET', '/api/forwarders');
  if (!r.forwarders.length) return void holder.replaceChildren(h('p', { class: 'muted' }, t('fw.none')));
  holder.replaceChildren(
    h(
      'table',
      { class: 'queue', id: 'forwarders' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'id'),
          h('th', {}, 'URL'),
          h('th', {}, t('fw.pending')),
          h('th', {}, t('fw.delivered')),
          h('th', {}, t('fw.failed')),
          h('th', {}, t('fw.lastError')),
        ),
      ),
      h(
        'tbody',
        {},
        ...r.forwarders.map((f) =>
          h(
            'tr',
            { 'data-forwarder': f.id },
            h('td', {}, f.name),
            h('td', { class: 'muted' }, f.url),
            h('td', { class: 'pending' }, String(f.stats.pending)),
            h('td', { class: 'delivered' }, String(f.stats.delivered)),
            h('td', { class: 'failed' }, String(f.stats.failed)),
            h('td', { class: 'error' }, f.stats.lastError ?? ''),
          ),
        ),
      ),
    ),
  );
}
