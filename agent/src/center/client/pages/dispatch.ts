import type { PresentedEvent } from '../../wire.ts';
import { el, t } from '../dom.ts';
import { ago, lifecycle, snapUrl } from '../format.ts';
import { data, events } from '../state.ts';

type Ev = PresentedEvent;

export function board(): HTMLElement {
  const dispatched = [...events.values()]
    .filter((e) => e.operatorAction === 'dispatch' && e.state !== 'cleared')
    .sort((a, b) => (a.dispatchedAt ?? 0) - (b.dispatchedAt ?? 0));
  const cleared = [...events.values()].filter((e) => e.state === 'cleared').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
  const card = (e: Ev, pictures: boolean) => {
    const since = e.dispatchedAt ?? e.operatorAt;
    const late = since !== null && Date.now() - since > data.reminderMinutes * 60_000 && e.state !== 'cleared';
    return el(
      'div',
      { class: `board-row card${late ? ' late' : ''}`, 'data-event-id': e.id },
      el(
        'div',
        {},
        el('strong', {}, e.type),
        ' ',
        lifecycle(e),
        el('div', { class: 'muted' }, `${e.address ?? ''} · ${e.site}/${e.camera}`),
        el('div', {}, `${e.operatorUnit ?? ''} · ${e.operatorBy ?? ''}`),
        since ? el('div', { class: 'since' }, t('board.since', { t: ago(since) })) : null,
        late ? el('div', { class: 'warn remind' }, t('board.remind')) : null,
      ),
      pictures
        ? el(
            'div',
            { class: 'pair' },
            el(
              'figure',
              {},
              el('img', { class: 'before', src: snapUrl(e.firstSnapshot) ?? '', alt: t('board.before') }),
              el('figcaption', {}, t('board.before')),
            ),
            el(
              'figure',
              {},
              el('img', { class: 'after', src: snapUrl(e.clearedSnapshot) ?? '', alt: t('board.after') }),
              el('figcaption', {}, t('board.after')),
            ),
          )
        : el('img', { class: 'thumb', src: e.thumbnail, alt: '' }),
    );
  };
  return el(
    'div',
    { class: 'board' },
    el(
      'section',
      { id: 'board-dispatched' },
      el('h2', {}, t('board.dispatched')),
      ...(dispatched.length ? dispatched.map((e) => card(e, false)) : [el('p', { class: 'muted' }, t('board.none'))]),
    ),
    el(
      'section',
      { id: 'board-cleared' },
      el('h2', {}, t('board.cleared')),
      ...(cleared.length ? cleared.map((e) => card(e, true)) : [el('p', { class: 'muted' }, t('board.none'))]),
    ),
  );
}
