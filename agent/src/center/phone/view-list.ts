import { h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import { shownState } from './outbox.ts';
import { distanceM } from './place.ts';
import { openTasks, state, t, tr } from './state.ts';

/* The officer's task list: one large card per open task, the newest to accept first. */

export function listView(open: (id: string) => void): HTMLElement {
  const tasks = openTasks();
  if (tasks.length === 0) return h('p', { class: 'empty', id: 'no-tasks' }, t('tasks.none'));
  return h(
    'ul',
    { class: 'tasks', id: 'tasks' },
    ...tasks.map((o) => {
      const shown = shownState(o.state, o.id, state.outbox);
      const brief = state.briefs.get(o.id);
      const name = brief?.category ? (currentLang() === 'zh' ? brief.category.name : brief.category.nameEn) : o.category;
      const away = state.fix ? `${Math.round(distanceM(state.fix, o.place))} m` : '';
      return h(
        'li',
        {},
        h(
          'button',
          {
            class: `task-card state-${shown}${state.fresh.has(o.id) ? ' fresh' : ''}`,
            'data-order': o.id,
            onclick: () => open(o.id),
          },
          brief?.picture ? h('img', { src: brief.picture, alt: '' }) : null,
          h('span', { class: 'what' }, name),
          h('span', { class: 'place' }, o.place.address ?? `${o.place.lat.toFixed(5)}, ${o.place.lon.toFixed(5)}`),
          h('span', { class: `state state-${shown}` }, tr(`state.${shown}`)),
          away ? h('span', { class: 'away' }, away) : null,
        ),
      );
    }),
  );
}
