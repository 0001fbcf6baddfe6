import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { Unit, UnitSpec } from '../../patrol/schema.ts';
import { dutyForm } from './duty-form.ts';
import { keepUnit } from './live.ts';
import { areaEditor } from './map-pick.ts';
import { w } from './words.ts';

/** The unit being edited, and the same as it was when opened: unsaved when they differ. */
export const draft = { id: '', isNew: false, spec: null as UnitSpec | null, saved: '', areaUnfinished: false };
export const unsaved = (): boolean => draft.spec !== null && (draft.areaUnfinished || JSON.stringify(draft.spec) !== draft.saved);

/** Opens `unit` (or a new one) for editing: a copy, so cancelling changes nothing. */
export function startEditing(unit: Unit | null): void {
  const spec: UnitSpec = unit
    ? structuredClone({ name: unit.name, kind: unit.kind, members: unit.members, area: unit.area, duty: unit.duty })
    : { name: '', kind: 'team', members: [], area: [], duty: [] };
  Object.assign(draft, { id: unit?.id ?? newUnitId(), isNew: !unit, spec, saved: JSON.stringify(spec), areaUnfinished: false });
}

export const stopEditing = (): void => void Object.assign(draft, { id: '', spec: null, saved: '', areaUnfinished: false });

/** People write names, not ids: a new unit gets an id they never need to see. */
function newUnitId(): string {
  const hex = [...crypto.getRandomValues(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `unit-${hex}`;
}

/**
 * The form: name, kind, members (ticked from the officers' accounts when the server lists them, else typed),
 * duty hours, the area drawn on the map. `done` is told after a save or a cancel.
 */
export function unitForm(patrolUsers: string[] | null, done: (savedName: string | null) => void): HTMLElement {
  const spec = draft.spec!;
  const error = h('p', { class: 'error', id: 'unit-error', role: 'alert' });
  const name = h('input', { id: 'unit-name', value: spec.name, maxlength: 100, required: true });
  name.addEventListener('input', () => (spec.name = name.value));
  const kind = h(
    'select',
    { id: 'unit-kind' },
    ...(['team', 'officer'] as const).map((k) => h('option', { value: k, selected: spec.kind === k }, w(`kind.${k}`))),
  );
  kind.addEventListener('change', () => (spec.kind = kind.value as UnitSpec['kind']));
  const mapBox = h('div', { class: 'pick-map', id: 'unit-map' });
  const form = h(
    'form',
    { id: 'unit-form', class: 'unit-form card' },
    h('h2', {}, draft.isNew ? w('units.new') : spec.name),
    h('label', {}, w('units.name'), name),
    h('label', {}, w('units.kind'), kind),
    h('fieldset', { class: 'members' }, h('legend', {}, w('units.members')), membersField(spec, patrolUsers)),
    h('fieldset', {}, h('legend', {}, w('units.duty')), dutyForm(spec.duty)),
    h('fieldset', {}, h('legend', {}, w('units.area')), mapBox),
    error,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', id: 'unit-save' }, w('units.save')),
      h('button', { type: 'button', class: 'secondary', id: 'unit-cancel', onclick: () => done(null) }, w('units.cancel')),
    ),
  );
  areaEditor(mapBox, draft.id, spec.area, (area, unfinished) => {
    spec.area = area;
    draft.areaUnfinished = unfinished;
  }).catch((err: unknown) => mapBox.replaceChildren(h('p', { class: 'error' }, w('map.none', { error: String(err) }))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const problem = !spec.name.trim()
      ? w('units.nameNeeded')
      : spec.duty.some((d) => !d.days.length)
        ? w('units.dutyNeedsDay')
        : draft.areaUnfinished
          ? w('units.areaUnfinished')
          : null;
    error.textContent = problem ?? '';
    if (problem) return;
    void save().then(
      () => done(spec.name),
      (err: unknown) => {
        error.textContent =
          err instanceof ApiError && err.problems.length
            ? err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')
            : String((err as Error).message);
      },
    );
  });
  return form;
}

async function save(): Promise<void> {
  const { unit } = await api<{ unit: Unit }>('PUT', `/api/units/${encodeURIComponent(draft.id)}`, draft.spec);
  keepUnit(unit);
  draft.saved = JSON.stringify(draft.spec);
}

/** Tick boxes of the officers' accounts, or (when the server does not list them) the names typed, comma-separated. */
function membersField(spec: UnitSpec, patrolUsers: string[] | null): HTMLElement {
  if (!patrolUsers) {
    const typed = h('input', { id: 'unit-members', value: spec.members.join(', ') });
    typed.addEventListener('input', () => {
      spec.members = typed.value
        .split(/[,，\s]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    });
    return h('label', {}, w('units.membersFree'), typed);
  }
  const all = [...new Set([...patrolUsers, ...spec.members])].sort();
  if (!all.length) return h('p', { class: 'muted' }, w('units.noPatrolUsers'));
  return h(
    'div',
    { class: 'member-picks', id: 'unit-members' },
    ...all.map((user) => {
      const c = h('input', { type: 'checkbox', value: user, checked: spec.members.includes(user) });
      c.addEventListener('change', () => {
        spec.members = c.checked ? [...spec.members, user].sort() : spec.members.filter((m) => m !== user);
      });
      return h('label', { class: 'check' }, c, user);
    }),
  );
}
