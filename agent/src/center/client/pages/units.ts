import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { UNIT_ADMIN_ROLES } from '../../patrol/access.ts';
import type { Unit } from '../../patrol/schema.ts';
import { dutyText } from '../desk/duty-form.ts';
import { units } from '../desk/live.ts';
import { agoText } from '../desk/show.ts';
import { draft, startEditing, stopEditing, unitForm, unsaved } from '../desk/unit-form.ts';
import { w, wr } from '../desk/words.ts';
import { data } from '../state.ts';
import type { PageView } from './view.ts';

const isAdmin = (UNIT_ADMIN_ROLES as readonly string[]).includes(data.role);
/** The officers' accounts (users with the patrol role), or null when the server does not list them. */
let patrolUsers: string[] | null = null;
const note = { text: '', ok: true };

/** Patrol units (巡查单位): everyone sees them live; an admin creates, edits and deletes them. */
export const unitsPage: PageView = {
  render(main, redraw) {
    const editing = draft.spec !== null;
    main.classList.toggle('editing', editing);
    if (main.firstChild !== list) main.replaceChildren(list, side);
    list.replaceChildren(...header(redraw), unitTable(redraw));
    if (!editing) side.replaceChildren();
    else if (!side.querySelector('#unit-form')) side.replaceChildren(unitForm(patrolUsers, (name) => finish(name, redraw)));
  },
  load: async () => {
    if (!isAdmin) return;
    patrolUsers = await api<{ users: string[] }>('GET', '/api/patrol/users').then(
      (r) => r.users,
      () => null,
    );
  },
  followsPatrol: true,
  ticks: true,
};

const list = h('section', { class: 'list' });
const side = h('section', { class: 'side' });

// Unsaved edits are not lost by leaving the page by mistake: the browser asks first.
addEventListener('beforeunload', (ev) => {
  if (unsaved()) ev.preventDefault();
});

/** Before the form is closed or replaced: true when nothing is lost, or the user agreed to lose it. */
const mayDiscard = (): boolean => !unsaved() || confirm(w('units.unsaved'));

function finish(savedName: string | null, redraw: () => void): void {
  if (savedName === null && !mayDiscard()) return;
  Object.assign(note, { text: savedName === null ? '' : w('units.saved', { name: savedName }), ok: true });
  stopEditing();
  redraw();
}

function header(redraw: () => void): HTMLElement[] {
  const msg = note.text ? h('p', { class: note.ok ? 'ok' : 'error', id: 'units-note', role: 'status' }, note.text) : null;
  if (!isAdmin) return [h('p', { class: 'muted' }, w('units.readOnly')), ...(msg ? [msg] : [])];
  const create = h('button', { type: 'button', id: 'unit-new' }, w('units.new'));
  create.addEventListener('click', () => {
    if (!mayDiscard()) return;
    startEditing(null);
    side.replaceChildren();
    redraw();
    document.getElementById('unit-name')?.focus();
  });
  return [h('div', { class: 'filters' }, create), ...(msg ? [msg] : [])];
}

function unitTable(redraw: () => void): HTMLElement {
  const rows = [...units.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (!rows.length) return h('p', { class: 'muted', id: 'units-empty' }, w('units.empty'));
  const head = [
    'units.name',
    'units.kind',
    'units.members',
    'units.status',
    'units.position',
    'units.load',
    'units.duty',
    'units.area',
  ] as const;
  return h(
    'table',
    { class: 'queue units', id: 'units' },
    h('thead', {}, h('tr', {}, ...head.map((k) => h('th', {}, w(k))), isAdmin ? h('th') : null)),
    h('tbody', {}, ...rows.map((u) => unitRow(u, redraw))),
  );
}

function unitRow(u: Unit, redraw: () => void): HTMLElement {
  const edit = () => {
    if (draft.id === u.id || !mayDiscard()) return;
    startEditing(u);
    side.replaceChildren();
    redraw();
    document.getElementById('unit-name')?.focus();
  };
  return h(
    'tr',
    { 'data-unit': u.id, class: draft.id === u.id ? 'selected' : undefined },
    h('td', {}, h('strong', {}, u.name)),
    h('td', {}, wr(`kind.${u.kind}`)),
    h('td', { class: 'members' }, u.members.join(', ')),
    h('td', {}, h('span', { class: `unit-status us-${u.status}` }, wr(`status.${u.status}`))),
    h('td', { class: 'muted' }, u.position ? agoText(u.position.at) : w('proposals.noPosition')),
    h('td', {}, String(u.load)),
    h('td', { class: 'duty-text' }, dutyText(u.duty)),
    h('td', {}, u.area.length ? w('units.areaParts', { n: u.area.length }) : w('units.noArea')),
    isAdmin
      ? h(
          'td',
          { class: 'row-actions' },
          h('button', { type: 'button', class: 'secondary', 'data-edit': u.id, onclick: edit }, w('units.edit')),
          h('button', { type: 'button', class: 'danger', 'data-delete': u.id, onclick: () => void remove(u, redraw) }, w('units.delete')),
        )
      : null,
  );
}

async function remove(u: Unit, redraw: () => void): Promise<void> {
  if (!confirm(w('units.confirmDelete', { name: u.name }))) return;
  try {
    await api('DELETE', `/api/units/${encodeURIComponent(u.id)}`);
    units.delete(u.id);
    if (draft.id === u.id) stopEditing();
    Object.assign(note, { text: w('units.deleted', { name: u.name }), ok: true });
  } catch (err) {
    Object.assign(note, { text: err instanceof ApiError ? err.message : String(err), ok: false });
  }
  redraw();
}
