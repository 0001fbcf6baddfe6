import { h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import type { Order } from '../patrol/schema.ts';
import { ruleSentenceZh } from '../rule-words.ts';
import { type Acting, act, addPhoto } from './actions.ts';
import type { TaskBrief } from './brief.ts';
import { mapView } from './map-view.ts';
import { OUTCOMES, shownState } from './outbox.ts';
import { distanceM, fmtDistance, navLinks, withinGeofence } from './place.ts';
import { slotsAhead } from './slots.ts';
import { data, draftOf, state, t, tr } from './state.ts';

/* One task: what and where (picture, category, plate, rule, address, map, navigate), and the officer's next step at the bottom. */

/** The rule in the page's language: in Chinese from its type and parameters, in English the box's own sentence. */
function ruleText(brief: TaskBrief | undefined): string | null | undefined {
  return currentLang() === 'zh' && brief?.ruleRef ? ruleSentenceZh(brief.ruleRef) : brief?.rule;
}

function facts(order: Order, brief: TaskBrief | undefined): HTMLElement {
  const cat = brief?.category;
  const row = (label: string, value: string | null | undefined, cls: string) =>
    value ? h('div', { class: `fact ${cls}` }, h('span', { class: 'label' }, label), h('span', { class: 'value' }, value)) : null;
  const catText = cat ? `${currentLang() === 'zh' ? cat.name : cat.nameEn}${cat.code ? ` · ${cat.code}` : ''}` : order.category;
  return h(
    'section',
    { class: 'facts' },
    brief?.picture
      ? h('img', { class: 'evidence', src: brief.picture, alt: catText, id: 'evidence' })
      : h('div', { class: 'evidence none' }, t('task.noPicture')),
    row(t('task.category'), catText, 'category'),
    row(t('task.plate'), brief?.plate, 'plate'),
    row(t('task.rule'), ruleText(brief), 'rule'),
    row(t('task.address'), order.place.address ?? brief?.address, 'address'),
    row(t('task.note'), order.note, 'note'),
  );
}

function where(order: Order): HTMLElement {
  const spot = order.place;
  const links = navLinks(spot, spot.address ?? order.id);
  const away = state.fix ? t('task.distance', { d: fmtDistance(distanceM(state.fix, spot)) }) : t('gps.none');
  return h(
    'section',
    { class: 'where' },
    mapView({
      spot,
      me: state.fix,
      slots: slotsAhead(state.slots ?? { slots: [] }, Date.now()).map((s) => s.bounds),
      words: { spot: t('map.spot'), me: t('map.me') },
    }),
    h('p', { class: 'away', id: 'away' }, away),
    h(
      'div',
      { class: 'nav-links' },
      h('span', { class: 'label' }, t('task.navigate')),
      h('a', { href: links.amap, id: 'nav-amap', class: 'chip' }, t('task.amap')),
      h('a', { href: links.baidu, id: 'nav-baidu', class: 'chip' }, t('task.baidu')),
      h('a', { href: links.geo, id: 'nav-geo', class: 'chip' }, t('task.geo')),
    ),
  );
}

function photosOf(a: Acting, order: Order, redraw: () => void): HTMLElement {
  const waiting = state.outbox.filter((i) => i.orderId === order.id && i.kind === 'photo');
  const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: 'photo-input', class: 'hidden-input' });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    addPhoto(a, order.id, file).catch((err: unknown) => alert(t('photo.failed', { error: (err as Error).message })));
    input.value = '';
    redraw();
  });
  const n = order.photos.length + waiting.length;
  return h(
    'div',
    { class: 'photos' },
    h('label', { class: 'big secondary', id: 'photo' }, t('act.photo'), input),
    h('span', { class: 'photo-count', id: 'photo-count', 'data-count': n }, t('photo.count', { n })),
  );
}

function outcomePanel(order: Order, redraw: () => void): HTMLElement {
  const draft = draftOf(order.id);
  const note = h('textarea', { id: 'note', rows: 2, placeholder: t('act.notePlaceholder') });
  note.value = draft.note;
  note.addEventListener('input', () => (draft.note = note.value));
  // The page waits while he types, and catches up after.
  note.addEventListener('blur', redraw);
  return h(
    'section',
    { class: 'outcome' },
    h('p', { class: 'label' }, t('act.pickOutcome')),
    h(
      'div',
      { class: 'outcomes' },
      ...OUTCOMES.map((o) =>
        h(
          'button',
          {
            class: `chip big${draft.outcome === o ? ' chosen' : ''}`,
            id: `outcome-${o}`,
            'aria-pressed': draft.outcome === o ? 'true' : 'false',
            onclick: () => {
              draft.outcome = o;
              redraw();
            },
          },
          t(`outcome.${o}`),
        ),
      ),
    ),
    note,
  );
}

/** The one big button at the bottom, in thumb reach: the next step for the state the order is in. */
function nextStep(a: Acting, order: Order, shown: string, redraw: () => void): HTMLElement | null {
  const go = (label: string, id: string, run: () => Promise<void>, cls = '') =>
    h('button', { class: `big primary ${cls}`, id, onclick: () => void run().finally(redraw) }, label);
  if (shown === 'dispatched') return go(t('act.accept'), 'act-accept', () => act(a, order.id, 'accept'));
  if (shown === 'accepted') {
    const near = state.fix !== null && withinGeofence(state.fix, order.place, data.geofenceMeters);
    return go(near ? t('act.arriveNear') : t('act.arrive'), 'act-arrive', () => act(a, order.id, 'arrive'), near ? 'suggested' : 'muted');
  }
  if (shown !== 'on_scene') return null;
  const draft = draftOf(order.id);
  const button = go(t('act.handle'), 'act-handle', async () => {
    await act(a, order.id, 'handle', { outcome: draft.outcome!, note: draft.note.trim() || undefined });
    state.drafts.delete(order.id);
    state.open = null;
  });
  button.toggleAttribute('disabled', draft.outcome === undefined);
  return button;
}

export function taskView(a: Acting, order: Order, redraw: () => void): { body: HTMLElement; footer: HTMLElement } {
  const shown = shownState(order.state, order.id, state.outbox);
  const body = h(
    'div',
    { class: 'task', id: `task-${order.id}`, 'data-state': shown },
    h(
      'div',
      { class: 'task-head' },
      h('button', { class: 'link', id: 'back', onclick: () => ((state.open = null), redraw()) }, `‹ ${t('task.back')}`),
      h('span', { class: `state state-${shown}`, id: 'task-state' }, tr(`state.${shown}`)),
    ),
    // On the spot the outcome comes first, in thumb reach; the facts stay below for a look back.
    shown === 'on_scene' ? outcomePanel(order, redraw) : null,
    facts(order, state.briefs.get(order.id)),
    where(order),
  );
  const footer = h(
    'div',
    { class: 'actions' },
    shown === 'on_scene' ? photosOf(a, order, redraw) : null,
    nextStep(a, order, shown, redraw),
  );
  return { body, footer };
}
