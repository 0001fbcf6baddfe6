import { h } from '../../../web/client/dom.ts';
import type { PresentedEvent } from '../../wire.ts';
import { loadCategories } from '../desk/catalogue.ts';
import { unitName } from '../desk/live.ts';
import { categoryText } from '../desk/show.ts';
import { ago, lifecycle, seenAt, seenAtIds, snapUrl } from '../format.ts';
import { data, events } from '../state.ts';
import { t } from '../words.ts';
import type { PageView } from './view.ts';

type Ev = PresentedEvent;

/** The dispatch board: patrols sent and not yet back (longest first, late ones flagged), and what they cleared. */
export const dispatchPage: PageView = {
  render: (main) => main.replaceChildren(board()),
  load: loadCategories,
  // A card names its unit: drawn again once the units are loaded or renamed.
  followsPatrol: true,
  ticks: true,
};

function board(): HTMLElement {
  const dispatched = [...events.values()]
    .filter((e) => e.operatorAction === 'dispatch' && e.state !== 'cleared')
    .sort((a, b) => (a.dispatchedAt ?? 0) - (b.dispatchedAt ?? 0));
  const cleared = [...events.values()].filter((e) => e.state === 'cleared').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
  const card = (e: Ev, pictures: boolean) => {
    const since = e.dispatchedAt ?? e.operatorAt;
    const late = since !== null && Date.now() - since > data.reminderMinutes * 60_000 && e.state !== 'cleared';
    return h(
      'div',
      { class: `board-row card${late ? ' late' : ''}`, 'data-event-id': e.id },
      h(
        'div',
        {},
        h('strong', {}, categoryText(e.type)),
        ' ',
        lifecycle(e),
        h('div', { class: 'muted', title: seenAtIds(e) }, `${e.address ?? ''} · ${seenAt(e)}`),
        h('div', { class: 'unit' }, `${unitName(e.operatorUnit)} · ${e.operatorBy ?? ''}`),
        since ? h('div', { class: 'since' }, t('board.since', { t: ago(since) })) : null,
        late ? h('div', { class: 'warn remind' }, t('board.remind')) : null,
      ),
      pictures
        ? h(
            'div',
            { class: 'pair' },
            h(
              'figure',
              {},
              h('img', { class: 'before', src: snapUrl(e.firstSnapshot) ?? '', alt: t('board.before') }),
              h('figcaption', {}, t('board.before')),
            ),
            h(
              'figure',
              {},
              h('img', { class: 'after', src: snapUrl(e.clearedSnapshot) ?? '', alt: t('board.after') }),
              h('figcaption', {}, t('board.after')),
            ),
          )
        : h('img', { class: 'thumb', src: e.thumbnail, alt: '' }),
    );
  };
  return h(
    'div',
    { class: 'board' },
    h(
      'section',
      { id: 'board-dispatched' },
      h('h2', {}, t('board.dispatched')),
      ...(dispatched.length ? dispatched.map((e) => card(e, false)) : [h('p', { class: 'muted' }, t('board.noneDispatched'))]),
    ),
    h(
      'section',
      { id: 'board-cleared' },
      h('h2', {}, t('board.cleared')),
      ...(cleared.length ? cleared.map((e) => card(e, true)) : [h('p', { class: 'muted' }, t('board.noneCleared'))]),
    ),
  );
}
