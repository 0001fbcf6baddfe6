import { api } from '../../../web/client/api.ts';
import { el, t } from '../dom.ts';

export async function forwardersView(holder: HTMLElement): Promise<void> {
  const r = await api<{
    forwarders: {
      id: string;
      name: string;
      url: string;
      states: string[];
      stats: { pending: number; delivered: number; failed: number; lastError: string | null; lastDeliveredAt: number | null };
    }[];
  }>('GET', '/api/forwarders');
  if (!r.forwarders.length) return void holder.replaceChildren(el('p', { class: 'muted' }, t('fw.none')));
  holder.replaceChildren(
    el(
      'table',
      { class: 'queue', id: 'forwarders' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'id'),
          el('th', {}, 'URL'),
          el('th', {}, t('fw.pending')),
          el('th', {}, t('fw.delivered')),
          el('th', {}, t('fw.failed')),
          el('th', {}, t('fw.lastError')),
        ),
      ),
      el(
        'tbody',
        {},
        ...r.forwarders.map((f) =>
          el(
            'tr',
            { 'data-forwarder': f.id },
            el('td', {}, f.name),
            el('td', { class: 'muted' }, f.url),
            el('td', { class: 'pending' }, String(f.stats.pending)),
            el('td', { class: 'delivered' }, String(f.stats.delivered)),
            el('td', { class: 'failed' }, String(f.stats.failed)),
            el('td', { class: 'error' }, f.stats.lastError ?? ''),
          ),
        ),
      ),
    ),
  );
}
